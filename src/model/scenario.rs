//! Scenarios: what the program asks the kernel for. A [`Scenario`] is a plain value: which [`Program`] runs (and so
//! which ABI: `syscall`, `int 0x80` or the vDSO), the syscall number for the raw caller, the six argument values,
//! the text of notes.txt, the path for `openat`, the bytes `write` sends, the probe value for RCX, the pid and the
//! clock. [`Preset`]s are the named starting points the page offers; any field can then be edited.

use super::layout::{BUF_ADDR, PATH_ADDR};

/// Which caller runs, and so which ABI and which wrapper.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Program {
    /// `read(fd, buf, count)` through the libc wrapper and `syscall`.
    Read,
    /// `write(fd, buf, count)`.
    Write,
    /// `openat(dirfd, path, flags, mode)`.
    Openat,
    /// `close(fd)`.
    Close,
    /// `getpid()`.
    Getpid,
    /// `exit_group(status)`: never returns.
    ExitGroup,
    /// Inline assembly: any number in RAX, any six arguments, and a probe value in RCX.
    Raw,
    /// The legacy i386 ABI: `int 0x80` with EAX = 3 (read), EBX, ECX, EDX.
    Int80Read,
    /// `clock_gettime(clk, ts)` through the vDSO: no trap at all.
    VdsoClockGettime,
}

impl Program {
    /// The caller routine in the image.
    pub fn routine(self) -> &'static str {
        match self {
            Program::Read => "main_read",
            Program::Write => "main_write",
            Program::Openat => "main_openat",
            Program::Close => "main_close",
            Program::Getpid => "main_getpid",
            Program::ExitGroup => "main_exit_group",
            Program::Raw => "main_raw",
            Program::Int80Read => "main_int80_read",
            Program::VdsoClockGettime => "main_clock_gettime",
        }
    }

    /// The names of the arguments this program passes, in order (what the argument editor labels).
    pub fn arg_names(self) -> &'static [&'static str] {
        match self {
            Program::Read | Program::Write | Program::Int80Read => &["fd", "buf", "count"],
            Program::Openat => &["dirfd", "pathname", "flags", "mode"],
            Program::Close => &["fd"],
            Program::Getpid => &[],
            Program::ExitGroup => &["status"],
            Program::Raw => &["arg0 (rdi)", "arg1 (rsi)", "arg2 (rdx)", "arg3 (r10)", "arg4 (r8)", "arg5 (r9)"],
            Program::VdsoClockGettime => &["clockid", "tp"],
        }
    }

    /// The C call this program makes, for headings.
    pub fn signature(self) -> &'static str {
        match self {
            Program::Read => "read(fd, buf, count)",
            Program::Write => "write(fd, buf, count)",
            Program::Openat => "openat(dirfd, pathname, flags, mode)",
            Program::Close => "close(fd)",
            Program::Getpid => "getpid()",
            Program::ExitGroup => "exit_group(status)",
            Program::Raw => "syscall instruction with hand-set registers",
            Program::Int80Read => "int 0x80 with eax = 3 (i386 read)",
            Program::VdsoClockGettime => "clock_gettime(clockid, tp) via the vDSO",
        }
    }
}

/// A named starting point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    Read,
    ReadBadFd,
    ReadBadBuffer,
    UnknownNumber,
    Write,
    OpenatMissing,
    OpenatForbidden,
    Close,
    Getpid,
    ExitGroup,
    Int80Read,
    VdsoClockGettime,
    RawProbe,
}

impl Preset {
    /// Every preset, in the order the picker lists them.
    pub const ALL: [Preset; 13] = [
        Preset::Read,
        Preset::ReadBadFd,
        Preset::ReadBadBuffer,
        Preset::UnknownNumber,
        Preset::Write,
        Preset::OpenatMissing,
        Preset::OpenatForbidden,
        Preset::Close,
        Preset::Getpid,
        Preset::ExitGroup,
        Preset::Int80Read,
        Preset::VdsoClockGettime,
        Preset::RawProbe,
    ];

    /// A stable id for URLs and the `trace` command.
    pub fn id(self) -> &'static str {
        match self {
            Preset::Read => "read",
            Preset::ReadBadFd => "read-bad-fd",
            Preset::ReadBadBuffer => "read-bad-buffer",
            Preset::UnknownNumber => "unknown-number",
            Preset::Write => "write",
            Preset::OpenatMissing => "openat-missing",
            Preset::OpenatForbidden => "openat-forbidden",
            Preset::Close => "close",
            Preset::Getpid => "getpid",
            Preset::ExitGroup => "exit-group",
            Preset::Int80Read => "int80-read",
            Preset::VdsoClockGettime => "vdso-clock-gettime",
            Preset::RawProbe => "raw-probe",
        }
    }

    /// The preset with this id.
    pub fn from_id(id: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|preset| preset.id() == id)
    }

    /// A title for the picker.
    pub fn title(self) -> &'static str {
        match self {
            Preset::Read => "read() a file: success",
            Preset::ReadBadFd => "read() with a bad fd: -EBADF",
            Preset::ReadBadBuffer => "read() into a bad pointer: -EFAULT",
            Preset::UnknownNumber => "Unknown syscall number 1000: -ENOSYS",
            Preset::Write => "write() to the console",
            Preset::OpenatMissing => "openat() a missing file: -ENOENT",
            Preset::OpenatForbidden => "openat() /etc/shadow: -EACCES",
            Preset::Close => "close() an fd",
            Preset::Getpid => "getpid()",
            Preset::ExitGroup => "exit_group(): never returns",
            Preset::Int80Read => "Legacy int 0x80 read (i386 ABI)",
            Preset::VdsoClockGettime => "clock_gettime() via the vDSO: no trap",
            Preset::RawProbe => "Raw syscall: watch RCX and R11 get overwritten",
        }
    }
}

