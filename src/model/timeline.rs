//! The timeline: [`Timeline::run`] executes a [`Scenario`] from the first instruction to the end and keeps every
//! [`Frame`] (see `frame.rs`). Stepping back is reading an earlier frame; nothing is undone or recomputed.

use super::cpu::Reg;
use super::frame::{Executed, FrameBuilder};
use super::image::ROUTINES;
use super::layout::*;
use super::lesson::LessonStep;
use super::program::{insn_at, Role};
use super::scenario::Scenario;

pub use super::frame::Frame;

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

impl Timeline {
    /// Runs the scenario to its end and keeps every frame. Never panics: whatever the inputs, the run ends with a
    /// result, an exit or a fault, within [`MAX_FRAMES`].
    pub fn run(scenario: &Scenario) -> Timeline {
        let mut builder = FrameBuilder::new(scenario);
        if scenario.mitigations && !scenario.runs_pti() {
            builder.simplify(
                "Mitigations are on, but the model's int 0x80 entry runs without them: with PTI, Linux switches CR3 in \
                 error_entry and leaves through the entry stack with verw, as on its syscall path.",
            );
        }
        let start_text = super::narration::start(scenario);
        builder.record(LessonStep::CallLibrary, Executed::Start, "start", start_text);
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
                    LessonStep::Resume,
                    Executed::Fault { at: rip, what: what.clone() },
                    "fault",
                    what.clone(),
                );
                break Ending::Killed { why: what };
            };
            if !image_insn.patch.runs(scenario.runs_pti()) {
                // An ALTERNATIVE site this kernel patched out at boot: it never runs here.
                builder.machine.cpu.rip = image_insn.next_addr();
                continue;
            }
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
        let mut timeline = Timeline {
            scenario: scenario.clone(),
            frames: builder.frames,
            ending,
            simplifications: builder.simplifications,
        };
        // Step 7 points on: the last frame of a call that came back sums up what it cost.
        if matches!(timeline.ending, Ending::Returned { .. }) {
            let summary = timeline.costs().summary();
            if let Some(last) = timeline.frames.last_mut() {
                last.narration = format!("{} {summary}", last.narration);
            }
        }
        timeline
    }

    /// What the run cost, counted: instructions and C steps by phase, and the expensive kinds.
    pub fn costs(&self) -> super::cost::Costs {
        super::cost::Costs::of(&self.frames)
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

    /// The first frame of each lesson step present in this run.
    pub fn step_starts(&self) -> Vec<(LessonStep, usize)> {
        let mut starts: Vec<(LessonStep, usize)> = Vec::new();
        for frame in &self.frames {
            if !starts.iter().any(|(step, _)| *step == frame.step) {
                starts.push((frame.step, frame.index));
            }
        }
        starts
    }

    /// The first frame of a lesson step, if this run has it.
    pub fn step_start(&self, step: LessonStep) -> Option<usize> {
        self.frames.iter().position(|frame| frame.step == step)
    }

    /// What the call returned to the C caller, as a signed value, when it returned.
    pub fn result(&self) -> Option<i64> {
        match self.ending {
            Ending::Returned { rax, .. } => Some(rax as i64),
            _ => None,
        }
    }
}
