//! Property tests of the model (proptest), over scenarios built from random presets and random edits: arbitrary
//! 64-bit arguments, syscall numbers and probe values, any program, and any text (Unicode included) for the path,
//! notes.txt and the buffer, applied both through `input::set_field` (as the page applies them) and straight into
//! the [`Scenario`]'s fields (as a malformed URL might).
//!
//! - [`runs_are_well_formed`]: `Timeline::run` never panics, ends within `MAX_FRAMES`, every frame has narration and
//!   a step, indices count up from 0, each frame's recorded changes are the difference from the frame before, and
//!   the ending matches the last frame. It also checks, on the same runs:
//!   - CPL is 0 exactly from a trap (`syscall`, `int 0x80`) up to its return (`sysretq`, `iretq`), or to the end
//!     after `exit_group`; the vDSO never leaves ring 3;
//!   - across every completed SYSCALL only RAX, RCX and R11 differ among the 16 GPRs, RCX is the next instruction's
//!     address, R11 the RFLAGS before with RF clear, RFLAGS after `(R11 & 0x3C7FD7) | 2`, CS/SS 0x33/0x2b; across
//!     `int 0x80` only RAX differs (Intel SDM Vol. 2B "SYSCALL", "SYSRET"; Vol. 2A "INT n", "IRET").
//! - [`stepping_forward_then_back_gives_the_identical_frame`]: a cursor over the frames, k steps forward and k back,
//!   returns to a frame equal, byte for byte, to a deep copy taken before, even after the frames in between were
//!   cloned and the clones mutated (frames are snapshots, never mutated after recording).
//! - [`syscall_then_sysretq_follows_the_sdm`] and friends: `Machine::syscall` and `Machine::sysretq` on arbitrary
//!   CPU states.
//! - [`read_agrees_with_an_oracle`]: `read` results and the bytes copied, against a few lines of independent logic.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use proptest::prelude::*;
use proptest::test_runner::Config;
use syscall_explorer::model::cpu::{flags, Cpl, Cpu, Gpr, KERNEL_CR3, LINUX_FMASK, SYSRET_RFLAGS_MASK, USER_CR3};
use syscall_explorer::model::frame::{Executed, MemChange};
use syscall_explorer::model::input::set_field;
use syscall_explorer::model::kernel::Kernel;
use syscall_explorer::model::layout::{
    BUF_ADDR, ENTRY_SYSCALL_64, KERNEL_STACK_TOP, PATH_ADDR, PER_CPU, TASK_SIZE_MAX, USER_DATA, USER_DATA_LEN,
    USER_STACK, VAR_RESULT,
};
use syscall_explorer::model::machine::{is_canonical, Exception, Machine};
use syscall_explorer::model::memory::Access;
use syscall_explorer::model::program::{insn_at, ImageInsn, Role};
use syscall_explorer::model::syscalls::DispatchOutcome;
use syscall_explorer::model::timeline::{Ending, MAX_FRAMES};
use syscall_explorer::model::{image::ROUTINES, Frame, LessonStep, Preset, Program, Scenario, Timeline};

// ---------------------------------------------------------------------------------------------------------------------
// Random scenarios
// ---------------------------------------------------------------------------------------------------------------------

const PROGRAMS: [Program; 9] = [
    Program::Read,
    Program::Write,
    Program::Openat,
    Program::Close,
    Program::Getpid,
    Program::ExitGroup,
    Program::Raw,
    Program::Int80Read,
    Program::VdsoClockGettime,
];

const NUMBER_FIELDS: [&str; 13] =
    ["nr", "arg0", "arg1", "arg2", "arg3", "arg4", "arg5", "fd", "buf", "count", "probe_rcx", "pid", "clock_ns"];

/// 64-bit values that find edges: anything, small numbers, addresses in and around the mapped pages, -errno values,
/// the ends of the user half.
fn interesting_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => any::<u64>(),
        2 => 0u64..16,
        1 => 0u64..0x2000,
        2 => (0u64..0x1010).prop_map(|offset| USER_DATA + offset),
        1 => (0u64..0x1010).prop_map(|offset| USER_STACK + offset),
        1 => (1u64..4096).prop_map(u64::wrapping_neg),
        1 => prop::sample::select(vec![
            BUF_ADDR,
            PATH_ADDR,
            0x10,
            TASK_SIZE_MAX,
            TASK_SIZE_MAX - 1,
            TASK_SIZE_MAX + 1,
            1 << 62,
            1 << 63,
            u64::MAX,
            KERNEL_STACK_TOP - 0x100,
            PER_CPU,
            ENTRY_SYSCALL_64,
            0x7fff_f7fc_1000,
            (-100i64) as u64,
        ]),
        1 => (0u64..1024).prop_map(|low| low | 0xffff_ffff_0000_0000),
    ]
}

