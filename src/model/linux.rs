//! The C part of the kernel, as named steps: `do_syscall_64` and `do_int80_emulation` (Linux 6.12
//! `arch/x86/entry/common.c`), the handlers the scenarios call (`ksys_read`, `ksys_write`, `do_sys_openat2`,
//! `close_fd`, `sys_getpid`, `do_group_exit`) and the vDSO's `clock_gettime`. Each step mutates the machine and
//! records one frame. Sources: Linux 6.12, `arch/x86/entry/common.c`, `fs/read_write.c`, `fs/open.c`, `kernel/exit.c`.

use std::rc::Rc;

use super::cpu::{flags, selectors, Gpr};
use super::errno::{describe_result, EACCES, EBADF, EFAULT, EINVAL, EMFILE, ENAMETOOLONG, ENOENT, ENOSYS, ENOTDIR};
use super::frame::{Executed, FrameBuilder, KernelStage};
use super::kernel::{OpenFile, Target, NR_OPEN};
use super::layout::{pt_regs, TASK_SIZE_MAX, VDSO_CLOCK_GETTIME_FALLBACK};
use super::lesson::LessonStep;
use super::memory::Access;
use super::syscalls::{dispatch_i386, dispatch_x64, Dispatch, DispatchOutcome, DispatchTable};

/// `MAX_RW_COUNT = INT_MAX & PAGE_MASK`: the most one read or write moves.
const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// The chunk `iterate_tty_write()` copies from user memory at a time.
const TTY_WRITE_CHUNK: usize = 2048;
/// `PATH_MAX`.
const PATH_MAX: usize = 4096;

struct CallContext<'b> {
    builder: &'b mut FrameBuilder,
    regs: u64,
    step: LessonStep,
    /// The i386 path (`int 0x80`, `do_int80_emulation`) rather than `do_syscall_64`.
    int80: bool,
}

impl CallContext<'_> {
    fn reg(&self, offset: u64) -> u64 {
        self.builder.machine.mem.read_le(self.regs + offset, 8, Access::Kernel).unwrap_or(0)
    }

    fn set_reg(&mut self, offset: u64, value: u64) {
        let _ = self.builder.machine.mem.write_le(self.regs + offset, value, 8, Access::Kernel);
    }

    fn frame(&mut self, function: &'static str, code: String, stage: KernelStage, key: &str, text: String) {
        let step = self.step;
        self.builder.record(step, Executed::CCode { function, code, stage }, key, text);
    }

    fn kernel(&mut self) -> &mut super::kernel::Kernel {
        Rc::make_mut(&mut self.builder.machine.kernel)
    }
}

/// `do_syscall_64(regs, nr)`: enter, check the number, dispatch, run the handler, exit work, decide SYSRET.
pub fn do_syscall_64(builder: &mut FrameBuilder) {
    let regs = builder.machine.cpu.get(Gpr::Rdi);
    let mut ctx = CallContext { builder, regs, step: LessonStep::Dispatch, int80: false };
    ctx.builder.machine.cpu.rflags |= flags::IF;
    ctx.frame(
        "do_syscall_64",
        "nr = syscall_enter_from_user_mode(regs, nr);  /* local_irq_enable() */".to_string(),
        KernelStage::EnterKernel,
        "kernel.enter",
        "Now in C. The kernel notes that it came from user mode and turns interrupts back on (IF = 1): SYSCALL had \
         masked them with FMASK so the entry code could not be interrupted before it had a stack. No seccomp filter, \
         tracer or audit is active, so the number is not changed."
            .to_string(),
    );
    let dispatch = dispatch_x64(ctx.reg(pt_regs::ORIG_AX));
    dispatch_steps(&mut ctx, dispatch);
    let result = ctx.reg(pt_regs::AX) as i64;
    if ctx.builder.machine.kernel.exit_status.is_some() {
        return;
    }
    exit_steps(&mut ctx, result);
    // SYSRET eligibility (common.c lines 85–125): the registers SYSRET restores from must hold what IRET would.
    let ip = ctx.reg(pt_regs::IP);
    let flags_saved = ctx.reg(pt_regs::FLAGS);
    let reasons = [
        (ctx.reg(pt_regs::CX) != ip, "regs->cx != regs->ip"),
        (ctx.reg(pt_regs::R11) != flags_saved, "regs->r11 != regs->flags"),
        (ctx.reg(pt_regs::CS) != u64::from(selectors::USER_CS), "regs->cs != __USER_CS"),
        (ctx.reg(pt_regs::SS) != u64::from(selectors::USER_DS), "regs->ss != __USER_DS"),
        (ip >= TASK_SIZE_MAX, "regs->ip >= TASK_SIZE_MAX"),
        (flags_saved & (flags::RF | flags::TF) != 0, "RF or TF set in regs->flags"),
    ];
    let blocker = reasons.iter().find(|(fails, _)| *fails).map(|(_, why)| *why);
    let use_sysret = blocker.is_none();
    ctx.builder.machine.cpu.set(Gpr::Rax, u64::from(use_sysret));
    let ret = ctx.builder.machine.pop().unwrap_or(0);
    ctx.builder.machine.cpu.rip = ret;
    let text = match blocker {
        None => "Before returning, do_syscall_64 checks that the fast exit is safe: RCX still equals the saved RIP, \
                 R11 the saved RFLAGS, CS and SS are the normal user selectors, the return address is a user address \
                 and neither RF nor TF is set. All true, so it returns true (AL = 1): leave by SYSRET."
            .to_string(),
        Some(why) => format!("The fast exit is not safe here ({why}), so do_syscall_64 returns false: leave by IRET."),
    };
    ctx.frame(
        "do_syscall_64",
        format!("return {};  /* SYSRET allowed? */", if use_sysret { "true" } else { "false" }),
        KernelStage::SysretCheck,
        "kernel.sysret_check",
        text,
    );
}

