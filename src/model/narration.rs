//! Narration: what each frame means, in plain words a first-year student can follow. Keys are stable strings
//! (`insn.syscall`, `kernel.copy_to_user`) that tests and the page can refer to; the text fills in this run's values.

use super::cpu::{flags, Gpr};
use super::lesson::LessonStep;
use super::machine::Machine;
use super::program::{ImageInsn, PtField, Role};
use super::scenario::{Program, Scenario};

fn hex(value: u64) -> String {
    format!("{value:#x}")
}

/// The narration of the starting frame.
pub fn start(scenario: &Scenario) -> String {
    match scenario.program {
        Program::Raw => format!(
            "This program skips the C library and sets the registers itself, as inline assembly would: syscall number \
             {} in RAX and the arguments in RDI, RSI, RDX, R10, R8, R9. It also puts {} in RCX, to see what SYSCALL \
             does to it. The CPU is in user mode (ring 3).",
            scenario.nr as i64,
            hex(scenario.probe_rcx)
        ),
        Program::Int80Read => {
            "This program uses the old 32-bit way in: int 0x80 with the i386 numbers, where read is 3 \
             and the arguments go in EBX, ECX and EDX. The CPU is in user mode (ring 3)."
                .to_string()
        }
        Program::VdsoClockGettime => {
            "This program asks for the time. Linux answers clock_gettime without entering the \
             kernel at all, through the vDSO: watch the privilege level stay at 3 the whole way."
                .to_string()
        }
        Program::ExitGroup => "The program is about to call _exit(status), an ordinary-looking C function. glibc's \
             _exit makes the exit_group system call (and, should that ever return, exit, then hlt). The CPU is in \
             user mode (ring 3): it may not touch devices, other processes' memory or the kernel."
            .to_string(),
        program => format!(
            "The program is about to call {}, an ordinary-looking C function. The CPU is in user mode (ring 3): it may \
             not touch devices, other processes' memory or the kernel.",
            program.signature()
        ),
    }
}

/// For a C library wrapper: the arguments are already where the syscall wants them, put there by the C call itself.
fn arguments_already_placed(scenario: &Scenario) -> String {
    let names = scenario.program.arg_names();
    if names.is_empty() || matches!(scenario.program, Program::Raw | Program::Int80Read | Program::VdsoClockGettime) {
        return String::new();
    }
    let regs = ["RDI", "RSI", "RDX", "R10", "R8", "R9"];
    let placed: Vec<String> = names.iter().zip(regs).take(3).map(|(name, reg)| format!("{name} in {reg}")).collect();
    format!(
        " The arguments are already in place, where the C call put them ({}): the syscall convention uses the same \
         registers for the first three.",
        placed.join(", ")
    )
}

/// The stable key of an instruction frame, from the instruction's role.
pub fn insn_key(image_insn: &ImageInsn) -> String {
    let role = match image_insn.role {
        Role::LoadArg(_) => "load_arg",
        Role::LoadNr => "load_nr",
        Role::LoadProbe => "load_probe",
        Role::CallWrapper => "call_wrapper",
        Role::StoreResult => "store_result",
        Role::SetNr => "set_nr",
        Role::MoveArg4ToR10 => "arg4_to_r10",
        Role::Syscall => "syscall",
        Role::Int80 => "int80",
        Role::CheckError => "check_error",
        Role::BranchError => "branch_error",
        Role::ReturnToCaller => "return_to_caller",
        Role::NegateErrno => "negate_errno",
        Role::StoreErrno => "store_errno",
        Role::ReturnMinusOne => "return_minus_one",
        Role::CallVdso => "call_vdso",
        Role::Endbr => "endbr",
        Role::SwapgsEnter => "swapgs_enter",
        Role::SaveUserRsp => "save_user_rsp",
        Role::LoadKernelStack => "load_kernel_stack",
        Role::PushField(_) => "push_pt_regs",
        Role::ClearReg(_) => "clear_reg",
        Role::PtRegsArg => "pt_regs_arg",
        Role::NrArg => "nr_arg",
        Role::CallC => "call_c",
        Role::TestSysret => "test_sysret",
        Role::BranchIret => "branch_iret",
        Role::PopReg(_) => "pop_reg",
        Role::SkipOrigAx => "skip_orig_ax",
        Role::RestoreUserRsp => "restore_user_rsp",
        Role::SwapgsExit => "swapgs_exit",
        Role::Sysret => "sysret",
        Role::Iret => "iret",
        Role::Cr3Read => "cr3_read",
        Role::Cr3ToKernel => "cr3_to_kernel",
        Role::Cr3ToUser => "cr3_to_user",
        Role::Cr3Write { user: false } => "cr3_write_kernel",
        Role::Cr3Write { user: true } => "cr3_write_user",
        Role::SaveScratch => "save_scratch",
        Role::RestoreScratch => "restore_scratch",
        Role::PtRegsToRdi => "pt_regs_to_rdi",
        Role::LoadEntryStack => "load_entry_stack",
        Role::CopyToEntryStack => "copy_to_entry_stack",
        Role::Verw => "verw",
    };
    format!("insn.{role}")
}

