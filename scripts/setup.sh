#!/usr/bin/env bash
# Installs whatever this project needs to build (and, with --test, to test) and skips what is already there.
#
#   scripts/setup.sh          the wasm32 target, Trunk, the wasm-bindgen CLI, wasm-opt and terser (npm), the crates
#   scripts/setup.sh --test   all that, plus rustfmt and clippy, Chromium and chromedriver, and Playwright
#
# Safe to run again and again: each step checks first and says whether it installs or skips. The first run took 332 s
# on two cores (Trunk 220 s, the wasm-bindgen CLI 70 s, compiled without optimisation). Needs rustup, node 20 with npm,
# and on Debian root or sudo for the --test browser packages. Everything comes from package registries only
# (crates.io, npm, Debian): no step downloads a prebuilt binary from anywhere else.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

TRUNK_VERSION=0.21.14
BINARYEN_WASM_OPT=version_132

with_test=false
for arg in "$@"; do
    case "$arg" in
        --test) with_test=true ;;
        -h | --help)
            sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "setup.sh: unknown argument '$arg' (try --help)" >&2
            exit 2
            ;;
    esac
done

setup_start=$SECONDS
step_start=$SECONDS
step_no=0

# Trunk and the wasm-bindgen CLI are build tools: how fast they themselves run hardly shows in a build (they wait for
# cargo and wasm-opt; the unoptimised wasm-bindgen takes 0.5 s on this app's WebAssembly), but compiling them with
# their release profile (LTO, one codegen unit, opt-level 3) was most of a first setup (853 s in all, 332 s now).
# So they are compiled without optimisation, in parallel codegen units, without debug info.
fast_tool_build() {
    CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
        CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_INCREMENTAL=false "$@"
}
if $with_test; then n_steps=9; else n_steps=7; fi

step() {
    if ((step_no > 0)); then note "($((SECONDS - step_start)) s)"; fi
    step_no=$((step_no + 1))
    step_start=$SECONDS
    banner "setup [$step_no/$n_steps] $*"
}

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

# ---------------------------------------------------------------------------------------------------------------------
step "Checking the prerequisites: rustup, cargo, node >= 20, npm"
for tool in rustup cargo node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "setup.sh: '$tool' is not on PATH. Install rustup (which brings cargo) and Node.js 20 with npm first." >&2
        exit 1
    fi
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 20)); then
    echo "setup.sh: Node.js $(node --version) is too old; Playwright and this setup need Node.js 20 or newer." >&2
    exit 1
fi
note "$(cargo --version), node $(node --version), npm $(npm --version)"

# ---------------------------------------------------------------------------------------------------------------------
step "Rust target wasm32-unknown-unknown (the browser's WebAssembly)"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    note "present, skipping"
else
    note "installing: the app compiles to WebAssembly, which needs the standard library built for wasm32"
    rustup target add wasm32-unknown-unknown
fi

