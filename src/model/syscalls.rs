//! System call numbers, names and the kernel's dispatch on them.
//!
//! - [`SyscallEntry`] is one line of Linux 6.12.117's `arch/x86/entry/syscalls/syscall_64.tbl` or
//!   `syscall_32.tbl`; [`Abi`] is its second column. The tables themselves, every line of both files in order, are
//!   [`X86_64`] and [`I386`] in the generated `syscall_table.rs` (regenerated and compared by
//!   `tests/syscall_tables.rs`).
//! - [`dispatch_x64`] follows `do_syscall_64` for a number that arrived in RAX through `syscall`, and [`dispatch_i386`]
//!   follows `do_int80_emulation` for one that arrived in EAX through `int 0x80`. Both return a [`Dispatch`]: the
//!   signed and unsigned number, the bounds check, the [`array_index_nospec`] mask, the table line and the handler the
//!   kernel calls, so each stage can be shown.
//! - [`by_name_x64`], [`by_nr_x64`], [`by_name_i386`] and [`by_nr_i386`] look entries up.
//!
//! The kernel modelled is a 64-bit Linux 6.12 with `CONFIG_IA32_EMULATION=y` (so `int 0x80` works and the i386 table
//! calls the compat entry points) and `CONFIG_X86_X32_ABI` off (so the x32 numbers 512–547, with or without
//! [`X32_SYSCALL_BIT`], are out of range and give `-ENOSYS`). Sources: Linux 6.12's
//! `arch/x86/entry/common.c` (`do_syscall_x64`, `do_int80_emulation`) and `arch/x86/entry/syscall_64.c`.

use std::fmt;

/// `syscall_64.tbl`: every line (`common`, `64` and `x32`), in file order.
pub static X86_64: Table = Table::new(super::syscall_table::X86_64_TBL);
/// `syscall_32.tbl`: every line (`i386`), in file order.
pub static I386: Table = Table::new(super::syscall_table::I386_TBL);

use std::sync::OnceLock;

/// The ABI column of a syscall table line: which entry paths a number belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Abi {
    /// `common` in `syscall_64.tbl`: the same number for 64-bit and x32 processes.
    Common,
    /// `64` in `syscall_64.tbl`: 64-bit processes only.
    X64,
    /// `x32` in `syscall_64.tbl`: x32 processes only (numbers 512–547 and the x32 variants).
    X32,
    /// `i386` in `syscall_32.tbl`: 32-bit processes (`int 0x80`, `sysenter`, compat `syscall`).
    I386,
}