/// `AT_FDCWD`: "relative to the current directory".
pub const AT_FDCWD: i64 = -100;
/// `CLOCK_MONOTONIC`.
pub const CLOCK_MONOTONIC: u64 = 1;

/// What the program asks the kernel for. See the module docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The preset it started from (for its id and title).
    pub preset: Preset,
    pub program: Program,
    /// The syscall number [`Program::Raw`] puts in RAX (the other programs' wrappers fix their own).
    pub nr: u64,
    /// The arguments, as 64-bit values in the caller's variables.
    pub args: [u64; 6],
    /// The contents of /home/student/notes.txt.
    pub file_text: String,
    /// The path `openat` opens (stored NUL-terminated at `PATH_ADDR`).
    pub path: String,
    /// The bytes in the user buffer before the call (what `write` sends).
    pub buffer_text: String,
    /// The value [`Program::Raw`] loads into RCX before `syscall`.
    pub probe_rcx: u64,
    pub pid: u32,
    /// CLOCK_MONOTONIC in nanoseconds when the vDSO reads it (time is an input, never read by the model).
    pub clock_ns: u64,
    /// Run the kernel as Linux 6.12 does on a CPU that needs page-table isolation (Meltdown) and buffer clearing
    /// (MDS): the CR3 switches and `verw` in `entry_SYSCALL_64`. Applies to the `syscall` path ([`Scenario::runs_pti`]).
    pub mitigations: bool,
}

/// The default text of notes.txt.
pub const DEFAULT_NOTES: &str = "Hello from notes.txt!\nThese bytes came through the kernel.\n";

impl Scenario {
    /// Whether any field differs from the preset this scenario started from (its title is then the preset's).
    ///
    /// ```
    /// use syscall_explorer::model::{Preset, Scenario};
    /// let mut scenario = Scenario::preset(Preset::Read);
    /// assert!(!scenario.is_edited());
    /// scenario.args[0] = 9;
    /// assert!(scenario.is_edited());
    /// ```
    pub fn is_edited(&self) -> bool {
        Scenario { mitigations: false, ..self.clone() } != Scenario::preset(self.preset)
    }

    /// Whether this run uses the PTI kernel: mitigations on, and a program that enters through `syscall` (the model's
    /// `int 0x80` entry is the unmitigated one; the page says so).
    pub fn runs_pti(&self) -> bool {
        self.mitigations && self.program != Program::Int80Read
    }

    /// The scenario a preset starts from.
    pub fn preset(preset: Preset) -> Scenario {
        let base = Scenario {
            preset,
            program: Program::Read,
            nr: 0,
            args: [3, BUF_ADDR, 64, 0, 0, 0],
            file_text: DEFAULT_NOTES.to_string(),
            path: "notes.txt".to_string(),
            buffer_text: String::new(),
            probe_rcx: 0,
            pid: 4242,
            clock_ns: 1_234_567_890_123,
            mitigations: false,
        };
        let hello = "Hello, console!\n";
        match preset {
            Preset::Read => base,
            Preset::ReadBadFd => Scenario { args: [9, BUF_ADDR, 64, 0, 0, 0], ..base },
            Preset::ReadBadBuffer => Scenario { args: [3, 0x10, 64, 0, 0, 0], ..base },
            Preset::UnknownNumber => {
                Scenario { program: Program::Raw, nr: 1000, args: [0; 6], probe_rcx: 0x1111_2222_3333_4444, ..base }
            }
            Preset::Write => Scenario {
                program: Program::Write,
                args: [1, BUF_ADDR, hello.len() as u64, 0, 0, 0],
                buffer_text: hello.to_string(),
                ..base
            },
            Preset::OpenatMissing => Scenario {
                program: Program::Openat,
                args: [AT_FDCWD as u64, PATH_ADDR, 0, 0, 0, 0],
                path: "missing.txt".to_string(),
                ..base
            },
            Preset::OpenatForbidden => Scenario {
                program: Program::Openat,
                args: [AT_FDCWD as u64, PATH_ADDR, 0, 0, 0, 0],
                path: "/etc/shadow".to_string(),
                ..base
            },
            Preset::Close => Scenario { program: Program::Close, args: [3, 0, 0, 0, 0, 0], ..base },
            Preset::Getpid => Scenario { program: Program::Getpid, args: [0; 6], ..base },
            Preset::ExitGroup => Scenario { program: Program::ExitGroup, args: [0; 6], ..base },
            Preset::Int80Read => Scenario { program: Program::Int80Read, ..base },
            Preset::VdsoClockGettime => {
                Scenario { program: Program::VdsoClockGettime, args: [CLOCK_MONOTONIC, BUF_ADDR, 0, 0, 0, 0], ..base }
            }
            Preset::RawProbe => {
                Scenario { program: Program::Raw, nr: 39, args: [0; 6], probe_rcx: 0xdead_beef_cafe_f00d, ..base }
            }
        }
    }
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario::preset(Preset::Read)
    }
}