/// `do_int80_emulation(regs)`: the i386 table, always leaving through IRET.
pub fn do_int80_emulation(builder: &mut FrameBuilder) {
    let regs = builder.machine.cpu.get(Gpr::Rdi);
    builder.simplify(
        "int 0x80 is condensed: Linux enters on the per-CPU entry stack (TSS.sp0), runs clac and cld, and \
         sync_regs copies pt_regs to the task stack; the model builds pt_regs on the task stack directly.",
    );
    let mut ctx = CallContext { builder, regs, step: LessonStep::Dispatch, int80: true };
    let eax = ctx.reg(pt_regs::AX) as u32;
    ctx.set_reg(pt_regs::ORIG_AX, u64::from(eax));
    ctx.set_reg(pt_regs::AX, (-ENOSYS) as u64);
    ctx.builder.machine.cpu.rflags |= flags::IF;
    ctx.frame(
        "do_int80_emulation",
        format!("regs->orig_ax = regs->ax & GENMASK(31, 0) = {eax};  regs->ax = -ENOSYS;  local_irq_enable();"),
        KernelStage::EnterKernel,
        "kernel.enter_int80",
        format!(
            "In C now. The int 0x80 entry saved the number as it found it in RAX; the kernel keeps its low 32 bits \
             ({eax}) as orig_ax, puts -ENOSYS in ax as the default answer and turns interrupts back on (the interrupt \
             gate had cleared IF)."
        ),
    );
    let dispatch = dispatch_i386(eax);
    dispatch_steps(&mut ctx, dispatch);
    let result = ctx.reg(pt_regs::AX) as i64;
    if ctx.builder.machine.kernel.exit_status.is_some() {
        return;
    }
    exit_steps(&mut ctx, result);
    let ret = ctx.builder.machine.pop().unwrap_or(0);
    ctx.builder.machine.cpu.rip = ret;
    ctx.frame(
        "do_int80_emulation",
        "return;  /* int 0x80 always leaves through IRET */".to_string(),
        KernelStage::SysretCheck,
        "kernel.int80_return",
        "The i386 path never uses SYSRET: the entry code will pop the saved registers and IRET pops the five-word \
         frame the CPU pushed, restoring RIP, CS, RFLAGS, RSP and SS exactly."
            .to_string(),
    );
}

fn exit_steps(ctx: &mut CallContext<'_>, result: i64) {
    ctx.step = LessonStep::Return;
    ctx.builder.machine.cpu.rflags &= !flags::IF;
    ctx.frame(
        "syscall_exit_to_user_mode",
        "local_irq_disable_exit_to_user();  exit_to_user_mode_prepare(regs);".to_string(),
        KernelStage::ExitKernel,
        "kernel.exit",
        format!(
            "The handler is done and pt_regs->ax holds {}. On the way out the kernel turns interrupts off again and \
             checks for pending work (a reschedule, a signal); there is none, so nothing changes.",
            describe_result(result)
        ),
    );
}

fn dispatch_steps(ctx: &mut CallContext<'_>, dispatch: Dispatch) {
    let table_name = match dispatch.table {
        DispatchTable::X64 => "x86-64",
        DispatchTable::Ia32 => "i386",
    };
    let function = match dispatch.table {
        DispatchTable::X64 => "do_syscall_x64",
        DispatchTable::Ia32 => "do_syscall_32_irqs_on",
    };
    ctx.builder.dispatch = Some(dispatch);
    let verdict = if dispatch.in_range { "true" } else { "false" };
    ctx.frame(
        function,
        format!("unsigned int unr = nr ({});  if (unr < {}) → {verdict}", dispatch.nr, dispatch.nr_syscalls),
        KernelStage::BoundsCheck,
        "kernel.bounds_check",
        if dispatch.in_range {
            format!(
                "The number is {} and the {table_name} table has {} slots, numbers 0 to {} (NR_syscalls), so the bounds \
                 check passes.",
                dispatch.nr,
                dispatch.nr_syscalls,
                dispatch.nr_syscalls - 1
            )
        } else {
            format!(
                "The number is {} (as an unsigned int {}), and the {table_name} table has only {} slots (NR_syscalls), so \
                 the bounds check fails. Comparing as unsigned also catches negative numbers, which become huge.",
                dispatch.nr, dispatch.unr, dispatch.nr_syscalls
            )
        },
    );
    if dispatch.in_range {
        ctx.frame(
            function,
            format!("unr = array_index_nospec(unr, {}) = {}", dispatch.nr_syscalls, dispatch.index),
            KernelStage::Nospec,
            "kernel.nospec",
            format!(
                "array_index_nospec ANDs the number with a mask that is all ones when it is in range ({:#x} here). It \
                 changes nothing now, but if the CPU ever guessed the bounds check wrongly while speculating, the mask \
                 would be zero and the table could not be read out of bounds (the Spectre v1 defence).",
                dispatch.nospec_mask
            ),
        );
    }
    let symbol = dispatch.handler_symbol().unwrap_or_else(|| "(nothing)".to_string());
    match dispatch.outcome {
        DispatchOutcome::Handler => {
            let name = dispatch.entry.map_or("?", |entry| entry.name);
            let call = match dispatch.table {
                DispatchTable::X64 => "x64_sys_call",
                DispatchTable::Ia32 => "ia32_sys_call",
            };
            ctx.frame(
                function,
                format!("regs->ax = {call}(regs, {}) → case {}: {symbol}(regs)", dispatch.index, dispatch.index),
                KernelStage::TableLookup,
                "kernel.dispatch",
                format!(
                    "Entry {} of the {table_name} syscall table is {name}, so the kernel calls {symbol}. Since Linux 6.9 \
                     this lookup is a switch statement generated from the table rather than a call through an array of \
                     function pointers, which is harder to attack with branch-target tricks; the effect is the same.",
                    dispatch.index
                ),
            );
            ctx.step = LessonStep::Work;
            run_handler(ctx, dispatch, name);
        }
        DispatchOutcome::NotImplemented | DispatchOutcome::OutOfRange => {
            let why = if dispatch.outcome == DispatchOutcome::NotImplemented {
                format!("Number {} is inside the table but has no handler (a retired or reserved slot).", dispatch.nr)
            } else {
                "No handler exists for it: x32 numbers are not accepted either (x32 is off), so the kernel calls \
                 sys_ni_syscall, \"not implemented\"."
                    .to_string()
            };
            ctx.set_reg(pt_regs::AX, (-ENOSYS) as u64);
            ctx.frame(
                function,
                format!("regs->ax = {symbol}(regs) = -ENOSYS"),
                KernelStage::TableLookup,
                "kernel.enosys",
                format!("{why} The answer is -ENOSYS (-38): \"function not implemented\". No handler work happens."),
            );
        }
        DispatchOutcome::Skipped => {
            ctx.frame(
                function,
                "nr == -1: skip the call; regs->ax keeps -ENOSYS".to_string(),
                KernelStage::TableLookup,
                "kernel.skip",
                "Number -1 means \"skip this call\" (what a tracer or seccomp uses to cancel a syscall), so nothing is \
                 called and pt_regs->ax keeps the -ENOSYS the entry code stored."
                    .to_string(),
            );
        }
    }
}

