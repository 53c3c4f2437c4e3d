//! The model against a real Linux 6.12 kernel, instruction by instruction.
//!
//! `tests/kernel/entry-6.12.json` is Debian's Linux 6.12 booted under QEMU (TCG, one vCPU, `nokaslr`) and
//! single-stepped with gdb from a user `syscall` (or `int 0x80`) to the user instruction after it. The kernel's C code
//! (`do_syscall_64`, `sync_regs`, `do_int80_emulation`) runs to its return address instead of being stepped.
//! `conformance/record.sh` regenerates the file; that is the opt-in `kernel-trace` layer of `scripts/test.sh`. These
//! tests only read the committed file and download nothing. Set `KERNEL_TRACE=path` to compare another recording, for
//! example a deliberately broken copy.
//!
//! The file holds two boots of the same kernel on the same CPU model (Skylake-Client):
//! - "main" boots with `mitigations=off pti=off`. The model's default runs are compared with this one.
//! - "pti" boots with the default mitigations. It shows what the real entry adds when the CPU needs page-table
//!   isolation and buffer clearing: the CR3 switches and `verw`. The model's mitigated runs
//!   (`Scenario::mitigations`: `entry_SYSCALL_64` with its `Patch::Pti` lines run and its `Patch::NoPti` lines
//!   skipped) are compared with this one, for every `syscall` case: the same alignment, with nothing bridged but
//!   the kernel's patched-out ALTERNATIVE sites (both SYSRET exits go through the entry stack), and CR3 compared by
//!   role ("user cr3", "kernel cr3") at every pair. The model's `int 0x80` entry is not mitigated, so the int 0x80
//!   cases are compared with the main boot only.
//!
//! Each recorded case is paired with the model's preset for the same call ([`CASES`]). Both runs are compared from the
//! trap to the return to user mode:
//!
//! - **Instructions.** Both sides are decoded from their bytes with iced-x86 into one canonical text: per-CPU operands
//!   by field name, branch targets by symbol, immediates sign-extended. The two sequences must match in order. Where
//!   the model condenses Linux, a [`Rule`] of kind [`Kind::Condensed`] names the instructions that stand for each
//!   other, and why:
//!   - ALTERNATIVE sites patched out on this boot (a `jmp` over the PTI CR3 switch and IBRS, NOPs for
//!     UNTRAIN_RET, BHI clearing and VERW);
//!   - SYSRET's trampoline stack;
//!   - IRET's frame checks;
//!   - the idtentry machinery around `int 0x80`: clac/cld, error_entry's `save_ret` pushes, the copy from the entry
//!     stack to the task stack, and error_return.
//!
//!   Nothing else may differ.
//! - **Registers.** At each pair of matching instructions every register is compared by what its value *is*: a
//!   [`roles`] set such as "the user's RBX", zero, "8 bytes below the stack top", -ENOSYS or "the user's return
//!   address". Addresses and the user's values differ between the two machines, so raw values cannot be compared.
//!   Also compared: the values pushed, the 21 pt_regs fields where C is entered, the C call's arguments, the
//!   SYSRET/IRET choice, the user registers the call changed, and the result.
//!
//! `a_swapped_push_fails_the_comparison` and `a_swapped_clear_fails_the_comparison` prove the comparison can fail.
//! They swap two pushes, or two clears, in the recorded kernel run and expect the comparison to reject it;
//! `a_broken_mitigated_model_fails_the_comparison` does the same to the model's mitigated run (`verw` before
//! `swapgs`, the CR3 write dropped, CR3 never switched).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, Mnemonic, OpKind, Register};
use serde_json::Value;
use syscall_explorer::model::frame::Executed;
use syscall_explorer::model::memory::Access;
use syscall_explorer::model::{Frame, Preset, Scenario, Timeline};

/// Each recorded case and the model preset it is compared with. The model's int 0x80 program always makes the i386
/// `read` (EAX = 3); the entry and exit code are the same for every i386 number, so `int80-getpid` is compared with
/// it too (the pt_regs fields and results by role, not value).
const CASES: [(&str, Preset); 7] = [
    ("read", Preset::Read),
    ("read-bad-fd", Preset::ReadBadFd),
    ("read-bad-buffer", Preset::ReadBadBuffer),
    ("unknown-number", Preset::UnknownNumber),
    ("getpid", Preset::Getpid),
    ("int80-getpid", Preset::Int80Read),
    ("int80-read", Preset::Int80Read),
];

/// The cases whose result the model must reproduce exactly (the others return a pid, which differs).
const SAME_RESULT: [&str; 5] = ["read", "read-bad-fd", "read-bad-buffer", "unknown-number", "int80-read"];

const GPR_NAMES: [&str; 16] =
    ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
const RAX: usize = 0;
const RCX: usize = 1;
const RSP: usize = 4;
const RSI: usize = 6;
const RDI: usize = 7;
const R11: usize = 11;
/// Caller-saved in the C ABI: what a C function may leave anything in.
const CALLER_SAVED: [usize; 9] = [0, 1, 2, 6, 7, 8, 9, 10, 11];

/// RFLAGS bits the comparison names.
const IF: u64 = 1 << 9;
const TF: u64 = 1 << 8;
const NT: u64 = 1 << 14;
const RF: u64 = 1 << 16;
const VM: u64 = 1 << 17;
const ENOSYS: i64 = 38;

/// `struct pt_regs`, low address first (arch/x86/include/asm/ptrace.h).
const PT_REGS: [&str; 21] = [
    "r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx", "dx", "si", "di", "orig_ax", "ip",
    "cs", "flags", "sp", "ss",
];
const PT_REGS_SIZE: u64 = 8 * PT_REGS.len() as u64;

/// The instruction that moves an exit onto the per-CPU entry (trampoline) stack.
const LOAD_ENTRY_STACK: &str = "mov rsp, qword gs:[cpu_tss_rw+TSS_sp0]";
/// CR3 bits 12 (`PTI_USER_PGTABLE_BIT`) and 11 (the user PCID bit): SWITCH_TO_KERNEL_CR3 clears both.
const PTI_USER_PGTABLE_AND_PCID_MASK: u64 = 0x1800;

// ---------------------------------------------------------------------------------------------------------------
// The two runs

/// The registers of one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Regs {
    /// RAX … R15 in hardware encoding order.
    gpr: [u64; 16],
    rip: u64,
    rflags: u64,
    cs: u64,
    ss: u64,
    gs_base: u64,
    kernel_gs_base: u64,
    /// The page tables: the kernel's or the user's half of the PGD with PTI, one value throughout without.
    cr3: u64,
}

/// One executed instruction and the machine just before it.
#[derive(Clone, Debug)]
struct Step {
    /// `entry_SYSCALL_64+0x4` in the kernel, the address in the model.
    at: String,
    insn: Instruction,
    /// The canonical text: the same on both machines when the instruction is the same.
    op: String,
    /// The instruction as the recording or the model prints it.
    text: String,
    before: Regs,
    /// The C function that ran just before this instruction (called or tail-jumped to, and returned from).
    ran_before: Option<String>,
    /// After a push: the 8 bytes it left at \[rsp\].
    pushed: Option<u64>,
}

/// One call, from the trap instruction (user mode) to the return to user mode.
#[derive(Clone, Debug)]
struct Run {
    who: String,
    steps: Vec<Step>,
    /// Back in user mode after `sysretq` / `iretq`.
    end: Regs,
    /// Where C is entered: the address in RDI and the 21 fields there.
    pt_regs: (u64, [u64; 21]),
}

impl Run {
    fn user(&self) -> &Regs {
        &self.steps[0].before
    }

    /// The user instruction after the trap.
    fn next_rip(&self) -> u64 {
        self.steps[0].before.rip + self.steps[0].insn.len() as u64
    }

    /// The last kernel instruction: `sysretq` or `iretq`.
    fn exit(&self) -> &Step {
        self.steps.last().expect("a run has steps")
    }

    /// The instruction that enters the C handler (`call do_syscall_64`, `call int80_emulation`).
    fn c_call(&self) -> &Step {
        self.steps
            .iter()
            .rev()
            .find(|step| step.insn.mnemonic() == Mnemonic::Call && step.before.rdi() == self.pt_regs.0)
            .unwrap_or_else(|| panic!("{}: no call with RDI = &pt_regs", self.who))
    }

    /// The tops of the kernel stacks this run used: the task stack above pt_regs, for `int 0x80` the stack the CPU
    /// switched to (its first kernel RSP plus the 5-word hardware frame), and the per-CPU entry stack wherever an
    /// exit loads RSP from TSS.sp0 (PTI's SYSRET and IRET exits, and Linux's SYSRET exit even without PTI).
    fn stack_tops(&self) -> Vec<u64> {
        let mut tops = vec![self.pt_regs.0 + PT_REGS_SIZE];
        if let Some(first) = self.steps.get(1) {
            if first.before.rsp() != self.user().rsp() {
                tops.push(first.before.rsp() + 5 * 8);
            }
        }
        for pair in self.steps.windows(2) {
            if pair[0].op == LOAD_ENTRY_STACK {
                tops.push(pair[1].before.rsp());
            }
        }
        tops
    }

    /// CR3 in user mode (with PTI the user half of the PGD).
    fn user_cr3(&self) -> u64 {
        self.user().cr3
    }

    /// CR3 while the kernel runs: the user's with `PTI_USER_PGTABLE_AND_PCID_MASK` (bits 12 and 11) cleared, as
    /// SWITCH_TO_KERNEL_CR3 does. Without PTI the same value as the user's.
    fn kernel_cr3(&self) -> u64 {
        self.user_cr3() & !PTI_USER_PGTABLE_AND_PCID_MASK
    }
}

impl Regs {
    fn rsp(&self) -> u64 {
        self.gpr[RSP]
    }
    fn rdi(&self) -> u64 {
        self.gpr[RDI]
    }
}

