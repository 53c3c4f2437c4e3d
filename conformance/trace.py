# gdb script (gdb's embedded Python) for conformance/record.sh: attaches to QEMU's gdb stub, waits for the guest's
# /init (conformance/init.c) to reach ready(), then records every case the init runs, instruction by instruction,
# from the user `syscall` (or `int 0x80`) to the user instruction after it. The kernel's C code is not stepped: when
# a step lands outside .entry.text (a call or a tail jump into C, e.g. do_syscall_64 or sync_regs), the script puts a
# breakpoint on the return address at [rsp] and continues to it.
#
# Run by record.sh as: gdb -batch -nx -x conformance/trace.py, with these environment variables:
#   TRACE_TARGET where QEMU's gdb stub listens, e.g. 127.0.0.1:1234
#   TRACE_INIT   `nm` output of the init binary (for syscall_site, int80_site, ready, finished, ksyms, info, ...)
#   TRACE_BOOT   the boot's name in the JSON, e.g. "main" or "pti"
#   TRACE_META   a JSON object merged into the boot's record (QEMU command line, CPU model, package, ...)
#   TRACE_OUT    the JSON file: this boot is added to it, or replaces the boot with the same name
#
# Each step record is the machine *at* `rip`, before the instruction there runs: `regs` holds the registers that
# differ from the previous record (the first record of a case holds all of them), `pushed` the 8 bytes at [rsp] when
# the previous instruction was a push, `ran` the C function that ran between the previous record and this one, and
# `pt_regs` the 21 fields at [rdi] where the entry code hands pt_regs to C.

import json
import os
import re

import gdb

REGS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
        "r15", "rip", "eflags", "cs", "ss", "gs_base", "k_gs_base", "cr3"]
PT_REGS = ["r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx", "dx", "si", "di",
           "orig_ax", "ip", "cs", "flags", "sp", "ss"]
MAX_STEPS = 3000
ABOUT = ("Linux 6.12 entry_SYSCALL_64 and int 0x80, single-stepped under QEMU with gdb from the user instruction to "
         "the one after it (C code run through, not stepped). Each step: the machine at rip before the instruction "
         "there runs; regs = registers changed since the previous step; pushed = [rsp] after a push; ran = the C "
         "function run to its return before this step; pt_regs = the 21 fields at [rdi] where C is entered.")
MASK = (1 << 64) - 1


def hexs(value):
    return "0x%x" % value


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & MASK


def read_regs():
    regs = {name: reg(name) for name in REGS}
    regs["rflags"] = regs.pop("eflags")
    return regs


def read_u64(addr):
    data = gdb.selected_inferior().read_memory(addr, 8).tobytes()
    return int.from_bytes(data, "little")


def read_bytes(addr, length):
    return gdb.selected_inferior().read_memory(addr, length).tobytes()


class Symbols:
    """The kernel symbols the init copied from /proc/kallsyms, plus the init's own."""

    def __init__(self, text, user):
        self.kernel = []
        self.by_name = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) != 3:
                continue
            addr, kind, name = int(parts[0], 16), parts[1], parts[2]
            self.kernel.append((addr, kind, name))
            self.by_name.setdefault(name, addr)
        self.kernel.sort()
        self.entry_start = self.by_name["__entry_text_start"]
        self.entry_end = self.by_name["__entry_text_end"]
        self.text = sorted((addr, name) for addr, kind, name in self.kernel if kind in "Tt")
        self.user = sorted((addr, name) for name, addr in user.items())

    def in_entry_text(self, addr):
        return self.entry_start <= addr < self.entry_end

    def name(self, addr):
        """`symbol+0xoff` for an address in .entry.text or the init, the exact name of a known C function."""
        table = self.user if addr < (1 << 47) else self.text
        best = None
        for sym_addr, sym_name in table:
            if sym_addr <= addr:
                best = (sym_addr, sym_name)
            else:
                break
        if best is None:
            return hexs(addr)
        if addr >= (1 << 47) and not self.in_entry_text(addr) and best[0] != addr:
            return hexs(addr)
        off = addr - best[0]
        return best[1] if off == 0 else "%s+0x%x" % (best[1], off)


