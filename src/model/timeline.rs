//! The timeline: [`Timeline::run`] executes a [`Scenario`] from the first instruction to the end and keeps every
//! [`Frame`]: a full machine snapshot, the seed step, what executed ([`Executed`]), which registers and bytes changed,
//! and the narration. Stepping back is reading an earlier frame; nothing is undone or recomputed.

use super::cpu::{Cpl, Reg};
use super::image::ROUTINES;
use super::layout::*;
use super::machine::Machine;
use super::program::{insn_at, ImageInsn, Role};
use super::scenario::Scenario;
use super::step::SeedStep;
use super::syscalls::Dispatch;

/// The kernel or vDSO work a frame lights up in the "kernel's work" panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Work {
    /// Context tracking and `local_irq_enable()`.
    EnterKernel,
    /// `unr < NR_syscalls`.
    BoundsCheck,
    /// `array_index_nospec()`.
    Nospec,
    /// The generated `switch` picks the handler.
    TableLookup,
    /// `fdget()`: the fd table.
    FdTable,
    /// FMODE_READ / FMODE_WRITE on the open file.
    FileMode,
    /// `access_ok()` on the user pointer.
    AccessOk,
    /// The page cache lookup.
    PageCache,
    /// A read from the disk.
    Disk,
    /// `copy_to_user()`.
    CopyToUser,
    /// The page fault handler's exception-table fix-up.
    ExceptionFixup,
    /// `copy_from_user()`.
    CopyFromUser,
    /// The terminal.
    Console,
    /// `getname()`: copying the path in.
    PathCopy,
    /// Path walk.
    PathLookup,
    /// Permission check.
    Permission,
    /// Installing a new fd.
    FdAlloc,
    /// Removing an fd.
    FdClose,
    /// Reading the process id.
    Pid,
    /// The process exits.
    Exit,
    /// A handler this model does not simulate.
    NotSimulated,
    /// `regs->ax = result`.
    SetReturn,
    /// IRQs off, exit work.
    ExitKernel,
    /// Can SYSRET be used?
    SysretCheck,
    /// vDSO: read the clock data page.
    VvarRead,
    /// vDSO: `rdtsc`.
    Rdtsc,
    /// vDSO: store the result in user memory.
    VdsoStore,
}

/// What a frame executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Executed {
    /// The starting state.
    Start,
    /// One machine instruction.
    Insn(&'static ImageInsn),
    /// A named step of kernel C code (or of the vDSO, which runs in ring 3).
    Step {
        /// The C function, e.g. `do_syscall_64`, `ksys_read`.
        function: &'static str,
        /// The line of C it stands for, with values filled in.
        code: String,
        work: Work,
    },
    /// The CPU raised an exception the program cannot recover from.
    Fault { at: u64, what: String },
}

impl Executed {
    /// One line of text: the instruction with its address and bytes, or the kernel step.
    pub fn describe(&self) -> String {
        match self {
            Executed::Start => "start".to_string(),
            Executed::Insn(image_insn) => {
                format!("{:#x}  {:<29} {}", image_insn.addr, image_insn.hex_bytes(), image_insn.text)
            }
            Executed::Step { function, code, .. } => format!("[{function}] {code}"),
            Executed::Fault { at, what } => format!("fault at {at:#x}: {what}"),
        }
    }
}

/// A byte range that changed in this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemChange {
    pub addr: u64,
    pub len: usize,
}

/// One moment of the round trip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub index: usize,
    pub machine: Machine,
    pub step: SeedStep,
    pub executed: Executed,
    /// Registers whose value differs from the previous frame.
    pub changed_regs: Vec<Reg>,
    /// Memory that differs from the previous frame.
    pub changed_mem: Vec<MemChange>,
    /// A stable key for what the narration explains, e.g. `insn.syscall`, `kernel.copy_to_user`.
    pub narration_key: String,
    /// The narration, in plain words.
    pub narration: String,
    /// The syscall table lookup, from the bounds check onward.
    pub dispatch: Option<Dispatch>,
}

impl Frame {
    /// The privilege level in this frame.
    pub fn cpl(&self) -> Cpl {
        self.machine.cpu.cpl()
    }
}

