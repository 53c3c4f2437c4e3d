//! Where things live: the address map of the modelled process and kernel, and the per-CPU offsets the entry code uses.
//!
//! Addresses are plausible canonical x86-64 Linux ones (a non-PIE program at 0x401000, a stack near 0x7ffd…, kernel
//! text at 0xffff_ffff_8…, the direct map at 0xffff_8880…, vmalloc'd kernel stacks at 0xffff_c900…), fixed so that
//! the code listing and traces are reproducible. Real kernels randomise most of these (KASLR); the model does not.

/// User program text: callers, libc-like wrappers, the errno path.
pub const USER_CODE: u64 = 0x40_1000;
pub const USER_CODE_LEN: usize = 0x1000;

/// User data: the argument block the callers load from, `errno`, the path string, the buffer.
pub const USER_DATA: u64 = 0x40_4000;
pub const USER_DATA_LEN: usize = 0x1000;

/// The caller's variables: each argument is a 64-bit slot the caller loads into its register.
pub const VAR_NR: u64 = USER_DATA;
/// `arg[i]` lives at `VAR_ARG0 + 8 * i`.
pub const VAR_ARG0: u64 = USER_DATA + 0x08;
/// The value the raw-syscall caller puts in RCX before `syscall`, to show that `syscall` overwrites it.
pub const VAR_PROBE_RCX: u64 = USER_DATA + 0x38;
/// Where the caller stores what the call returned.
pub const VAR_RESULT: u64 = USER_DATA + 0x40;
/// `errno` (glibc keeps it thread-local through FS; here it is a plain global).
pub const VAR_ERRNO: u64 = USER_DATA + 0x48;
/// glibc's pointer to `__vdso_clock_gettime` (`GLRO(dl_vdso_clock_gettime64)`), filled in when the vDSO is found.
pub const VAR_VDSO_CLOCK_GETTIME: u64 = USER_DATA + 0x50;
/// A NUL-terminated path for `openat`.
pub const PATH_ADDR: u64 = USER_DATA + 0x80;
/// Longest path the page has room for (including the NUL).
pub const PATH_MAX_HERE: usize = 0x80;
/// The default user buffer for `read`, `write` and `clock_gettime`.
pub const BUF_ADDR: u64 = USER_DATA + 0x100;

/// The user stack (one page mapped) and the caller's stack pointer, 16-byte aligned as the ABI wants before a call.
pub const USER_STACK: u64 = 0x7ffd_4a3f_f000;
pub const USER_STACK_LEN: usize = 0x1000;
pub const USER_RSP: u64 = 0x7ffd_4a3f_fe50;

/// The vDSO text page, and the vvar page it reads the clock from.
pub const VDSO_TEXT: u64 = 0x7fff_f7fc_1000;
pub const VVAR: u64 = 0x7fff_f7fb_d000;
pub const VDSO_LEN: usize = 0x1000;
/// `__vdso_clock_gettime` (run by the model as named steps, like the kernel's C code).
pub const VDSO_CLOCK_GETTIME: u64 = VDSO_TEXT + 0xa40;
/// The vDSO's fallback for clocks it cannot read itself: a real `syscall` (nr 228, clock_gettime).
pub const VDSO_CLOCK_GETTIME_FALLBACK: u64 = VDSO_TEXT + 0xb00;

/// Kernel entry text (`.entry.text`): `entry_SYSCALL_64` and the int 0x80 entry.
pub const KERNEL_ENTRY_TEXT: u64 = 0xffff_ffff_8200_0000;
pub const KERNEL_ENTRY_TEXT_LEN: usize = 0x1000;
/// IA32_LSTAR: the one entry point SYSCALL can reach.
pub const ENTRY_SYSCALL_64: u64 = KERNEL_ENTRY_TEXT + 0x40;
/// The IDT gate for vector 0x80 points here.
pub const ASM_INT80_EMULATION: u64 = KERNEL_ENTRY_TEXT + 0x400;

/// `x86_verw_sel` (in `.entry.text`, so both sets of page tables map it): the selector `verw` reads, `__KERNEL_DS`.
pub const X86_VERW_SEL: u64 = KERNEL_ENTRY_TEXT + 0xc00;

/// The per-CPU entry stack in the CPU entry area (`cpu_entry_area->entry_stack_page`), which both sets of page
/// tables map: TSS.sp0 points at its top when mitigations are on, and the SYSRET exit switches CR3 on it.
pub const ENTRY_STACK: u64 = 0xffff_fe00_0000_5000;
pub const ENTRY_STACK_LEN: usize = 0x100;
pub const ENTRY_STACK_TOP: u64 = ENTRY_STACK + ENTRY_STACK_LEN as u64;