const SYSV_ARG_NAMES: [&str; 6] = ["first", "second", "third", "fourth", "fifth", "sixth"];

/// The narration of an instruction frame: what it did, with this run's values.
pub fn insn(image_insn: &ImageInsn, before: &Machine, after: &Machine, scenario: &Scenario) -> String {
    user_insn(image_insn, before, after, scenario).unwrap_or_else(|| kernel_insn(image_insn, after))
}

/// The words for an instruction of the user program, the C library or the vDSO; `None` for the kernel's.
fn user_insn(image_insn: &ImageInsn, before: &Machine, after: &Machine, scenario: &Scenario) -> Option<String> {
    let cpu = &after.cpu;
    let reg = |gpr: Gpr| hex(cpu.get(gpr));
    Some(match image_insn.role {
        Role::LoadArg(idx) => load_arg_text(idx, cpu, scenario),
        Role::LoadNr => {
            format!("The syscall number goes in RAX: {} (decimal {}).", reg(Gpr::Rax), cpu.get(Gpr::Rax) as i64)
        }
        Role::LoadProbe => format!(
            "RCX gets a marker value, {}. SYSCALL is about to overwrite it with the return address: watch.",
            reg(Gpr::Rcx)
        ),
        Role::CallWrapper => format!(
            "call pushes the return address ({}) on the user stack and jumps into the C library's wrapper. So far \
             this is an ordinary function call.",
            hex(before.cpu.rip + image_insn.bytes.len() as u64)
        ),
        Role::CallVdso => "The C library calls the vDSO's clock_gettime through a pointer it looked up at start-up. \
             It is an ordinary call: the vDSO page is mapped into the process and runs in ring 3."
            .to_string(),
        Role::StoreResult => {
            let value = cpu.get(Gpr::Rax) as i64;
            if value == -1 && scenario.program != Program::Raw {
                let errno = after.mem.read_le(super::layout::VAR_ERRNO, 4, super::memory::Access::User).unwrap_or(0);
                format!(
                    "Back in the program: the call returned -1 and errno is {errno} ({}). The program carries on \
                     with the error to handle.",
                    super::errno::errno_name(errno as i64)
                )
            } else if super::errno::is_error(value) {
                format!(
                    "Back in the program, right after its call, with the result in RAX: {}. It stores it in its \
                     variable; with no C library in between, nothing turned the error into errno, so the program \
                     has to see the negative value for itself.",
                    super::errno::describe_result(value)
                )
            } else {
                format!(
                    "Back in the program, right after its call, with the result in RAX: {}. It stores it in its \
                     variable and carries on.",
                    super::errno::describe_result(value)
                )
            }
        }
        Role::SetNr => format!(
            "{} puts the syscall number in EAX: {} is {} in the {} table. Writing EAX also clears the top half of \
             RAX.{}",
            match scenario.program {
                Program::Int80Read => "The program",
                Program::ExitGroup => "glibc's _exit",
                Program::VdsoClockGettime => "The vDSO's fallback",
                _ => "The wrapper",
            },
            cpu.get(Gpr::Rax),
            syscall_name(scenario, cpu.get(Gpr::Rax)),
            if scenario.program == Program::Int80Read { "i386" } else { "x86-64" },
            arguments_already_placed(scenario)
        ),
        Role::MoveArg4ToR10 => {
            "The fourth argument moves from RCX to R10. The kernel's ABI differs from the C one here \
             because SYSCALL itself overwrites RCX with the return address."
                .to_string()
        }
        Role::Syscall => format!(
            "SYSCALL: the one instruction that crosses the wall. In a single step the CPU saves the return address \
             ({}) in RCX and RFLAGS ({}) in R11, clears the RFLAGS bits named in FMASK (interrupts off), loads CS = \
             0x10 and SS = 0x18, so the privilege level is now 0, and jumps to the address in the LSTAR register, {}: \
             entry_SYSCALL_64. The program cannot choose where it lands. RSP still points at the user stack.",
            reg(Gpr::Rcx),
            reg(Gpr::R11),
            hex(cpu.rip)
        ),
        Role::Int80 => format!(
            "int 0x80: the CPU looks up entry 0x80 in the interrupt table, whose gate allows ring 3 to use it. It \
             switches to the kernel stack from the TSS ({}), pushes the user SS, RSP, RFLAGS, CS and RIP there, \
             turns interrupts off and jumps to the gate's handler in ring 0. Unlike SYSCALL it leaves RCX and R11 \
             alone.",
            reg(Gpr::Rsp)
        ),
        Role::CheckError => format!(
            "The wrapper compares RAX ({}) with -4095. Values from -4095 to -1 are errors (-errno); anything else is \
             a result.",
            reg(Gpr::Rax)
        ),
        Role::BranchError => {
            if cpu.rip == image_insn.next_addr() {
                "Not an error, so no jump.".to_string()
            } else {
                "It is an error, so the wrapper jumps to its error path.".to_string()
            }
        }
        Role::ReturnToCaller => "ret pops the return address from the user stack: back to the caller.".to_string(),
        Role::NegateErrno => {
            format!("The error path negates EAX to get the positive errno: {}.", cpu.get(Gpr::Rax) as u32)
        }
        Role::StoreErrno => "It stores that number in errno, where the C program can read it.".to_string(),
        Role::ReturnMinusOne => "And returns -1, the C convention for \"failed, see errno\".".to_string(),
        _ => return None,
    })
}

