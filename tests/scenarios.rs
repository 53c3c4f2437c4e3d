//! Scenario traces as data: one [`check`] helper and many small cases, each comparing the readable summary of a run
//! (`model::trace::summary`, plus the run's "simplified" notes) with a reviewed golden file, `tests/expected/NAME.txt`.
//!
//! Every file opens with a `#` line giving the `trace` command that prints the same summary, so a reader can rerun
//! it. The files are a reviewed record of what Linux 6.12 does, not whatever the model printed.
//!
//! `UPDATE_EXPECT=1 cargo test --test scenarios` rewrites the files from the model instead of comparing; review the
//! diff (`git diff tests/expected`) against Linux before committing it.
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;
use std::path::PathBuf;

use syscall_explorer::model::input::set_field;
use syscall_explorer::model::{trace, Preset, Scenario, Timeline};

/// What a case compares: the summary, then one `simplified:` line per simplification the run made.
fn render(scenario: &Scenario) -> String {
    let timeline = Timeline::run(scenario);
    let mut text = trace::summary(&timeline);
    for note in &timeline.simplifications {
        let _ = writeln!(text, "simplified: {note}");
    }
    text
}

/// The `trace` command line that prints this case's summary.
fn command_line(preset: Preset, edits: &[(&str, &str)]) -> String {
    let mut line = format!("# cargo run -q --bin trace -- {} --summary", preset.id());
    for (name, value) in edits {
        let _ = write!(line, " --set {name}={value}");
    }
    line
}

fn expected_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expected").join(format!("{name}.txt"))
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for line_no in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (None, None) => break,
            (want, got) if want == got => continue,
            (want, got) => {
                return format!(
                    "line {line_no}:\n  expected: {}\n  actual:   {}",
                    want.unwrap_or("<end>"),
                    got.unwrap_or("<end>")
                )
            }
        }
    }
    "the texts differ only in trailing newlines".to_string()
}

/// Runs `preset` with `edits` applied through [`set_field`] (as the page and `trace --set` apply them) and compares
/// the rendered run with `tests/expected/NAME.txt`, or rewrites that file when `UPDATE_EXPECT=1`.
fn check(name: &str, preset: Preset, edits: &[(&str, &str)]) {
    let mut scenario = Scenario::preset(preset);
    for (field, value) in edits {
        if let Err(why) = set_field(&mut scenario, field, value) {
            panic!("case {name}: the edit {field}={value} was rejected: {why}");
        }
    }
    let actual = format!("{}\n{}", command_line(preset, edits), render(&scenario));
    let path = expected_path(name);
    if std::env::var("UPDATE_EXPECT").is_ok_and(|value| value == "1") {
        std::fs::create_dir_all(path.parent().expect("tests/expected")).expect("create tests/expected");
        std::fs::write(&path, &actual).unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!("case {name}: cannot read {}: {err}\nrun `UPDATE_EXPECT=1 cargo test --test scenarios` to create it, then review it", path.display())
    });
    assert!(
        expected == actual,
        "case {name}: the model's trace differs from {}\n{}\n\n--- actual ---\n{actual}\nIf the change is intended, rerun with \
         UPDATE_EXPECT=1 and review the diff against what Linux does.",
        path.display(),
        first_difference(&expected, &actual)
    );
}

macro_rules! cases {
    ($($(#[$attr:meta])* $name:ident: $preset:ident $([$($field:literal = $value:literal),* $(,)?])?;)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $name() {
                check(stringify!($name), Preset::$preset, &[$($(($field, $value)),*)?]);
            }
        )*
    };
}

// One case per preset, named `preset_` + the preset id.
cases! {
    preset_read: Read;
    preset_read_bad_fd: ReadBadFd;
    preset_read_bad_buffer: ReadBadBuffer;
    preset_unknown_number: UnknownNumber;
    preset_write: Write;
    preset_openat_missing: OpenatMissing;
    preset_openat_forbidden: OpenatForbidden;
    preset_close: Close;
    preset_getpid: Getpid;
    preset_exit_group: ExitGroup;
    preset_int80_read: Int80Read;
    preset_vdso_clock_gettime: VdsoClockGettime;
    preset_raw_probe: RawProbe;
}