fn decode(bytes: &[u8], ip: u64) -> Instruction {
    let insn = Decoder::with_ip(64, bytes, ip, DecoderOptions::NONE).decode();
    assert!(!insn.is_invalid(), "undecodable bytes {bytes:02x?} at {ip:#x}");
    assert_eq!(insn.len(), bytes.len(), "{bytes:02x?} at {ip:#x} is more than one instruction");
    insn
}

// ---------------------------------------------------------------------------------------------------------------
// Canonical instruction text

/// How one machine names what an instruction refers to.
trait Names {
    /// A near branch target: a symbol (`do_syscall_64`, `entry_SYSCALL_64+0x23`).
    fn branch(&self, step_text: &str, target: u64) -> String;
    /// A GS-relative (per-CPU) or RIP-relative memory operand, e.g. `gs:[cpu_tss_rw+TSS_sp2]`; `None` for others.
    fn memory(&self, step_text: &str, insn: &Instruction) -> Option<String>;
}

/// Intel syntax with the machine's own addresses replaced by names, so equal instructions read the same on both.
fn canonical(insn: &Instruction, text: &str, names: &dyn Names) -> String {
    let mut formatter = IntelFormatter::new();
    let mut mnemonic = String::new();
    formatter.format_mnemonic(insn, &mut mnemonic);
    let mut operands = Vec::new();
    for idx in 0..insn.op_count() {
        let operand = match insn.op_kind(idx) {
            OpKind::Register => formatter.format_register(insn.op_register(idx)).to_string(),
            OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => {
                names.branch(text, insn.near_branch_target())
            }
            OpKind::Immediate8
            | OpKind::Immediate8_2nd
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate64
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate32to64 => format!("{:#x}", insn.immediate(idx)),
            OpKind::Memory => {
                let size = match insn.memory_size().size() {
                    _ if insn.mnemonic() == Mnemonic::Lea => "",
                    1 => "byte ",
                    2 => "word ",
                    4 => "dword ",
                    8 => "qword ",
                    _ => "",
                };
                let place = names.memory(text, insn).unwrap_or_else(|| {
                    let mut place = String::from("[");
                    if insn.memory_base() != Register::None {
                        place.push_str(formatter.format_register(insn.memory_base()));
                    }
                    if insn.memory_index() != Register::None {
                        let _ = write!(
                            place,
                            "+{}*{}",
                            formatter.format_register(insn.memory_index()),
                            insn.memory_index_scale()
                        );
                    }
                    let disp = insn.memory_displacement64() as i64;
                    match disp {
                        0 => {}
                        _ if place.len() == 1 => {
                            let _ = write!(place, "{disp:#x}");
                        }
                        _ if disp < 0 => {
                            let _ = write!(place, "-{:#x}", disp.unsigned_abs());
                        }
                        _ => {
                            let _ = write!(place, "+{disp:#x}");
                        }
                    }
                    place.push(']');
                    place
                });
                format!("{size}{place}")
            }
            other => format!("{other:?}"),
        };
        operands.push(operand);
    }
    if operands.is_empty() {
        mnemonic
    } else {
        format!("{mnemonic} {}", operands.join(", "))
    }
}

/// Linux 6.12's per-CPU field offsets the entry code uses (asm-offsets): `TSS_sp0` and `TSS_sp2` in
/// `struct x86_hw_tss` (after a 4-byte reserved field: sp0 at 4, sp1 at 12, sp2 at 20), `X86_top_of_stack` in
/// `struct pcpu_hot` (after current_task, preempt_count, cpu_number and call_depth).
const TSS_FIELDS: [(u64, &str); 3] = [(0x4, "TSS_sp0"), (0xc, "TSS_sp1"), (0x14, "TSS_sp2")];
const X86_TOP_OF_STACK: u64 = 0x18;

/// The kernel's names, from the symbols the guest read from its own /proc/kallsyms.
struct KernelNames {
    symbols: BTreeMap<String, u64>,
}

impl KernelNames {
    fn symbol(&self, name: &str) -> u64 {
        *self.symbols.get(name).unwrap_or_else(|| panic!("the recording has no symbol {name}"))
    }

    fn per_cpu(&self, offset: u64) -> String {
        let tss = self.symbol("cpu_tss_rw");
        if let Some((_, field)) = TSS_FIELDS.iter().find(|(field_off, _)| tss + field_off == offset) {
            return format!("cpu_tss_rw+{field}");
        }
        if offset == self.symbol("pcpu_hot") + X86_TOP_OF_STACK {
            return "pcpu_hot+X86_top_of_stack".to_string();
        }
        format!("{offset:#x}")
    }
}

impl Names for KernelNames {
    fn branch(&self, text: &str, target: u64) -> String {
        // trace.py wrote the target's symbol after it: `call 0xffffffff81ce0f70 <do_syscall_64>`.
        match (text.find('<'), text.rfind('>')) {
            (Some(open), Some(close)) if open < close => text[open + 1..close].to_string(),
            _ => format!("{target:#x}"),
        }
    }

    fn memory(&self, _text: &str, insn: &Instruction) -> Option<String> {
        let addr =
            if insn.is_ip_rel_memory_operand() { insn.ip_rel_memory_address() } else { insn.memory_displacement64() };
        if insn.memory_segment() == Register::GS {
            Some(format!("gs:[{}]", self.per_cpu(addr)))
        } else if insn.is_ip_rel_memory_operand() {
            let name = self.symbols.iter().find(|(_, value)| **value == addr).map(|(name, _)| name.clone());
            Some(format!("[{}]", name.unwrap_or_else(|| format!("{addr:#x}"))))
        } else {
            None
        }
    }
}

/// The model's names: its instruction text already spells them (`call do_syscall_64`, `gs:[cpu_tss_rw+TSS_sp2]`,
/// `verw [x86_verw_sel]`).
struct ModelNames;

impl Names for ModelNames {
    fn branch(&self, text: &str, target: u64) -> String {
        text.split_whitespace().last().map_or_else(|| format!("{target:#x}"), str::to_string)
    }

    fn memory(&self, text: &str, insn: &Instruction) -> Option<String> {
        if insn.memory_segment() == Register::GS {
            let start = text.find("gs:[")?;
            let end = start + text[start..].find(']')?;
            return Some(text[start..=end].to_string());
        }
        // An absolute address the text names by symbol (Linux reaches the same symbol RIP-relative).
        if insn.memory_base() != Register::None || insn.memory_index() != Register::None {
            return None;
        }
        let start = text.find('[')?;
        let end = start + text[start..].find(']')?;
        let name = &text[start + 1..end];
        (name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| format!("[{name}]"))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the recording

struct Boot {
    name: String,
    guest: BTreeMap<String, String>,
    names: KernelNames,
    cases: Vec<(String, Run)>,
}

impl Boot {
    fn case(&self, name: &str) -> &Run {
        self.cases.iter().find(|(case, _)| case == name).map(|(_, run)| run).unwrap_or_else(|| {
            panic!("boot {} has no case {name}", self.name);
        })
    }
}

fn hex(value: &Value) -> u64 {
    let text = value.as_str().unwrap_or_else(|| panic!("expected a hex string, found {value}"));
    u64::from_str_radix(text.trim_start_matches("0x"), 16).unwrap_or_else(|err| panic!("{text}: {err}"))
}

fn set_reg(regs: &mut Regs, name: &str, value: u64) {
    if let Some(idx) = GPR_NAMES.iter().position(|gpr| *gpr == name) {
        regs.gpr[idx] = value;
        return;
    }
    match name {
        "rip" => regs.rip = value,
        "rflags" => regs.rflags = value,
        "cs" => regs.cs = value,
        "ss" => regs.ss = value,
        "gs_base" => regs.gs_base = value,
        "k_gs_base" => regs.kernel_gs_base = value,
        "cr3" => regs.cr3 = value,
        other => panic!("unknown register {other} in the recording"),
    }
}

fn kernel_run(boot: &str, case: &str, names: &KernelNames, records: &[Value]) -> Run {
    let who = format!("Linux ({boot} boot, {case})");
    let mut regs = Regs::default();
    let mut states = Vec::new();
    for record in records {
        for (name, value) in record["regs"].as_object().expect("regs is an object") {
            set_reg(&mut regs, name, hex(value));
        }
        states.push(regs);
    }
    let mut steps = Vec::new();
    let mut pt_regs = None;
    for (idx, record) in records.iter().enumerate().take(records.len().saturating_sub(1)) {
        let rip = hex(&record["rip"]);
        let bytes: Vec<u8> = record["bytes"]
            .as_str()
            .expect("bytes")
            .split_whitespace()
            .map(|byte| u8::from_str_radix(byte, 16).expect("a hex byte"))
            .collect();
        let insn = decode(&bytes, rip);
        let text = record["insn"].as_str().expect("insn").to_string();
        if let Some(fields) = record["pt_regs"].as_object() {
            let mut values = [0u64; 21];
            for (slot, name) in values.iter_mut().zip(PT_REGS) {
                *slot = hex(&fields[name]);
            }
            pt_regs = Some((states[idx].rdi(), values));
        }
        steps.push(Step {
            at: record["at"].as_str().expect("at").to_string(),
            op: canonical(&insn, &text, names),
            insn,
            text,
            before: states[idx],
            ran_before: record["ran"].as_str().map(str::to_string),
            pushed: records[idx + 1]["pushed"].as_str().map(|_| hex(&records[idx + 1]["pushed"])),
        });
    }
    Run {
        who: who.clone(),
        steps,
        end: *states.last().expect("a case has records"),
        pt_regs: pt_regs.unwrap_or_else(|| panic!("{who}: no pt_regs recorded")),
    }
}

fn trace_path() -> PathBuf {
    std::env::var_os("KERNEL_TRACE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/kernel/entry-6.12.json"))
}

fn load() -> Vec<Boot> {
    let path = trace_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let boots = doc["boots"].as_array().expect("boots");
    boots
        .iter()
        .map(|boot| {
            let name = boot["name"].as_str().expect("boot name").to_string();
            let symbols =
                boot["symbols"].as_object().expect("symbols").iter().map(|(key, value)| (key.clone(), hex(value)));
            let names = KernelNames { symbols: symbols.collect() };
            let guest = boot["guest"]
                .as_object()
                .expect("guest")
                .iter()
                .map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_string()))
                .collect();
            let cases = boot["cases"]
                .as_array()
                .expect("cases")
                .iter()
                .map(|case| {
                    let case_name = case["name"].as_str().expect("case name").to_string();
                    let records = case["steps"].as_array().expect("steps");
                    let run = kernel_run(&name, &case_name, &names, records);
                    (case_name, run)
                })
                .collect();
            Boot { name, guest, names, cases }
        })
        .collect()
}