/// The words for an instruction of the kernel's entry and exit code.
fn kernel_insn(image_insn: &ImageInsn, after: &Machine) -> String {
    let cpu = &after.cpu;
    let reg = |gpr: Gpr| hex(cpu.get(gpr));
    match image_insn.role {
        Role::Endbr => "endbr64 marks a legal target for indirect jumps (Intel CET). It does nothing else.".to_string(),
        Role::SwapgsEnter => format!(
            "The kernel runs in ring 0 now, but with the user's registers. swapgs swaps GS.base with the \
             KERNEL_GS_BASE register, so GS now points at this CPU's own data area ({}).",
            hex(cpu.gs_base)
        ),
        Role::SaveUserRsp => "SYSCALL did not switch stacks, and the user stack cannot be trusted. The kernel parks \
             the user RSP in a per-CPU scratch slot (an unused field of the TSS)."
            .to_string(),
        Role::LoadKernelStack => {
            format!(
                "Then it loads the top of this task's own kernel stack: RSP = {}. Now it can push safely.",
                reg(Gpr::Rsp)
            )
        }
        Role::PushField(field) => push_text(field, cpu),
        Role::ClearReg(gpr) => format!(
            "{} is zeroed: its user value is saved in pt_regs, and clearing it stops user-chosen values from steering \
             the CPU's speculation inside the kernel.",
            gpr.name().to_ascii_uppercase()
        ),
        Role::PtRegsArg => format!(
            "RDI = RSP = {}: the first argument of the C function is a pointer to pt_regs, the saved registers.",
            reg(Gpr::Rdi)
        ),
        Role::NrArg => format!(
            "RSI = the syscall number, from EAX only, sign-extended: {}. The top half of RAX is ignored.",
            cpu.get(Gpr::Rsi) as i64
        ),
        Role::CallC => "call do_syscall_64: from here on, the kernel's C code runs.".to_string(),
        Role::TestSysret => "Back in assembly. AL says whether the fast SYSRET exit is allowed.".to_string(),
        Role::BranchIret => {
            if cpu.rip == image_insn.next_addr() {
                "It is, so no jump to the IRET path.".to_string()
            } else {
                "It is not, so the kernel takes the IRET path.".to_string()
            }
        }
        Role::PopReg(gpr) => {
            let value = reg(gpr);
            match gpr {
                Gpr::Rax => format!("RAX gets pt_regs->ax, the handler's result: {value}."),
                Gpr::Rcx => format!("RCX gets the saved return address, {value}; SYSRET will jump there."),
                Gpr::R11 => format!("R11 gets the saved user RFLAGS, {value}; SYSRET will restore them from it."),
                _ => format!("{} gets its saved user value back: {value}.", gpr.name().to_ascii_uppercase()),
            }
        }
        Role::SkipOrigAx => {
            "The stack pointer skips orig_ax, leaving the five-word interrupt frame on top.".to_string()
        }
        Role::RestoreUserRsp => format!("RSP gets the user stack pointer back: {}.", reg(Gpr::Rsp)),
        Role::SwapgsExit => {
            "swapgs again: GS.base is the user's value again, the per-CPU pointer is tucked away.".to_string()
        }
        Role::Sysret => format!(
            "SYSRETQ crosses the wall back: RIP = RCX ({}), RFLAGS = R11 with RF and reserved bits cleared ({}), CS = \
             0x33 and SS = 0x2b, so the privilege level is 3 again. Interrupts are back on because the saved flags \
             had IF set.",
            hex(cpu.rip),
            hex(cpu.rflags)
        ),
        Role::Iret => format!(
            "IRETQ pops RIP, CS, RFLAGS, RSP and SS from the stack: back to ring 3 at {}, with every register exactly \
             as saved{}.",
            hex(cpu.rip),
            if cpu.rflags & flags::IF != 0 { " and interrupts on" } else { "" }
        ),
        _ => pti_insn(image_insn),
    }
}