fn arg(ctx: &CallContext<'_>, dispatch: Dispatch, idx: usize) -> u64 {
    let offsets = match dispatch.table {
        // __x64_sys_*(regs) unpacks di, si, dx, r10, r8, r9.
        DispatchTable::X64 => [pt_regs::DI, pt_regs::SI, pt_regs::DX, pt_regs::R10, pt_regs::R8, pt_regs::R9],
        // __ia32_sys_*(regs) unpacks bx, cx, dx, si, di, bp, each 32 bits.
        DispatchTable::Ia32 => [pt_regs::BX, pt_regs::CX, pt_regs::DX, pt_regs::SI, pt_regs::DI, pt_regs::BP],
    };
    let value = ctx.reg(offsets[idx]);
    match dispatch.table {
        DispatchTable::X64 => value,
        DispatchTable::Ia32 => value & 0xffff_ffff,
    }
}

fn set_result(ctx: &mut CallContext<'_>, function: &'static str, result: i64) {
    ctx.set_reg(pt_regs::AX, result as u64);
    // Who stores the result: the 64-bit dispatch (do_syscall_x64) or the i386 one (do_int80_emulation through
    // ia32_sys_call), arch/x86/entry/common.c.
    let storer = if ctx.int80 { "do_int80_emulation (through ia32_sys_call)" } else { "do_syscall_64" };
    ctx.frame(
        function,
        format!("return {};  → regs->ax", describe_result(result)),
        KernelStage::SetReturn,
        "kernel.set_return",
        format!(
            "The handler returns {} and {storer} stores it in pt_regs->ax, the saved RAX, which the exit code will \
             load into RAX. Success and failure come back the same way; errors are small negative numbers.",
            describe_result(result)
        ),
    );
}

fn run_handler(ctx: &mut CallContext<'_>, dispatch: Dispatch, name: &str) {
    let result = match name {
        "read" => sys_read(ctx, dispatch),
        "write" => sys_write(ctx, dispatch),
        "openat" | "open" => sys_open(ctx, dispatch, name == "openat"),
        "close" => sys_close(ctx, dispatch),
        "clock_gettime" => sys_clock_gettime(ctx, dispatch),
        "getpid" => {
            let pid = i64::from(ctx.builder.machine.kernel.pid);
            ctx.frame(
                "sys_getpid",
                format!("return task_tgid_vnr(current) = {pid};"),
                KernelStage::Pid,
                "kernel.getpid",
                format!(
                    "getpid has almost no work: the kernel reads the thread-group id of the current task, {pid}. \
                     The round trip around it is the whole cost."
                ),
            );
            pid
        }
        // kernel/exit.c: exit_group is do_group_exit((code & 0xff) << 8), which ends every thread; exit is
        // do_exit((code & 0xff) << 8), which ends only the calling thread (this process has one, so it ends too).
        "exit_group" | "exit" => {
            let code = arg(ctx, dispatch, 0) as i32;
            let status = code & 0xff;
            ctx.kernel().exit_status = Some(status);
            let (function, key, text) = if name == "exit" {
                (
                    "do_exit",
                    "kernel.do_exit",
                    format!(
                        "exit ends only the calling thread, with status {status} (exit_group, 231, ends them all). \
                         This process has one thread, so it is gone, and the instruction after syscall never runs."
                    ),
                )
            } else {
                (
                    "do_group_exit",
                    "kernel.exit_group",
                    format!(
                        "exit_group ends every thread of the process with status {status}. The kernel frees its memory \
                         and files, tells the parent, and switches to another task. There is no return: no SYSRET, RAX \
                         is never written, the instruction after syscall never runs."
                    ),
                )
            };
            ctx.frame(
                function,
                format!("{function}(({code} & 0xff) << 8);  /* never returns */"),
                KernelStage::Exit,
                key,
                text,
            );
            return;
        }
        other => {
            let note = format!(
                "The model does not simulate the work of sys_{other}; it returns -ENOSYS in its place so that the \
                 return path can still be shown. Linux would do the real work here."
            );
            ctx.builder.simplify(&note);
            ctx.frame(
                "(not simulated)",
                format!("sys_{other}(...)"),
                KernelStage::NotSimulated,
                "kernel.not_simulated",
                note,
            );
            -ENOSYS
        }
    };
    let function = dispatch.entry.and_then(|entry| entry.entry_point).unwrap_or("handler");
    set_result(ctx, function, result);
}