fn boot<'a>(boots: &'a [Boot], name: &str) -> &'a Boot {
    boots.iter().find(|boot| boot.name == name).unwrap_or_else(|| panic!("the recording has no {name} boot"))
}

// ---------------------------------------------------------------------------------------------------------------
// The model's run

fn model_regs(frame: &Frame) -> Regs {
    let cpu = &frame.machine.cpu;
    Regs {
        gpr: cpu.gpr,
        rip: cpu.rip,
        rflags: cpu.rflags,
        cs: u64::from(cpu.cs),
        ss: u64::from(cpu.ss),
        gs_base: cpu.gs_base,
        kernel_gs_base: cpu.msr.kernel_gs_base,
        cr3: cpu.cr3,
    }
}

fn model_u64(frame: &Frame, addr: u64) -> u64 {
    frame.machine.mem.read_le(addr, 8, Access::Kernel).unwrap_or_else(|_| panic!("model memory at {addr:#x}"))
}

fn is_trap(insn: &Instruction) -> bool {
    matches!(insn.mnemonic(), Mnemonic::Syscall | Mnemonic::Int)
}

fn is_return_to_user(insn: &Instruction) -> bool {
    matches!(insn.mnemonic(), Mnemonic::Sysretq | Mnemonic::Iretq)
}

/// The model's preset with mitigations off (compared with the main boot) or on (compared with the pti boot).
fn model_scenario(preset: Preset, mitigations: bool) -> Scenario {
    Scenario { mitigations, ..Scenario::preset(preset) }
}

fn model_run(scenario: &Scenario) -> Run {
    let timeline = Timeline::run(scenario);
    let who = format!(
        "the model (preset {}{})",
        scenario.preset.id(),
        if scenario.runs_pti() { ", mitigations on" } else { "" }
    );
    let frames = &timeline.frames;
    let mut steps: Vec<Step> = Vec::new();
    let mut ran = None;
    let mut pt_regs = None;
    for (idx, frame) in frames.iter().enumerate().skip(1) {
        let prev = &frames[idx - 1];
        match &frame.executed {
            Executed::Insn(image_insn) => {
                let insn = decode(image_insn.bytes, image_insn.addr);
                if steps.is_empty() && !is_trap(&insn) {
                    continue;
                }
                let pushed = (insn.mnemonic() == Mnemonic::Push).then(|| model_u64(frame, frame.machine.cpu.gpr[RSP]));
                steps.push(Step {
                    at: format!("{:#x}", image_insn.addr),
                    op: canonical(&insn, image_insn.text, &ModelNames),
                    insn,
                    text: image_insn.text.to_string(),
                    before: model_regs(prev),
                    ran_before: ran.take(),
                    pushed,
                });
                if is_return_to_user(&insn) {
                    return Run {
                        who: who.clone(),
                        steps,
                        end: model_regs(frame),
                        pt_regs: pt_regs.unwrap_or_else(|| panic!("{who}: never entered C")),
                    };
                }
            }
            Executed::CCode { function, .. } if !steps.is_empty() && pt_regs.is_none() => {
                // `prev` is the machine right after the call into C: RDI is the pt_regs pointer.
                let addr = prev.machine.cpu.gpr[RDI];
                let mut values = [0u64; 21];
                for (slot, value) in values.iter_mut().enumerate() {
                    *value = model_u64(prev, addr + 8 * slot as u64);
                }
                pt_regs = Some((addr, values));
                ran = Some(function.to_string());
            }
            _ => {}
        }
    }
    panic!("{who}: never returned to user mode")
}

// ---------------------------------------------------------------------------------------------------------------
// Roles: what a value is

/// Everything a value could be in this run: the user's register values, zero, -ENOSYS, the return address, an
/// address on a kernel stack, the call's result. Small values, and values no role explains, are also kept as
/// themselves, so constants (RFLAGS = 0x2, a selector) still compare.
fn roles(value: u64, run: &Run) -> BTreeSet<String> {
    let user = run.user();
    let mut set = BTreeSet::new();
    if value == 0 {
        set.insert("zero".to_string());
    }
    for (idx, name) in GPR_NAMES.iter().enumerate() {
        if value == user.gpr[idx] {
            set.insert(format!("user {name}"));
        }
    }
    if value == run.next_rip() {
        set.insert("user return address".to_string());
    }
    if value == user.rflags {
        set.insert("user rflags".to_string());
    }
    if value == user.rflags & !(IF | TF | NT | RF | VM) {
        set.insert("user rflags, IF TF NT RF VM clear".to_string());
    }
    if value == (-ENOSYS) as u64 {
        set.insert("-ENOSYS".to_string());
    }
    if value == u64::MAX {
        set.insert("-1".to_string());
    }
    if value == run.end.gpr[RAX] {
        set.insert("result".to_string());
    }
    if value == user.kernel_gs_base {
        set.insert("per-CPU base".to_string());
    }
    if value == run.user_cr3() {
        set.insert("user cr3".to_string());
    }
    if value == run.kernel_cr3() {
        set.insert("kernel cr3".to_string());
    }
    for top in run.stack_tops() {
        if value <= top && top - value <= 0x1000 {
            set.insert(format!("stack top - {:#x}", top - value));
        }
    }
    if set.is_empty() || value < 0x1_0000 {
        set.insert(format!("{value:#x}"));
    }
    set
}

/// Whether two values play a common role in their runs.
fn same_role(k_value: u64, k_run: &Run, m_value: u64, m_run: &Run) -> Result<(), String> {
    let (k_roles, m_roles) = (roles(k_value, k_run), roles(m_value, m_run));
    if k_roles.is_disjoint(&m_roles) {
        Err(format!("Linux has {k_value:#x} {k_roles:?}, the model {m_value:#x} {m_roles:?}"))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Alignment

/// What a rule says about the two machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The model condenses Linux here on purpose.
    Condensed,
}

/// Instructions on one machine that stand for instructions on the other. A pattern is a canonical text; one ending in
/// `*` matches any text with that prefix.
struct Rule {
    name: &'static str,
    kind: Kind,
    why: &'static str,
    kernel: &'static [&'static str],
    model: &'static [&'static str],
    /// The first kernel instruction must be in this routine (`at` starts with it).
    kernel_in: Option<&'static str>,
    /// The model instruction just before must be this one.
    model_after: Option<&'static str>,
    /// Patched-out ALTERNATIVE sites may sit between the kernel instructions.
    patched_between: bool,
}

const NONE: Rule = Rule {
    name: "",
    kind: Kind::Condensed,
    why: "",
    kernel: &[],
    model: &[],
    kernel_in: None,
    model_after: None,
    patched_between: false,
};

/// The kernel's CLEAR_REGS (arch/x86/entry/calling.h, Linux 6.12).
const LINUX_CLEAR_REGS: &[&str] = &[
    "xor esi, esi",
    "xor edx, edx",
    "xor ecx, ecx",
    "xor r8d, r8d",
    "xor r9d, r9d",
    "xor r10d, r10d",
    "xor r11d, r11d",
    "xor ebx, ebx",
    "xor ebp, ebp",
    "xor r12d, r12d",
    "xor r13d, r13d",
    "xor r14d, r14d",
    "xor r15d, r15d",
];

const RULES: &[Rule] = &[
    Rule {
        name: "SYSRET exit through the trampoline stack",
        why: "syscall_return_via_sysret copies the user RSP and RDI to the per-CPU trampoline stack (TSS.sp0) so \
              that the PTI CR3 switch can run on a stack the user page tables map, then pops both; the model pops \
              RDI and loads RSP from pt_regs->sp directly",
        kernel: &[
            "mov rdi, rsp",
            "mov rsp, qword gs:[cpu_tss_rw+TSS_sp0]",
            "push qword [rdi+0x28]",
            "push qword [rdi]",
            "pop rdi",
            "pop rsp",
        ],
        model: &["pop rdi", "mov rsp, qword [rsp+0x20]"],
        patched_between: true,
        ..NONE
    },
    Rule {
        name: "IRET frame checks",
        why: "before iretq Linux checks that the frame returns to user mode (testb $3) and to a 64-bit stack, not \
              an LDT one (ESPFIX, testb $4); the model's IRET exits are only ever to 64-bit user mode",
        kernel: &["test byte [rsp+0x8], 0x3", "jne *", "test byte [rsp+0x20], 0x4", "jne *"],
        ..NONE
    },
    Rule {
        name: "idtentry: clac and cld",
        why: "every interrupt entry clears AC (SMAP) and DF itself; SYSCALL's FMASK already clears both, which is \
              why entry_SYSCALL_64 has neither; the model's int 0x80 entry leaves them out",
        kernel: &["clac", "cld"],
        ..NONE
    },
    Rule {
        name: "error_entry: PUSH_AND_CLEAR_REGS save_ret=1",
        why: "asm_int80_emulation calls error_entry, whose PUSH_REGS save_ret=1 pushes RSI first and stores RDI in \
              the slot the call's return address took (pt_regs->di), keeping the return address in RSI; same \
              pt_regs layout as the model's push rdi, push rsi",
        kernel: &["call error_entry", "push rsi", "mov rsi, qword [rsp+0x8]", "mov qword [rsp+0x8], rdi"],
        model: &["push rdi", "push rsi"],
        ..NONE
    },
    Rule {
        name: "error_entry: its return address back on the stack",
        why: "after pushing r15 error_entry pushes its own return address (held in RSI) below pt_regs, so that it \
              can return; the model has no error_entry",
        kernel: &["push rsi"],
        kernel_in: Some("error_entry"),
        ..NONE
    },
    Rule {
        name: "error_entry: entered from user mode?",
        why: "error_entry checks pt_regs->cs for ring 3 before it swaps GS (interrupts from the kernel keep it); \
              the model's int 0x80 entry is only ever entered from user mode",
        kernel: &["test byte [rsp+0x90], 0x3", "je *"],
        ..NONE
    },
    Rule {
        name: "sync_regs: from the entry stack to the task stack",
        why: "an interrupt from ring 3 arrives on the per-CPU entry stack (TSS.sp0); error_entry tail-calls \
              sync_regs, which copies pt_regs to the task stack, and the entry moves RSP there; the model's TSS.sp0 \
              is the task stack, so pt_regs is built where it stays",
        kernel: &["lea rdi, [rsp+0x8]", "jmp sync_regs", "mov rsp, rax"],
        ..NONE
    },
    Rule {
        name: "int80_emulation tail-calls do_int80_emulation",
        why: "the idtentry calls int80_emulation, a wrapper in .entry.text that jumps to do_int80_emulation; the \
              model calls do_int80_emulation directly",
        kernel: &["call int80_emulation", "jmp do_int80_emulation"],
        model: &["call do_int80_emulation"],
        patched_between: true,
        ..NONE
    },
    Rule {
        name: "error_return",
        why: "after the C handler the idtentry jumps to error_return, which checks pt_regs->cs for a return to \
              user mode and jumps to the common exit; the model's int 0x80 exit is only ever to user mode",
        kernel: &[
            "jmp error_return",
            "test byte [rsp+0x88], 0x3",
            "je restore_regs_and_return_to_kernel",
            "jmp swapgs_restore_regs_and_return_to_usermode",
        ],
        ..NONE
    },
];

