//! Linux's error numbers, as far as this model returns them: [`Errno`] holds each value once (from
//! `include/uapi/asm-generic/errno-base.h` and `errno.h`), and [`describe_result`] spells a syscall's return value the
//! way the page and the trace show it (`-9 (-EBADF)`).

/// An error number a handler in this model can return (negated, as `-EBADF`, in RAX).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Errno {
    Eperm = 1,
    Enoent = 2,
    Ebadf = 9,
    Eacces = 13,
    Efault = 14,
    Enotdir = 20,
    Einval = 22,
    Emfile = 24,
    Enametoolong = 36,
    Enosys = 38,
}

impl Errno {
    /// Every error number the model knows, in numeric order.
    pub const ALL: [Errno; 10] = [
        Errno::Eperm,
        Errno::Enoent,
        Errno::Ebadf,
        Errno::Eacces,
        Errno::Efault,
        Errno::Enotdir,
        Errno::Einval,
        Errno::Emfile,
        Errno::Enametoolong,
        Errno::Enosys,
    ];

    /// The positive number, as in `errno.h`.
    pub const fn number(self) -> i64 {
        self as i64
    }

    /// The symbolic name, e.g. `"EBADF"`.
    pub fn name(self) -> &'static str {
        match self {
            Errno::Eperm => "EPERM",
            Errno::Enoent => "ENOENT",
            Errno::Ebadf => "EBADF",
            Errno::Eacces => "EACCES",
            Errno::Efault => "EFAULT",
            Errno::Enotdir => "ENOTDIR",
            Errno::Einval => "EINVAL",
            Errno::Emfile => "EMFILE",
            Errno::Enametoolong => "ENAMETOOLONG",
            Errno::Enosys => "ENOSYS",
        }
    }

    /// The error with this positive number, if the model knows it.
    pub fn from_number(number: i64) -> Option<Errno> {
        Errno::ALL.into_iter().find(|errno| errno.number() == number)
    }
}

pub const ENOENT: i64 = Errno::Enoent.number();
pub const EBADF: i64 = Errno::Ebadf.number();
pub const EACCES: i64 = Errno::Eacces.number();
pub const EFAULT: i64 = Errno::Efault.number();
pub const ENOTDIR: i64 = Errno::Enotdir.number();
pub const EINVAL: i64 = Errno::Einval.number();
pub const EMFILE: i64 = Errno::Emfile.number();
pub const ENAMETOOLONG: i64 = Errno::Enametoolong.number();
/// `ENOSYS` (38): "function not implemented". RAX gets `-ENOSYS` when no handler runs.
pub const ENOSYS: i64 = Errno::Enosys.number();

/// The name of a positive error number, or `"E?"` for one the model never returns.
///
/// ```
/// assert_eq!(syscall_explorer::model::errno::errno_name(9), "EBADF");
/// ```
pub fn errno_name(number: i64) -> &'static str {
    Errno::from_number(number).map_or("E?", Errno::name)
}

/// Whether a syscall's return value is an error, -4095 to -1 (the kernel's `IS_ERR_VALUE`, and the range the C
/// library's wrappers check before setting errno).
///
/// ```
/// use syscall_explorer::model::errno::is_error;
/// assert!(is_error(-9) && is_error(-4095));
/// assert!(!is_error(-4096) && !is_error(0) && !is_error(59));
/// ```
pub fn is_error(value: i64) -> bool {
    (-4095..0).contains(&value)
}

/// `"-9 (-EBADF)"` for errors (see [`is_error`]), the plain number otherwise.
///
/// ```
/// use syscall_explorer::model::errno::describe_result;
/// assert_eq!(describe_result(-9), "-9 (-EBADF)");
/// assert_eq!(describe_result(59), "59");
/// ```
pub fn describe_result(value: i64) -> String {
    if is_error(value) {
        format!("{value} (-{})", errno_name(-value))
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_round_trip() {
        for errno in Errno::ALL {
            assert_eq!(Errno::from_number(errno.number()), Some(errno));
            assert!(errno.name().starts_with('E'));
        }
        assert_eq!(Errno::from_number(0), None);
        assert_eq!(errno_name(4000), "E?");
    }
}