impl Abi {
    /// The spelling in the `.tbl` file: `"common"`, `"64"`, `"x32"` or `"i386"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Abi::Common => "common",
            Abi::X64 => "64",
            Abi::X32 => "x32",
            Abi::I386 => "i386",
        }
    }

    /// Whether a 64-bit process reaches this line through `syscall`: the kernel builds its x86-64 `switch` from the
    /// `common` and `64` lines (`arch/x86/entry/syscalls/Makefile`, `abis := common,64`).
    pub const fn is_x64(self) -> bool {
        matches!(self, Abi::Common | Abi::X64)
    }
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of a syscall table: `<number> <abi> <name> [<entry point> [<compat entry point>]] [noreturn]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SyscallEntry {
    /// The syscall number (what user code puts in EAX).
    pub nr: u32,
    /// Which ABI the line belongs to.
    pub abi: Abi,
    /// The syscall's name, e.g. `"read"`.
    pub name: &'static str,
    /// The kernel function, e.g. `Some("sys_read")`. `None` for retired or never-implemented calls (e.g. 212
    /// `lookup_dcookie`): the kernel then calls `sys_ni_syscall`, which returns `-ENOSYS`.
    pub entry_point: Option<&'static str>,
    /// The compat entry point (the fifth column, `-` meaning none). Only `syscall_32.tbl` uses it: a 64-bit kernel
    /// calls it instead of [`entry_point`](Self::entry_point) for 32-bit processes, e.g. `compat_sys_open` for i386
    /// `open`.
    pub compat_entry_point: Option<&'static str>,
    /// The line says `noreturn`: the call never returns to user mode (`exit`, `exit_group`).
    pub noreturn: bool,
}

/// Bit 30 of the number marks an x32 syscall (`__X32_SYSCALL_BIT`, `arch/x86/include/uapi/asm/unistd.h`).
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// The kernel function for "no such system call": it returns `-ENOSYS` (`kernel/sys_ni.c`).
pub const SYS_NI_SYSCALL: &str = "sys_ni_syscall";

pub use super::errno::ENOSYS;

/// A syscall table kept as compact text (see `syscall_table.rs`) and parsed into [`SyscallEntry`]s on first use.
/// It dereferences to the entries, in file order.
pub struct Table {
    text: &'static str,
    entries: OnceLock<Vec<SyscallEntry>>,
}

impl Table {
    /// A table over generated text.
    pub const fn new(text: &'static str) -> Table {
        Table { text, entries: OnceLock::new() }
    }

    /// Parses the packed lines (the format is described in `syscall_table.rs`).
    fn parse(text: &'static str) -> Vec<SyscallEntry> {
        // `=` in an entry point column: the usual function name, built once here.
        fn entry(field: Option<&'static str>, prefix: &str, name: &str) -> Option<&'static str> {
            match field? {
                "-" => None,
                "=" => Some(Box::leak(format!("{prefix}{name}").into_boxed_str())),
                entry => Some(entry),
            }
        }
        let mut next_nr = 0;
        text.lines()
            .filter_map(|line| {
                let mut fields = line.split(' ');
                let first = fields.next()?;
                let (abi, nr) = first.split_at_checked(1)?;
                let abi = match abi {
                    "c" => Abi::Common,
                    "6" => Abi::X64,
                    "x" => Abi::X32,
                    _ => Abi::I386,
                };
                let nr = match nr {
                    "" => next_nr,
                    nr => nr.parse().ok()?,
                };
                next_nr = nr + 1;
                let name = fields.next()?;
                let entry_point = entry(fields.next(), "sys_", name);
                let compat_entry_point = entry(fields.next(), "compat_sys_", name);
                let noreturn = fields.next() == Some("!");
                Some(SyscallEntry { nr, abi, name, entry_point, compat_entry_point, noreturn })
            })
            .collect()
    }
}

impl std::ops::Deref for Table {
    type Target = [SyscallEntry];

    fn deref(&self) -> &[SyscallEntry] {
        self.entries.get_or_init(|| Table::parse(self.text))
    }
}

fn is_i386(abi: Abi) -> bool {
    abi == Abi::I386
}

/// `NR_syscalls` for x86-64: the highest `common`/`64` number plus one. In 6.12 that is 462 `mseal`, so 463.
///
/// ```
/// assert_eq!(syscall_explorer::model::syscalls::NR_SYSCALLS_64, 463);
/// ```
pub const NR_SYSCALLS_64: u32 = super::syscall_table::NR_SYSCALLS_64;

/// `IA32_NR_syscalls`: the highest `i386` number plus one (463 in 6.12, also ending at `mseal`).
pub const IA32_NR_SYSCALLS: u32 = super::syscall_table::IA32_NR_SYSCALLS;

/// The mask the x86 `array_index_mask_nospec()` computes (`arch/x86/include/asm/barrier.h`): `cmp size, index` sets
/// the carry flag when `index < size` (unsigned), and `sbb mask, mask` turns the carry into all ones or zero.
///
/// ```
/// use syscall_explorer::model::syscalls::array_index_mask_nospec;
/// assert_eq!(array_index_mask_nospec(0, 463), u64::MAX);
/// assert_eq!(array_index_mask_nospec(463, 463), 0);
/// ```
pub fn array_index_mask_nospec(index: u64, size: u64) -> u64 {
    let carry = u64::from(index < size);
    // sbb %0,%0 computes mask - mask - CF = -CF.
    0u64.wrapping_sub(carry)
}