def nm_symbols(text):
    syms = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms


def disassemble(pc, syms):
    insn = gdb.selected_frame().architecture().disassemble(pc)[0]
    text = re.sub(r"\s+", " ", insn["asm"].strip())
    # Branch targets get their symbol, as in an objdump listing.
    match = re.match(r"^(call|jmp|j[a-z]+) (0x[0-9a-f]+)$", text)
    if match:
        text = "%s %s <%s>" % (match.group(1), match.group(2), syms.name(int(match.group(2), 16)))
    return text, read_bytes(pc, insn["length"])


def hbreak(addr, temporary=False):
    # Hardware breakpoints (QEMU's TCG treats both kinds alike): with a software breakpoint gdb takes a stop one byte
    # after another breakpoint for that breakpoint's int3 and moves the PC back (ready and finished are adjacent).
    return gdb.Breakpoint("*" + hexs(addr), type=gdb.BP_HARDWARE_BREAKPOINT, internal=True, temporary=temporary)


def cont():
    gdb.execute("continue", to_string=True)


def trace_case(name, site, syms):
    """Steps from the site to the user instruction after it. Returns the step records."""
    steps = []
    prev_regs = None
    prev_text = ""
    ran = None
    regs = read_regs()
    site_len = len(disassemble(site, syms)[1])
    for _ in range(MAX_STEPS):
        pc = regs["rip"]
        text, code = disassemble(pc, syms)
        record = {"rip": hexs(pc), "at": syms.name(pc), "insn": text, "bytes": code.hex(" ")}
        changed = {key: value for key, value in regs.items() if prev_regs is None or prev_regs[key] != value}
        record["regs"] = {key: hexs(value) for key, value in changed.items()}
        if prev_text.startswith("push") and regs["cs"] & 3 == 0:
            try:
                record["pushed"] = hexs(read_u64(regs["rsp"]))
            except gdb.MemoryError:
                record["pushed"] = "unreadable"
        if ran:
            record["ran"] = ran
            ran = None
        match = re.match(r"^(call|jmp) (0x[0-9a-f]+)", text)
        if match and regs["cs"] & 3 == 0 and not syms.in_entry_text(int(match.group(2), 16)):
            try:
                values = [read_u64(regs["rdi"] + 8 * idx) for idx in range(len(PT_REGS))]
                record["pt_regs"] = {field: hexs(value) for field, value in zip(PT_REGS, values)}
            except gdb.MemoryError:
                pass
        steps.append(record)
        if regs["cs"] & 3 == 3 and pc == site + site_len:
            return steps
        prev_regs, prev_text = regs, text
        # QEMU now and then reports a single step that executed nothing (same rip, same registers): step again.
        for _ in range(10):
            gdb.execute("stepi", to_string=True)
            regs = read_regs()
            if regs != prev_regs:
                break
        if regs["cs"] & 3 == 0 and not syms.in_entry_text(regs["rip"]):
            # Into C: run it to the return address the call (or the caller of a tail jump) left at [rsp].
            ret = read_u64(regs["rsp"])
            ran = syms.name(regs["rip"])
            bp = hbreak(ret, temporary=True)
            cont()
            if bp.is_valid():
                bp.delete()
            regs = read_regs()
            if regs["rip"] != ret:
                raise gdb.GdbError("%s: expected to return to %s, stopped at %s" % (name, hexs(ret), hexs(regs["rip"])))
    raise gdb.GdbError("%s: no return to user mode within %d steps" % (name, MAX_STEPS))


def read_c_string(addr, size):
    return read_bytes(addr, size).split(b"\0", 1)[0].decode()