/// An ALTERNATIVE site patched out on this boot: a NOP, or a short forward `jmp` inside the same routine (over
/// the PTI CR3 switch, IBRS_ENTER/IBRS_EXIT, or the PCID variants of the CR3 switch).
fn is_patched_out(step: &Step) -> bool {
    if step.insn.mnemonic() == Mnemonic::Nop {
        return true;
    }
    if step.insn.mnemonic() != Mnemonic::Jmp || step.insn.op0_kind() != OpKind::NearBranch64 {
        return false;
    }
    let target = step.insn.near_branch_target();
    let routine = |at: &str| at.split('+').next().unwrap_or_default().to_string();
    let target_name = step.op.trim_start_matches("jmp ");
    target > step.before.rip && target - step.before.rip <= 0x80 && routine(&step.at) == routine(target_name)
}

fn pattern_matches(pattern: &str, op: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => op.starts_with(prefix),
        None => pattern == op,
    }
}

/// How many kernel steps from `start` the rule's kernel pattern takes, if it matches there.
fn match_kernel(rule: &Rule, steps: &[Step], start: usize) -> Option<usize> {
    if let (Some(routine), Some(first)) = (rule.kernel_in, steps.get(start)) {
        if !first.at.starts_with(routine) {
            return None;
        }
    }
    let mut idx = start;
    for (pos, pattern) in rule.kernel.iter().enumerate() {
        while pos > 0 && rule.patched_between && steps.get(idx).is_some_and(is_patched_out) {
            idx += 1;
        }
        if !pattern_matches(pattern, &steps.get(idx)?.op) {
            return None;
        }
        idx += 1;
    }
    Some(idx - start)
}

fn match_model(rule: &Rule, steps: &[Step], start: usize) -> Option<usize> {
    if let Some(after) = rule.model_after {
        if start == 0 || steps[start - 1].op != after {
            return None;
        }
    }
    for (pos, pattern) in rule.model.iter().enumerate() {
        if !pattern_matches(pattern, &steps.get(start + pos)?.op) {
            return None;
        }
    }
    Some(rule.model.len())
}

/// A register the comparison may have to skip for a while.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Tracked {
    Gpr(usize),
    Rflags,
    GsBases,
    Cr3,
}

fn gpr_of(register: Register) -> Option<usize> {
    // Any width names the whole register: eax, ax and al are rax.
    let name = format!("{register:?}").to_lowercase();
    GPR_NAMES.iter().position(|full| {
        let legacy = full.trim_start_matches('r');
        let widths: Vec<String> = if full.len() <= 3 && full.as_bytes()[1].is_ascii_digit() {
            ["", "d", "w", "l"].iter().map(|suffix| format!("{full}{suffix}")).collect()
        } else {
            let low = match legacy {
                "ax" | "cx" | "dx" | "bx" => format!("{}l", &legacy[..1]),
                other => format!("{other}l"),
            };
            vec![full.to_string(), format!("e{legacy}"), legacy.to_string(), low]
        };
        widths.contains(&name)
    })
}

/// What an instruction writes, as far as the comparison tracks it, and what the C code that ran before it may have
/// left anything in.
fn writes(step: &Step) -> BTreeSet<Tracked> {
    &insn_writes(step) | &writes_before(step)
}

/// What the instruction itself writes, as far as the comparison tracks it.
fn insn_writes(step: &Step) -> BTreeSet<Tracked> {
    let insn = &step.insn;
    let mut out = BTreeSet::new();
    let mnemonic = insn.mnemonic();
    if matches!(mnemonic, Mnemonic::Push | Mnemonic::Pop | Mnemonic::Call | Mnemonic::Ret) {
        out.insert(Tracked::Gpr(RSP));
    }
    let reads_op0 = matches!(mnemonic, Mnemonic::Push | Mnemonic::Test | Mnemonic::Cmp | Mnemonic::Verw);
    if insn.op_count() > 0 && insn.op0_kind() == OpKind::Register && !reads_op0 {
        if let Some(gpr) = gpr_of(insn.op0_register()) {
            out.insert(Tracked::Gpr(gpr));
        }
    }
    let flag_writers = [
        Mnemonic::Xor,
        Mnemonic::And,
        Mnemonic::Or,
        Mnemonic::Add,
        Mnemonic::Sub,
        Mnemonic::Test,
        Mnemonic::Cmp,
        Mnemonic::Clac,
        Mnemonic::Cld,
        Mnemonic::Verw,
    ];
    if flag_writers.contains(&mnemonic) {
        out.insert(Tracked::Rflags);
    }
    if mnemonic == Mnemonic::Swapgs {
        out.insert(Tracked::GsBases);
    }
    if insn.op_count() > 0 && insn.op0_kind() == OpKind::Register && insn.op0_register() == Register::CR3 {
        out.insert(Tracked::Cr3);
    }
    out
}