/// Syscall numbers: the table's range, its edges, the x32 bit, upper halves, -1, anything.
fn interesting_nr() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 0u64..470,
        2 => prop::sample::select(vec![0u64, 1, 2, 3, 39, 60, 231, 257, 212, 400, 462, 463, 1000, u64::MAX, 0xffff_ffff]),
        1 => (0u64..600).prop_map(|nr| nr | 0x4000_0000),
        1 => (0u64..470).prop_map(|nr| nr | (1 << 32)),
        1 => any::<u64>(),
    ]
}

/// Text: short paths, anything printable or not (newlines, NULs, emoji, combining marks), and long runs.
fn interesting_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z./]{0,24}",
        2 => "(?s).{0,48}",
        1 => any::<String>(),
        1 => prop::sample::select(vec![
            "notes.txt".to_string(),
            "/home/student/notes.txt".to_string(),
            "../student/notes.txt".to_string(),
            "/etc/shadow".to_string(),
            "/".to_string(),
            "..".to_string(),
            "héllo wörld 🦀\n\u{0}\u{301}".to_string(),
        ]),
        1 => (1usize..3000).prop_map(|len| "x".repeat(len)),
    ]
}

/// How a number is typed: decimal, hex or negative decimal.
#[derive(Clone, Copy, Debug)]
enum Notation {
    Decimal,
    Hex,
    Negative,
}

fn format_number(value: u64, notation: Notation) -> String {
    match notation {
        Notation::Decimal => value.to_string(),
        Notation::Hex => format!("{value:#x}"),
        Notation::Negative => (value as i64).to_string(),
    }
}