// The same calls on a CPU that needs page-table isolation and buffer clearing.
cases! {
    mitigations_read: Read["mitigations" = "on"];
    mitigations_read_bad_buffer: ReadBadBuffer["mitigations" = "on"];
    mitigations_unknown_number: UnknownNumber["mitigations" = "on"];
    mitigations_int80_read_unchanged: Int80Read["mitigations" = "on"];
}

/// Adding a preset without a golden trace fails here.
#[test]
fn every_preset_has_a_case() {
    for preset in Preset::ALL {
        let name = format!("preset_{}", preset.id().replace('-', "_"));
        assert!(
            expected_path(&name).exists(),
            "preset {} has no case: add `{name}: …;` to the cases! list",
            preset.id()
        );
    }
}

// Edited variants: what a person typing into the argument editor would try.
cases! {
    /// Linux: `count == 0` returns 0 before the page cache is looked up (`filemap_read()`: "if
    /// (unlikely(!iov_iter_count(iter))) return 0;", and ext4/generic_file_read_iter return early too), so no disk
    /// read happens and the page stays uncached.
    read_count_0: Read ["count" = "0"];
    /// A partial read: only what was asked for.
    read_count_5: Read ["count" = "5"];
    /// `access_ok()` refuses a range in the kernel half before any copy: -EFAULT at once.
    read_buf_kernel_half: Read ["buf" = "0xfffffffffffff000"];
    /// The range ends above TASK_SIZE_MAX (but below 2^63): `access_ok()` compares the end with `USER_PTR_MAX`, so
    /// -EFAULT before any copy (checked on hardware by tests/real_cpu.rs).
    read_range_ends_past_the_user_half: Read ["count" = "0x4000000000000000"];
    /// 16 bytes fit before the unmapped page at 0x405000: `copy_to_user` stops there, the fix-up reports 43 bytes not
    /// copied, and read returns the 16 it did copy (`filemap_read()` returns what it read when it read anything).
    read_buf_near_end_of_page: Read ["buf" = "0x404ff0"];
    /// fd 1 is the terminal: Linux would sleep for a line; the model answers 0 (labelled simplified).
    read_fd_1_terminal: Read ["fd" = "1"];
    /// The terminal takes writes in 2048-byte chunks and a chunk it cannot copy whole ends the write: 16 of these 64
    /// bytes are mapped, so Linux says -EFAULT and prints nothing (checked on hardware by tests/real_cpu.rs). The
    /// model prints the 16 bytes and returns 16.
    write_buf_near_end_of_page: Write ["buf" = "0x404ff0", "count" = "64"];
    /// notes.txt is open read-only as fd 3: `vfs_write()` says -EBADF (FMODE_WRITE is missing).
    write_fd_3_read_only: Write ["fd" = "3"];
    /// `..` from /home/student is /home, so this names notes.txt itself; fds 0–3 are taken, so the new fd is 4.
    openat_dotdot_finds_notes: OpenatMissing ["path" = "../student/notes.txt"];
    /// Nothing is open at fd 42: -EBADF.
    close_fd_42: Close ["fd" = "42"];
    /// nr -1 is "skip": no handler runs and RAX keeps the -ENOSYS the entry code stored.
    raw_nr_minus_1_skipped: RawProbe ["nr" = "-1"];
    /// Only EAX counts (`movslq %eax, %rsi`): 0x1_0000_0027 is getpid.
    raw_nr_upper_half_ignored: RawProbe ["nr" = "0x100000027"];
    vdso_clock_3_falls_back_to_the_syscall: VdsoClockGettime ["arg0" = "3"];
    vdso_clock_12_is_invalid: VdsoClockGettime ["arg0" = "12"];
    /// 212 lookup_dcookie has no entry point in the 6.12 table: sys_ni_syscall, -ENOSYS.
    raw_nr_212_not_implemented: RawProbe ["nr" = "212"];
    /// 400 is in the reserved 387–423 gap: in range, but the switch's default is sys_ni_syscall.
    raw_nr_400_in_the_gap: RawProbe ["nr" = "400"];
    /// 1000 via the raw caller with arguments set: the bounds check fails, arguments are never looked at.
    raw_nr_1000_with_arguments: RawProbe ["nr" = "1000", "arg0" = "3", "arg1" = "0x404100", "arg2" = "64"];
    /// Raw read(3, buf, 64) without the libc wrapper: the same work, and no errno path afterwards.
    raw_nr_0_is_read: RawProbe ["nr" = "0", "arg0" = "3", "arg1" = "0x404100", "arg2" = "64"];
    /// `exit` (60) is do_exit((code & 0xff) << 8), which ends the calling thread only (kernel/exit.c); exit_group
    /// (231) ends every thread.
    raw_nr_60_is_exit_not_exit_group: RawProbe ["nr" = "60", "arg0" = "7"];
    /// x32 numbers are out of range when x32 is off, even with __X32_SYSCALL_BIT set.
    raw_nr_x32_bit: RawProbe ["nr" = "0x40000000"];
    /// The parent sees only the low 8 bits of the status: `do_group_exit((0x1ff & 0xff) << 8)`, so 255.
    exit_group_status_is_8_bits: ExitGroup ["status" = "0x1ff"];
    /// i386 read with a bad fd through int 0x80: -EBADF in EAX, still only EAX changes.
    int80_read_bad_fd: Int80Read ["fd" = "9"];
    /// The i386 ABI has 32-bit arguments: the caller loads EBX and the kernel reads 32 bits, so fd 0x1_0000_0003 is
    /// fd 3.
    int80_read_upper_half_dropped: Int80Read ["fd" = "0x100000003"];
    /// O_ACCMODE 3 is Linux's "ioctl only" mode (open(2)): it needs read and write permission and gives an fd that
    /// can do neither. notes.txt is 0644 and ours, so Linux opens it as fd 4.
    openat_accmode_3_opens: OpenatMissing ["path" = "notes.txt", "flags" = "3"];
    /// openat with O_WRONLY on notes.txt (0644, ours): allowed, fd 4.
    openat_write_only: OpenatMissing ["path" = "/home/student/notes.txt", "flags" = "1"];
    /// A relative path with a dirfd that is not open: -EBADF from the path walk's start.
    openat_relative_with_bad_dirfd: OpenatMissing ["dirfd" = "7"];
    /// An empty path: -ENOENT from getname.
    openat_empty_path: OpenatMissing ["path" = ""];
    /// The vDSO with a bad timespec pointer: plain user code faults, SIGSEGV, no -EFAULT.
    vdso_bad_pointer_segfaults: VdsoClockGettime ["tp" = "0x10"];
}