/// `array_index_nospec(index, size)` (`include/linux/nospec.h`): `index` ANDed with
/// [`array_index_mask_nospec`]. It is `index` when in bounds and 0 otherwise, computed without a branch, so even a
/// mispredicted bounds check cannot make the CPU speculatively index past the table (Spectre v1).
///
/// ```
/// use syscall_explorer::model::syscalls::array_index_nospec;
/// assert_eq!(array_index_nospec(39, 463), 39);
/// assert_eq!(array_index_nospec(1000, 463), 0);
/// ```
pub fn array_index_nospec(index: u64, size: u64) -> u64 {
    index & array_index_mask_nospec(index, size)
}

/// Which table a number is dispatched through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DispatchTable {
    /// `syscall` from a 64-bit process: `do_syscall_64` → `x64_sys_call()`, the `common` and `64` lines.
    X64,
    /// `int 0x80`: `do_int80_emulation` → `ia32_sys_call()`, the `i386` lines.
    Ia32,
}

impl DispatchTable {
    /// The prefix of the kernel's `pt_regs` stubs for this table: `"__x64_"` or `"__ia32_"`.
    pub fn stub_prefix(self) -> &'static str {
        match self {
            DispatchTable::X64 => "__x64_",
            DispatchTable::Ia32 => "__ia32_",
        }
    }

    /// The bound the number is checked against: [`NR_SYSCALLS_64`] or [`IA32_NR_SYSCALLS`].
    pub fn nr_syscalls(self) -> u32 {
        match self {
            DispatchTable::X64 => NR_SYSCALLS_64,
            DispatchTable::Ia32 => IA32_NR_SYSCALLS,
        }
    }
}

/// How a dispatch ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DispatchOutcome {
    /// In range, and the table line has an entry point: that handler runs and its return value goes to RAX.
    Handler,
    /// In range, but the number has no real handler: its line has no entry point (a retired call such as 212
    /// `lookup_dcookie`), names `sys_ni_syscall` itself (64 `_sysctl`), or there is no line (the reserved 387–423
    /// gap). The `switch` calls `sys_ni_syscall`, RAX = `-ENOSYS`.
    NotImplemented,
    /// The bounds check failed (the number is too big, negative, or x32): `sys_ni_syscall` runs, RAX = `-ENOSYS`.
    OutOfRange,
    /// The number is -1, which the kernel treats as "skip" (what ptrace or seccomp set to cancel a call): nothing is
    /// called and RAX keeps the `-ENOSYS` the entry code stored in `pt_regs->ax`.
    Skipped,
}

/// What the kernel's dispatch does with one syscall number, stage by stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dispatch {
    /// The table consulted.
    pub table: DispatchTable,
    /// The register as user code left it (RAX for `syscall`, EAX for `int 0x80`). Only its low 32 bits count.
    pub register: u64,
    /// The number as the kernel's `int nr`: the low 32 bits, sign-extended (`movslq %eax, %rsi`).
    pub nr: i32,
    /// `unsigned int unr = nr`: a negative number becomes huge, so one comparison rejects it too.
    pub unr: u32,
    /// The bound: [`NR_SYSCALLS_64`] or [`IA32_NR_SYSCALLS`].
    pub nr_syscalls: u32,
    /// `unr < nr_syscalls`.
    pub in_range: bool,
    /// The [`array_index_mask_nospec`] mask: all ones in range, 0 out of range.
    pub nospec_mask: u64,
    /// The index after [`array_index_nospec`]: `unr` in range, 0 otherwise (the kernel never uses it then).
    pub index: u64,
    /// The table line the `switch` selects, if the number is in range and has a line in this table.
    pub entry: Option<&'static SyscallEntry>,
    /// The kernel function called, as named in the table (`"sys_read"`, `"compat_sys_open"`, `"sys_ni_syscall"`);
    /// `None` only when [`Skipped`](DispatchOutcome::Skipped).
    pub handler: Option<&'static str>,
    /// How it ends.
    pub outcome: DispatchOutcome,
}

/// What [`dispatch_x64`] returns: the same [`Dispatch`] type as for i386, named for the 64-bit path.
pub type Dispatch64 = Dispatch;

impl Dispatch {
    /// The stub the kernel calls, e.g. `"__x64_sys_read"`, `"__ia32_compat_sys_open"`, `"__x64_sys_ni_syscall"`;
    /// `None` when the call is skipped.
    pub fn handler_symbol(&self) -> Option<String> {
        self.handler.map(|handler| format!("{}{}", self.table.stub_prefix(), handler))
    }