/// One edit to a scenario.
#[derive(Clone, Debug)]
enum Edit {
    /// A number typed into a field through `set_field`.
    Number(&'static str, u64, Notation),
    /// A syscall number through `set_field`.
    Nr(u64),
    /// Text through `set_field` (which may reject it).
    Text(&'static str, String),
    /// Text written straight into the field, bypassing the checks.
    RawText(&'static str, String),
    /// Another program than the preset's.
    Program(Program),
    /// A pid written straight in (0 and huge values included).
    RawPid(u32),
    /// Any value straight into an argument slot.
    RawArg(usize, u64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let notation = prop_oneof![Just(Notation::Decimal), Just(Notation::Hex), Just(Notation::Negative)];
    let text_field = prop::sample::select(vec!["path", "file_text", "buffer_text"]);
    prop_oneof![
        4 => (prop::sample::select(NUMBER_FIELDS.to_vec()), interesting_u64(), notation)
            .prop_map(|(name, value, notation)| Edit::Number(name, value, notation)),
        2 => interesting_nr().prop_map(Edit::Nr),
        2 => (text_field.clone(), interesting_text()).prop_map(|(name, text)| Edit::Text(name, text)),
        1 => (text_field, interesting_text()).prop_map(|(name, text)| Edit::RawText(name, text)),
        1 => prop::sample::select(PROGRAMS.to_vec()).prop_map(Edit::Program),
        1 => any::<u32>().prop_map(Edit::RawPid),
        1 => (0usize..6, interesting_u64()).prop_map(|(slot, value)| Edit::RawArg(slot, value)),
    ]
}

fn apply(scenario: &mut Scenario, edit: &Edit) {
    // set_field may refuse a value (too long, not a number for this field): that is the page's business, and the
    // scenario is then unchanged.
    let _ = match edit {
        Edit::Number(name, value, notation) => set_field(scenario, name, &format_number(*value, *notation)),
        Edit::Nr(nr) => set_field(scenario, "nr", &format!("{nr:#x}")),
        Edit::Text(name, text) => set_field(scenario, name, text),
        Edit::RawText(name, text) => {
            match *name {
                "path" => scenario.path = text.clone(),
                "file_text" => scenario.file_text = text.clone(),
                _ => scenario.buffer_text = text.clone(),
            }
            Ok(())
        }
        Edit::Program(program) => {
            scenario.program = *program;
            Ok(())
        }
        Edit::RawPid(pid) => {
            scenario.pid = *pid;
            Ok(())
        }
        Edit::RawArg(slot, value) => {
            scenario.args[*slot] = *value;
            Ok(())
        }
    };
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (prop::sample::select(Preset::ALL.to_vec()), prop::collection::vec(edit(), 0..6), any::<bool>()).prop_map(
        |(preset, edits, mitigations)| {
            let mut scenario = Scenario::preset(preset);
            scenario.mitigations = mitigations;
            for edit in &edits {
                apply(&mut scenario, edit);
            }
            scenario
        },
    )
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading frames
// ---------------------------------------------------------------------------------------------------------------------

fn executed_insn(frame: &Frame) -> Option<&'static ImageInsn> {
    match frame.executed {
        Executed::Insn(image_insn) => Some(image_insn),
        _ => None,
    }
}

fn is_trap(frame: &Frame) -> bool {
    executed_insn(frame).is_some_and(|image_insn| matches!(image_insn.role, Role::Syscall | Role::Int80))
}

fn is_return(frame: &Frame) -> bool {
    executed_insn(frame).is_some_and(|image_insn| matches!(image_insn.role, Role::Sysret | Role::Iret))
}

/// Every (trap, return) pair of frame indices, in order; the last trap may have no return (exit_group).
fn trap_pairs(timeline: &Timeline) -> Vec<(usize, Option<usize>)> {
    let mut pairs = Vec::new();
    let mut open: Option<usize> = None;
    for frame in &timeline.frames {
        if is_trap(frame) {
            open = Some(frame.index);
        } else if is_return(frame) {
            if let Some(trap) = open.take() {
                pairs.push((trap, Some(frame.index)));
            }
        }
    }
    if let Some(trap) = open {
        pairs.push((trap, None));
    }
    pairs
}

fn gpr_differences(before: &Cpu, after: &Cpu) -> Vec<Gpr> {
    Gpr::ALL.into_iter().filter(|gpr| before.get(*gpr) != after.get(*gpr)).collect()
}

fn mem_changes(before: &Machine, after: &Machine) -> Vec<MemChange> {
    let mut changes: Vec<MemChange> = Vec::new();
    for (old, new) in before.mem.regions().iter().zip(after.mem.regions()) {
        // Equal bytes (shared or not) have no changes; this keeps the word-by-word scan to the regions that changed.
        if old.bytes == new.bytes {
            continue;
        }
        for (word_idx, (old_word, new_word)) in old.bytes.chunks(8).zip(new.bytes.chunks(8)).enumerate() {
            if old_word != new_word {
                let addr = new.base + 8 * word_idx as u64;
                match changes.last_mut() {
                    Some(last) if last.addr + last.len as u64 == addr => last.len += new_word.len(),
                    _ => changes.push(MemChange { addr, len: new_word.len() }),
                }
            }
        }
    }
    changes
}

// ---------------------------------------------------------------------------------------------------------------------
// (a) well-formed runs, (b) CPL, (c) the register rules across a trap
// ---------------------------------------------------------------------------------------------------------------------

fn check_well_formed(timeline: &Timeline) -> Result<(), TestCaseError> {
    let frames = &timeline.frames;
    prop_assert!(!frames.is_empty(), "a run has at least the start frame");
    prop_assert!(frames.len() <= MAX_FRAMES, "{} frames, more than MAX_FRAMES", frames.len());
    prop_assert_eq!(&frames[0].executed, &Executed::Start);
    for (idx, frame) in frames.iter().enumerate() {
        prop_assert_eq!(frame.index, idx, "frame indices count up from 0");
        prop_assert!(!frame.narration.trim().is_empty(), "frame {} has no narration", idx);
        prop_assert!(!frame.narration_key.is_empty(), "frame {} has no narration key", idx);
        prop_assert!((1..=7).contains(&frame.step.number()), "frame {} step {}", idx, frame.step.number());
        if idx > 0 {
            let prev = &frames[idx - 1];
            prop_assert_eq!(&frame.changed_regs, &prev.machine.cpu.diff(&frame.machine.cpu), "frame {} regs", idx);
            prop_assert_eq!(&frame.changed_mem, &mem_changes(&prev.machine, &frame.machine), "frame {} mem", idx);
        }
    }
    // One trap at most (every scenario makes one call): then the seven steps only ever move forward.
    if trap_pairs(timeline).len() <= 1 {
        for pair in frames.windows(2) {
            prop_assert!(pair[0].step <= pair[1].step, "step goes back at frame {}", pair[1].index);
        }
    }
    let last = frames.last().expect("not empty");
    match &timeline.ending {
        Ending::Returned { rax, errno } => {
            let store = executed_insn(last).map(|image_insn| image_insn.role);
            prop_assert_eq!(store, Some(Role::StoreResult), "a returned run ends with the caller's store");
            prop_assert_eq!(last.machine.cpu.get(Gpr::Rax), *rax);
            prop_assert_eq!(last.machine.mem.read_le(VAR_RESULT, 8, Access::User).ok(), Some(*rax));
            if errno.is_some() {
                prop_assert_eq!(*rax, u64::MAX, "errno is only set when the wrapper returns -1");
            }
            prop_assert_eq!(last.cpl(), Cpl::Ring3);
        }
        Ending::Exited { status } => {
            prop_assert!((0..=255).contains(status), "an exit status is 8 bits: {}", status);
            prop_assert_eq!(timeline.return_frame(), None);
        }
        Ending::Killed { why } => prop_assert!(!why.is_empty()),
    }
    Ok(())
}

fn check_cpl(timeline: &Timeline) -> Result<(), TestCaseError> {
    let mut in_kernel = false;
    for frame in &timeline.frames {
        if is_trap(frame) {
            in_kernel = true;
        } else if is_return(frame) {
            in_kernel = false;
        }
        prop_assert_eq!(
            frame.cpl() == Cpl::Ring0,
            in_kernel,
            "CPL at frame {} ({})",
            frame.index,
            frame.executed.describe()
        );
    }
    // trap_frame() and return_frame() name the first pair.
    let pairs = trap_pairs(timeline);
    prop_assert_eq!(timeline.trap_frame(), pairs.first().map(|(trap, _)| *trap));
    if let Some((_, ret)) = pairs.first() {
        prop_assert_eq!(timeline.return_frame(), *ret);
    }
    if matches!(timeline.ending, Ending::Exited { .. }) {
        prop_assert_eq!(timeline.frames.last().map(Frame::cpl), Some(Cpl::Ring0), "exit_group never returns to ring 3");
    }
    // The vDSO reads the clocks on its vvar page without a trap; for any other clock id it falls back to a real
    // syscall (lib/vdso), which the trap rules above then hold to.
    let vdso_clock = timeline.scenario.args[0] as i32;
    if timeline.scenario.program == Program::VdsoClockGettime && syscall_explorer::model::linux::vdso_serves(vdso_clock)
    {
        prop_assert!(pairs.is_empty(), "the vDSO makes no trap");
        prop_assert!(timeline.frames.iter().all(|frame| frame.cpl() == Cpl::Ring3), "the vDSO never leaves ring 3");
    }
    Ok(())
}

fn check_trap_rules(timeline: &Timeline) -> Result<(), TestCaseError> {
    for (trap, ret) in trap_pairs(timeline) {
        prop_assert!(trap > 0);
        let trap_insn = executed_insn(&timeline.frames[trap]).expect("a trap frame executed an instruction");
        let before = &timeline.frames[trap - 1].machine.cpu;
        let entered = &timeline.frames[trap].machine.cpu;
        let next = trap_insn.next_addr();
        if trap_insn.role == Role::Syscall {
            // The moment after SYSCALL (SDM): RCX, R11, RFLAGS, CS, SS, RIP; RSP and the rest untouched.
            prop_assert_eq!(entered.get(Gpr::Rcx), next);
            prop_assert_eq!(entered.get(Gpr::R11), before.rflags & !flags::RF);
            prop_assert_eq!(entered.rflags, before.rflags & !LINUX_FMASK);
            prop_assert_eq!((entered.cs, entered.ss), (0x10, 0x18));
            prop_assert_eq!(entered.rip, ENTRY_SYSCALL_64);
            let changed = gpr_differences(before, entered);
            prop_assert!(changed.iter().all(|gpr| [Gpr::Rcx, Gpr::R11].contains(gpr)), "SYSCALL changed {:?}", changed);
        }
        let Some(ret) = ret else { continue };
        let after = &timeline.frames[ret].machine.cpu;
        prop_assert_eq!(after.cpl(), Cpl::Ring3);
        prop_assert_eq!(after.rip, next, "the program resumes right after the trap instruction");
        prop_assert_eq!(after.gs_base, before.gs_base);
        prop_assert_eq!(after.msr.kernel_gs_base, before.msr.kernel_gs_base);
        prop_assert_eq!(after.cr3, before.cr3, "back on the page tables the program left");
        check_page_tables(timeline, trap, ret)?;
        let changed = gpr_differences(before, after);
        match trap_insn.role {
            Role::Syscall => {
                prop_assert!(
                    changed.iter().all(|gpr| [Gpr::Rax, Gpr::Rcx, Gpr::R11].contains(gpr)),
                    "across SYSCALL only RAX, RCX and R11 may change, not {:?}",
                    changed
                );
                prop_assert_eq!(after.get(Gpr::Rcx), next);
                prop_assert_eq!(after.get(Gpr::R11), before.rflags & !flags::RF);
                prop_assert_eq!(after.rflags, (after.get(Gpr::R11) & SYSRET_RFLAGS_MASK) | flags::FIXED);
                prop_assert_eq!(after.rflags, before.rflags & !flags::RF, "user RFLAGS come back, RF clear");
                prop_assert_eq!((after.cs, after.ss), (0x33, 0x2b));
                let dispatch = timeline.frames[ret].dispatch.expect("the kernel dispatched");
                if dispatch.outcome != DispatchOutcome::Handler {
                    prop_assert_eq!(after.get(Gpr::Rax) as i64, -38, "no handler: -ENOSYS");
                }
            }
            _ => {
                prop_assert!(
                    changed.iter().all(|gpr| *gpr == Gpr::Rax),
                    "across int 0x80 only RAX may change, not {:?}",
                    changed
                );
                prop_assert_eq!(after.rflags, before.rflags, "IRET restores RFLAGS exactly");
                prop_assert_eq!((after.cs, after.ss), (before.cs, before.ss));
            }
        }
    }
    Ok(())
}

/// With PTI, CR3 names the user page tables exactly while user code runs and up to the kernel's switch, and the
/// kernel's C code always runs on the kernel's; without it, CR3 never changes.
fn check_page_tables(timeline: &Timeline, trap: usize, ret: usize) -> Result<(), TestCaseError> {
    let pti = timeline.scenario.runs_pti();
    let user_cr3 = timeline.frames[trap - 1].machine.cpu.cr3;
    prop_assert_eq!(user_cr3, if pti { USER_CR3 } else { KERNEL_CR3 });
    let mut switches = 0;
    for idx in trap..=ret {
        let frame = &timeline.frames[idx];
        let cr3 = frame.machine.cpu.cr3;
        if cr3 != timeline.frames[idx - 1].machine.cpu.cr3 {
            switches += 1;
        }
        if matches!(frame.executed, Executed::CCode { .. }) {
            prop_assert_eq!(cr3, KERNEL_CR3, "C runs on the kernel's page tables (frame {})", idx);
        }
    }
    prop_assert_eq!(switches, if pti { 2 } else { 0 }, "CR3 switches between the trap and the return");
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 4000, ..Config::default() })]

    #[test]
    fn runs_are_well_formed(scenario in scenario()) {
        let timeline = Timeline::run(&scenario);
        check_well_formed(&timeline)?;
        check_cpl(&timeline)?;
        check_trap_rules(&timeline)?;
    }
}

/// The same checks on every preset as it stands, so the named scenarios are always covered.
#[test]
fn every_preset_is_well_formed() {
    for preset in Preset::ALL {
        let timeline = Timeline::run(&Scenario::preset(preset));
        let checks = check_well_formed(&timeline).and(check_cpl(&timeline)).and(check_trap_rules(&timeline));
        assert!(checks.is_ok(), "{}: {checks:?}", preset.id());
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// (d) k steps forward, k back
// ---------------------------------------------------------------------------------------------------------------------

/// A cursor over a timeline, as the UI holds one: stepping is moving an index.
struct Cursor {
    timeline: Rc<Timeline>,
    idx: usize,
}

impl Cursor {
    /// One step forward; false at the last frame.
    fn step_forward(&mut self) -> bool {
        let can = self.idx + 1 < self.timeline.frames.len();
        if can {
            self.idx += 1;
        }
        can
    }

    /// One step back; false at the first frame.
    fn step_back(&mut self) -> bool {
        let can = self.idx > 0;
        if can {
            self.idx -= 1;
        }
        can
    }

    fn frame(&self) -> &Frame {
        &self.timeline.frames[self.idx]
    }
}

/// A copy of a frame that shares nothing with it: every region's bytes and the kernel copied out of their `Rc`s.
#[derive(Debug, PartialEq)]
struct DeepFrame {
    index: usize,
    cpu: Cpu,
    regions: Vec<(u64, Vec<u8>)>,
    kernel: Kernel,
    step: LessonStep,
    executed: String,
    narration_key: String,
    narration: String,
    changed_regs: Vec<String>,
    changed_mem: Vec<MemChange>,
}

impl DeepFrame {
    fn of(frame: &Frame) -> DeepFrame {
        DeepFrame {
            index: frame.index,
            cpu: frame.machine.cpu.clone(),
            regions: frame.machine.mem.regions().iter().map(|region| (region.base, region.bytes.to_vec())).collect(),
            kernel: Kernel::clone(&frame.machine.kernel),
            step: frame.step,
            executed: frame.executed.describe(),
            narration_key: frame.narration_key.clone(),
            narration: frame.narration.clone(),
            changed_regs: frame.changed_regs.iter().map(|reg| reg.name().to_string()).collect(),
            changed_mem: frame.changed_mem.clone(),
        }
    }
}

/// Clones the machine of a frame and changes the clone every way it can change: executes the instructions that
/// follow, overwrites every region, and edits the kernel. None of it may reach the frame itself.
fn mutate_a_clone(frame: &Frame, salt: u8) {
    let mut machine = frame.machine.clone();
    for _ in 0..8 {
        let Some(image_insn) = insn_at(ROUTINES, machine.cpu.rip) else { break };
        if machine.execute(image_insn).is_err() {
            break;
        }
    }
    let bases: Vec<(u64, usize)> =
        machine.mem.regions().iter().map(|region| (region.base, region.bytes.len())).collect();
    for (base, len) in bases {
        for offset in (0..len as u64).step_by(61) {
            machine.mem.load(base + offset, &[salt ^ offset as u8]);
        }
    }
    let kernel = Rc::make_mut(&mut machine.kernel);
    kernel.console.extend_from_slice(b"mutated");
    kernel.fds.clear();
    kernel.files.iter_mut().for_each(|file| file.data.push(salt));
    kernel.pid ^= 1;
    machine.cpu.gpr = [u64::from(salt); 16];
}

proptest! {
    #![proptest_config(Config { cases: 500, ..Config::default() })]

    #[test]
    fn stepping_forward_then_back_gives_the_identical_frame(
        scenario in scenario(),
        start in any::<prop::sample::Index>(),
        k in 0usize..120,
        salt in any::<u8>(),
    ) {
        let timeline = Rc::new(Timeline::run(&scenario));
        let start_idx = start.index(timeline.frames.len());
        let mut cursor = Cursor { timeline: Rc::clone(&timeline), idx: start_idx };
        let deep_before = DeepFrame::of(cursor.frame());
        let shallow_before = cursor.frame().clone();
        let mut moved = 0;
        for _ in 0..k {
            if !cursor.step_forward() {
                break;
            }
            moved += 1;
            mutate_a_clone(cursor.frame(), salt);
        }
        for _ in 0..moved {
            prop_assert!(cursor.step_back());
            mutate_a_clone(cursor.frame(), salt.wrapping_add(1));
        }
        prop_assert_eq!(cursor.idx, start_idx);
        prop_assert_eq!(cursor.frame(), &shallow_before);
        prop_assert_eq!(DeepFrame::of(cursor.frame()), deep_before);
        // And the run is deterministic: running the scenario again gives the same frame.
        let again = Timeline::run(&scenario);
        prop_assert_eq!(DeepFrame::of(&again.frames[start_idx]), DeepFrame::of(cursor.frame()));
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// (e) SYSCALL and SYSRETQ on arbitrary CPU states
// ---------------------------------------------------------------------------------------------------------------------

/// RFLAGS as user code can have them in 64-bit mode: reserved bits 3, 5, 15 and 22–63 read 0, bit 1 reads 1, VM is 0.
/// RF may be set (after an IRET).
fn user_rflags() -> impl Strategy<Value = u64> {
    any::<u64>().prop_map(|raw| (raw & 0x3F_7FD5 & !flags::VM) | flags::FIXED)
}

/// A user RIP whose next instruction (2 bytes on) is still canonical, mostly; sometimes right at the top.
fn user_rip() -> impl Strategy<Value = u64> {
    prop_oneof![
        8 => 0u64..(1 << 47) - 2,
        1 => Just((1u64 << 47) - 2),
        1 => Just((1u64 << 47) - 1),
    ]
}

fn user_machine(gpr: [u64; 16], rflags: u64, rip: u64) -> Machine {
    let mut machine = Machine::boot(&Scenario::default());
    machine.cpu.gpr = gpr;
    machine.cpu.rflags = rflags;
    machine.cpu.rip = rip;
    machine
}

proptest! {
    #![proptest_config(Config { cases: 4000, ..Config::default() })]

    #[test]
    fn syscall_then_sysretq_follows_the_sdm(
        gpr in prop::array::uniform16(any::<u64>()),
        rflags in user_rflags(),
        rip in user_rip(),
    ) {
        let mut machine = user_machine(gpr, rflags, rip);
        let user = machine.cpu.clone();
        let next = rip + 2;
        machine.syscall(next);
        let kernel = machine.cpu.clone();
        // SDM SYSCALL: RCX := RIP (next); R11 := RFLAGS (RF cleared); RFLAGS &= ~FMASK; CS/SS from STAR; RIP := LSTAR.
        prop_assert_eq!(kernel.get(Gpr::Rcx), next);
        prop_assert_eq!(kernel.get(Gpr::R11), rflags & !flags::RF);
        prop_assert_eq!(kernel.rflags, rflags & !LINUX_FMASK);
        prop_assert_eq!(kernel.rflags & !(flags::VIF | flags::VIP), flags::FIXED, "FMASK leaves bit 1 (and VIF, VIP)");
        prop_assert_eq!((kernel.cs, kernel.ss, kernel.cpl()), (0x10, 0x18, Cpl::Ring0));
        prop_assert_eq!(kernel.rip, ENTRY_SYSCALL_64);
        prop_assert_eq!(kernel.gs_base, user.gs_base, "SYSCALL does not swap GS");
        for gpr in Gpr::ALL.into_iter().filter(|gpr| ![Gpr::Rcx, Gpr::R11].contains(gpr)) {
            prop_assert_eq!(kernel.get(gpr), user.get(gpr), "SYSCALL leaves {} alone", gpr.name());
        }
        let result = machine.sysretq();
        if !is_canonical(next) {
            prop_assert!(matches!(result, Err(Exception::GeneralProtection(_))), "non-canonical RCX: #GP");
            prop_assert_eq!(&machine.cpu, &kernel, "and nothing changes");
            return Ok(());
        }
        prop_assert!(result.is_ok());
        let back = &machine.cpu;
        // SDM SYSRET: RIP := RCX; RFLAGS := (R11 & 3C7FD7H) | 2; CS := STAR[63:48]+16 | 3; SS := STAR[63:48]+8 | 3.
        prop_assert_eq!(back.rip, next);
        prop_assert_eq!(back.rflags, (back.get(Gpr::R11) & SYSRET_RFLAGS_MASK) | flags::FIXED);
        prop_assert_eq!(back.rflags, rflags & !flags::RF, "the user's flags come back, except RF");
        prop_assert_eq!((back.cs, back.ss, back.cpl()), (0x33, 0x2b, Cpl::Ring3));
        for gpr in Gpr::ALL {
            let expected = match gpr {
                Gpr::Rcx => next,
                Gpr::R11 => rflags & !flags::RF,
                other => user.get(other),
            };
            prop_assert_eq!(back.get(gpr), expected, "{} after the round trip", gpr.name());
        }
    }

    /// INT 0x80 pushes the whole frame and IRETQ pops it: everything comes back exactly, RF included.
    #[test]
    fn int80_then_iretq_restores_everything(
        gpr in prop::array::uniform16(any::<u64>()),
        rflags in user_rflags(),
        rip in 0u64..(1 << 47) - 2,
    ) {
        let mut machine = user_machine(gpr, rflags, rip);
        let user = machine.cpu.clone();
        prop_assert!(machine.int(0x80, rip + 2).is_ok());
        prop_assert_eq!(machine.cpu.cpl(), Cpl::Ring0);
        prop_assert_eq!(machine.cpu.rflags & (flags::IF | flags::TF | flags::RF | flags::NT), 0, "the gate clears IF TF RF NT");
        prop_assert_eq!(machine.cpu.get(Gpr::Rsp) % 16, 8, "RSP0 aligned to 16, then five pushes");
        prop_assert!(machine.iretq().is_ok());
        let mut expected = user;
        expected.rip = rip + 2;
        prop_assert_eq!(&machine.cpu, &expected);
    }
}

#[test]
fn sysretq_outside_ring_0_is_a_general_protection_fault() {
    let mut machine = Machine::boot(&Scenario::default());
    let before = machine.cpu.clone();
    assert!(matches!(machine.sysretq(), Err(Exception::GeneralProtection(_))));
    assert_eq!(machine.cpu, before);
}

// ---------------------------------------------------------------------------------------------------------------------
// read, against an oracle
// ---------------------------------------------------------------------------------------------------------------------

/// What Linux's read(3, buf, count) returns on the model's address space, and how many bytes land at `buf`: fd 3 is
/// notes.txt; `access_ok` wants `buf + count` not to wrap and not to pass TASK_SIZE_MAX; `count == 0` reads
/// nothing; the copy stops at the first byte that is not writable user memory (the data page and the stack page);
/// a copy that stops at once is -EFAULT, a shorter one returns what it copied.
fn read_oracle(file: &[u8], buf: u64, count: u64) -> (i64, usize) {
    let in_user_half = buf.checked_add(count).is_some_and(|end| end <= TASK_SIZE_MAX);
    if !in_user_half {
        return (-14, 0);
    }
    let wanted = (count.min(0x7fff_f000) as usize).min(file.len());
    if wanted == 0 {
        return (0, 0);
    }
    let writable_pages = [(USER_DATA, USER_DATA + USER_DATA_LEN as u64), (USER_STACK, USER_STACK + 0x1000)];
    let room = writable_pages
        .iter()
        .find(|(start, end)| (*start..*end).contains(&buf))
        .map_or(0, |(_, end)| (end - buf) as usize);
    match wanted.min(room) {
        0 => (-14, 0),
        copied => (copied as i64, copied),
    }
}

proptest! {
    #![proptest_config(Config { cases: 2000, ..Config::default() })]

    #[test]
    fn read_agrees_with_an_oracle(
        file_text in prop_oneof![interesting_text(), "(?s).{0,300}"],
        buf in interesting_u64(),
        count in interesting_u64(),
    ) {
        // The raw caller: no libc wrapper whose return address the read could overwrite on the stack.
        let mut scenario = Scenario::preset(Preset::RawProbe);
        scenario.nr = 0;
        scenario.args = [3, buf, count, 0, 0, 0];
        scenario.file_text = file_text;
        let timeline = Timeline::run(&scenario);
        let ret = timeline.return_frame().expect("read returns");
        let machine = &timeline.frames[ret].machine;
        let (expected, copied) = read_oracle(scenario.file_text.as_bytes(), buf, count);
        prop_assert_eq!(machine.cpu.get(Gpr::Rax) as i64, expected, "read(3, {:#x}, {:#x})", buf, count);
        let landed = machine.mem.read_bytes(buf, copied, Access::User).expect("the copied bytes are mapped");
        prop_assert_eq!(&landed[..], &scenario.file_text.as_bytes()[..copied]);
    }
}

/// A read that overwrites its own return address with the caller's first instruction makes the program run again,
/// as it would on Linux, until the file runs out: more frames than MAX_FRAMES. The run is cut off, not a panic.
#[test]
fn a_program_that_loops_is_cut_off_at_max_frames() {
    let mut scenario = Scenario::preset(Preset::Read);
    // The wrapper's return address sits at USER_RSP - 8 while it runs; 0x401000 is main_read.
    set_field(&mut scenario, "buf", &format!("{:#x}", syscall_explorer::model::layout::USER_RSP - 8)).unwrap();
    set_field(&mut scenario, "count", "8").unwrap();
    scenario.file_text = "\u{0}\u{10}@\u{0}\u{0}\u{0}\u{0}\u{0}".repeat(20);
    let timeline = Timeline::run(&scenario);
    assert!(matches!(timeline.ending, Ending::Killed { .. }), "{:?}", timeline.ending);
    assert!(trap_pairs(&timeline).len() > 1, "the call was made more than once");
    assert!(
        timeline.frames.len() <= MAX_FRAMES,
        "{} frames, more than MAX_FRAMES ({MAX_FRAMES})",
        timeline.frames.len()
    );
    let checks = check_well_formed(&timeline).and(check_cpl(&timeline)).and(check_trap_rules(&timeline));
    assert!(checks.is_ok(), "{checks:?}");
}