/// Kernel C text. The C functions run as named steps, not as instructions.
pub const KERNEL_TEXT: u64 = 0xffff_ffff_81e4_f000;
pub const KERNEL_TEXT_LEN: usize = 0x1000;
pub const DO_SYSCALL_64: u64 = KERNEL_TEXT + 0x2a0;
pub const DO_INT80_EMULATION: u64 = KERNEL_TEXT + 0x5c0;

/// This CPU's per-CPU area (GS.base in the kernel, IA32_KERNEL_GS_BASE in user mode).
pub const PER_CPU: u64 = 0xffff_8881_3bc0_0000;
pub const PER_CPU_LEN: usize = 0x100;
/// `cpu_tss_rw + TSS_sp0`: the stack the CPU loads on an interrupt from ring 3 (TSS.RSP0).
pub const PERCPU_TSS_SP0: u64 = 0x04;
/// `cpu_tss_rw + TSS_sp2`: unused by hardware, Linux's scratch slot for the user RSP.
pub const PERCPU_TSS_SP2: u64 = 0x14;
/// `pcpu_hot + X86_top_of_stack`: the top of the current task's kernel stack.
pub const PERCPU_TOP_OF_STACK: u64 = 0x80;
/// The part of the per-CPU area at its start that is `cpu_tss_rw`: PTI maps this page in the user page tables too,
/// because the SYSCALL entry writes TSS.sp2 before it switches CR3 (`pti_clone_user_shared`); `pcpu_hot` is not.
pub const PERCPU_TSS_LEN: u64 = 0x68;

/// Whether the user page tables of a PTI kernel map this kernel address: the entry text, this CPU's TSS and the
/// entry stack. Everything else of the kernel (its C code, `pcpu_hot`, the task's kernel stack) is simply absent
/// until `SWITCH_TO_KERNEL_CR3`.
pub fn mapped_in_user_tables(addr: u64) -> bool {
    (KERNEL_ENTRY_TEXT..KERNEL_ENTRY_TEXT + KERNEL_ENTRY_TEXT_LEN as u64).contains(&addr)
        || (PER_CPU..PER_CPU + PERCPU_TSS_LEN).contains(&addr)
        || (ENTRY_STACK..ENTRY_STACK_TOP).contains(&addr)
}

/// The current task's kernel stack: only its top 1 KiB is mapped in the model, which is where `pt_regs` goes.
pub const KERNEL_STACK_TOP: u64 = 0xffff_c900_0064_4000;
pub const KERNEL_STACK_LEN: usize = 0x400;
pub const KERNEL_STACK: u64 = KERNEL_STACK_TOP - KERNEL_STACK_LEN as u64;

/// Highest user address + 1 with 4-level paging: `TASK_SIZE_MAX = (1 << 47) - PAGE_SIZE`.
pub const TASK_SIZE_MAX: u64 = (1 << 47) - 0x1000;

/// The user RFLAGS every scenario starts with: IF (interrupts on), ZF and PF from earlier work, bit 1.
pub const USER_RFLAGS: u64 = 0x246;

/// `struct pt_regs` field offsets from its start (= the kernel RSP after the last push), `arch/x86/include/asm/ptrace.h`.
pub mod pt_regs {
    pub const R15: u64 = 0x00;
    pub const R14: u64 = 0x08;
    pub const R13: u64 = 0x10;
    pub const R12: u64 = 0x18;
    pub const BP: u64 = 0x20;
    pub const BX: u64 = 0x28;
    pub const R11: u64 = 0x30;
    pub const R10: u64 = 0x38;
    pub const R9: u64 = 0x40;
    pub const R8: u64 = 0x48;
    pub const AX: u64 = 0x50;
    pub const CX: u64 = 0x58;
    pub const DX: u64 = 0x60;
    pub const SI: u64 = 0x68;
    pub const DI: u64 = 0x70;
    pub const ORIG_AX: u64 = 0x78;
    pub const IP: u64 = 0x80;
    pub const CS: u64 = 0x88;
    pub const FLAGS: u64 = 0x90;
    pub const SP: u64 = 0x98;
    pub const SS: u64 = 0xa0;
    /// `sizeof(struct pt_regs)`.
    pub const SIZE: u64 = 0xa8;

    /// Field names from low address to high, as the memory view labels them.
    pub const FIELDS: [&str; 21] = [
        "r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx", "dx", "si", "di", "orig_ax",
        "ip", "cs", "flags", "sp", "ss",
    ];
}

/// Where `pt_regs` starts once the entry code has built it.
pub const PT_REGS: u64 = KERNEL_STACK_TOP - pt_regs::SIZE;