/// `access_ok()` in Linux 6.12 on x86-64 (`__access_ok()`, `arch/x86/include/asm/uaccess_64.h`): the range must not
/// wrap and its end must not pass `USER_PTR_MAX`, which is TASK_SIZE_MAX. tests/real_cpu.rs checks this on hardware.
fn access_ok(addr: u64, len: u64) -> bool {
    match addr.checked_add(len) {
        Some(end) => end <= TASK_SIZE_MAX,
        None => false,
    }
}

fn fd_step(ctx: &mut CallContext<'_>, function: &'static str, fd: u32) -> Option<OpenFile> {
    let open = ctx.builder.machine.kernel.fd(fd).cloned();
    let described = match &open {
        Some(open_file) => match open_file.target {
            Target::Console => "the terminal".to_string(),
            Target::File(idx) => ctx.builder.machine.kernel.files[idx].path.clone(),
        },
        None => String::new(),
    };
    let n_fds = ctx.builder.machine.kernel.fds.len();
    ctx.frame(
        function,
        format!("f = fdget({fd}) → {}", if open.is_some() { "found" } else { "NULL" }),
        KernelStage::FdTable,
        "kernel.fdget",
        match &open {
            Some(_) => format!("The kernel looks fd {fd} up in the process's fd table and finds {described}."),
            None => format!(
                "The kernel looks fd {fd} up in the process's fd table (fds 0 to {}) and finds nothing: the program \
                 never opened it. The answer will be -EBADF, \"bad file descriptor\".",
                n_fds.saturating_sub(1)
            ),
        },
    );
    open
}

/// Which way `vfs_read` / `vfs_write` moves data.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Read,
    Write,
}

/// The checks `vfs_read` and `vfs_write` make before moving any data: the open file's mode (FMODE_READ or
/// FMODE_WRITE, else -EBADF), then `access_ok` on the user range (else -EFAULT).
fn rw_checks(
    ctx: &mut CallContext<'_>,
    open: &OpenFile,
    direction: Direction,
    buf: u64,
    count: u64,
) -> Result<(), i64> {
    let (function, flag, key, allowed) = match direction {
        Direction::Read => ("vfs_read", "FMODE_READ", "kernel.fmode_read", open.readable),
        Direction::Write => ("vfs_write", "FMODE_WRITE", "kernel.fmode_write", open.writable),
    };
    let (verb, done) = if direction == Direction::Read { ("reading", "read") } else { ("writing", "write") };
    ctx.frame(
        function,
        format!("if (!(file->f_mode & {flag})) → {}", if allowed { "allowed" } else { "-EBADF" }),
        KernelStage::FileMode,
        key,
        if allowed {
            format!("The file was opened for {verb}, so a {done} is allowed.")
        } else {
            format!("This fd was opened without {verb} access, so the {done} is refused with -EBADF.")
        },
    );
    if !allowed {
        return Err(-EBADF);
    }
    if !user_range_step(ctx, function, buf, count) {
        return Err(-EFAULT);
    }
    Ok(())
}

fn sys_read(ctx: &mut CallContext<'_>, dispatch: Dispatch) -> i64 {
    let fd = arg(ctx, dispatch, 0) as u32;
    let buf = arg(ctx, dispatch, 1);
    let count = arg(ctx, dispatch, 2);
    let Some(open) = fd_step(ctx, "ksys_read", fd) else { return -EBADF };
    if let Err(errno) = rw_checks(ctx, &open, Direction::Read, buf, count) {
        return errno;
    }
    let count = count.min(MAX_RW_COUNT);
    let bytes: Vec<u8> = match open.target {
        Target::Console => {
            ctx.builder.simplify(
                "Reading the terminal: Linux would put the process to sleep until a line is typed; the model returns \
                 0 bytes, as if Ctrl-D had been pressed.",
            );
            ctx.frame(
                "tty_read",
                "n_tty_read(): no input waiting → 0 (simplified)".to_string(),
                KernelStage::Console,
                "kernel.tty_read",
                "fd points at the terminal. A real read would sleep here until someone types a line; the model \
                 answers at once with 0 bytes, as if Ctrl-D had been pressed (simplified)."
                    .to_string(),
            );
            Vec::new()
        }
        // filemap_read(): "if (unlikely(!iov_iter_count(iter))) return 0;" before any page cache lookup.
        Target::File(_) if count == 0 => {
            ctx.frame(
                "filemap_read",
                "if (!iov_iter_count(iter)) return 0;  /* nothing asked for: no page cache lookup */".to_string(),
                KernelStage::PageCache,
                "kernel.read_nothing",
                "The program asked for 0 bytes, so the read ends here with 0: the kernel does not look for the \
                 file's data in the page cache, reads nothing from the disk and copies nothing."
                    .to_string(),
            );
            return 0;
        }
        Target::File(file_idx) => {
            let file = ctx.builder.machine.kernel.files[file_idx].clone();
            let cached = file.cached;
            ctx.frame(
                "filemap_read",
                format!("filemap_get_pages(): page cache {}", if cached { "hit" } else { "miss" }),
                KernelStage::PageCache,
                "kernel.page_cache",
                if cached {
                    format!("The kernel looks for {}'s data in the page cache, its copy of file data in RAM, and finds it.", file.path)
                } else {
                    format!(
                        "The kernel looks for {}'s data in the page cache, its copy of file data in RAM. Nobody has read \
                         it since boot, so it is not there yet.",
                        file.path
                    )
                },
            );
            if !cached {
                ctx.kernel().files[file_idx].cached = true;
                ctx.frame(
                    "filemap_read",
                    "submit_bio(READ) for the file's first page (4096 bytes, and readahead); wait; page now cached"
                        .to_string(),
                    KernelStage::Disk,
                    "kernel.disk",
                    format!(
                        "So it asks the disk for the data and the process sleeps until the disk answers (tens of \
                         microseconds on an SSD, a long time for a CPU). The disk moves whole pages, not the {} bytes \
                         the file holds: the page, plus readahead, lands in the page cache for the next read.",
                        file.data.len()
                    ),
                );
            }
            let start = (open.pos as usize).min(file.data.len());
            let end = start.saturating_add(count as usize).min(file.data.len());
            file.data[start..end].to_vec()
        }
    };
    let nothing_because = if matches!(open.target, Target::Console) {
        "There is nothing to copy: no input was waiting at the terminal, so read returns 0."
    } else {
        "There is nothing to copy: the file position is at the end of the file, so read returns 0."
    };
    let copied = copy_to_user_step(ctx, buf, &bytes, nothing_because);
    if let (Target::File(_), Ok(n_copied) | Err(n_copied)) = (open.target, copied) {
        if let Some(Some(open_file)) = ctx.kernel().fds.get_mut(fd as usize) {
            open_file.pos += n_copied as u64;
        }
    }
    match copied {
        Ok(n_copied) => n_copied as i64,
        Err(0) => -EFAULT,
        Err(n_copied) => n_copied as i64,
    }
}

