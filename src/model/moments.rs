//! What each frame is about, and where a reader's Next stops.
//!
//! - [`Focus`]: the view a frame is about (the privilege wall, the registers, the code, the syscall table, the
//!   kernel's work, memory), derived from the instruction's [`Role`] or the C step's [`KernelStage`] by
//!   [`Frame::focus`]. The page shows that view on its stage.
//! - [`Granularity`]: how far Next goes: a lesson step, a key moment, or one instruction. [`Timeline::stops`] lists
//!   the frames Next stops at. Key moments group the runs of frames a lecture tells as one: the pushes that build
//!   `pt_regs` are one stop (at the last push, with the whole frame built), the clears one, the pops one, and so on;
//!   `endbr64` is never a stop of its own.

use super::frame::{Executed, Frame, KernelStage};
use super::lesson::LessonStep;
use super::program::Role;
use super::timeline::Timeline;

/// The view a frame is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Focus {
    /// The privilege wall: the trap, the return.
    Wall,
    /// The register file: arguments going in, registers cleared or restored.
    Registers,
    /// The code listing: calls, branches, the plain instructions around them.
    Code,
    /// The syscall table: the bounds check and the lookup.
    SyscallTable,
    /// The kernel's work: its C steps.
    KernelWork,
    /// Memory: `pt_regs` on the kernel stack, the user buffer, the terminal.
    Memory,
    /// What the whole crossing cost: never a frame's focus, the view the last frame's narration points to.
    Cost,
}

impl Focus {
    /// Every view, in the order the stage's tabs list them.
    pub const ALL: [Focus; 7] = [
        Focus::Wall,
        Focus::Registers,
        Focus::Code,
        Focus::SyscallTable,
        Focus::KernelWork,
        Focus::Memory,
        Focus::Cost,
    ];

    /// A stable id (test ids, CSS classes).
    pub fn id(self) -> &'static str {
        match self {
            Focus::Wall => "wall",
            Focus::Registers => "registers",
            Focus::Code => "code",
            Focus::SyscallTable => "syscall-table",
            Focus::KernelWork => "kernel-work",
            Focus::Memory => "memory",
            Focus::Cost => "cost",
        }
    }

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Focus::Wall => "Wall",
            Focus::Registers => "Registers",
            Focus::Code => "Code",
            Focus::SyscallTable => "Table",
            Focus::KernelWork => "Kernel",
            Focus::Memory => "Memory",
            Focus::Cost => "Cost",
        }
    }
}

/// The view an instruction of this role is about.
fn role_focus(role: Role) -> Focus {
    match role {
        Role::Syscall
        | Role::Int80
        | Role::Sysret
        | Role::Iret
        | Role::Cr3Read
        | Role::Cr3ToKernel
        | Role::Cr3ToUser
        | Role::Cr3Write { .. }
        | Role::SaveScratch
        | Role::RestoreScratch
        | Role::Verw => Focus::Wall,
        Role::LoadArg(_)
        | Role::LoadNr
        | Role::LoadProbe
        | Role::SetNr
        | Role::MoveArg4ToR10
        | Role::SwapgsEnter
        | Role::SaveUserRsp
        | Role::LoadKernelStack
        | Role::ClearReg(_)
        | Role::PtRegsArg
        | Role::NrArg
        | Role::RestoreUserRsp
        | Role::SwapgsExit
        | Role::NegateErrno
        | Role::ReturnMinusOne
        | Role::StoreResult => Focus::Registers,
        Role::PushField(_)
        | Role::PopReg(_)
        | Role::SkipOrigAx
        | Role::StoreErrno
        | Role::PtRegsToRdi
        | Role::LoadEntryStack
        | Role::CopyToEntryStack => Focus::Memory,
        Role::CallC => Focus::KernelWork,
        Role::CallWrapper
        | Role::CallVdso
        | Role::CheckError
        | Role::BranchError
        | Role::ReturnToCaller
        | Role::Endbr
        | Role::TestSysret
        | Role::BranchIret => Focus::Code,
    }
}