    /// RAX after the dispatch when no real handler runs: `Some(-ENOSYS)` for every outcome except
    /// [`Handler`](DispatchOutcome::Handler), whose handler decides the value itself.
    pub fn result_without_handler(&self) -> Option<i64> {
        match self.outcome {
            DispatchOutcome::Handler => None,
            _ => Some(-ENOSYS),
        }
    }

    /// Whether the handler never returns (`exit`, `exit_group`).
    pub fn is_noreturn(&self) -> bool {
        self.outcome == DispatchOutcome::Handler && self.entry.is_some_and(|entry| entry.noreturn)
    }
}

fn find_by_nr(table: &'static [SyscallEntry], keep: fn(Abi) -> bool, nr: u32) -> Option<&'static SyscallEntry> {
    table.iter().find(|entry| keep(entry.abi) && entry.nr == nr)
}

fn find_by_name(table: &'static [SyscallEntry], keep: fn(Abi) -> bool, name: &str) -> Option<&'static SyscallEntry> {
    table.iter().find(|entry| keep(entry.abi) && entry.name == name)
}

/// The `common` or `64` line for `nr`, if any (x32 lines are not reachable from 64-bit code).
pub fn by_nr_x64(nr: u32) -> Option<&'static SyscallEntry> {
    find_by_nr(&X86_64, Abi::is_x64, nr)
}

/// The `common` or `64` line named `name`, e.g. `by_name_x64("read")` is number 0.
///
/// ```
/// use syscall_explorer::model::syscalls::by_name_x64;
/// assert_eq!(by_name_x64("getpid").map(|entry| entry.nr), Some(39));
/// assert_eq!(by_name_x64("no_such_call"), None);
/// ```
pub fn by_name_x64(name: &str) -> Option<&'static SyscallEntry> {
    find_by_name(&X86_64, Abi::is_x64, name)
}

/// The `i386` line for `nr`, if any.
pub fn by_nr_i386(nr: u32) -> Option<&'static SyscallEntry> {
    find_by_nr(&I386, is_i386, nr)
}

/// The `i386` line named `name`, e.g. `by_name_i386("read")` is number 3.
///
/// ```
/// use syscall_explorer::model::syscalls::by_name_i386;
/// assert_eq!(by_name_i386("getpid").map(|entry| entry.nr), Some(20));
/// ```
pub fn by_name_i386(name: &str) -> Option<&'static SyscallEntry> {
    find_by_name(&I386, is_i386, name)
}

/// The shared shape of `do_syscall_x64` and `do_syscall_32_irqs_on`: bounds check, `array_index_nospec`, the
/// generated `switch`, and the `nr != -1` test on the way out.
fn dispatch(table: DispatchTable, register: u64, nr: i32) -> Dispatch {
    let nr_syscalls = table.nr_syscalls();
    // "Convert negative numbers to very high and thus out of range numbers for comparisons."
    let unr = nr as u32;
    let in_range = unr < nr_syscalls;
    let nospec_mask = array_index_mask_nospec(u64::from(unr), u64::from(nr_syscalls));
    let index = u64::from(unr) & nospec_mask;
    let (entry, handler, outcome) = if in_range {
        // `index` is `unr` here; the switch's `case` for it, or its `default`, picks the stub.
        let switch_nr = index as u32;
        let entry = match table {
            DispatchTable::X64 => by_nr_x64(switch_nr),
            DispatchTable::Ia32 => by_nr_i386(switch_nr),
        };
        let entry_point = entry.and_then(|entry| match table {
            DispatchTable::X64 => entry.entry_point,
            // A 64-bit kernel with IA32_EMULATION maps __SYSCALL_WITH_COMPAT(nr, native, compat) to the compat one
            // (arch/x86/entry/syscall_32.c).
            DispatchTable::Ia32 => entry.compat_entry_point.or(entry.entry_point),
        });
        match entry_point {
            // Some lines name sys_ni_syscall outright (64 `_sysctl`, i386 `bdflush`, the compat side of `vm86`).
            Some(entry_point) if entry_point != SYS_NI_SYSCALL => (entry, Some(entry_point), DispatchOutcome::Handler),
            _ => (entry, Some(SYS_NI_SYSCALL), DispatchOutcome::NotImplemented),
        }
    } else if nr != -1 {
        // With CONFIG_X86_X32_ABI off, do_syscall_x32() never accepts a number, so the x32 range falls through too.
        (None, Some(SYS_NI_SYSCALL), DispatchOutcome::OutOfRange)
    } else {
        (None, None, DispatchOutcome::Skipped)
    };
    Dispatch { table, register, nr, unr, nr_syscalls, in_range, nospec_mask, index, entry, handler, outcome }
}