fn user_range_step(ctx: &mut CallContext<'_>, function: &'static str, buf: u64, count: u64) -> bool {
    let ok = access_ok(buf, count);
    ctx.frame(
        function,
        format!("access_ok({buf:#x}, {count}) → {}", if ok { "true" } else { "false: -EFAULT" }),
        KernelStage::AccessOk,
        "kernel.access_ok",
        if ok {
            format!(
                "access_ok checks only that {buf:#x} + {count} stays in the user half of the address space. It does \
                 not check that memory is actually there: that is left to the copy itself."
            )
        } else {
            format!(
                "access_ok rejects the range {buf:#x} + {count}: it runs past the user half of the address space (or \
                 wraps around). The kernel refuses at once with -EFAULT, before touching any memory."
            )
        },
    );
    ok
}

/// Copies `bytes` to user memory at `buf` as `copy_to_user` does, recording the frames. `Ok(n)` when all `n` bytes
/// were copied; `Err(n)` when a page fault stopped the copy after `n` bytes (the exception-table fix-up).
fn copy_to_user_step(ctx: &mut CallContext<'_>, buf: u64, bytes: &[u8], nothing_because: &str) -> Result<usize, usize> {
    let outcome = ctx.builder.machine.mem.write_bytes(buf, bytes, Access::User);
    match outcome {
        Ok(()) => {
            ctx.frame(
                "copy_to_user",
                format!("copy_to_user({buf:#x}, kbuf, {}) → 0 left", bytes.len()),
                KernelStage::CopyToUser,
                "kernel.copy_to_user",
                if bytes.is_empty() {
                    nothing_because.to_string()
                } else {
                    format!(
                        "copy_to_user copies {} bytes into the program's buffer at {buf:#x}. This is the moment the \
                         user's memory changes: the bytes are there before the program even resumes.",
                        bytes.len()
                    )
                },
            );
            Ok(bytes.len())
        }
        Err((n_copied, fault)) => {
            ctx.frame(
                "copy_to_user",
                format!("copy_to_user({buf:#x}, kbuf, {}): #PF at {:#x}", bytes.len(), fault.addr),
                KernelStage::CopyToUser,
                "kernel.copy_to_user_fault",
                format!(
                    "copy_to_user starts copying, but {:#x} is not mapped in this process: the CPU raises a page fault \
                     in the middle of kernel code, after {n_copied} bytes.",
                    fault.addr
                ),
            );
            ctx.frame(
                "fixup_exception",
                format!("search_exception_tables(ip) → fix-up; {} bytes not copied", bytes.len() - n_copied),
                KernelStage::ExceptionFixup,
                "kernel.fixup",
                format!(
                    "The page-fault handler sees that the fault came from a user copy: the copy instruction is listed \
                     in the kernel's exception table. Instead of crashing it jumps to the listed fix-up, which makes \
                     copy_to_user report the bytes it could not copy. {}",
                    if n_copied == 0 {
                        "Nothing was copied, so read returns -EFAULT (-14): \"bad address\"."
                    } else {
                        "Some bytes did arrive, so read returns that shorter count."
                    }
                ),
            );
            Err(n_copied)
        }
    }
}