/// The view a C step of this stage is about.
fn stage_focus(stage: KernelStage) -> Focus {
    match stage {
        KernelStage::BoundsCheck | KernelStage::Nospec | KernelStage::TableLookup => Focus::SyscallTable,
        KernelStage::CopyToUser
        | KernelStage::CopyFromUser
        | KernelStage::ExceptionFixup
        | KernelStage::Console
        | KernelStage::SetReturn
        | KernelStage::VdsoStore => Focus::Memory,
        _ => Focus::KernelWork,
    }
}

impl Frame {
    /// The view this frame is about.
    pub fn focus(&self) -> Focus {
        match &self.executed {
            Executed::Start | Executed::Fault { .. } => Focus::Code,
            Executed::Insn(image_insn) => role_focus(image_insn.role),
            Executed::CCode { stage, .. } => stage_focus(*stage),
        }
    }
}

/// How far Next goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Granularity {
    /// The first frame of each lesson step.
    Steps,
    /// The moments a lecture talks about (the default).
    KeyMoments,
    /// Every frame: one instruction or one C step.
    Instructions,
}

impl Granularity {
    /// All three, coarsest first.
    pub const ALL: [Granularity; 3] = [Granularity::Steps, Granularity::KeyMoments, Granularity::Instructions];

    /// A stable id for URLs and the select.
    pub fn id(self) -> &'static str {
        match self {
            Granularity::Steps => "steps",
            Granularity::KeyMoments => "key",
            Granularity::Instructions => "all",
        }
    }

    /// The granularity with this id.
    pub fn from_id(id: &str) -> Option<Granularity> {
        Granularity::ALL.into_iter().find(|granularity| granularity.id() == id)
    }

    /// What the select shows.
    pub fn label(self) -> &'static str {
        match self {
            Granularity::Steps => "steps",
            Granularity::KeyMoments => "key moments",
            Granularity::Instructions => "every instruction",
        }
    }
}

/// Runs of frames that make one key moment. A frame in no group (`None` from [`moment_group`]) is a moment of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MomentGroup {
    /// Loading the number and arguments into registers.
    LoadRegisters,
    /// Parking the user RSP and loading the kernel stack.
    SwitchStack,
    /// PTI: a CR3 switch (read, change one bit, write; on the way out with RAX saved around it).
    SwitchPageTables,
    /// PTI exit: moving what is left of pt_regs to the entry stack.
    ToEntryStack,
    /// PUSH_AND_CLEAR_REGS's pushes: building `pt_regs`.
    BuildPtRegs,
    /// CLEAR_REGS.
    ClearRegisters,
    /// `mov rdi, rsp`, `movsxd rsi, eax`, `call do_syscall_64`.
    CallC,
    /// The bounds check and `array_index_nospec`.
    BoundsCheck,
    /// The fd table, the file mode, `access_ok`.
    Checks,
    /// The page cache and the disk.
    PageCache,
    /// Exit work, the SYSRET check and the branch on it.
    ChooseExit,
    /// POP_REGS.
    RestoreRegisters,
    /// The user RSP and GS back.
    LeaveKernel,
    /// The wrapper's error check after the return.
    CheckError,
    /// The errno path.
    Errno,
}

/// The group a frame's moment belongs to; `None` when it is a moment of its own.
fn moment_group(frame: &Frame) -> Option<MomentGroup> {
    match &frame.executed {
        Executed::Insn(image_insn) => match image_insn.role {
            Role::LoadArg(_) | Role::LoadNr | Role::LoadProbe | Role::SetNr | Role::MoveArg4ToR10 => {
                Some(MomentGroup::LoadRegisters)
            }
            Role::SaveUserRsp | Role::LoadKernelStack => Some(MomentGroup::SwitchStack),
            Role::Cr3Read
            | Role::Cr3ToKernel
            | Role::Cr3ToUser
            | Role::Cr3Write { .. }
            | Role::SaveScratch
            | Role::RestoreScratch => Some(MomentGroup::SwitchPageTables),
            Role::PtRegsToRdi | Role::LoadEntryStack | Role::CopyToEntryStack => Some(MomentGroup::ToEntryStack),
            Role::PushField(_) => Some(MomentGroup::BuildPtRegs),
            Role::ClearReg(_) => Some(MomentGroup::ClearRegisters),
            Role::PtRegsArg | Role::NrArg | Role::CallC => Some(MomentGroup::CallC),
            Role::TestSysret | Role::BranchIret => Some(MomentGroup::ChooseExit),
            Role::PopReg(_) | Role::SkipOrigAx => Some(MomentGroup::RestoreRegisters),
            Role::RestoreUserRsp | Role::SwapgsExit => Some(MomentGroup::LeaveKernel),
            Role::CheckError | Role::BranchError => Some(MomentGroup::CheckError),
            Role::NegateErrno | Role::StoreErrno | Role::ReturnMinusOne => Some(MomentGroup::Errno),
            _ => None,
        },
        Executed::CCode { stage, .. } => match stage {
            KernelStage::BoundsCheck | KernelStage::Nospec => Some(MomentGroup::BoundsCheck),
            KernelStage::FdTable | KernelStage::FileMode | KernelStage::AccessOk => Some(MomentGroup::Checks),
            KernelStage::PageCache | KernelStage::Disk => Some(MomentGroup::PageCache),
            KernelStage::ExitKernel | KernelStage::SysretCheck => Some(MomentGroup::ChooseExit),
            _ => None,
        },
        Executed::Start | Executed::Fault { .. } => None,
    }
}