/// The words for the instructions Linux adds on a CPU that needs page-table isolation and buffer clearing.
fn pti_insn(image_insn: &ImageInsn) -> String {
    // The values are on the stage's list of changed registers; the words say what they are for.
    match image_insn.role {
        Role::Cr3Read if image_insn.step == LessonStep::Trap => {
            "Page-table isolation (PTI, against Meltdown; Linux turns it on for CPUs with that bug, most Intel designs \
             before 2019, not AMD's): in user mode the kernel is all but unmapped, so speculation finds nothing to \
             read. Its stack is not mapped yet. It reads CR3, the page-table pointer."
        }
        Role::Cr3Read => "It reads CR3 into RDI, to switch back to the user's page tables.",
        Role::Cr3ToKernel => {
            "It clears bit 12 (and bit 11, the user PCID bit): each process has an 8 KiB top-level table, the kernel's \
             half below and the user's half above."
        }
        Role::Cr3ToUser => "It sets bit 12: the user's half.",
        Role::Cr3Write { user: false } => {
            "mov cr3 switches to the kernel's page tables: the whole kernel is mapped again. Without PCID this write \
             also flushes the TLB, so the next memory accesses walk the page tables again. Linux's documentation puts \
             a CR3 move at about a hundred cycles."
        }
        Role::Cr3Write { user: true } => {
            "Back on the user's page tables: from this instruction on the kernel is unmapped again. Only the entry \
             code, this CPU's TSS and the entry stack remain, which is why the last pops run on the entry stack."
        }
        Role::SaveScratch => "It saves RAX on the entry stack: the CR3 switch needs a second scratch register.",
        Role::RestoreScratch => "And restores RAX, the result.",
        Role::PtRegsToRdi => "RDI keeps a pointer to what is left of pt_regs (the user's RDI, then the rest).",
        Role::LoadEntryStack => {
            "RSP moves to this CPU's entry stack, which the user page tables map too: the task's kernel stack will be \
             gone once CR3 switches back."
        }
        Role::CopyToEntryStack => "It copies a saved word from pt_regs to the entry stack.",
        Role::Verw => {
            "verw: on Intel CPUs affected by MDS, with the updated microcode, it also overwrites the CPU's internal \
             buffers, so data the kernel just handled cannot be sampled from user mode. Its own result (ZF) is not \
             used."
        }
        _ => "",
    }
    .to_string()
}