fn sys_write(ctx: &mut CallContext<'_>, dispatch: Dispatch) -> i64 {
    let fd = arg(ctx, dispatch, 0) as u32;
    let buf = arg(ctx, dispatch, 1);
    let count = arg(ctx, dispatch, 2);
    let Some(open) = fd_step(ctx, "ksys_write", fd) else { return -EBADF };
    if let Err(errno) = rw_checks(ctx, &open, Direction::Write, buf, count) {
        return errno;
    }
    let count = count.min(MAX_RW_COUNT).min(1 << 16) as usize;
    let mut bytes = Vec::new();
    let mut fault_at = None;
    for offset in 0..count {
        match ctx.builder.machine.mem.read_u8(buf.wrapping_add(offset as u64), Access::User) {
            Ok(byte) => bytes.push(byte),
            Err(fault) => {
                fault_at = Some(fault.addr);
                break;
            }
        }
    }
    ctx.frame(
        "copy_from_user",
        match fault_at {
            None => format!("copy_from_user(kbuf, {buf:#x}, {count}) → 0 left"),
            Some(addr) => format!("copy_from_user(kbuf, {buf:#x}, {count}): #PF at {addr:#x}, fix-up"),
        },
        KernelStage::CopyFromUser,
        "kernel.copy_from_user",
        match fault_at {
            None => format!("copy_from_user copies the {count} bytes from the program's buffer into the kernel."),
            Some(addr) => format!(
                "copy_from_user faults at {addr:#x}, which is not mapped; the exception-table fix-up stops the copy \
                 after {} bytes.",
                bytes.len()
            ),
        },
    );
    // iterate_tty_write() copies 2048-byte chunks and stops at the first chunk it cannot copy whole: the write
    // returns what the earlier chunks wrote, or -EFAULT.
    if fault_at.is_some() && open.target == Target::Console {
        bytes.truncate(bytes.len() / TTY_WRITE_CHUNK * TTY_WRITE_CHUNK);
    }
    if fault_at.is_some() && bytes.is_empty() {
        return -EFAULT;
    }
    match open.target {
        Target::Console => {
            let shown = String::from_utf8_lossy(&bytes).into_owned();
            ctx.kernel().console.extend_from_slice(&bytes);
            ctx.frame(
                "tty_write",
                format!("n_tty_write(): {} bytes to the terminal", bytes.len()),
                KernelStage::Console,
                "kernel.tty_write",
                format!("The terminal driver puts the bytes on the screen: “{}”.", shown.trim_end()),
            );
        }
        Target::File(file_idx) => {
            let pos = open.pos as usize;
            let file = &mut ctx.kernel().files[file_idx];
            if file.data.len() < pos + bytes.len() {
                file.data.resize(pos + bytes.len(), 0);
            }
            file.data[pos..pos + bytes.len()].copy_from_slice(&bytes);
            file.cached = true;
            ctx.frame(
                "generic_perform_write",
                format!("{} bytes into the page cache at offset {pos}", bytes.len()),
                KernelStage::PageCache,
                "kernel.page_cache_write",
                "The bytes go into the page cache and the page is marked dirty; the disk is written later, in the \
                 background."
                    .to_string(),
            );
        }
    }
    bytes.len() as i64
}

/// `getname()`: copies the path in from user memory (`strncpy_from_user`, up to `PATH_MAX`), as one frame.
fn getname_step(ctx: &mut CallContext<'_>, path_ptr: u64) -> Result<String, i64> {
    // getname(): strncpy_from_user up to PATH_MAX.
    let mut path_bytes = Vec::new();
    let mut failure = None;
    loop {
        match ctx.builder.machine.mem.read_u8(path_ptr.wrapping_add(path_bytes.len() as u64), Access::User) {
            Ok(0) => break,
            Ok(byte) => {
                path_bytes.push(byte);
                if path_bytes.len() >= PATH_MAX {
                    failure = Some(-ENAMETOOLONG);
                    break;
                }
            }
            Err(_) => {
                failure = Some(-EFAULT);
                break;
            }
        }
    }
    if path_bytes.is_empty() && failure.is_none() {
        failure = Some(-ENOENT);
    }
    let path = String::from_utf8_lossy(&path_bytes).into_owned();
    ctx.frame(
        "getname",
        match failure {
            None => format!("getname({path_ptr:#x}) → \"{path}\""),
            Some(errno) => format!("getname({path_ptr:#x}) → {}", describe_result(errno)),
        },
        KernelStage::PathCopy,
        "kernel.getname",
        match failure {
            None => {
                format!("The kernel copies the path string \"{path}\" in from user memory, byte by byte up to the NUL.")
            }
            Some(errno) if errno == -EFAULT => {
                format!("The path pointer {path_ptr:#x} does not point at readable user memory: -EFAULT.")
            }
            Some(errno) if errno == -ENOENT => "The path is empty: -ENOENT.".to_string(),
            Some(_) => "The path is longer than PATH_MAX (4096 bytes): -ENAMETOOLONG.".to_string(),
        },
    );
    failure.map_or(Ok(path), Err)
}

/// `may_open()`: the permission check for the access mode asked for (0 read, 1 write, 2 both, 3 ioctl only), as one
/// frame; whether it is allowed.
fn may_open_step(ctx: &mut CallContext<'_>, file_idx: usize, accmode: u64) -> bool {
    let (want_read, want_write) = (accmode != 1, accmode != 0);
    let allowed = ctx.builder.machine.kernel.may_open(file_idx, want_read, want_write);
    let file = ctx.builder.machine.kernel.files[file_idx].clone();
    let uid = ctx.builder.machine.kernel.uid;
    ctx.frame(
        "may_open",
        format!(
            "inode_permission(mode {:o}, owner {}, uid {uid}, {}) → {}",
            file.mode,
            file.owner_uid,
            ["read", "write", "read+write", "read+write"][accmode as usize],
            if allowed { "0" } else { "-EACCES" }
        ),
        KernelStage::Permission,
        "kernel.permission",
        if allowed {
            format!("The permission bits {:o} allow this user (uid {uid}) what it asked for.", file.mode)
        } else {
            let kernel = &ctx.builder.machine.kernel;
            let denied = match (
                want_read && !kernel.may_open(file_idx, true, false),
                want_write && !kernel.may_open(file_idx, false, true),
            ) {
                (true, true) => "read or write it",
                (true, false) => "read it",
                _ => "write it",
            };
            format!(
                "{} belongs to uid {} with mode {:o}, and this process runs as uid {uid}: it may not {denied}. \
                 Permission denied: -EACCES.",
                file.path, file.owner_uid, file.mode
            )
        },
    );
    allowed
}