/// What `do_syscall_64` (Linux 6.12 `arch/x86/entry/common.c`) does with RAX after `syscall` from a 64-bit process.
///
/// `entry_SYSCALL_64` passes the number with `movslq %eax, %rsi` ("syscall numbers are treated as int"), so the upper
/// 32 bits of RAX are ignored and EAX is sign-extended. Numbers below [`NR_SYSCALLS_64`] go through the generated
/// `switch` (since Linux 6.9 a `switch`, not an indirect call through `sys_call_table`); anything else, x32 numbers
/// included (x32 is off in this model), gets `-ENOSYS`, except -1, which is skipped.
///
/// ```
/// use syscall_explorer::model::syscalls::{dispatch_x64, DispatchOutcome};
/// let read = dispatch_x64(0x1_0000_0000); // only EAX counts
/// assert_eq!(read.handler_symbol().as_deref(), Some("__x64_sys_read"));
/// let unknown = dispatch_x64(1000);
/// assert_eq!(unknown.outcome, DispatchOutcome::OutOfRange);
/// assert_eq!(unknown.result_without_handler(), Some(-38));
/// ```
pub fn dispatch_x64(rax: u64) -> Dispatch64 {
    dispatch(DispatchTable::X64, rax, rax as u32 as i32)
}

/// What `do_int80_emulation` (Linux 6.12 `arch/x86/entry/common.c`) does with EAX after `int 0x80`.
///
/// The kernel keeps the low 32 bits (`regs->orig_ax = regs->ax & GENMASK(31, 0)`) and reads them as an `int`, then
/// `do_syscall_32_irqs_on` checks against [`IA32_NR_SYSCALLS`] and calls the i386 `switch`. From 64-bit code, pass
/// `rax as u32`.
///
/// ```
/// use syscall_explorer::model::syscalls::dispatch_i386;
/// assert_eq!(dispatch_i386(20).handler_symbol().as_deref(), Some("__ia32_sys_getpid"));
/// ```
pub fn dispatch_i386(eax: u32) -> Dispatch {
    dispatch(DispatchTable::Ia32, u64::from(eax), eax as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_the_6_12_values() {
        assert_eq!(NR_SYSCALLS_64, 463);
        assert_eq!(IA32_NR_SYSCALLS, 463);
    }

    #[test]
    fn mask_is_all_ones_or_zero() {
        assert_eq!(array_index_mask_nospec(462, 463), u64::MAX);
        assert_eq!(array_index_mask_nospec(463, 463), 0);
        assert_eq!(array_index_mask_nospec(u64::MAX, 463), 0);
        assert_eq!(array_index_mask_nospec(0, 0), 0);
    }

    #[test]
    fn skip_calls_nothing() {
        let skipped = dispatch_x64(0xFFFF_FFFF);
        assert_eq!(skipped.nr, -1);
        assert_eq!(skipped.outcome, DispatchOutcome::Skipped);
        assert_eq!(skipped.handler_symbol(), None);
        assert_eq!(skipped.result_without_handler(), Some(-ENOSYS));
    }

    #[test]
    fn i386_uses_the_compat_entry_point() {
        let open = dispatch_i386(5);
        assert_eq!(open.entry.map(|entry| entry.name), Some("open"));
        assert_eq!(open.handler_symbol().as_deref(), Some("__ia32_compat_sys_open"));
    }
}