/// How the scenario ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The program resumed with this value in RAX (what the C function returned to its caller), and, when a libc
    /// wrapper returned -1, the errno it stored.
    Returned { rax: u64, errno: Option<u32> },
    /// `exit_group`: the process is gone and the call never returned.
    Exited { status: i32 },
    /// The program was killed by a fault it did not handle (SIGSEGV).
    Killed { why: String },
}

/// Every frame of one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    pub scenario: Scenario,
    pub frames: Vec<Frame>,
    pub ending: Ending,
    /// Where the model simplified what Linux does, in this run (shown as "simplified" notes).
    pub simplifications: Vec<String>,
}

/// The most frames a run may take; the longest scenario needs about a hundred.
pub const MAX_FRAMES: usize = 400;

/// Builds frames: the machine as it is now, and the frames so far.
pub struct Builder {
    pub machine: Machine,
    pub frames: Vec<Frame>,
    pub dispatch: Option<Dispatch>,
    pub simplifications: Vec<String>,
    pub scenario: Scenario,
}

/// Memory that differs between two machines, reported in whole aligned 8-byte words (a push changes a word even
/// when some of its bytes happen to keep their value).
fn mem_changes(before: &Machine, after: &Machine) -> Vec<MemChange> {
    let mut changes: Vec<MemChange> = Vec::new();
    for (old, new) in before.mem.regions().iter().zip(after.mem.regions()) {
        if std::rc::Rc::ptr_eq(&old.bytes, &new.bytes) {
            continue;
        }
        for (word_idx, (old_word, new_word)) in old.bytes.chunks(8).zip(new.bytes.chunks(8)).enumerate() {
            if old_word == new_word {
                continue;
            }
            let addr = new.base + 8 * word_idx as u64;
            match changes.last_mut() {
                Some(last) if last.addr + last.len as u64 == addr => last.len += new_word.len(),
                _ => changes.push(MemChange { addr, len: new_word.len() }),
            }
        }
    }
    changes
}

impl Builder {
    /// A builder at the scenario's boot state, with no frames yet.
    pub fn new(scenario: &Scenario) -> Builder {
        Builder {
            machine: Machine::boot(scenario),
            frames: Vec::new(),
            dispatch: None,
            simplifications: Vec::new(),
            scenario: scenario.clone(),
        }
    }

    /// Records the machine as it is now as a new frame.
    pub fn record(&mut self, step: SeedStep, executed: Executed, key: &str, narration: String) {
        let (changed_regs, changed_mem) = match self.frames.last() {
            Some(prev) => (prev.machine.cpu.diff(&self.machine.cpu), mem_changes(&prev.machine, &self.machine)),
            None => (Vec::new(), Vec::new()),
        };
        self.frames.push(Frame {
            index: self.frames.len(),
            machine: self.machine.clone(),
            step,
            executed,
            changed_regs,
            changed_mem,
            narration_key: key.to_string(),
            narration,
            dispatch: self.dispatch,
        });
    }

    /// Notes a simplification once.
    pub fn simplify(&mut self, note: &str) {
        if !self.simplifications.iter().any(|existing| existing == note) {
            self.simplifications.push(note.to_string());
        }
    }
}