fn sys_open(ctx: &mut CallContext<'_>, dispatch: Dispatch, at: bool) -> i64 {
    let (dirfd, path_ptr, flags_arg) = if at {
        (arg(ctx, dispatch, 0) as i32, arg(ctx, dispatch, 1), arg(ctx, dispatch, 2))
    } else {
        (-100, arg(ctx, dispatch, 0), arg(ctx, dispatch, 1))
    };
    let path = match getname_step(ctx, path_ptr) {
        Ok(path) => path,
        Err(errno) => return errno,
    };
    // fs/open.c do_sys_openat2(): the fd is reserved before the path walk, and given back if the open fails.
    let new_fd = ctx.builder.machine.kernel.lowest_free_fd();
    if new_fd as u64 >= NR_OPEN {
        ctx.frame(
            "do_sys_openat2",
            "fd = get_unused_fd_flags(flags) → -EMFILE".to_string(),
            KernelStage::FdAlloc,
            "kernel.fd_reserve",
            format!("The fd table is full ({NR_OPEN} slots): -EMFILE, before the path is even looked at."),
        );
        return -EMFILE;
    }
    ctx.frame(
        "do_sys_openat2",
        format!("fd = get_unused_fd_flags(flags) = {new_fd};  /* reserved */"),
        KernelStage::FdAlloc,
        "kernel.fd_reserve",
        format!("First the kernel reserves the lowest free fd, {new_fd}; if the open fails, it gives it back."),
    );
    if !path.starts_with('/') && dirfd != -100 {
        let open = ctx.builder.machine.kernel.fd(dirfd as u32).cloned();
        let errno = if open.is_some() { -ENOTDIR } else { -EBADF };
        ctx.frame(
            "path_init",
            format!("dirfd {dirfd} → {}", describe_result(errno)),
            KernelStage::PathLookup,
            "kernel.dirfd",
            format!(
                "The path is relative, so the kernel starts from directory fd {dirfd}. {}",
                if open.is_some() {
                    "That fd is a file, not a directory: -ENOTDIR."
                } else {
                    "No such fd is open: -EBADF. (AT_FDCWD, -100, would mean the current directory.)"
                }
            ),
        );
        return errno;
    }
    let abs_path = ctx.builder.machine.kernel.resolve(&path);
    let found = ctx.builder.machine.kernel.lookup(&abs_path);
    ctx.frame(
        "path_openat",
        format!("link_path_walk(\"{abs_path}\") → {}", if found.is_some() { "found" } else { "-ENOENT" }),
        KernelStage::PathLookup,
        "kernel.path_lookup",
        match found {
            Some(_) => format!("The kernel walks the path one directory at a time and finds {abs_path}."),
            None => format!(
                "The kernel walks the path one directory at a time, but there is no {abs_path}: -ENOENT, \"no such file \
                 or directory\". (Creating files with O_CREAT is not modelled.)"
            ),
        },
    );
    let Some(file_idx) = found else { return -ENOENT };
    // O_ACCMODE 3 is Linux's "ioctl only" mode (open(2)): it needs read and write permission, and the open file can
    // do neither (OPEN_FMODE(3) sets neither FMODE_READ nor FMODE_WRITE).
    let accmode = flags_arg & 3;
    if !may_open_step(ctx, file_idx, accmode) {
        return -EACCES;
    }
    let open_file = OpenFile {
        target: Target::File(file_idx),
        readable: matches!(accmode, 0 | 2),
        writable: matches!(accmode, 1 | 2),
        pos: 0,
    };
    let kernel = ctx.kernel();
    if new_fd == kernel.fds.len() {
        kernel.fds.push(Some(open_file));
    } else {
        kernel.fds[new_fd] = Some(open_file);
    }
    ctx.frame(
        "do_sys_openat2",
        format!("fd_install({new_fd}, file);"),
        KernelStage::FdAlloc,
        "kernel.fd_install",
        format!("The open succeeded: the kernel points the reserved slot {new_fd} of the fd table at the open file."),
    );
    new_fd as i64
}

fn sys_close(ctx: &mut CallContext<'_>, dispatch: Dispatch) -> i64 {
    // fs/file.c: close() is file_close_fd(), which finds the file and empties its slot in one step under the
    // table's lock (no fdget first), then filp_flush() and fput().
    let fd = arg(ctx, dispatch, 0) as u32;
    let open = ctx.builder.machine.kernel.fd(fd).is_some();
    if open {
        ctx.kernel().fds[fd as usize] = None;
    }
    ctx.frame(
        "close_fd",
        if open {
            format!("file = file_close_fd({fd}) → found;  filp_flush(file);  fput(file);")
        } else {
            format!("file = file_close_fd({fd}) → NULL: -EBADF")
        },
        KernelStage::FdClose,
        "kernel.close",
        if open {
            format!(
                "The kernel finds fd {fd} and empties its slot of the fd table in one step, then drops its reference \
                 to the open file."
            )
        } else {
            format!("No file is open as fd {fd}: -EBADF.")
        },
    );
    if open {
        0
    } else {
        -EBADF
    }
}

/// The clocks the vDSO reads from the vvar page itself (`vdso_clockid_valid` and the hres/coarse/raw masks):
/// REALTIME 0, MONOTONIC 1, MONOTONIC_RAW 4, REALTIME_COARSE 5, MONOTONIC_COARSE 6, BOOTTIME 7, TAI 11.
pub fn vdso_serves(clock_id: i32) -> bool {
    matches!(clock_id, 0 | 1 | 4 | 5 | 6 | 7 | 11)
}