step "Rust $RELEASE_TOOLCHAIN with rust-src (release builds rebuild the standard library for size)"
if rustup run "$RELEASE_TOOLCHAIN" rustc --version >/dev/null 2>&1 &&
    [ -f "$(rustup run "$RELEASE_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.lock" ]; then
    note "present, skipping"
else
    note "installing from rustup's dist server (minimal profile + rust-src, about 90 MB): a pinned, dated nightly,"
    note "so every machine builds the same release; debug builds and the tests stay on stable"
    rustup toolchain install "$RELEASE_TOOLCHAIN" --profile minimal --component rust-src
fi
# Trunk builds --offline, so the standard library's own crates (compiler_builtins, dlmalloc ...) must be in the cache.
std_manifest="$(rustup run "$RELEASE_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
rustup run "$RELEASE_TOOLCHAIN" cargo fetch --quiet --manifest-path "$std_manifest"
note "$(rustup run "$RELEASE_TOOLCHAIN" rustc --version); the standard library's crates are in the local cache"

if $with_test; then
    step "Rust components rustfmt and clippy (the first two test layers)"
    missing_components=()
    for component in rustfmt clippy; do
        if ! rustup component list --installed | grep -q "^$component"; then missing_components+=("$component"); fi
    done
    if ((${#missing_components[@]} == 0)); then
        note "present, skipping"
    else
        note "installing ${missing_components[*]}: the tests check formatting and lints"
        rustup component add "${missing_components[@]}"
    fi
fi

# ---------------------------------------------------------------------------------------------------------------------
step "Crates: cargo fetch (Trunk builds with --offline, so every crate must already be downloaded)"
cargo fetch --quiet
note "every crate in Cargo.lock is in the local cache (for all targets)"

# ---------------------------------------------------------------------------------------------------------------------
step "Trunk $TRUNK_VERSION (builds the crate to WebAssembly, bundles index.html, serves it)"
if command -v trunk >/dev/null 2>&1 && [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ]; then
    note "present ($(command -v trunk)), skipping"
else
    note "installing with 'cargo install --locked trunk --version $TRUNK_VERSION': about 4 minutes on two cores, unoptimised."
    note "Pinned: Trunk 0.22 needs a newer rustc than 1.95."
    fast_tool_build cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# ---------------------------------------------------------------------------------------------------------------------
bindgen_version="$(lock_wasm_bindgen_version)"
if [ -z "$bindgen_version" ]; then
    echo "setup.sh: could not find the wasm-bindgen version in Cargo.lock" >&2
    exit 1
fi
step "wasm-bindgen CLI $bindgen_version (Trunk's JS glue generator; also wasm-bindgen-test-runner)"
trunk_pin="$(sed -n 's/^wasm_bindgen *= *"\([^"]*\)".*/\1/p' Trunk.toml)"
if [ "$trunk_pin" != "$bindgen_version" ]; then
    echo "setup.sh: Trunk.toml pins wasm_bindgen = \"$trunk_pin\" but Cargo.lock has wasm-bindgen $bindgen_version;" >&2
    echo "          set [tools] wasm_bindgen = \"$bindgen_version\" in Trunk.toml." >&2
    exit 1
fi
if command -v wasm-bindgen >/dev/null 2>&1 && command -v wasm-bindgen-test-runner >/dev/null 2>&1 &&
    [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $bindgen_version" ]; then
    note "present ($(command -v wasm-bindgen)), skipping"
else
    note "installing with 'cargo install wasm-bindgen-cli --version $bindgen_version': about 70 s, unoptimised."
    note "The CLI must equal the wasm-bindgen crate in Cargo.lock exactly, or the generated glue does not match."
    note "No --locked: the CLI's own lockfile pins a webpki-roots release the registry no longer has."
    fast_tool_build cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# ---------------------------------------------------------------------------------------------------------------------
# npm packages. `dependencies` hold the build tools (binaryen for wasm-opt, terser), `devDependencies` the test tools
# (Playwright, axe). A stamp in node_modules records which lockfile and which set were installed, so a second run skips.
if $with_test; then npm_set="test"; else npm_set="build"; fi
step "npm packages ($npm_set set) from package-lock.json"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.syscall-explorer-setup"
npm_ok=false
if [ -f "$stamp" ] && [ -x node_modules/.bin/wasm-opt ] &&
    node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "$BINARYEN_WASM_OPT"; then
    read -r stamp_sum stamp_set <"$stamp" || true
    if [ "$stamp_sum" = "$lock_sum" ] && { [ "$stamp_set" = test ] || [ "$npm_set" = build ]; }; then
        npm_ok=true
    fi
fi
if $npm_ok; then
    note "present (node_modules matches package-lock.json), skipping"
else
    note "installing with npm ci: binaryen 132 gives wasm-opt $BINARYEN_WASM_OPT, which Trunk runs on release builds"
    note "(Debian's binaryen 108 and the crates.io wasm-opt 116 cannot parse current wasm-bindgen output)."
    if [ "$npm_set" = test ]; then
        note "Also @playwright/test and @axe-core/playwright for the end-to-end tests; PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1,"
        note "because they drive Debian's Chromium."
        npm ci --no-audit --no-fund
    else
        npm ci --omit=dev --no-audit --no-fund
    fi
    echo "$lock_sum $npm_set" >"$stamp"
fi
note "$(node_modules/.bin/wasm-opt --version)"

# ---------------------------------------------------------------------------------------------------------------------
if $with_test; then
    step "Chromium and chromedriver (Debian packages: the browser for wasm-bindgen-test and Playwright)"
    if [ -x /usr/bin/chromium ] && command -v chromedriver >/dev/null 2>&1; then
        note "present, skipping"
    else
        note "installing with apt-get: the browser tests run in headless Chromium, driven by chromedriver"
        $SUDO apt-get update
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
    fi
    note "$(/usr/bin/chromium --version 2>/dev/null | head -n1)"
fi

note "($((SECONDS - step_start)) s)"
banner "setup done in $((SECONDS - setup_start)) s"
note "tools: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version | head -n1)"
