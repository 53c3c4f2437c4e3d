//! The programs, written with iced-x86's `CodeAssembler`.
//!
//! User side: one caller per scenario kind (`main_*`), the libc-like wrappers (`read`, `write`, …) and
//! `__syscall_error`. Kernel side: a condensed `entry_SYSCALL_64` (Linux 6.12 `arch/x86/entry/entry_64.S`) and a
//! condensed int 0x80 entry. Routines are laid out one after another (16-byte aligned) and assembled until every
//! address is stable, because a branch's size depends on the distance to its target.

use iced_x86::code_asm::*;
use iced_x86::IcedError;

use crate::model::cpu::{Gpr, PTI_USER_PGTABLE_AND_PCID_MASK, PTI_USER_PGTABLE_BIT};
use crate::model::layout::*;
use crate::model::program::{Patch, PtField, Role, Space};
use crate::model::LessonStep;

/// -ENOSYS, the value `PUSH_AND_CLEAR_REGS rax=$-ENOSYS` stores in pt_regs->ax.
const MINUS_ENOSYS: i32 = -38;

/// One routine after assembly: where it is, its bytes, and the role and step of each instruction in order.
#[derive(Clone, Debug)]
pub struct AssembledRoutine {
    pub name: &'static str,
    pub space: Space,
    pub addr: u64,
    pub bytes: Vec<u8>,
    pub tags: Vec<(Role, LessonStep, Patch)>,
}

type Emit = fn(&mut Writer, &Symbols) -> Result<(), IcedError>;

struct RoutineSpec {
    name: &'static str,
    space: Space,
    /// A fixed address (kernel entry points), or `None` to be laid out after the previous user routine.
    fixed_addr: Option<u64>,
    emit: Emit,
}

/// Addresses of routines, known after layout.
pub struct Symbols {
    entries: Vec<(&'static str, u64)>,
}

impl Symbols {
    fn addr(&self, name: &str) -> u64 {
        self.entries.iter().find(|(entry_name, _)| *entry_name == name).map(|(_, addr)| *addr).unwrap_or(USER_CODE)
    }
}

/// A `CodeAssembler` plus the role, step and patch of each instruction added.
pub struct Writer {
    asm: CodeAssembler,
    tags: Vec<(Role, LessonStep, Patch)>,
    /// Which kernels run the instructions added now (`Patch::Always` outside ALTERNATIVE sites).
    patch: Patch,
}

impl Writer {
    fn tag(
        &mut self,
        role: Role,
        step: LessonStep,
        add: impl FnOnce(&mut CodeAssembler) -> Result<(), IcedError>,
    ) -> Result<(), IcedError> {
        let before = self.asm.instructions().len();
        add(&mut self.asm)?;
        assert_eq!(self.asm.instructions().len(), before + 1, "one tag per instruction");
        self.tags.push((role, step, self.patch));
        Ok(())
    }