/// Where `pt_regs` keeps each general register the entry code saves.
fn pt_regs_slot(gpr: syscall_explorer::model::cpu::Gpr) -> Option<u64> {
    use syscall_explorer::model::cpu::Gpr;
    use syscall_explorer::model::layout::pt_regs;
    Some(match gpr {
        Gpr::R15 => pt_regs::R15,
        Gpr::R14 => pt_regs::R14,
        Gpr::R13 => pt_regs::R13,
        Gpr::R12 => pt_regs::R12,
        Gpr::Rbp => pt_regs::BP,
        Gpr::Rbx => pt_regs::BX,
        Gpr::R11 => pt_regs::R11,
        Gpr::R10 => pt_regs::R10,
        Gpr::R9 => pt_regs::R9,
        Gpr::R8 => pt_regs::R8,
        Gpr::Rcx => pt_regs::CX,
        Gpr::Rdx => pt_regs::DX,
        Gpr::Rsi => pt_regs::SI,
        Gpr::Rdi => pt_regs::DI,
        Gpr::Rax | Gpr::Rsp => return None,
    })
}

/// The page labels a register "saved in pt_regs; zeroed" exactly where `Timeline::cleared_regs` says so: every such
/// register holds 0, pt_regs holds the value it had when the program trapped, and the set is empty in user mode.
#[test]
fn cleared_registers_hold_zero_and_their_user_value_is_in_pt_regs() {
    use syscall_explorer::model::cpu::{Cpl, Gpr};
    use syscall_explorer::model::frame::Executed;
    use syscall_explorer::model::layout::PT_REGS;
    use syscall_explorer::model::memory::Access;
    use syscall_explorer::model::program::Role;
    let mut seen_cleared = 0;
    for preset in Preset::ALL {
        let timeline = Timeline::run(&Scenario::preset(preset));
        let cleared = timeline.cleared_regs();
        assert_eq!(cleared.len(), timeline.frames.len());
        for (frame, set) in timeline.frames.iter().zip(&cleared) {
            // A register the instruction just wrote is no longer "cleared", even if it got 0 again (read's
            // `movsxd rsi, eax` with nr 0).
            if let Executed::Insn(image_insn) = frame.executed {
                if let (Some(written), false) =
                    (image_insn.insn.destination(), matches!(image_insn.role, Role::ClearReg(_)))
                {
                    assert_eq!(set & (1 << written as u16), 0, "{} frame {}", preset.id(), frame.index + 1);
                }
            }
            if frame.cpl() == Cpl::Ring3 {
                assert_eq!(*set, 0, "{} frame {}: cleared registers in user mode", preset.id(), frame.index + 1);
                continue;
            }
            let trap = &timeline.frames[timeline.trap_frame().expect("in ring 0 only after a trap")];
            for gpr in Gpr::ALL.into_iter().filter(|gpr| set & (1 << *gpr as u16) != 0) {
                seen_cleared += 1;
                let at = format!("{} frame {} {}", preset.id(), frame.index + 1, gpr.name());
                assert_eq!(frame.machine.cpu.get(gpr), 0, "{at}: marked cleared but not zero");
                let slot = pt_regs_slot(gpr).unwrap_or_else(|| panic!("{at}: not a register pt_regs saves"));
                let saved = frame.machine.mem.read_le(PT_REGS + slot, 8, Access::Kernel).unwrap();
                // `int 0x80` saves the 64-bit registers as they were; `syscall` too (RCX and R11 already hold RIP
                // and RFLAGS by then).
                assert_eq!(saved, trap.machine.cpu.get(gpr), "{at}: pt_regs does not hold the trap-time value");
            }
        }
    }
    assert!(seen_cleared > 100, "CLEAR_REGS clears registers in the trapping scenarios ({seen_cleared} seen)");
}

/// SWAPGS outside ring 0 is #GP(0) in 64-bit mode (Intel SDM Vol. 2B, SWAPGS, "64-Bit Mode Exceptions"); #UD is only
/// for compatibility and legacy modes.
#[test]
fn swapgs_in_ring_3_is_a_general_protection_fault() {
    use syscall_explorer::model::image::ROUTINES;
    use syscall_explorer::model::machine::{Exception, Machine};
    use syscall_explorer::model::program::Role;
    let swapgs = ROUTINES
        .iter()
        .flat_map(|routine| routine.insns.iter())
        .find(|insn| insn.role == Role::SwapgsEnter)
        .expect("the entry code has a swapgs");
    let mut machine = Machine::boot(&Scenario::default());
    assert_eq!(machine.cpu.cpl().number(), 3);
    let gs_base = machine.cpu.gs_base;
    match machine.execute(swapgs) {
        Err(Exception::GeneralProtection(_)) => {}
        other => panic!("swapgs at CPL 3 gave {other:?}, not #GP(0)"),
    }
    assert_eq!(machine.cpu.gs_base, gs_base, "nothing was swapped");
}
