//! The seven steps of the lesson: the spine of the walkthrough. Every frame of a timeline belongs to one of them.

/// One of the seven steps a system call goes through, in the lesson's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeedStep {
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

impl SeedStep {
    /// All seven, in order.
    pub const ALL: [SeedStep; 7] = [
        SeedStep::CallLibrary,
        SeedStep::LoadRegisters,
        SeedStep::Trap,
        SeedStep::Dispatch,
        SeedStep::Work,
        SeedStep::Return,
        SeedStep::Resume,
    ];

    /// 1 to 7.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The step with this number, if it is 1 to 7.
    pub fn from_number(number: u8) -> Option<SeedStep> {
        SeedStep::ALL.get(usize::from(number).checked_sub(1)?).copied()
    }

    /// A short name for step indicators.
    pub fn title(self) -> &'static str {
        match self {
            SeedStep::CallLibrary => "Call the library",
            SeedStep::LoadRegisters => "Number and arguments into registers",
            SeedStep::Trap => "Trap into the kernel",
            SeedStep::Dispatch => "Look up the table",
            SeedStep::Work => "Do the privileged work",
            SeedStep::Return => "Return to user mode",
            SeedStep::Resume => "Resume with the result",
        }
    }

    /// One sentence, in plain words, of what happens in this step.
    pub fn summary(self) -> &'static str {
        match self {
            SeedStep::CallLibrary => {
                "Your code calls an ordinary library function such as read(fd, buf, count); nothing special has happened yet."
            }
            SeedStep::LoadRegisters => {
                "The C library's small wrapper puts the syscall's number in RAX and the arguments in agreed registers."
            }
            SeedStep::Trap => {
                "One instruction, syscall, switches the CPU from ring 3 to ring 0 and jumps to the one entry point the kernel registered."
            }
            SeedStep::Dispatch => {
                "The kernel checks the number against the size of its syscall table and picks the handler for it."
            }
            SeedStep::Work => {
                "The handler does what user code may not: it checks the file descriptor and permissions and copies the data."
            }
            SeedStep::Return => {
                "The kernel restores the saved registers and sysretq drops the CPU back to ring 3."
            }
            SeedStep::Resume => {
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
        for step in SeedStep::ALL {
            assert_eq!(SeedStep::from_number(step.number()), Some(step));
        }
        assert_eq!(SeedStep::from_number(0), None);
        assert_eq!(SeedStep::from_number(8), None);
    }
}
