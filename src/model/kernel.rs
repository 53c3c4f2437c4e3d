//! The small kernel the handlers work on: one process ([`Kernel::pid`], its uid and cwd), its fd table
//! ([`OpenFile`]), an in-memory file system ([`File`]), the page cache state, and a console behind fds 0–2.

/// A file in the in-memory file system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Absolute path.
    pub path: String,
    pub data: Vec<u8>,
    /// Permission bits, e.g. 0o644.
    pub mode: u16,
    pub owner_uid: u32,
    /// Whether its pages are already in the page cache (otherwise the first read goes to the disk).
    pub cached: bool,
}

/// What an fd refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The terminal (fds 0, 1, 2).
    Console,
    /// A file, by index into [`Kernel::files`].
    File(usize),
}

/// An open file description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenFile {
    pub target: Target,
    /// FMODE_READ.
    pub readable: bool,
    /// FMODE_WRITE.
    pub writable: bool,
    /// File position.
    pub pos: u64,
}

/// The kernel's state for the one process the model runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kernel {
    /// The process id (`current->tgid`).
    pub pid: u32,
    /// The process's user id (a student account, not root).
    pub uid: u32,
    /// Current working directory.
    pub cwd: String,
    pub files: Vec<File>,
    /// The fd table: index = fd.
    pub fds: Vec<Option<OpenFile>>,
    /// Everything written to the terminal.
    pub console: Vec<u8>,
    /// Set by exit_group.
    pub exit_status: Option<i32>,
}

/// The readable text file the scenarios read.
pub const NOTES_PATH: &str = "/home/student/notes.txt";
/// A file only root may read (mode 0640, owner root).
pub const SHADOW_PATH: &str = "/etc/shadow";
/// Linux's limit on fds per process here (RLIMIT_NOFILE's usual soft limit).
pub const NR_OPEN: u64 = 1024;

impl Kernel {
    /// A process with stdin, stdout and stderr on the console, and `notes.txt` (holding `notes`) open as fd 3.
    pub fn new(pid: u32, notes: &[u8]) -> Kernel {
        let console = || Some(OpenFile { target: Target::Console, readable: true, writable: true, pos: 0 });
        Kernel {
            pid,
            uid: 1000,
            cwd: "/home/student".to_string(),
            files: vec![
                File {
                    path: NOTES_PATH.to_string(),
                    data: notes.to_vec(),
                    mode: 0o644,
                    owner_uid: 1000,
                    cached: false,
                },
                File {
                    path: SHADOW_PATH.to_string(),
                    data: b"root:*:19000:0:99999:7:::\n".to_vec(),
                    mode: 0o640,
                    owner_uid: 0,
                    cached: true,
                },
            ],
            fds: vec![
                console(),
                console(),
                console(),
                Some(OpenFile { target: Target::File(0), readable: true, writable: false, pos: 0 }),
            ],
            console: Vec::new(),
            exit_status: None,
        }
    }

    /// The open file behind `fd`, as `fdget()` finds it. The fd is an `unsigned int` in the kernel.
    pub fn fd(&self, fd: u32) -> Option<&OpenFile> {
        self.fds.get(fd as usize).and_then(Option::as_ref)
    }

    /// Resolves `path` against the cwd (only `/`-separated names; `.` and `..` are handled).
    pub fn resolve(&self, path: &str) -> String {
        let joined = if path.starts_with('/') { path.to_string() } else { format!("{}/{}", self.cwd, path) };
        let mut parts: Vec<&str> = Vec::new();
        for part in joined.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                name => parts.push(name),
            }
        }
        format!("/{}", parts.join("/"))
    }

    /// The file at an absolute path.
    pub fn lookup(&self, abs_path: &str) -> Option<usize> {
        self.files.iter().position(|file| file.path == abs_path)
    }

    /// Whether this process may open the file for reading and/or writing (owner/other bits; no groups modelled).
    pub fn may_open(&self, file_idx: usize, read: bool, write: bool) -> bool {
        let file = &self.files[file_idx];
        let bits = if file.owner_uid == self.uid { (file.mode >> 6) & 7 } else { file.mode & 7 };
        (!read || bits & 4 != 0) && (!write || bits & 2 != 0)
    }

    /// The lowest free fd, as `get_unused_fd_flags()` picks it.
    pub fn lowest_free_fd(&self) -> usize {
        self.fds.iter().position(Option::is_none).unwrap_or(self.fds.len())
    }
}