    /// Adds instructions that only one kind of kernel runs, as an ALTERNATIVE site patched at boot.
    fn only(&mut self, patch: Patch, add: impl FnOnce(&mut Writer) -> Result<(), IcedError>) -> Result<(), IcedError> {
        let outer = std::mem::replace(&mut self.patch, patch);
        let result = add(self);
        self.patch = outer;
        result
    }
}

fn arg_slot(idx: u8) -> u64 {
    VAR_ARG0 + 8 * u64::from(idx)
}

const ARG_REGS: [AsmRegister64; 6] = [rdi, rsi, rdx, rcx, r8, r9];

/// A C caller: load `n_args` arguments from the variables into the SysV registers, call `wrapper`, store RAX.
fn caller(w: &mut Writer, syms: &Symbols, n_args: u8, wrapper: &str) -> Result<(), IcedError> {
    use LessonStep::*;
    for idx in 0..n_args {
        let reg = ARG_REGS[usize::from(idx)];
        w.tag(Role::LoadArg(idx), CallLibrary, |a| a.mov(reg, qword_ptr(arg_slot(idx))))?;
    }
    if wrapper.starts_with("__vdso") {
        // The vDSO is mapped far from the program, so glibc calls it through a pointer it filled in at start-up.
        w.tag(Role::CallVdso, CallLibrary, |a| a.call(qword_ptr(VAR_VDSO_CLOCK_GETTIME)))?;
    } else {
        let target = syms.addr(wrapper);
        w.tag(Role::CallWrapper, CallLibrary, |a| a.call(target))?;
    }
    w.tag(Role::StoreResult, Resume, |a| a.mov(qword_ptr(VAR_RESULT), rax))
}

/// A glibc-style wrapper: `mov eax, nr`, `syscall`, and the error check.
fn wrapper(w: &mut Writer, syms: &Symbols, nr: u32, four_args: bool) -> Result<(), IcedError> {
    use LessonStep::*;
    if four_args {
        // SYSCALL saves the user RIP in RCX, which is why the kernel ABI takes argument 4 in R10.
        w.tag(Role::MoveArg4ToR10, LoadRegisters, |a| a.mov(r10, rcx))?;
    }
    w.tag(Role::SetNr, LoadRegisters, |a| a.mov(eax, nr))?;
    w.tag(Role::Syscall, Trap, |a| a.syscall())?;
    // -4095 … -1 are errors (-errno); any other value is a result.
    w.tag(Role::CheckError, Resume, |a| a.cmp(rax, -4095))?;
    let error_path = syms.addr("__syscall_error");
    w.tag(Role::BranchError, Resume, |a| a.jae(error_path))?;
    w.tag(Role::ReturnToCaller, Resume, |a| a.ret())
}

fn specs() -> Vec<RoutineSpec> {
    use LessonStep::*;
    let user = |name, emit| RoutineSpec { name, space: Space::User, fixed_addr: None, emit };
    vec![
        user("main_read", |w, s| caller(w, s, 3, "read")),
        user("main_write", |w, s| caller(w, s, 3, "write")),
        user("main_openat", |w, s| caller(w, s, 4, "openat")),
        user("main_close", |w, s| caller(w, s, 1, "close")),
        user("main_getpid", |w, s| caller(w, s, 0, "getpid")),
        user("main_exit_group", |w, s| caller(w, s, 1, "exit_group")),
        user("main_clock_gettime", |w, s| caller(w, s, 2, "__vdso_clock_gettime")),
        user("main_raw", |w, _| {
            // Inline assembly, as a program that bypasses libc would write it: every register set by hand.
            w.tag(Role::LoadNr, LoadRegisters, |a| a.mov(rax, qword_ptr(VAR_NR)))?;
            for (idx, reg) in [rdi, rsi, rdx, r10, r8, r9].into_iter().enumerate() {
                let idx = idx as u8;
                w.tag(Role::LoadArg(idx), LoadRegisters, |a| a.mov(reg, qword_ptr(arg_slot(idx))))?;
            }
            w.tag(Role::LoadProbe, LoadRegisters, |a| a.mov(rcx, qword_ptr(VAR_PROBE_RCX)))?;
            w.tag(Role::Syscall, Trap, |a| a.syscall())?;
            w.tag(Role::StoreResult, Resume, |a| a.mov(qword_ptr(VAR_RESULT), rax))
        }),
        user("main_int80_read", |w, _| {
            // The i386 ABI: number in EAX, arguments in EBX, ECX, EDX; only the low 32 bits count.
            for (idx, reg) in [ebx, ecx, edx].into_iter().enumerate() {
                let idx = idx as u8;
                w.tag(Role::LoadArg(idx), LoadRegisters, |a| a.mov(reg, dword_ptr(arg_slot(idx))))?;
            }
            w.tag(Role::SetNr, LoadRegisters, |a| a.mov(eax, 3u32))?;
            w.tag(Role::Int80, Trap, |a| a.int(0x80))?;
            w.tag(Role::StoreResult, Resume, |a| a.mov(qword_ptr(VAR_RESULT), rax))
        }),
        user("read", |w, s| wrapper(w, s, 0, false)),
        user("write", |w, s| wrapper(w, s, 1, false)),
        user("openat", |w, s| wrapper(w, s, 257, true)),
        user("close", |w, s| wrapper(w, s, 3, false)),
        user("getpid", |w, s| wrapper(w, s, 39, false)),
        user("exit_group", |w, _| {
            w.tag(Role::SetNr, LoadRegisters, |a| a.mov(eax, 231u32))?;
            w.tag(Role::Syscall, Trap, |a| a.syscall())?;
            // exit_group never returns; glibc's _exit still guards the impossible with hlt.
            w.tag(Role::ReturnToCaller, Resume, |a| a.hlt())
        }),
        user("__syscall_error", |w, _| {
            w.tag(Role::NegateErrno, Resume, |a| a.neg(eax))?;
            w.tag(Role::StoreErrno, Resume, |a| a.mov(dword_ptr(VAR_ERRNO), eax))?;
            w.tag(Role::ReturnMinusOne, Resume, |a| a.mov(rax, -1i64))?;
            w.tag(Role::ReturnToCaller, Resume, |a| a.ret())
        }),
        RoutineSpec {
            name: "clock_gettime_fallback",
            space: Space::User,
            fixed_addr: Some(VDSO_CLOCK_GETTIME_FALLBACK),
            emit: |w, _| {
                // lib/vdso's fallback: the clock is not one the vDSO can read, so ask the kernel after all.
                w.tag(Role::SetNr, LessonStep::LoadRegisters, |a| a.mov(eax, 228u32))?;
                w.tag(Role::Syscall, LessonStep::Trap, |a| a.syscall())?;
                w.tag(Role::ReturnToCaller, LessonStep::Resume, |a| a.ret())
            },
        },
        RoutineSpec {
            name: "entry_SYSCALL_64",
            space: Space::Kernel,
            fixed_addr: Some(ENTRY_SYSCALL_64),
            emit: entry_syscall_64,
        },
        RoutineSpec {
            name: "asm_int80_emulation",
            space: Space::Kernel,
            fixed_addr: Some(ASM_INT80_EMULATION),
            emit: entry_int80,
        },
    ]
}

/// PUSH_AND_CLEAR_REGS after orig_ax: di si dx cx ax r8 r9 r10 r11 bx bp r12 r13 r14 r15, then CLEAR_REGS.
fn push_and_clear_regs(w: &mut Writer, ax_is_enosys: bool) -> Result<(), IcedError> {
    use LessonStep::*;
    w.tag(Role::PushField(PtField::Reg(Gpr::Rdi)), Trap, |a| a.push(rdi))?;
    w.tag(Role::PushField(PtField::Reg(Gpr::Rsi)), Trap, |a| a.push(rsi))?;
    w.tag(Role::PushField(PtField::Reg(Gpr::Rdx)), Trap, |a| a.push(rdx))?;
    w.tag(Role::PushField(PtField::Reg(Gpr::Rcx)), Trap, |a| a.push(rcx))?;
    if ax_is_enosys {
        w.tag(Role::PushField(PtField::AxEnosys), Trap, |a| a.push(MINUS_ENOSYS))?;
    } else {
        w.tag(Role::PushField(PtField::Reg(Gpr::Rax)), Trap, |a| a.push(rax))?;
    }
    let rest = [
        (Gpr::R8, r8),
        (Gpr::R9, r9),
        (Gpr::R10, r10),
        (Gpr::R11, r11),
        (Gpr::Rbx, rbx),
        (Gpr::Rbp, rbp),
        (Gpr::R12, r12),
        (Gpr::R13, r13),
        (Gpr::R14, r14),
        (Gpr::R15, r15),
    ];
    for (gpr, reg) in rest {
        w.tag(Role::PushField(PtField::Reg(gpr)), Trap, |a| a.push(reg))?;
    }
    // CLEAR_REGS: user values must not linger in registers where they could steer speculation. In the order of
    // Linux 6.12's arch/x86/entry/calling.h (checked against a running kernel by tests/kernel_conformance.rs).
    let clears = [
        (Gpr::Rsi, esi),
        (Gpr::Rdx, edx),
        (Gpr::Rcx, ecx),
        (Gpr::R8, r8d),
        (Gpr::R9, r9d),
        (Gpr::R10, r10d),
        (Gpr::R11, r11d),
        (Gpr::Rbx, ebx),
        (Gpr::Rbp, ebp),
        (Gpr::R12, r12d),
        (Gpr::R13, r13d),
        (Gpr::R14, r14d),
        (Gpr::R15, r15d),
    ];
    for (gpr, reg) in clears {
        w.tag(Role::ClearReg(gpr), Trap, |a| a.xor(reg, reg))?;
    }
    Ok(())
}

/// POP_REGS: r15 … back to rsi (and rdi when `pop_rdi`), restoring what the entry saved.
fn pop_regs(w: &mut Writer, pop_rdi: bool) -> Result<(), IcedError> {
    let order = [
        (Gpr::R15, r15),
        (Gpr::R14, r14),
        (Gpr::R13, r13),
        (Gpr::R12, r12),
        (Gpr::Rbp, rbp),
        (Gpr::Rbx, rbx),
        (Gpr::R11, r11),
        (Gpr::R10, r10),
        (Gpr::R9, r9),
        (Gpr::R8, r8),
        (Gpr::Rax, rax),
        (Gpr::Rcx, rcx),
        (Gpr::Rdx, rdx),
        (Gpr::Rsi, rsi),
        (Gpr::Rdi, rdi),
    ];
    for (gpr, reg) in order {
        if gpr == Gpr::Rdi && !pop_rdi {
            continue;
        }
        w.tag(Role::PopReg(gpr), LessonStep::Return, |a| a.pop(reg))?;
    }
    Ok(())
}

/// `SWITCH_TO_KERNEL_CR3` / `SWITCH_TO_USER_CR3` without PCID (arch/x86/entry/calling.h): read CR3 into `scratch`,
/// clear or set the page-table bit, write it back.
fn switch_cr3(w: &mut Writer, scratch: AsmRegister64, to_user: bool) -> Result<(), IcedError> {
    let step = if to_user { LessonStep::Return } else { LessonStep::Trap };
    w.tag(Role::Cr3Read, step, |a| a.mov(scratch, cr3))?;
    if to_user {
        w.tag(Role::Cr3ToUser, step, |a| a.or(scratch, PTI_USER_PGTABLE_BIT as i32))?;
    } else {
        w.tag(Role::Cr3ToKernel, step, |a| a.and(scratch, !(PTI_USER_PGTABLE_AND_PCID_MASK as i32)))?;
    }
    w.tag(Role::Cr3Write { user: to_user }, step, |a| a.mov(cr3, scratch))
}

/// With PTI, an exit's tail: what is left of pt_regs (`fields`, as offsets from pt_regs->di) goes to the entry stack,
/// which both sets of page tables map, and `SWITCH_TO_USER_CR3_STACK scratch_reg=%rdi` runs there, with RAX saved
/// around it; then RDI comes back from the entry stack.
fn exit_through_entry_stack(w: &mut Writer, fields: &[u64]) -> Result<(), IcedError> {
    use LessonStep::Return;
    w.tag(Role::PtRegsToRdi, Return, |a| a.mov(rdi, rsp))?;
    w.tag(Role::LoadEntryStack, Return, |a| a.mov(rsp, qword_ptr(PERCPU_TSS_SP0).gs()))?;
    for field in fields {
        let offset = (field - pt_regs::DI) as i32;
        w.tag(Role::CopyToEntryStack, Return, |a| a.push(qword_ptr(rdi + offset)))?;
    }
    w.tag(Role::SaveScratch, Return, |a| a.push(rax))?;
    switch_cr3(w, rdi, true)?;
    w.tag(Role::RestoreScratch, Return, |a| a.pop(rax))?;
    w.tag(Role::PopReg(Gpr::Rdi), Return, |a| a.pop(rdi))
}

/// A condensed `entry_SYSCALL_64` (Linux 6.12 entry_64.S lines 87–170), with its ALTERNATIVE sites for a CPU that
/// needs page-table isolation and buffer clearing ([`Patch::Pti`], as patched at boot on the recorded Skylake, which
/// has no PCID): `SWITCH_TO_KERNEL_CR3` before the kernel stack is touched, both exits through the entry stack with
/// `SWITCH_TO_USER_CR3_STACK`, and `CLEAR_CPU_BUFFERS` (`verw`) last. The speculation mitigations (IBRS, return
/// and branch-history clearing) are left out. Without PTI the exits are condensed ([`Patch::NoPti`]).
fn entry_syscall_64(w: &mut Writer, _syms: &Symbols) -> Result<(), IcedError> {
    use LessonStep::*;
    w.tag(Role::Endbr, Trap, |a| a.endbr64())?;
    w.tag(Role::SwapgsEnter, Trap, |a| a.swapgs())?;
    // SYSCALL left RSP pointing at the user stack: park it in TSS.sp2, which hardware never uses.
    w.tag(Role::SaveUserRsp, Trap, |a| a.mov(qword_ptr(PERCPU_TSS_SP2).gs(), rsp))?;
    // With PTI the kernel stack is not mapped yet: switch CR3 first, with RSP as the scratch register.
    w.only(Patch::Pti, |w| switch_cr3(w, rsp, false))?;
    w.tag(Role::LoadKernelStack, Trap, |a| a.mov(rsp, qword_ptr(PERCPU_TOP_OF_STACK).gs()))?;
    // The first five pushes have the layout of a hardware interrupt frame, so both exits can use pt_regs.
    w.tag(Role::PushField(PtField::Ss), Trap, |a| a.push(i32::from(crate::model::cpu::selectors::USER_DS)))?;
    w.tag(Role::PushField(PtField::Sp), Trap, |a| a.push(qword_ptr(PERCPU_TSS_SP2).gs()))?;
    w.tag(Role::PushField(PtField::Flags), Trap, |a| a.push(r11))?;
    w.tag(Role::PushField(PtField::Cs), Trap, |a| a.push(i32::from(crate::model::cpu::selectors::USER_CS)))?;
    w.tag(Role::PushField(PtField::Ip), Trap, |a| a.push(rcx))?;
    w.tag(Role::PushField(PtField::OrigAx), Trap, |a| a.push(rax))?;
    push_and_clear_regs(w, true)?;
    w.tag(Role::PtRegsArg, Dispatch, |a| a.mov(rdi, rsp))?;
    // Syscall numbers are ints: only EAX counts, sign-extended.
    w.tag(Role::NrArg, Dispatch, |a| a.movsxd(rsi, eax))?;
    w.tag(Role::CallC, Dispatch, |a| a.call(DO_SYSCALL_64))?;
    w.tag(Role::TestSysret, Return, |a| a.test(al, al))?;
    let mut iret_path = w.asm.create_label();
    w.tag(Role::BranchIret, Return, |a| a.je(iret_path))?;
    pop_regs(w, false)?;
    w.only(Patch::NoPti, |w| {
        // Condensed: Linux moves to the per-CPU trampoline stack here and pops RDI and RSP from it.
        w.tag(Role::PopReg(Gpr::Rdi), Return, |a| a.pop(rdi))?;
        w.tag(Role::RestoreUserRsp, Return, |a| a.mov(rsp, qword_ptr(rsp + (pt_regs::SP - pt_regs::ORIG_AX) as i32)))
    })?;
    // syscall_return_via_sysret: the task stack vanishes with the kernel's page tables, so the user RSP and RDI go
    // to the entry stack first.
    w.only(Patch::Pti, |w| {
        exit_through_entry_stack(w, &[pt_regs::SP, pt_regs::DI])?;
        w.tag(Role::RestoreUserRsp, Return, |a| a.pop(rsp))
    })?;
    w.tag(Role::SwapgsExit, Return, |a| a.swapgs())?;
    w.only(Patch::Pti, |w| w.tag(Role::Verw, Return, |a| a.verw(word_ptr(X86_VERW_SEL))))?;
    w.tag(Role::Sysret, Return, |a| a.sysretq())?;
    // swapgs_restore_regs_and_return_to_usermode: the exit that can restore anything.
    w.asm.set_label(&mut iret_path)?;
    pop_regs(w, false)?;
    w.only(Patch::NoPti, |w| {
        w.tag(Role::PopReg(Gpr::Rdi), Return, |a| a.pop(rdi))?;
        w.tag(Role::SkipOrigAx, Return, |a| a.add(rsp, 8))
    })?;
    // .Lpti_restore_regs_and_return_to_usermode: the IRET frame and RDI go to the entry stack.
    let iret_frame = [pt_regs::SS, pt_regs::SP, pt_regs::FLAGS, pt_regs::CS, pt_regs::IP, pt_regs::DI];
    w.only(Patch::Pti, |w| exit_through_entry_stack(w, &iret_frame))?;
    w.tag(Role::SwapgsExit, Return, |a| a.swapgs())?;
    w.only(Patch::Pti, |w| w.tag(Role::Verw, Return, |a| a.verw(word_ptr(X86_VERW_SEL))))?;
    w.tag(Role::Iret, Return, |a| a.iretq())
}

/// A condensed int 0x80 entry: the CPU already pushed SS, RSP, RFLAGS, CS, RIP on the stack from TSS.RSP0.
fn entry_int80(w: &mut Writer, _syms: &Symbols) -> Result<(), IcedError> {
    use LessonStep::*;
    w.tag(Role::Endbr, Trap, |a| a.endbr64())?;
    // The idtentry code pushes -1 into orig_ax; do_int80_emulation() moves EAX there later.
    w.tag(Role::PushField(PtField::OrigAxPlaceholder), Trap, |a| a.push(-1))?;
    push_and_clear_regs(w, false)?;
    // error_entry swaps GS only after PUSH_AND_CLEAR_REGS, once it has checked that the interrupted code was in
    // ring 3 (the saved CS), so the pushes and clears run with the user's GS base.
    w.tag(Role::SwapgsEnter, Trap, |a| a.swapgs())?;
    w.tag(Role::PtRegsArg, Dispatch, |a| a.mov(rdi, rsp))?;
    w.tag(Role::CallC, Dispatch, |a| a.call(DO_INT80_EMULATION))?;
    pop_regs(w, true)?;
    w.tag(Role::SkipOrigAx, Return, |a| a.add(rsp, 8))?;
    w.tag(Role::SwapgsExit, Return, |a| a.swapgs())?;
    w.tag(Role::Iret, Return, |a| a.iretq())
}

fn assemble_one(spec: &RoutineSpec, addr: u64, syms: &Symbols) -> Result<AssembledRoutine, IcedError> {
    let mut writer = Writer { asm: CodeAssembler::new(64)?, tags: Vec::new(), patch: Patch::Always };
    (spec.emit)(&mut writer, syms)?;
    let bytes = writer.asm.assemble(addr)?;
    Ok(AssembledRoutine { name: spec.name, space: spec.space, addr, bytes, tags: writer.tags })
}

/// Assembles every routine at its final address.
///
/// # Errors
/// A message if an instruction cannot be encoded (a bug in `specs`).
pub fn assemble_all() -> Result<Vec<AssembledRoutine>, String> {
    let specs = specs();
    let mut syms = Symbols { entries: Vec::new() };
    for _round in 0..8 {
        let mut next_user = USER_CODE;
        let mut routines = Vec::new();
        let mut entries = Vec::new();
        for spec in &specs {
            let addr = spec.fixed_addr.unwrap_or(next_user);
            let routine = assemble_one(spec, addr, &syms).map_err(|err| format!("{}: {err}", spec.name))?;
            if spec.fixed_addr.is_none() {
                next_user = (addr + routine.bytes.len() as u64 + 15) & !15;
            }
            entries.push((spec.name, addr));
            routines.push(routine);
        }
        entries.push(("__vdso_clock_gettime", VDSO_CLOCK_GETTIME));
        if entries == syms.entries {
            return Ok(routines);
        }
        syms.entries = entries;
    }
    Err("routine layout did not settle".to_string())
}