/// One line of the alignment: matching instructions, or a rule's instructions on each side.
#[derive(Debug)]
enum Line {
    Same { k: usize, m: usize },
    Rule { rule: &'static str, k: std::ops::Range<usize>, m: std::ops::Range<usize> },
}

/// Compares the registers of a matching pair.
fn compare_regs(k_run: &Run, k: &Step, m_run: &Run, m: &Step, skip: &BTreeSet<Tracked>) -> Result<(), String> {
    let mut problems = Vec::new();
    for (idx, name) in GPR_NAMES.iter().enumerate() {
        if skip.contains(&Tracked::Gpr(idx)) {
            continue;
        }
        if let Err(err) = same_role(k.before.gpr[idx], k_run, m.before.gpr[idx], m_run) {
            problems.push(format!("{name}: {err}"));
        }
    }
    if !skip.contains(&Tracked::Rflags) {
        if let Err(err) = same_role(k.before.rflags, k_run, m.before.rflags, m_run) {
            problems.push(format!("rflags: {err}"));
        }
    }
    if (k.before.cs, k.before.ss) != (m.before.cs, m.before.ss) {
        problems.push(format!(
            "cs:ss: Linux has {:#x}:{:#x}, the model {:#x}:{:#x}",
            k.before.cs, k.before.ss, m.before.cs, m.before.ss
        ));
    }
    if !skip.contains(&Tracked::GsBases) {
        for (name, k_value, m_value) in [
            ("gs_base", k.before.gs_base, m.before.gs_base),
            ("kernel_gs_base", k.before.kernel_gs_base, m.before.kernel_gs_base),
        ] {
            if let Err(err) = same_role(k_value, k_run, m_value, m_run) {
                problems.push(format!("{name}: {err}"));
            }
        }
    }
    // By role: without PTI the user's and the kernel's CR3 are one value (on Linux's main boot and in the model's
    // default runs alike); with PTI they are the two halves of the PGD.
    if !skip.contains(&Tracked::Cr3) {
        if let Err(err) = same_role(k.before.cr3, k_run, m.before.cr3, m_run) {
            problems.push(format!("cr3: {err}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Aligns the kernel's run with the model's, instruction by instruction, and compares the registers at each matching
/// pair. `allow` says which kinds of rules may bridge a difference.
fn align(k_run: &Run, m_run: &Run, allow: &[Kind]) -> Result<Vec<Line>, String> {
    let (ks, ms) = (&k_run.steps, &m_run.steps);
    let (mut ki, mut mi) = (0, 0);
    let mut lines = Vec::new();
    let mut skip: BTreeSet<Tracked> = BTreeSet::new();
    let context = |ki: usize, mi: usize, lines: &[Line], why: String| -> String {
        let mut out = format!("{} and {} differ: {why}\n", k_run.who, m_run.who);
        let _ = writeln!(out, "matched so far (last 8):");
        for line in lines.iter().rev().take(8).collect::<Vec<_>>().into_iter().rev() {
            match line {
                Line::Same { k, m } => {
                    let _ = writeln!(out, "    {:<44} = {}", ks[*k].op, ms[*m].op);
                }
                Line::Rule { rule, k, m } => {
                    let _ = writeln!(out, "    [{rule}: {} Linux, {} model instructions]", k.len(), m.len());
                }
            }
        }
        let _ = writeln!(out, "Linux from here:");
        for step in ks.iter().skip(ki).take(8) {
            let _ = writeln!(out, "    {:<44} at {}", step.op, step.at);
        }
        let _ = writeln!(out, "the model from here:");
        for step in ms.iter().skip(mi).take(8) {
            let _ = writeln!(out, "    {:<44} ({})", step.op, step.text);
        }
        out
    };
    let find_rule = |ki: usize, mi: usize, two_sided: bool| {
        RULES
            .iter()
            .filter(|rule| allow.contains(&rule.kind))
            .filter(|rule| two_sided == (!rule.kernel.is_empty() && !rule.model.is_empty()))
            .find_map(|rule| {
                let k_len = if rule.kernel.is_empty() { Some(0) } else { match_kernel(rule, ks, ki) }?;
                let m_len = if rule.model.is_empty() { Some(0) } else { match_model(rule, ms, mi) }?;
                (k_len + m_len > 0).then_some((rule.name, k_len, m_len))
            })
    };
    while ki < ks.len() || mi < ms.len() {
        // A rule with instructions on both sides first (the model's CLEAR_REGS starts like Linux's), then equal
        // instructions, then what only one side runs.
        let mut found = find_rule(ki, mi, true);
        if found.is_none() {
            if let (Some(k), Some(m)) = (ks.get(ki), ms.get(mi)) {
                if k.op == m.op {
                    let mut skip_here = skip.clone();
                    skip_here.extend(writes_before(k));
                    skip_here.extend(writes_before(m));
                    compare_regs(k_run, k, m_run, m, &skip_here)
                        .map_err(|err| context(ki, mi, &lines, format!("at `{}`, {err}", k.op)))?;
                    if let (Some(k_pushed), Some(m_pushed)) = (k.pushed, m.pushed) {
                        same_role(k_pushed, k_run, m_pushed, m_run).map_err(|err| {
                            context(ki, mi, &lines, format!("`{}` pushed a different value: {err}", k.op))
                        })?;
                    }
                    // The same instruction wrote the same registers on both machines: they compare again.
                    skip = &skip_here - &insn_writes(k);
                    lines.push(Line::Same { k: ki, m: mi });
                    ki += 1;
                    mi += 1;
                    continue;
                }
            }
            if ks.get(ki).is_some_and(is_patched_out) && allow.contains(&Kind::Condensed) {
                lines.push(Line::Rule { rule: "patched-out ALTERNATIVE", k: ki..ki + 1, m: mi..mi });
                ki += 1;
                continue;
            }
            found = find_rule(ki, mi, false);
        }
        let Some((rule, k_len, m_len)) = found else {
            return Err(context(ki, mi, &lines, "no rule explains the difference".to_string()));
        };
        // Registers one side wrote in the rule's instructions and the other did not mean different things until
        // the next matching instruction writes them.
        let k_writes: BTreeSet<Tracked> = ks[ki..ki + k_len].iter().flat_map(writes).collect();
        let m_writes: BTreeSet<Tracked> = ms[mi..mi + m_len].iter().flat_map(writes).collect();
        skip.extend(k_writes.symmetric_difference(&m_writes).copied());
        for step in ks[ki..ki + k_len].iter().chain(&ms[mi..mi + m_len]) {
            skip.extend(writes_before(step));
        }
        lines.push(Line::Rule { rule, k: ki..ki + k_len, m: mi..mi + m_len });
        ki += k_len;
        mi += m_len;
    }
    Ok(lines)
}

/// What C left behind before this instruction: the caller-saved registers and flags mean nothing until written.
fn writes_before(step: &Step) -> BTreeSet<Tracked> {
    let mut out = BTreeSet::new();
    if step.ran_before.is_some() {
        out.extend(CALLER_SAVED.map(Tracked::Gpr));
        out.insert(Tracked::Rflags);
    }
    out
}

fn pairs() -> Vec<(String, Run, Run)> {
    let boots = load();
    let main = boot(&boots, "main");
    CASES
        .iter()
        .map(|(case, preset)| (case.to_string(), main.case(case).clone(), model_run(&model_scenario(*preset, false))))
        .collect()
}

/// The `syscall` cases: the pti boot's run and the model's mitigated run (the model's int 0x80 entry has no PTI).
fn pti_pairs() -> Vec<(String, Run, Run)> {
    let boots = load();
    let pti = boot(&boots, "pti");
    CASES
        .iter()
        .filter(|(case, _)| !case.starts_with("int80"))
        .map(|(case, preset)| {
            let scenario = model_scenario(*preset, true);
            assert!(scenario.runs_pti(), "{case}: the mitigated scenario runs the PTI entry");
            (case.to_string(), pti.case(case).clone(), model_run(&scenario))
        })
        .collect()
}

fn assert_all_align(abi_int80: bool, allow: &[Kind]) {
    let mut failures = Vec::new();
    for (case, k_run, m_run) in pairs() {
        if case.starts_with("int80") != abi_int80 {
            continue;
        }
        if let Err(err) = align(&k_run, &m_run, allow) {
            failures.push(err);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------------
// The recording itself

#[test]
fn the_recording_is_complete() {
    let boots = load();
    let names: Vec<&str> = boots.iter().map(|boot| boot.name.as_str()).collect();
    assert_eq!(names, ["main", "pti"]);
    for boot in &boots {
        assert!(boot.guest["version"].starts_with("Linux version 6.12."), "{}", boot.guest["version"]);
        let case_names: Vec<&str> = boot.cases.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(case_names, CASES.map(|(name, _)| name), "boot {}", boot.name);
        let entry_text = boot.names.symbol("__entry_text_start")..boot.names.symbol("__entry_text_end");
        for (case, run) in &boot.cases {
            assert!(is_trap(&run.steps[0].insn), "{case}: starts at {}", run.steps[0].op);
            assert_eq!(run.end.rip, run.next_rip(), "{case}: ends at the user instruction after the trap");
            assert_eq!(run.end.cs & 3, 3, "{case}: ends in user mode");
            for step in &run.steps[1..] {
                assert_eq!(step.before.cs & 3, 0, "{case}: {} runs in ring 0", step.at);
                assert!(entry_text.contains(&step.before.rip), "{case}: {} is outside .entry.text", step.at);
            }
            assert!(is_return_to_user(&run.exit().insn), "{case}: the last kernel instruction is {}", run.exit().op);
        }
    }
    let main = boot(&boots, "main");
    assert!(main.guest["cmdline"].contains("mitigations=off pti=off"), "{}", main.guest["cmdline"]);
    assert_eq!(main.guest["meltdown"], "Vulnerable");
    let pti = boot(&boots, "pti");
    assert!(!pti.guest["cmdline"].contains("mitigations"), "{}", pti.guest["cmdline"]);
    assert_eq!(pti.guest["meltdown"], "Mitigation: PTI");
    assert!(pti.guest["flags"].split_whitespace().any(|flag| flag == "pti"));
}

// ---------------------------------------------------------------------------------------------------------------
// Instruction by instruction

#[test]
fn syscall_entry_and_exit_match_linux_instruction_by_instruction() {
    assert_all_align(false, &[Kind::Condensed]);
}

#[test]
fn int80_entry_and_exit_match_linux_instruction_by_instruction() {
    assert_all_align(true, &[Kind::Condensed]);
}

/// Every condensation is still needed by some recorded case: a rule no case uses is stale.
#[test]
fn every_condensation_is_used() {
    let mut used = BTreeSet::new();
    for (case, k_run, m_run) in pairs() {
        let lines = align(&k_run, &m_run, &[Kind::Condensed]).unwrap_or_else(|err| panic!("{case}: {err}"));
        for line in lines {
            if let Line::Rule { rule, .. } = line {
                used.insert(rule);
            }
        }
    }
    for rule in RULES.iter().filter(|rule| rule.kind == Kind::Condensed) {
        assert!(used.contains(rule.name), "no recorded case needs the rule '{}' ({})", rule.name, rule.why);
    }
}

/// The ops of the push block that builds pt_regs: from the first push to the first CLEAR_REGS `xor`.
fn push_block(run: &Run) -> Vec<String> {
    run.steps
        .iter()
        .skip_while(|step| step.insn.mnemonic() != Mnemonic::Push)
        .take_while(|step| step.insn.mnemonic() != Mnemonic::Xor)
        .map(|step| step.op.clone())
        .collect()
}

#[test]
fn syscall_hardware_frame_and_push_order_match_linux() {
    for (case, k_run, m_run) in pairs().into_iter().filter(|(case, ..)| !case.starts_with("int80")) {
        let expected = [
            "push 0x2b",
            "push qword gs:[cpu_tss_rw+TSS_sp2]",
            "push r11",
            "push 0x33",
            "push rcx",
            "push rax",
            "push rdi",
            "push rsi",
            "push rdx",
            "push rcx",
            "push 0xffffffffffffffda",
            "push r8",
            "push r9",
            "push r10",
            "push r11",
            "push rbx",
            "push rbp",
            "push r12",
            "push r13",
            "push r14",
            "push r15",
        ];
        assert_eq!(push_block(&k_run), expected, "{case}: Linux's pushes");
        assert_eq!(push_block(&m_run), expected, "{case}: the model's pushes (Linux's order)");
    }
}

/// The CLEAR_REGS `xor`s, in order.
fn clear_block(run: &Run) -> Vec<String> {
    run.steps
        .iter()
        .skip_while(|step| step.insn.mnemonic() != Mnemonic::Xor)
        .take_while(|step| step.insn.mnemonic() == Mnemonic::Xor)
        .map(|step| step.op.clone())
        .collect()
}

#[test]
fn linux_clear_regs_order_is_the_one_recorded() {
    for (case, k_run, _) in pairs() {
        assert_eq!(clear_block(&k_run), LINUX_CLEAR_REGS, "{case}");
    }
}

#[test]
fn clear_regs_order_matches_linux() {
    for (case, _, m_run) in pairs() {
        assert_eq!(clear_block(&m_run), LINUX_CLEAR_REGS, "{case}: the model's CLEAR_REGS");
    }
}

/// The POP_REGS `pop`s before the exit, in order (the trampoline's `pop rdi` / `pop rsp` excluded).
fn pop_block(run: &Run) -> Vec<String> {
    let first = run.steps.iter().position(|step| step.op == "pop r15").expect("POP_REGS starts with r15");
    run.steps[first..]
        .iter()
        .take_while(|step| step.insn.mnemonic() == Mnemonic::Pop)
        .map(|step| step.op.clone())
        .collect()
}

#[test]
fn pop_regs_order_matches_linux() {
    for (case, k_run, m_run) in pairs() {
        let mut expected = vec![
            "pop r15", "pop r14", "pop r13", "pop r12", "pop rbp", "pop rbx", "pop r11", "pop r10", "pop r9", "pop r8",
            "pop rax", "pop rcx", "pop rdx", "pop rsi",
        ];
        if case.starts_with("int80") {
            // The IRET exit pops RDI with the rest; the SYSRET exit pops it after the stack switch.
            expected.push("pop rdi");
        }
        assert_eq!(pop_block(&k_run), expected, "{case}: Linux's POP_REGS");
        let model: Vec<String> = pop_block(&m_run).into_iter().take(expected.len()).collect();
        assert_eq!(model, expected, "{case}: the model's POP_REGS");
    }
}

#[test]
fn the_exit_instruction_matches_linux() {
    for (case, k_run, m_run) in pairs() {
        let expected = if case.starts_with("int80") { "iretq" } else { "sysretq" };
        assert_eq!(k_run.exit().op, expected, "{case}: Linux");
        assert_eq!(m_run.exit().op, expected, "{case}: the model");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The C call: arguments and pt_regs

#[test]
fn the_c_call_gets_pt_regs_and_the_number_as_linux_does() {
    for (case, k_run, m_run) in pairs() {
        for run in [&k_run, &m_run] {
            let call = run.c_call();
            let idx = run.steps.iter().position(|step| std::ptr::eq(step, call)).expect("the call is a step");
            assert_eq!(call.before.rdi(), call.before.rsp(), "{}: rdi = rsp = &pt_regs at the call", run.who);
            if case.starts_with("int80") {
                assert_eq!(run.steps[idx - 1].op, "mov rdi, rsp", "{}", run.who);
            } else {
                let ops: Vec<&str> = run.steps[..idx]
                    .iter()
                    .filter(|step| !is_patched_out(step))
                    .map(|step| step.op.as_str())
                    .rev()
                    .take(2)
                    .collect();
                assert_eq!(
                    ops,
                    ["movsxd rsi, eax", "mov rdi, rsp"],
                    "{}: the two instructions before the call",
                    run.who
                );
                let nr = run.user().gpr[RAX] as u32 as i32 as i64 as u64;
                assert_eq!(call.before.gpr[RSI], nr, "{}: rsi = the number, sign-extended from eax", run.who);
                assert_eq!(run.steps[idx + 1].ran_before.as_deref(), Some("do_syscall_64"), "{}", run.who);
            }
        }
    }
}

#[test]
fn pt_regs_at_the_c_call_match_linux() {
    for (case, k_run, m_run) in pairs() {
        for run in [&k_run, &m_run] {
            let (_, fields) = run.pt_regs;
            let field = |name: &str| fields[PT_REGS.iter().position(|field| *field == name).expect("a field")];
            let user = run.user();
            let who = &run.who;
            assert_eq!(field("ip"), run.next_rip(), "{who}: ip = the user's next instruction");
            assert_eq!(field("cs"), 0x33, "{who}: cs = __USER_CS");
            assert_eq!(field("ss"), 0x2b, "{who}: ss = __USER_DS");
            assert_eq!(field("sp"), user.rsp(), "{who}: sp = the user's RSP");
            assert_eq!(field("flags"), user.rflags & !RF, "{who}: flags = the user's RFLAGS");
            for (name, gpr) in [
                ("di", RDI),
                ("si", RSI),
                ("dx", 2),
                ("r8", 8),
                ("r9", 9),
                ("r10", 10),
                ("bx", 3),
                ("bp", 5),
                ("r12", 12),
                ("r13", 13),
                ("r14", 14),
                ("r15", 15),
            ] {
                assert_eq!(field(name), user.gpr[gpr], "{who}: {name} = the user's value");
            }
            if case.starts_with("int80") {
                assert_eq!(field("orig_ax"), u64::MAX, "{who}: orig_ax = -1 until do_int80_emulation");
                assert_eq!(field("ax"), user.gpr[RAX], "{who}: ax = the user's EAX");
                assert_eq!(field("cx"), user.gpr[RCX], "{who}: cx = the user's RCX (int 0x80 keeps it)");
                assert_eq!(field("r11"), user.gpr[R11], "{who}: r11 = the user's R11");
            } else {
                assert_eq!(field("orig_ax"), user.gpr[RAX], "{who}: orig_ax = the number");
                assert_eq!(field("ax"), (-ENOSYS) as u64, "{who}: ax = -ENOSYS");
                assert_eq!(field("cx"), field("ip"), "{who}: cx = ip (SYSCALL put the return address in RCX)");
                assert_eq!(field("r11"), field("flags"), "{who}: r11 = flags (SYSCALL put RFLAGS in R11)");
            }
        }
        // And field by field, by role.
        for (idx, name) in PT_REGS.iter().enumerate() {
            if let Err(err) = same_role(k_run.pt_regs.1[idx], &k_run, m_run.pt_regs.1[idx], &m_run) {
                panic!("{case}: pt_regs->{name}: {err}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// What the user sees

#[test]
fn the_user_registers_that_change_match_linux() {
    for (case, k_run, m_run) in pairs() {
        let changed = |run: &Run| -> Vec<&str> {
            let mut names: Vec<&str> = GPR_NAMES
                .iter()
                .enumerate()
                .filter(|(idx, _)| run.user().gpr[*idx] != run.end.gpr[*idx])
                .map(|(_, name)| *name)
                .collect();
            if run.user().rflags != run.end.rflags {
                names.push("rflags");
            }
            names
        };
        let expected: &[&str] = if case.starts_with("int80") { &["rax"] } else { &["rax", "rcx", "r11"] };
        assert_eq!(changed(&k_run), expected, "{case}: Linux");
        assert_eq!(changed(&m_run), expected, "{case}: the model");
        if !case.starts_with("int80") {
            for run in [&k_run, &m_run] {
                assert_eq!(run.end.gpr[RCX], run.next_rip(), "{}: rcx = the return address", run.who);
                assert_eq!(run.end.gpr[R11], run.user().rflags & !RF, "{}: r11 = the user's RFLAGS", run.who);
            }
        }
    }
}

#[test]
fn the_results_match_linux() {
    for (case, k_run, m_run) in pairs() {
        if SAME_RESULT.contains(&case.as_str()) {
            assert_eq!(m_run.end.gpr[RAX] as i64, k_run.end.gpr[RAX] as i64, "{case}: rax after the call");
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison can fail

/// Swaps two steps' instructions (what ran), keeping each moment's registers, as if the code had them the other way
/// round.
fn swap_instructions(run: &mut Run, a: usize, b: usize) {
    let (insn_a, op_a, text_a) = (run.steps[a].insn, run.steps[a].op.clone(), run.steps[a].text.clone());
    run.steps[a].insn = run.steps[b].insn;
    run.steps[a].op = run.steps[b].op.clone();
    run.steps[a].text = run.steps[b].text.clone();
    run.steps[b].insn = insn_a;
    run.steps[b].op = op_a;
    run.steps[b].text = text_a;
    run.who.push_str(" with two instructions swapped");
}

fn position(run: &Run, op: &str) -> usize {
    run.steps.iter().position(|step| step.op == op).unwrap_or_else(|| panic!("{}: no {op}", run.who))
}

#[test]
fn a_swapped_push_fails_the_comparison() {
    for (case, mut k_run, m_run) in pairs() {
        let (a, b) = (position(&k_run, "push rbx"), position(&k_run, "push rbp"));
        swap_instructions(&mut k_run, a, b);
        assert!(align(&k_run, &m_run, &[Kind::Condensed]).is_err(), "{case}: not caught");
    }
    // And the values: the same instructions, but pt_regs with two slots swapped.
    for (case, mut k_run, m_run) in pairs() {
        k_run.pt_regs.1.swap(4, 5);
        let caught = (0..PT_REGS.len())
            .any(|idx| same_role(k_run.pt_regs.1[idx], &k_run, m_run.pt_regs.1[idx], &m_run).is_err());
        assert!(caught, "{case}: swapped bp and bx in pt_regs not caught");
    }
}

#[test]
fn a_swapped_clear_fails_the_comparison() {
    for (case, mut k_run, m_run) in pairs() {
        let (a, b) = (position(&k_run, "xor r8d, r8d"), position(&k_run, "xor r9d, r9d"));
        swap_instructions(&mut k_run, a, b);
        assert!(align(&k_run, &m_run, &[Kind::Condensed]).is_err(), "{case}: not caught");
        assert_ne!(clear_block(&k_run), LINUX_CLEAR_REGS, "{case}");
    }
}

/// The comparison itself accepts the recording against itself, so the failures above come from the swaps.
#[test]
fn the_recording_matches_itself() {
    for (case, k_run, _) in pairs().into_iter().chain(pti_pairs()) {
        assert!(align(&k_run, &k_run, &[]).is_ok(), "{case}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// What PTI adds

/// The longest common subsequence of two op lists, as (index in a, index in b) pairs.
fn lcs(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] { table[i + 1][j + 1] + 1 } else { table[i + 1][j].max(table[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `pti` against `main` by the longest common subsequence of their ops: `('+', step)` for what only `pti` runs,
/// `('-', step)` for what only `main` runs, `('=', step)` for what both run, in order. NOPs and patched-out jumps
/// are left out on both sides.
fn diff_steps(main: &Run, pti: &Run) -> Vec<(char, Step)> {
    let keep = |run: &Run| -> Vec<Step> { run.steps.iter().filter(|step| !is_patched_out(step)).cloned().collect() };
    let (a, b) = (keep(main), keep(pti));
    let a_ops: Vec<String> = a.iter().map(|step| step.op.clone()).collect();
    let b_ops: Vec<String> = b.iter().map(|step| step.op.clone()).collect();
    let common = lcs(&a_ops, &b_ops);
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    for (ci, cj) in common.into_iter().chain([(a.len(), b.len())]) {
        while i < ci {
            out.push(('-', a[i].clone()));
            i += 1;
        }
        while j < cj {
            out.push(('+', b[j].clone()));
            j += 1;
        }
        if let Some(step) = b.get(cj) {
            out.push(('=', step.clone()));
        }
        i += 1;
        j += 1;
    }
    out
}

/// The differences only, `+ op` / `- op`, with `format` giving the text after the sign.
fn changes(diff: &[(char, Step)], format: impl Fn(&Step) -> String) -> Vec<String> {
    diff.iter().filter(|(sign, _)| *sign != '=').map(|(sign, step)| format!("{sign} {}", format(step))).collect()
}

/// The differences with the common instruction each one comes before: `+ verw word [x86_verw_sel] before sysretq`.
/// A plain op diff cannot tell `verw; swapgs` from `swapgs; verw` (`swapgs` is common); this can.
fn anchored_changes(diff: &[(char, Step)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut next_common = "the end".to_string();
    for (sign, step) in diff.iter().rev() {
        if *sign == '=' {
            next_common.clone_from(&step.op);
        } else {
            out.push(format!("{sign} {} before {next_common}", step.op));
        }
    }
    out.reverse();
    out
}

/// The PTI boot's run against the main boot's: `+ op` for instructions only PTI runs, `- op` for the ones it does
/// not, each with the kernel location.
fn pti_diff(main: &Run, pti: &Run) -> Vec<String> {
    changes(&diff_steps(main, pti), |step| format!("{} at {}", step.op, step.at))
}

/// The same without locations (the model's are bare addresses): `+ op`, `- op`.
fn op_diff(main: &Run, pti: &Run) -> Vec<String> {
    changes(&diff_steps(main, pti), |step| step.op.clone())
}

/// What the PTI boot's `syscall` round trip adds (Skylake-Client under TCG: no PCID, so no PCID bits or NOFLUSH),
/// in order. Entry: SWITCH_TO_KERNEL_CR3 right after the user RSP is saved, before the kernel stack is loaded (the
/// stack is not mapped yet). Exit: SWITCH_TO_USER_CR3_STACK on the trampoline stack after RDI and RSP are pushed,
/// and CLEAR_CPU_BUFFERS (`verw`) between `swapgs` and `sysretq`.
const PTI_SYSCALL_ADDS: &[&str] = &[
    "+ mov rsp, cr3 at entry_SYSCALL_64+0x11",
    "+ and rsp, 0xffffffffffffe7ff at entry_SYSCALL_64+0x19",
    "+ mov cr3, rsp at entry_SYSCALL_64+0x20",
    "+ push rax at syscall_return_via_sysret+0x42",
    "+ mov rdi, cr3 at syscall_return_via_sysret+0x43",
    "+ or rdi, 0x1000 at syscall_return_via_sysret+0x7a",
    "+ mov cr3, rdi at syscall_return_via_sysret+0x81",
    "+ pop rax at syscall_return_via_sysret+0x84",
    "+ verw word [x86_verw_sel] at entry_SYSRETQ_unsafe_stack+0x3",
];

/// The same for `int 0x80`: the CR3 switch in error_entry after `swapgs`, and the exit through
/// `.Lpti_restore_regs_and_return_to_usermode`. Its POP_REGS stops before RDI; it copies the IRET frame and the
/// user's RDI from pt_regs to the trampoline stack (so there is no `add rsp, 8` over orig_ax), switches CR3 there,
/// pops RDI (the diff pairs it with the main boot's last POP_REGS pop) and jumps back to `swapgs`, `verw` and
/// `iretq`.
const PTI_INT80_ADDS: &[&str] = &[
    "+ mov rax, cr3 at error_entry+0x55",
    "+ and rax, 0xffffffffffffe7ff at error_entry+0x5d",
    "+ mov cr3, rax at error_entry+0x63",
    "+ mov rdi, rsp at swapgs_restore_regs_and_return_to_usermode+0x6c",
    "+ mov rsp, qword gs:[cpu_tss_rw+TSS_sp0] at swapgs_restore_regs_and_return_to_usermode+0x6f",
    "+ push qword [rdi+0x30] at swapgs_restore_regs_and_return_to_usermode+0x77",
    "+ push qword [rdi+0x28] at swapgs_restore_regs_and_return_to_usermode+0x7a",
    "+ push qword [rdi+0x20] at swapgs_restore_regs_and_return_to_usermode+0x7d",
    "+ push qword [rdi+0x18] at swapgs_restore_regs_and_return_to_usermode+0x80",
    "+ push qword [rdi+0x10] at swapgs_restore_regs_and_return_to_usermode+0x83",
    "+ push qword [rdi] at swapgs_restore_regs_and_return_to_usermode+0x86",
    "+ push rax at swapgs_restore_regs_and_return_to_usermode+0x88",
    "+ mov rdi, cr3 at swapgs_restore_regs_and_return_to_usermode+0x89",
    "+ or rdi, 0x1000 at swapgs_restore_regs_and_return_to_usermode+0xc0",
    "+ mov cr3, rdi at swapgs_restore_regs_and_return_to_usermode+0xc7",
    "+ pop rax at swapgs_restore_regs_and_return_to_usermode+0xca",
    "- add rsp, 0x8 at swapgs_restore_regs_and_return_to_usermode+0x3b",
    "+ jmp swapgs_restore_regs_and_return_to_usermode+0x3f at swapgs_restore_regs_and_return_to_usermode+0xcc",
    "+ verw word [x86_verw_sel] at swapgs_restore_regs_and_return_to_usermode+0x42",
];

#[test]
fn pti_adds_the_cr3_switches_and_verw() {
    let boots = load();
    let (main, pti) = (boot(&boots, "main"), boot(&boots, "pti"));
    for (case, _) in CASES {
        let diff = pti_diff(main.case(case), pti.case(case));
        let expected = if case.starts_with("int80") { PTI_INT80_ADDS } else { PTI_SYSCALL_ADDS };
        assert_eq!(diff, expected, "{case}: what the PTI boot runs that the main boot does not (+), and back (-)");
    }
}

#[test]
fn pti_switches_cr3_to_the_kernel_half_and_back() {
    let boots = load();
    let (main, pti) = (boot(&boots, "main"), boot(&boots, "pti"));
    for (case, _) in CASES {
        let run = pti.case(case);
        let user_cr3 = run.user().cr3;
        // The user half of the 8 KiB PGD is bit 12 (PTI_USER_PGTABLE_BIT); bit 11 is the user PCID bit.
        assert_eq!(user_cr3 & 0x1000, 0x1000, "{case}: the user's CR3 points at the user half");
        let kernel_cr3s: BTreeSet<u64> = run.steps[1..].iter().map(|step| step.before.cr3).collect();
        assert!(kernel_cr3s.contains(&(user_cr3 & !0x1800)), "{case}: the kernel runs on the kernel half");
        assert_eq!(run.end.cr3, user_cr3, "{case}: back on the user half");
        let c_call = run.c_call();
        assert_eq!(c_call.before.cr3, user_cr3 & !0x1800, "{case}: C runs on the kernel's page tables");
        // Without PTI the kernel never touches CR3 and never runs verw.
        let main_run = main.case(case);
        assert!(main_run.steps.iter().all(|step| step.before.cr3 == main_run.user().cr3), "{case}: main boot CR3");
        assert!(
            main_run.steps.iter().all(|step| !step.op.contains("cr3") && step.insn.mnemonic() != Mnemonic::Verw),
            "{case}: the main boot runs no CR3 switch and no verw"
        );
        // verw is the last instruction before the exit.
        let before_exit = &run.steps[run.steps.len() - 2];
        let expected_before_exit =
            if case.starts_with("int80") { "jne native_irq_return_ldt" } else { "verw word [x86_verw_sel]" };
        assert_eq!(before_exit.op, expected_before_exit, "{case}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The model with mitigations on, against the PTI boot

/// The rule the model's default SYSRET exit needs and its mitigated exit must not.
const SYSRET_TRAMPOLINE_RULE: &str = "SYSRET exit through the trampoline stack";

fn rule(name: &str) -> &'static Rule {
    RULES.iter().find(|rule| rule.name == name).unwrap_or_else(|| panic!("no rule '{name}'"))
}

/// The step index of the last `op` in a run.
fn last_position(run: &Run, op: &str) -> usize {
    run.steps.iter().rposition(|step| step.op == op).unwrap_or_else(|| panic!("{}: no {op}", run.who))
}

/// The strongest check: the pti boot's run and the model's mitigated run align instruction by instruction, with the
/// registers (CR3 among them) compared by role at every pair, and nothing bridged but the kernel's patched-out
/// ALTERNATIVE sites: not the SYSRET trampoline condensation, because the mitigated model runs the trampoline.
#[test]
fn mitigated_syscall_matches_the_pti_boot_instruction_by_instruction() {
    let mut failures = Vec::new();
    for (case, k_run, m_run) in pti_pairs() {
        let lines = match align(&k_run, &m_run, &[Kind::Condensed]) {
            Ok(lines) => lines,
            Err(err) => {
                failures.push(err);
                continue;
            }
        };
        let mut matched = 0;
        for line in &lines {
            match line {
                Line::Same { .. } => matched += 1,
                Line::Rule { rule, k, m } => {
                    assert_eq!(*rule, "patched-out ALTERNATIVE", "{case}: only patched-out sites may be bridged");
                    assert!(m.is_empty() && k.len() == 1, "{case}");
                }
            }
        }
        assert_eq!(matched, m_run.steps.len(), "{case}: every model instruction has its kernel twin");
        // The rule the default model needs matches nowhere on either side: both run the real trampoline.
        let trampoline = rule(SYSRET_TRAMPOLINE_RULE);
        assert!((0..k_run.steps.len()).all(|at| match_kernel(trampoline, &k_run.steps, at).is_none()), "{case}");
        assert!((0..m_run.steps.len()).all(|at| match_model(trampoline, &m_run.steps, at).is_none()), "{case}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Where C is entered and what the user gets back: pt_regs field by field, every register after `sysretq` (CR3
/// too) by role, and the result.
#[test]
fn mitigated_pt_regs_results_and_user_registers_match_the_pti_boot() {
    for (case, k_run, m_run) in pti_pairs() {
        for (idx, name) in PT_REGS.iter().enumerate() {
            if let Err(err) = same_role(k_run.pt_regs.1[idx], &k_run, m_run.pt_regs.1[idx], &m_run) {
                panic!("{case}: pt_regs->{name}: {err}");
            }
        }
        for (idx, name) in GPR_NAMES.iter().enumerate() {
            if let Err(err) = same_role(k_run.end.gpr[idx], &k_run, m_run.end.gpr[idx], &m_run) {
                panic!("{case}: {name} after sysretq: {err}");
            }
        }
        for (name, k_value, m_value) in [
            ("rflags", k_run.end.rflags, m_run.end.rflags),
            ("gs_base", k_run.end.gs_base, m_run.end.gs_base),
            ("kernel_gs_base", k_run.end.kernel_gs_base, m_run.end.kernel_gs_base),
            ("cr3", k_run.end.cr3, m_run.end.cr3),
        ] {
            if let Err(err) = same_role(k_value, &k_run, m_value, &m_run) {
                panic!("{case}: {name} after sysretq: {err}");
            }
        }
        if SAME_RESULT.contains(&case.as_str()) {
            assert_eq!(m_run.end.gpr[RAX] as i64, k_run.end.gpr[RAX] as i64, "{case}: rax after the call");
        }
    }
}

/// Both machines write CR3 at the same two instructions, kernel half in, user half out, and run C on the kernel's
/// page tables.
#[test]
fn mitigated_model_switches_cr3_where_linux_does() {
    for (case, k_run, m_run) in pti_pairs() {
        for run in [&k_run, &m_run] {
            let who = &run.who;
            let mut switches = Vec::new();
            for (idx, step) in run.steps.iter().enumerate() {
                let after = run.steps.get(idx + 1).map_or(run.end.cr3, |next| next.before.cr3);
                if after != step.before.cr3 {
                    let half = if after == run.kernel_cr3() { "kernel" } else { "user" };
                    switches.push(format!("{} -> {half}", step.op));
                }
            }
            assert_eq!(switches, ["mov cr3, rsp -> kernel", "mov cr3, rdi -> user"], "{case}: {who}");
            assert_ne!(run.user_cr3(), run.kernel_cr3(), "{case}: {who}: two halves");
            assert_eq!(run.user_cr3() & 0x1000, 0x1000, "{case}: {who}: user mode on the user half");
            assert_eq!(run.c_call().before.cr3, run.kernel_cr3(), "{case}: {who}: C on the kernel half");
            assert_eq!(run.end.cr3, run.user_cr3(), "{case}: {who}: back on the user half");
        }
    }
}

/// What the model's mitigated `syscall` runs that its default one does not (`+`), and back (`-`), ops only. The
/// CR3 switches, `push rax` / `pop rax` around the exit's switch and `verw` are PTI_SYSCALL_ADDS; the rest (marked
/// below) is the trampoline-stack exit that the default model condenses (SYSRET_TRAMPOLINE_RULE) and the mitigated
/// model runs as Linux does.
const MODEL_PTI_SYSCALL_ADDS: &[&str] = &[
    "+ mov rsp, cr3",
    "+ and rsp, 0xffffffffffffe7ff",
    "+ mov cr3, rsp",
    "+ mov rdi, rsp",                           // condensed by default
    "+ mov rsp, qword gs:[cpu_tss_rw+TSS_sp0]", // condensed by default
    "+ push qword [rdi+0x28]",                  // condensed by default
    "+ push qword [rdi]",                       // condensed by default
    "+ push rax",
    "+ mov rdi, cr3",
    "+ or rdi, 0x1000",
    "+ mov cr3, rdi",
    "+ pop rax",
    "- mov rsp, qword [rsp+0x20]", // condensed by default
    "+ pop rsp",                   // condensed by default
    "+ verw word [x86_verw_sel]",
];

/// The trampoline instructions the default model stands in for: SYSRET_TRAMPOLINE_RULE's kernel side as `+` and its
/// model side as `-`, minus the `pop rdi` both sides run.
fn trampoline_changes() -> BTreeSet<String> {
    let condensed = rule(SYSRET_TRAMPOLINE_RULE);
    let mut out: BTreeSet<String> = BTreeSet::new();
    out.extend(condensed.kernel.iter().filter(|op| !condensed.model.contains(op)).map(|op| format!("+ {op}")));
    out.extend(condensed.model.iter().filter(|op| !condensed.kernel.contains(op)).map(|op| format!("- {op}")));
    out
}

/// The model's mitigated run against its default one, held to MODEL_PTI_SYSCALL_ADDS and to what the pti boot adds
/// to the main boot: beyond the trampoline, the same instructions, each before the same common instruction.
fn check_model_pti_diff(plain: &Run, mitigated: &Run, k_main: &Run, k_pti: &Run) -> Result<(), String> {
    let trampoline = trampoline_changes();
    let diff = diff_steps(plain, mitigated);
    let ops = changes(&diff, |step| step.op.clone());
    if ops != MODEL_PTI_SYSCALL_ADDS {
        return Err(format!("the mitigated model adds {ops:#?}, expected {MODEL_PTI_SYSCALL_ADDS:#?}"));
    }
    let (from_trampoline, rest): (Vec<&String>, Vec<&String>) =
        ops.iter().partition(|line| trampoline.contains(line.as_str()));
    let linux_adds: Vec<&str> = PTI_SYSCALL_ADDS.iter().map(|line| line.split(" at ").next().expect("an op")).collect();
    if rest != linux_adds || from_trampoline.len() != trampoline.len() {
        return Err(format!("beyond the trampoline {from_trampoline:?} the model adds {rest:?}, Linux {linux_adds:?}"));
    }
    let model_anchored: Vec<String> = anchored_changes(&diff)
        .into_iter()
        .filter(|line| !trampoline.contains(line.split(" before ").next().unwrap_or_default()))
        .collect();
    let linux_anchored = anchored_changes(&diff_steps(k_main, k_pti));
    if model_anchored != linux_anchored {
        return Err(format!("the model adds {model_anchored:#?}, Linux {linux_anchored:#?}"));
    }
    Ok(())
}

#[test]
fn mitigated_model_adds_what_the_pti_boot_adds() {
    let boots = load();
    let (main, pti) = (boot(&boots, "main"), boot(&boots, "pti"));
    for (case, preset) in CASES.into_iter().filter(|(case, _)| !case.starts_with("int80")) {
        let plain = model_run(&model_scenario(preset, false));
        let mitigated = model_run(&model_scenario(preset, true));
        assert_eq!(
            op_diff(&plain, &mitigated),
            MODEL_PTI_SYSCALL_ADDS,
            "{case}: the mitigated model against the default"
        );
        if let Err(err) = check_model_pti_diff(&plain, &mitigated, main.case(case), pti.case(case)) {
            panic!("{case}: {err}");
        }
    }
}

/// The mitigated comparison can fail: `verw` before `swapgs`, the entry's CR3 write dropped, or CR3 never switched
/// (the same instructions, CR3 left on the user half) are each rejected.
#[test]
fn a_broken_mitigated_model_fails_the_comparison() {
    let boots = load();
    let main = boot(&boots, "main");
    for (case, k_run, m_run) in pti_pairs() {
        let preset = CASES.iter().find(|(name, _)| *name == case).expect("a case").1;
        let plain = model_run(&model_scenario(preset, false));
        let k_main = main.case(&case);
        // The unbroken run passes both checks, so the failures below come from the breakage.
        assert!(align(&k_run, &m_run, &[Kind::Condensed]).is_ok(), "{case}");
        assert!(check_model_pti_diff(&plain, &m_run, k_main, &k_run).is_ok(), "{case}");

        let mut swapped = m_run.clone();
        let (a, b) = (last_position(&swapped, "swapgs"), last_position(&swapped, "verw word [x86_verw_sel]"));
        swap_instructions(&mut swapped, a, b);
        assert!(align(&k_run, &swapped, &[Kind::Condensed]).is_err(), "{case}: verw before swapgs not aligned");
        let err = check_model_pti_diff(&plain, &swapped, k_main, &k_run).expect_err("verw before swapgs");
        assert!(err.contains("+ verw word [x86_verw_sel] before swapgs"), "{case}: {err}");

        let mut dropped = m_run.clone();
        dropped.steps.remove(position(&dropped, "mov cr3, rsp"));
        dropped.who.push_str(" without the entry's CR3 write");
        assert!(align(&k_run, &dropped, &[Kind::Condensed]).is_err(), "{case}: a dropped CR3 write not aligned");
        assert!(check_model_pti_diff(&plain, &dropped, k_main, &k_run).is_err(), "{case}: a dropped CR3 write");

        let mut unswitched = m_run.clone();
        let user_cr3 = unswitched.user_cr3();
        for step in &mut unswitched.steps {
            step.before.cr3 = user_cr3;
        }
        unswitched.who.push_str(" with CR3 never switched");
        let err = align(&k_run, &unswitched, &[Kind::Condensed]).expect_err("CR3 never switched is caught");
        assert!(err.contains("cr3: Linux has"), "{case}: caught for another reason: {err}");
    }
}
