//! One frame of a run and how frames are made: [`Frame`] (a machine snapshot, the lesson step, what executed, what
//! changed, the narration), [`Executed`] (an instruction, a C step of the kernel, a fault) with the [`KernelStage`]
//! a C step belongs to, and [`FrameBuilder`], which the timeline and the kernel's C steps (`linux.rs`) record
//! frames with.

use super::cpu::{Cpl, Reg};
use super::lesson::LessonStep;
use super::machine::Machine;
use super::program::ImageInsn;
use super::scenario::Scenario;
use super::syscalls::Dispatch;

/// The kernel or vDSO work a frame lights up in the "kernel's work" panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelStage {
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
    CCode {
        /// The C function, e.g. `do_syscall_64`, `ksys_read`.
        function: &'static str,
        /// The line of C it stands for, with values filled in.
        code: String,
        stage: KernelStage,
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
            Executed::CCode { function, code, .. } => format!("[{function}] {code}"),
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
    pub step: LessonStep,
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

/// Builds frames: the machine as it is now, and the frames so far.
pub struct FrameBuilder {
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

impl FrameBuilder {
    /// A builder at the scenario's boot state, with no frames yet.
    pub fn new(scenario: &Scenario) -> FrameBuilder {
        FrameBuilder {
            machine: Machine::boot(scenario),
            frames: Vec::new(),
            dispatch: None,
            simplifications: Vec::new(),
            scenario: scenario.clone(),
        }
    }

    /// Records the machine as it is now as a new frame.
    pub fn record(&mut self, step: LessonStep, executed: Executed, key: &str, narration: String) {
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
