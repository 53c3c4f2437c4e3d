//! The seven steps of the lesson this page grows from ("what happens during a system call"): the spine of the
//! walkthrough. Every frame of a timeline belongs to one of them. A *step* is always one of these seven; one moment of
//! a run is a *frame* (`frame.rs`).

use super::scenario::Program;

/// One of the seven steps a system call goes through, in the lesson's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LessonStep {
    /// 1. The program calls a library function such as `read()`.
    CallLibrary = 1,
    /// 2. The library puts the syscall number and the arguments in registers.
    LoadRegisters = 2,
    /// 3. The `syscall` instruction traps from ring 3 into the kernel's fixed entry point.
    Trap = 3,
    /// 4. The kernel checks the number and dispatches through its table.
    Dispatch = 4,
    /// 5. The handler does the privileged work.
    Work = 5,
    /// 6. The kernel returns; the CPU drops back to ring 3.
    Return = 6,
    /// 7. The program carries on at the next instruction with the result in RAX.
    Resume = 7,
}

impl LessonStep {
    /// All seven, in order.
    pub const ALL: [LessonStep; 7] = [
        LessonStep::CallLibrary,
        LessonStep::LoadRegisters,
        LessonStep::Trap,
        LessonStep::Dispatch,
        LessonStep::Work,
        LessonStep::Return,
        LessonStep::Resume,
    ];

    /// 1 to 7.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The step with this number, if it is 1 to 7.
    pub fn from_number(number: u8) -> Option<LessonStep> {
        LessonStep::ALL.get(usize::from(number).checked_sub(1)?).copied()
    }

    /// A short name for step indicators.
    pub fn title(self) -> &'static str {
        match self {
            LessonStep::CallLibrary => "Call the library",
            LessonStep::LoadRegisters => "Number and arguments into registers",
            LessonStep::Trap => "Trap into the kernel",
            LessonStep::Dispatch => "Look up the table",
            LessonStep::Work => "Do the privileged work",
            LessonStep::Return => "Return to user mode",
            LessonStep::Resume => "Resume with the result",
        }
    }

    /// The step's name on this program's own path: `int 0x80` traps through an interrupt gate and leaves by
    /// `iretq`; the vDSO never enters the kernel, so its work is done in user space.
    pub fn title_for(self, program: Program) -> &'static str {
        match (self, program) {
            (LessonStep::Trap, Program::Int80Read) => "Trap with int 0x80",
            (LessonStep::Return, Program::Int80Read) => "Return with iretq",
            (LessonStep::Work, Program::VdsoClockGettime) => "Do the work, still in user mode",
            (LessonStep::LoadRegisters, Program::VdsoClockGettime) => "Arguments into registers",
            _ => self.title(),
        }
    }

    /// The heading a frame of this step shows: "Step 3 of 7: Trap into the kernel".
    pub fn heading(self) -> String {
        format!("Step {} of 7: {}", self.number(), self.title())
    }

    /// The heading on this program's path (see [`LessonStep::title_for`]).
    pub fn heading_for(self, program: Program) -> String {
        format!("Step {} of 7: {}", self.number(), self.title_for(program))
    }

    /// One sentence, in plain words, of what happens in this step.
    pub fn summary(self) -> &'static str {
        match self {
            LessonStep::CallLibrary => {
                "Your code calls an ordinary library function such as read(fd, buf, count); nothing special has happened yet."
            }
            LessonStep::LoadRegisters => {
                "The C library's small wrapper puts the syscall's number in RAX and the arguments in agreed registers."
            }
            LessonStep::Trap => {
                "One instruction, syscall, switches the CPU from ring 3 to ring 0 and jumps to the one entry point the kernel registered."
            }
            LessonStep::Dispatch => {
                "The kernel checks the number against the size of its syscall table and picks the handler for it."
            }
            LessonStep::Work => {
                "The handler does what user code may not: it checks the file descriptor and permissions and copies the data."
            }
            LessonStep::Return => {
                "The kernel restores the saved registers and sysretq drops the CPU back to ring 3."
            }
            LessonStep::Resume => {
                "The program continues at the instruction right after syscall, with the result (or -errno) in RAX."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for step in LessonStep::ALL {
            assert_eq!(LessonStep::from_number(step.number()), Some(step));
        }
        assert_eq!(LessonStep::from_number(0), None);
        assert_eq!(LessonStep::from_number(8), None);
    }
}
