// Shortens the names that join the WebAssembly to its wasm-bindgen glue, in both files at once: the glue module's
// import names (`__wbg_setAttribute_f75317b2b5cabfb4` and 144 more, each with a 16-hex-digit hash that gzip cannot
// compress, and each written twice: in the wasm's import section and as a key in the glue), the import module name
// (`./syscall-explorer_bg.js`, once per import), and the glue's exports (`__wbindgen_malloc`, the closure invokers of
// up to 190 characters). Emscripten does the same for its output; binaryen's --minify-imports-and-exports would
// rename the wasm side only. Measured: -3.0 KB gzipped of WebAssembly and -1.9 KB of JavaScript.
//
// Used by scripts/minify-js.mjs after terser, in the same hook (Trunk runs a stage's hooks at the same time, and both
// steps write the glue). Every rename is checked: each import must be a key of the glue's import object exactly once,
// each renamed export must be used only as a property (`.name`), and the renamed module must compile with exactly
// the new import names. Anything unexpected throws, and the build stops.

/** Reads an unsigned LEB128 number at `offset`; returns [value, next offset]. */
function readU32(bytes, offset) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, offset];
    if (shift > 35) throw new Error('minify-imports: LEB128 number too long');
  }
}

/** Encodes an unsigned LEB128 number. */
function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return Buffer.from(out);
}

const name = (text) => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes]);
};

function readName(bytes, offset) {
  const [length, start] = readU32(bytes, offset);
  return [bytes.subarray(start, start + length).toString('utf8'), start + length];
}

/** Skips an import's or export's descriptor after its kind byte; returns the next offset. */
function skipLimits(bytes, offset) {
  const [flags, next] = readU32(bytes, offset);
  let at = readU32(bytes, next)[1];
  if (flags & 1) at = readU32(bytes, at)[1];
  return at;
}

function skipImportDesc(bytes, kind, offset) {
  switch (kind) {
    case 0: return readU32(bytes, offset)[1]; // function: type index
    case 1: return skipLimits(bytes, offset + 1); // table: element type, limits
    case 2: return skipLimits(bytes, offset); // memory: limits
    case 3: return offset + 2; // global: value type, mutability
    default: throw new Error(`minify-imports: unknown import kind ${kind}`);
  }
}

/** Short identifiers: a … z, A … Z, then two characters, and so on. */
function* shortNames() {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rest = `${first}0123456789`;
  for (let length = 1; ; length++) {
    const total = first.length * rest.length ** (length - 1);
    for (let index = 0; index < total; index++) {
      let n = index;
      let id = first[n % first.length];
      n = Math.floor(n / first.length);
      for (let k = 1; k < length; k++) {
        id += rest[n % rest.length];
        n = Math.floor(n / rest.length);
      }
      yield id;
    }
  }
}

/** Rewrites a section that is a vector of entries: `entry(offset)` returns [the new entry's parts, next offset]. */
function rewriteVector(body, entry) {
  const [count, first] = readU32(body, 0);
  const parts = [u32(count)];
  let at = first;
  for (let i = 0; i < count; i++) {
    const [entryParts, end] = entry(at);
    parts.push(...entryParts);
    at = end;
  }
  return Buffer.concat(parts);
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Exports the glue reaches as properties of the instance's exports (`x.__wbindgen_malloc(…)`); names this
// distinctive cannot be anything else in the glue. Others (`memory`, `main`) keep their names.
const RENAMED_EXPORT = /^(__wbindgen_|__externref_|__wbg_|wasm_bindgen_)/;

/**
 * Rewrites `wasm` (a Buffer) and `js` (the minified glue) with short names. Returns { wasm, js, renamed }.
 */
export function minifyImports(wasm, js) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('minify-imports: not a WebAssembly module');
  const ids = shortNames();
  const importNames = new Map();
  const exportNames = new Map();
  let glueModule = null;
  const sections = [wasm.subarray(0, 8)];
  let offset = 8;
  while (offset < wasm.length) {
    const id = wasm[offset];
    const [size, start] = readU32(wasm, offset + 1);
    const body = wasm.subarray(start, start + size);
    offset = start + size;
    if (id === 0) {
      // Custom sections: `producers` and `target_features` are metadata nobody reads at run time.
      const [custom] = readName(body, 0);
      if (custom === 'producers' || custom === 'target_features') continue;
      sections.push(Buffer.from([id]), u32(size), body);
    } else if (id === 2) {
      const rewritten = rewriteVector(body, (at) => {
        const [module, afterModule] = readName(body, at);
        const [field, afterField] = readName(body, afterModule);
        const end = skipImportDesc(body, body[afterField], afterField + 1);
        glueModule ??= module;
        if (module !== glueModule) throw new Error(`minify-imports: a second import module, ${module}`);
        if (!importNames.has(field)) importNames.set(field, ids.next().value);
        return [[name('w'), name(importNames.get(field)), body.subarray(afterField, end)], end];
      });
      sections.push(Buffer.from([id]), u32(rewritten.length), rewritten);
    } else if (id === 7) {
      const rewritten = rewriteVector(body, (at) => {
        const [field, afterField] = readName(body, at);
        const end = readU32(body, afterField + 1)[1];
        if (RENAMED_EXPORT.test(field)) exportNames.set(field, ids.next().value);
        return [[name(exportNames.get(field) ?? field), body.subarray(afterField, end)], end];
      });
      sections.push(Buffer.from([id]), u32(rewritten.length), rewritten);
    } else {
      sections.push(Buffer.from([id]), u32(size), body);
    }
  }
  if (!glueModule) throw new Error('minify-imports: the module imports nothing');

  let out = js;
  const moduleKey = new RegExp(`(?<=[{,])(${escape(JSON.stringify(glueModule))}|'${escape(glueModule)}'):`, 'g');
  if ((out.match(moduleKey) ?? []).length !== 1) {
    throw new Error(`minify-imports: the glue does not name the module ${glueModule} exactly once`);
  }
  out = out.replace(moduleKey, 'w:');
  for (const [field, short] of importNames) {
    const key = new RegExp(`(?<=[{,])${escape(field)}(?=:)`, 'g');
    const found = (out.match(key) ?? []).length;
    if (found !== 1) throw new Error(`minify-imports: import ${field} is a key of the glue ${found} times, not once`);
    out = out.replace(key, short);
  }
  for (const [field, short] of exportNames) {
    const anywhere = new RegExp(`(?<![\\w$])${escape(field)}(?![\\w$])`, 'g');
    const asProperty = new RegExp(`(?<=\\.)${escape(field)}(?![\\w$])`, 'g');
    const all = (out.match(anywhere) ?? []).length;
    if (all !== (out.match(asProperty) ?? []).length) {
      throw new Error(`minify-imports: export ${field} appears in the glue other than as a property`);
    }
    out = out.replace(asProperty, short);
  }
  for (const field of [...importNames.keys(), ...exportNames.keys()]) {
    if (out.includes(field)) throw new Error(`minify-imports: ${field} is still in the glue`);
  }

  const result = Buffer.concat(sections);
  const module = new WebAssembly.Module(result); // throws if the rewrite broke the binary
  const imported = WebAssembly.Module.imports(module).map((entry) => `${entry.module}.${entry.name}`);
  const expected = [...importNames.values()].map((short) => `w.${short}`);
  if (new Set(imported).size !== expected.length || !expected.every((entry) => imported.includes(entry))) {
    throw new Error('minify-imports: the rewritten module does not import exactly the new names');
  }
  return { wasm: result, js: out, renamed: importNames.size + exportNames.size };
}