impl Timeline {
    /// Runs the scenario to its end and keeps every frame. Never panics: whatever the inputs, the run ends with a
    /// result, an exit or a fault, within [`MAX_FRAMES`].
    pub fn run(scenario: &Scenario) -> Timeline {
        let mut builder = Builder::new(scenario);
        let start_text = super::narration::start(scenario);
        builder.record(SeedStep::CallLibrary, Executed::Start, "start", start_text);
        let ending = loop {
            if builder.frames.len() >= MAX_FRAMES {
                break Ending::Killed {
                    why: format!("the program did not finish within {MAX_FRAMES} frames, so the model stopped it"),
                };
            }
            if let Some(status) = builder.machine.kernel.exit_status {
                break Ending::Exited { status };
            }
            let rip = builder.machine.cpu.rip;
            match rip {
                DO_SYSCALL_64 => {
                    super::linux::do_syscall_64(&mut builder);
                    continue;
                }
                DO_INT80_EMULATION => {
                    super::linux::do_int80_emulation(&mut builder);
                    continue;
                }
                VDSO_CLOCK_GETTIME => {
                    if let Err(why) = super::linux::vdso_clock_gettime(&mut builder) {
                        break Ending::Killed { why };
                    }
                    continue;
                }
                _ => {}
            }
            let Some(image_insn) = insn_at(ROUTINES, rip) else {
                let what = format!("no instruction at {rip:#x}");
                builder.record(
                    SeedStep::Resume,
                    Executed::Fault { at: rip, what: what.clone() },
                    "fault",
                    what.clone(),
                );
                break Ending::Killed { why: what };
            };
            let before = builder.machine.clone();
            match builder.machine.execute(image_insn) {
                Ok(()) => {
                    let key = super::narration::insn_key(image_insn);
                    let text = super::narration::insn(image_insn, &before, &builder.machine, scenario);
                    builder.record(image_insn.step, Executed::Insn(image_insn), &key, text);
                }
                Err(exception) => {
                    let what = exception.describe();
                    let text = format!(
                        "The CPU raised an exception at {rip:#x}: {what}. In user mode Linux would deliver SIGSEGV and, \
                         with no handler installed, the process would die."
                    );
                    builder.record(image_insn.step, Executed::Fault { at: rip, what: what.clone() }, "fault", text);
                    break Ending::Killed { why: what };
                }
            }
            if image_insn.role == Role::StoreResult {
                let rax = builder.machine.cpu.get(super::cpu::Gpr::Rax);
                let errno = (rax == u64::MAX && scenario.program != super::scenario::Program::Raw)
                    .then(|| builder.machine.mem.read_le(VAR_ERRNO, 4, super::memory::Access::User).ok())
                    .flatten()
                    .map(|errno| errno as u32);
                break Ending::Returned { rax, errno };
            }
        };
        Timeline {
            scenario: scenario.clone(),
            frames: builder.frames,
            ending,
            simplifications: builder.simplifications,
        }
    }

    /// The index of the frame right after `syscall` (or `int 0x80`) executed, if the program trapped.
    pub fn trap_frame(&self) -> Option<usize> {
        self.frames.iter().position(|frame| {
            matches!(frame.executed, Executed::Insn(image_insn) if matches!(image_insn.role, Role::Syscall | Role::Int80))
        })
    }

    /// The index of the frame right after `sysretq` (or `iretq`) executed, if the kernel returned.
    pub fn return_frame(&self) -> Option<usize> {
        self.frames.iter().position(|frame| {
            matches!(frame.executed, Executed::Insn(image_insn) if matches!(image_insn.role, Role::Sysret | Role::Iret))
        })
    }

    /// For each frame, the registers whose user value the entry code has saved in pt_regs and then zeroed
    /// (CLEAR_REGS), as a bit set over [`Gpr`](super::cpu::Gpr) encodings: from the `ClearReg` instruction until
    /// the register is written again (`movsxd rsi, eax` for the number, the pops that put the user's values back, a
    /// C step that sets it). In these frames the register holds 0 and means nothing to the kernel.
    pub fn cleared_regs(&self) -> Vec<u16> {
        let bit = |gpr: super::cpu::Gpr| 1u16 << gpr as u16;
        let mut cleared = 0u16;
        self.frames
            .iter()
            .map(|frame| {
                for reg in &frame.changed_regs {
                    if let Reg::Gpr(gpr) = reg {
                        cleared &= !bit(*gpr);
                    }
                }
                if let Executed::Insn(image_insn) = frame.executed {
                    match (image_insn.role, image_insn.insn.destination()) {
                        (Role::ClearReg(gpr), _) => cleared |= bit(gpr),
                        // Written, even when the new value equals the old one and nothing visibly changed.
                        (_, Some(gpr)) => cleared &= !bit(gpr),
                        (_, None) => {}
                    }
                }
                cleared
            })
            .collect()
    }

    /// The first frame of each seed step present in this run.
    pub fn step_starts(&self) -> Vec<(SeedStep, usize)> {
        let mut starts: Vec<(SeedStep, usize)> = Vec::new();
        for frame in &self.frames {
            if !starts.iter().any(|(step, _)| *step == frame.step) {
                starts.push((frame.step, frame.index));
            }
        }
        starts
    }

    /// What the call returned to the C caller, as a signed value, when it returned.
    pub fn result(&self) -> Option<i64> {
        match self.ending {
            Ending::Returned { rax, .. } => Some(rax as i64),
            _ => None,
        }
    }
}