/// `mov` of argument `idx` into its register: which register the ABI puts it in, and its value.
fn load_arg_text(idx: u8, cpu: &super::cpu::Cpu, scenario: &Scenario) -> String {
    let reg = |gpr: Gpr| hex(cpu.get(gpr));
    let names = scenario.program.arg_names();
    let name = names.get(usize::from(idx)).copied().unwrap_or("argument");
    let gpr = match scenario.program {
        Program::Raw => [Gpr::Rdi, Gpr::Rsi, Gpr::Rdx, Gpr::R10, Gpr::R8, Gpr::R9][usize::from(idx)],
        Program::Int80Read => [Gpr::Rbx, Gpr::Rcx, Gpr::Rdx][usize::from(idx).min(2)],
        _ => [Gpr::Rdi, Gpr::Rsi, Gpr::Rdx, Gpr::Rcx, Gpr::R8, Gpr::R9][usize::from(idx)],
    };
    let value = reg(gpr);
    match scenario.program {
        Program::Raw => {
            format!("Argument {} (arg{idx}) goes in {}: {value}.", idx + 1, gpr.name().to_ascii_uppercase())
        }
        Program::Int80Read => format!(
            "The i386 ABI wants the {} argument, {name}, in {}: {value}. Only 32 bits count.",
            SYSV_ARG_NAMES[usize::from(idx)],
            gpr.name32().to_ascii_uppercase()
        ),
        _ => format!(
            "To call the C function, the program puts its {} argument, {name}, in {} ({value}), as the normal \
             C calling convention says.",
            SYSV_ARG_NAMES[usize::from(idx)],
            gpr.name().to_ascii_uppercase()
        ),
    }
}

fn push_text(field: PtField, cpu: &super::cpu::Cpu) -> String {
    let top = format!("{:#x}", cpu.get(Gpr::Rsp));
    match field {
        PtField::Ss => format!("The kernel starts building pt_regs at {top}: first the user SS selector, 0x2b."),
        PtField::Sp => "Next the user RSP, copied from the scratch slot.".to_string(),
        PtField::Flags => "Next the user RFLAGS, which SYSCALL left in R11.".to_string(),
        PtField::Cs => "Next the user CS selector, 0x33.".to_string(),
        PtField::Ip => "Next the user return address, which SYSCALL left in RCX. These five words have the same \
             layout a hardware interrupt would have pushed."
            .to_string(),
        PtField::OrigAx => {
            "orig_ax: the syscall number as the program gave it, kept even after ax is overwritten.".to_string()
        }
        PtField::OrigAxPlaceholder => "orig_ax is pushed as -1 for now (\"no syscall to restart\"); the C code will \
             move EAX there."
            .to_string(),
        PtField::AxEnosys => "ax is pushed as -ENOSYS (-38), not the user's RAX: the default answer if no handler \
             replaces it."
            .to_string(),
        PtField::Reg(gpr) => format!("{} is saved in pt_regs.", gpr.name().to_ascii_uppercase()),
    }
}

fn syscall_name(scenario: &Scenario, nr: u64) -> String {
    let entry = if scenario.program == Program::Int80Read {
        super::syscalls::by_nr_i386(nr as u32)
    } else {
        super::syscalls::by_nr_x64(nr as u32)
    };
    entry.map_or_else(|| "unknown".to_string(), |entry| entry.name.to_string())
}