/// Whether a frame is too small to stop at by itself: it joins the moment after it.
fn is_minor(frame: &Frame) -> bool {
    matches!(&frame.executed, Executed::Insn(image_insn) if image_insn.role == Role::Endbr)
}

impl Timeline {
    /// The frames Next stops at, in order: always the first and the last frame, and between them the first frame of
    /// each lesson step ([`Granularity::Steps`]), the last frame of each key moment ([`Granularity::KeyMoments`]),
    /// or every frame ([`Granularity::Instructions`]).
    pub fn stops(&self, granularity: Granularity) -> Vec<usize> {
        let last = self.frames.len().saturating_sub(1);
        let mut stops: Vec<usize> = match granularity {
            Granularity::Instructions => (0..=last).collect(),
            Granularity::Steps => LessonStep::ALL.iter().filter_map(|step| self.step_start(*step)).collect(),
            Granularity::KeyMoments => self.key_moments(),
        };
        stops.push(0);
        stops.push(last);
        stops.sort_unstable();
        stops.dedup();
        stops.retain(|stop| *stop <= last);
        stops
    }

    /// The last frame of each key moment.
    fn key_moments(&self) -> Vec<usize> {
        let mut ends = Vec::new();
        for (index, frame) in self.frames.iter().enumerate() {
            if is_minor(frame) {
                continue;
            }
            let Some(next) = self.frames.get(index + 1) else {
                ends.push(index);
                continue;
            };
            let group = moment_group(frame);
            let same_moment = group.is_some() && group == moment_group(next) && frame.step == next.step;
            if !same_moment {
                ends.push(index);
            }
        }
        ends
    }
}

/// The stop Next goes to from `cursor`: the first stop after it (the cursor may sit between stops, as a link to a
/// frame can put it).
pub fn next_stop(stops: &[usize], cursor: usize) -> Option<usize> {
    stops.iter().copied().find(|stop| *stop > cursor)
}

/// The stop Back goes to from `cursor`: the last stop before it.
pub fn previous_stop(stops: &[usize], cursor: usize) -> Option<usize> {
    stops.iter().copied().rev().find(|stop| *stop < cursor)
}

/// The position of `cursor` among the stops, for the scrubber: the last stop at or before it.
pub fn stop_position(stops: &[usize], cursor: usize) -> usize {
    stops.iter().rposition(|stop| *stop <= cursor).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_walk_forward_and_back_from_anywhere() {
        let stops = [0, 3, 4, 9];
        assert_eq!(next_stop(&stops, 0), Some(3));
        assert_eq!(next_stop(&stops, 1), Some(3));
        assert_eq!(next_stop(&stops, 9), None);
        assert_eq!(previous_stop(&stops, 4), Some(3));
        assert_eq!(previous_stop(&stops, 5), Some(4));
        assert_eq!(previous_stop(&stops, 0), None);
        assert_eq!(stop_position(&stops, 5), 2);
        assert_eq!(stop_position(&stops, 0), 0);
    }

    #[test]
    fn ids_round_trip() {
        for granularity in Granularity::ALL {
            assert_eq!(Granularity::from_id(granularity.id()), Some(granularity));
        }
        assert_eq!(Granularity::from_id("often"), None);
    }
}