/// `sys_clock_gettime(which_clock, tp)` (kernel/time/posix-timers.c): the clocks of `clockid_to_kclock()`.
fn sys_clock_gettime(ctx: &mut CallContext<'_>, dispatch: Dispatch) -> i64 {
    let clock_id = arg(ctx, dispatch, 0) as i32;
    let tp = arg(ctx, dispatch, 1);
    let clock_ns = ctx.builder.scenario.clock_ns;
    // 2 and 3 are this process's and this thread's CPU time; 8 and 9 are the alarm clocks (realtime and boottime);
    // 10 and 12 to 15 have no clock, and negative ids name other processes' CPU clocks, which the model has none of.
    let value = match clock_id {
        0 | 1 | 4..=9 | 11 => Some(clock_ns),
        2 | 3 => {
            ctx.builder.simplify(
                "Process and thread CPU time (clocks 2 and 3) are a thousandth of the wall clock in this model.",
            );
            Some(clock_ns / 1000)
        }
        _ => None,
    };
    ctx.frame(
        "__x64_sys_clock_gettime",
        format!("kc = clockid_to_kclock({clock_id}) → {}", if value.is_some() { "found" } else { "NULL: -EINVAL" }),
        KernelStage::VvarRead,
        "kernel.clockid",
        match value {
            Some(_) => format!("The kernel looks up clock {clock_id} among its clocks and finds it."),
            None => format!("There is no clock {clock_id}: -EINVAL, \"invalid argument\"."),
        },
    );
    let Some(value) = value else { return -EINVAL };
    let mut timespec = Vec::with_capacity(16);
    timespec.extend_from_slice(&(value / 1_000_000_000).to_le_bytes());
    timespec.extend_from_slice(&(value % 1_000_000_000).to_le_bytes());
    match copy_to_user_step(ctx, tp, &timespec, "There is nothing to copy.") {
        Ok(_) => 0,
        Err(_) => -EFAULT,
    }
}

/// `__vdso_clock_gettime`: runs in ring 3, reads the clock data page and the TSC, stores a timespec. A bad pointer
/// is a segmentation fault here, not -EFAULT, because no kernel is involved.
///
/// # Errors
/// Why the process was killed, when the store faults.
pub fn vdso_clock_gettime(builder: &mut FrameBuilder) -> Result<(), String> {
    let clock_id = builder.machine.cpu.get(Gpr::Rdi) as i32;
    let tp = builder.machine.cpu.get(Gpr::Rsi);
    let clock_ns = builder.scenario.clock_ns;
    let step = LessonStep::Work;
    let record = |builder: &mut FrameBuilder, code: String, stage: KernelStage, key: &str, text: String| {
        builder.record(step, Executed::CCode { function: "__vdso_clock_gettime", code, stage }, key, text);
    };
    if !vdso_serves(clock_id) {
        // lib/vdso/gettimeofday.c: clocks outside the vDSO's set go to the real syscall.
        builder.record(
            LessonStep::LoadRegisters,
            Executed::CCode {
                function: "__vdso_clock_gettime",
                code: format!("clock id {clock_id}: not a vDSO clock → clock_gettime_fallback()"),
                stage: KernelStage::VvarRead,
            },
            "vdso.fallback",
            format!(
                "The vDSO can read only the clocks whose data is on the vvar page (realtime, monotonic, boottime, TAI \
                 and their raw and coarse forms). Clock {clock_id} is not one of them, so it falls back to a real \
                 syscall: from here on this is an ordinary trip through the kernel."
            ),
        );
        builder.machine.cpu.rip = VDSO_CLOCK_GETTIME_FALLBACK;
        return Ok(());
    } else {
        record(
            builder,
            "seq = vd->seq;  /* even: no update in progress */".to_string(),
            KernelStage::VvarRead,
            "vdso.vvar",
            "Still in user mode: the vDSO is kernel-provided code mapped into every process. It reads the vvar page, \
             data the kernel keeps up to date for it: the last clock reading and how to scale CPU cycles to \
             nanoseconds. No trap, no mode switch: CPL stays 3."
                .to_string(),
        );
        // The TSC runs at 2.6 GHz in this model: cycles = ns * 13 / 5.
        let tsc = clock_ns.wrapping_mul(13) / 5;
        builder.machine.cpu.set(Gpr::Rax, tsc & 0xffff_ffff);
        builder.machine.cpu.set(Gpr::Rdx, tsc >> 32);
        record(
            builder,
            format!("rdtsc  → EDX:EAX = {tsc:#x}"),
            KernelStage::Rdtsc,
            "vdso.rdtsc",
            "RDTSC reads the CPU's time-stamp counter, which user code is allowed to do. The vDSO turns cycles into \
             nanoseconds with the scale factors from the vvar page."
                .to_string(),
        );
        let mut timespec = Vec::with_capacity(16);
        timespec.extend_from_slice(&(clock_ns / 1_000_000_000).to_le_bytes());
        timespec.extend_from_slice(&(clock_ns % 1_000_000_000).to_le_bytes());
        if let Err((_, fault)) = builder.machine.mem.write_bytes(tp, &timespec, Access::User) {
            let what = format!("page fault writing {:#x} in user mode", fault.addr);
            record(
                builder,
                format!("ts->tv_sec = …  → #PF at {:#x}", fault.addr),
                KernelStage::VdsoStore,
                "vdso.segv",
                format!(
                    "The vDSO writes the result to {tp:#x}, which is not mapped. This is ordinary user code, so there \
                     is no -EFAULT: the CPU faults and the kernel kills the process with SIGSEGV."
                ),
            );
            return Err(what);
        }
        builder.machine.cpu.set(Gpr::Rax, 0);
        record(
            builder,
            format!(
                "ts->tv_sec = {};  ts->tv_nsec = {};  return 0;",
                clock_ns / 1_000_000_000,
                clock_ns % 1_000_000_000
            ),
            KernelStage::VdsoStore,
            "vdso.store",
            format!(
                "It stores seconds and nanoseconds into the program's timespec at {tp:#x} and returns 0. The whole \
                 call took a few dozen instructions and never left ring 3."
            ),
        );
    }
    let ret = builder.machine.pop().unwrap_or(0);
    builder.machine.cpu.rip = ret;
    builder.record(
        LessonStep::Resume,
        Executed::CCode { function: "__vdso_clock_gettime", code: "ret".to_string(), stage: KernelStage::VdsoStore },
        "vdso.ret",
        "The vDSO function returns to the caller with the result in RAX, still in ring 3.".to_string(),
    );
    Ok(())
}