def dump(doc):
    """JSON with one step per line: readable in a diff, a few hundred KB."""
    lines = ["{"]
    top = [key for key in doc if key != "boots"]
    for key in top:
        lines.append("  %s: %s," % (json.dumps(key), json.dumps(doc[key])))
    lines.append('  "boots": [')
    for b_idx, boot in enumerate(doc["boots"]):
        lines.append("    {")
        for key in [key for key in boot if key != "cases"]:
            lines.append("      %s: %s," % (json.dumps(key), json.dumps(boot[key])))
        lines.append('      "cases": [')
        for c_idx, case in enumerate(boot["cases"]):
            head = {key: value for key, value in case.items() if key != "steps"}
            lines.append("        " + json.dumps(head)[:-1] + ', "steps": [')
            for s_idx, step in enumerate(case["steps"]):
                comma = "," if s_idx + 1 < len(case["steps"]) else ""
                lines.append("          " + json.dumps(step) + comma)
            lines.append("        ]}" + ("," if c_idx + 1 < len(boot["cases"]) else ""))
        lines.append("      ]")
        lines.append("    }" + ("," if b_idx + 1 < len(doc["boots"]) else ""))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    init = nm_symbols(os.environ["TRACE_INIT"])
    boot_name = os.environ["TRACE_BOOT"]
    out_path = os.environ["TRACE_OUT"]
    meta = json.loads(os.environ.get("TRACE_META", "{}"))
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set disassembly-flavor intel")
    gdb.execute("set architecture i386:x86-64")
    gdb.execute("target remote " + os.environ["TRACE_TARGET"], to_string=True)
    # Single steps with interrupts and timers masked (SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER).
    gdb.execute("maintenance packet Qqemu.sstep=0x7", to_string=True)
    user_sites = {init["syscall_site"]: "syscall", init["int80_site"]: "int80"}
    for addr in [init["ready"], init["finished"], *user_sites]:
        hbreak(addr)
    syms = None
    info = {}
    cases = []
    while True:
        cont()
        pc = reg("rip")
        if reg("cs") & 3 != 3:
            continue  # the same linear address before the init ran
        if pc == init["ready"]:
            text = read_bytes(init["ksyms"], read_u64(init["ksyms_len"])).decode()
            syms = Symbols(text, init)
            info_text = read_bytes(init["info"], read_u64(init["info_len"])).decode()
            for line in info_text.splitlines():
                key, _, value = line.partition(": ")
                info[key] = value
        elif pc == init["finished"]:
            break
        elif pc in user_sites:
            name = read_c_string(init["case_name"], 64)
            print("trace.py: %s: tracing %s" % (boot_name, name))
            steps = trace_case(name, pc, syms)
            cases.append({"name": name, "abi": user_sites[pc], "steps": steps})
    gdb.execute("delete")
    symbols = {name: hexs(addr) for addr, kind, name in syms.kernel}
    boot = {"name": boot_name, **meta, "guest": info, "symbols": symbols,
            "init": {name: hexs(init[name]) for name in ["syscall_site", "int80_site"]}, "cases": cases}
    doc = {"boots": []}
    if os.path.exists(out_path):
        with open(out_path) as file:
            doc = json.load(file)
    doc = {"about": ABOUT, "regenerate": "conformance/record.sh", "boots": doc["boots"]}
    doc["boots"] = [other for other in doc["boots"] if other["name"] != boot_name] + [boot]
    order = ["main", "pti"]
    doc["boots"].sort(key=lambda other: order.index(other["name"]) if other["name"] in order else len(order))
    with open(out_path, "w") as file:
        file.write(dump(doc))
    print("trace.py: %s: %d cases, %d steps" % (boot_name, len(cases), sum(len(case["steps"]) for case in cases)))
    try:
        cont()  # the guest powers off and QEMU exits
    except gdb.error:
        pass


try:
    main()
except Exception as err:  # gdb -batch would otherwise exit 0 after a failed script
    print("trace.py: failed: %s" % err)
    gdb.execute("kill")
    gdb.execute("quit 1")
