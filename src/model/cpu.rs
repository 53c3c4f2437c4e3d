//! CPU state: the sixteen general registers ([`Gpr`]), RIP, RFLAGS ([`flags`]), the CS and SS selectors whose low two
//! bits are the privilege level ([`Cpl`]), the GS bases and the MSRs Linux programs for SYSCALL ([`Msrs`]).
//!
//! Values follow Linux 6.12: `syscall_init()` in `arch/x86/kernel/cpu/common.c` and `arch/x86/include/asm/segment.h`.

/// A general-purpose register, in hardware encoding order (RAX = 0 … R15 = 15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Gpr {
    Rax,
    Rcx,
    Rdx,
    Rbx,
    Rsp,
    Rbp,
    Rsi,
    Rdi,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
}

impl Gpr {
    /// All sixteen, in encoding order.
    pub const ALL: [Gpr; 16] = [
        Gpr::Rax,
        Gpr::Rcx,
        Gpr::Rdx,
        Gpr::Rbx,
        Gpr::Rsp,
        Gpr::Rbp,
        Gpr::Rsi,
        Gpr::Rdi,
        Gpr::R8,
        Gpr::R9,
        Gpr::R10,
        Gpr::R11,
        Gpr::R12,
        Gpr::R13,
        Gpr::R14,
        Gpr::R15,
    ];

    /// The order a debugger or the JSON trace lists them: rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8 … r15.
    pub const DISPLAY_ORDER: [Gpr; 16] = [
        Gpr::Rax,
        Gpr::Rbx,
        Gpr::Rcx,
        Gpr::Rdx,
        Gpr::Rsi,
        Gpr::Rdi,
        Gpr::Rbp,
        Gpr::Rsp,
        Gpr::R8,
        Gpr::R9,
        Gpr::R10,
        Gpr::R11,
        Gpr::R12,
        Gpr::R13,
        Gpr::R14,
        Gpr::R15,
    ];

    /// Hardware encoding number, 0 to 15.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Lowercase 64-bit name, as in the JSON trace: `rax` … `r15`.
    pub fn name(self) -> &'static str {
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
            [self.index()]
    }

    /// Lowercase 32-bit name (`eax`, `r8d`).
    pub fn name32(self) -> &'static str {
        [
            "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d",
            "r14d", "r15d",
        ][self.index()]
    }

    /// The register with this lowercase 64-bit name.
    pub fn from_name(name: &str) -> Option<Gpr> {
        Gpr::ALL.into_iter().find(|gpr| gpr.name() == name)
    }
}

/// RFLAGS bits (Intel SDM Vol. 1 §3.4.3).
pub mod flags {
    pub const CF: u64 = 1 << 0;
    /// Bit 1 is reserved and always reads 1.
    pub const FIXED: u64 = 1 << 1;
    pub const PF: u64 = 1 << 2;
    pub const AF: u64 = 1 << 4;
    pub const ZF: u64 = 1 << 6;
    pub const SF: u64 = 1 << 7;
    pub const TF: u64 = 1 << 8;
    pub const IF: u64 = 1 << 9;
    pub const DF: u64 = 1 << 10;
    pub const OF: u64 = 1 << 11;
    pub const IOPL: u64 = 3 << 12;
    pub const NT: u64 = 1 << 14;
    pub const RF: u64 = 1 << 16;
    pub const VM: u64 = 1 << 17;
    pub const AC: u64 = 1 << 18;
    pub const VIF: u64 = 1 << 19;
    pub const VIP: u64 = 1 << 20;
    pub const ID: u64 = 1 << 21;

    /// The six arithmetic status flags an ALU instruction writes.
    pub const STATUS: u64 = CF | PF | AF | ZF | SF | OF;

    /// Named flags, low bit first, for display.
    pub const NAMED: [(&str, u64); 16] = [
        ("CF", CF),
        ("PF", PF),
        ("AF", AF),
        ("ZF", ZF),
        ("SF", SF),
        ("TF", TF),
        ("IF", IF),
        ("DF", DF),
        ("OF", OF),
        ("IOPL", IOPL),
        ("NT", NT),
        ("RF", RF),
        ("VM", VM),
        ("AC", AC),
        ("VIF", VIF),
        ("ID", ID),
    ];

    /// The names of the flags set in `rflags`, e.g. `["PF", "ZF", "IF"]`.
    pub fn names(rflags: u64) -> Vec<&'static str> {
        NAMED.iter().filter(|(_, mask)| rflags & mask != 0).map(|(name, _)| *name).collect()
    }
}

/// Linux's segment selectors (`arch/x86/include/asm/segment.h`, 64-bit GDT).
pub mod selectors {
    /// `__KERNEL_CS`, GDT index 2.
    pub const KERNEL_CS: u16 = 0x10;
    /// `__KERNEL_DS`, GDT index 3: the SS that SYSCALL loads.
    pub const KERNEL_DS: u16 = 0x18;
    /// `__USER32_CS`, GDT index 4, RPL 3: what Linux puts in STAR\[63:48\].
    pub const USER32_CS: u16 = 0x23;
    /// `__USER_DS`, GDT index 5, RPL 3.
    pub const USER_DS: u16 = 0x2b;
    /// `__USER_CS`, GDT index 6, RPL 3.
    pub const USER_CS: u16 = 0x33;
}

/// The current privilege level: the low two bits of CS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cpl {
    /// Kernel mode.
    Ring0,
    /// User mode.
    Ring3,
}

impl Cpl {
    /// The CPL that a CS selector carries in its RPL bits (Linux uses only rings 0 and 3).
    pub fn of_selector(cs: u16) -> Cpl {
        if cs & 3 == 0 {
            Cpl::Ring0
        } else {
            Cpl::Ring3
        }
    }

    /// 0 or 3.
    pub fn number(self) -> u8 {
        match self {
            Cpl::Ring0 => 0,
            Cpl::Ring3 => 3,
        }
    }

    /// "kernel mode" or "user mode".
    pub fn mode_name(self) -> &'static str {
        match self {
            Cpl::Ring0 => "kernel mode",
            Cpl::Ring3 => "user mode",
        }
    }
}

/// The model-specific registers SYSCALL and SWAPGS read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msrs {
    /// IA32_STAR (C000_0081H): STAR\[47:32\] = kernel CS for SYSCALL, STAR\[63:48\] = base for SYSRET's CS and SS.
    pub star: u64,
    /// IA32_LSTAR (C000_0082H): where SYSCALL jumps, `entry_SYSCALL_64`.
    pub lstar: u64,
    /// IA32_FMASK (C000_0084H): RFLAGS bits SYSCALL clears.
    pub fmask: u64,
    /// IA32_KERNEL_GS_BASE (C000_0102H): swapped with GS.base by SWAPGS.
    pub kernel_gs_base: u64,
}

/// Linux's FMASK: CF|PF|AF|ZF|SF|TF|IF|DF|OF|IOPL|NT|RF|AC|ID (`syscall_init()`), so the kernel starts with RFLAGS = 0x2.
pub const LINUX_FMASK: u64 = 0x257FD5;

/// `wrmsr(MSR_STAR, 0, (__USER32_CS << 16) | __KERNEL_CS)`: the high half is 0x0023_0010, the low half 0.
pub const LINUX_STAR: u64 = ((selectors::USER32_CS as u64) << 48) | ((selectors::KERNEL_CS as u64) << 32);

/// The SYSRET RFLAGS mask: keeps CF..OF, IOPL, NT, AC, VIF, VIP, ID; clears RF, VM and reserved bits (SDM SYSRET).
pub const SYSRET_RFLAGS_MASK: u64 = 0x3C7FD7;

/// A register of the CPU that a frame can report as changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reg {
    Gpr(Gpr),
    Rip,
    Rflags,
    Cs,
    Ss,
    GsBase,
    KernelGsBase,
    Cr3,
}

impl Reg {
    /// Lowercase name as in the JSON trace.
    pub fn name(self) -> &'static str {
        match self {
            Reg::Gpr(gpr) => gpr.name(),
            Reg::Rip => "rip",
            Reg::Rflags => "rflags",
            Reg::Cs => "cs",
            Reg::Ss => "ss",
            Reg::GsBase => "gs_base",
            Reg::KernelGsBase => "kernel_gs_base",
            Reg::Cr3 => "cr3",
        }
    }
}

/// CR3 bit 12, `PTI_USER_PGTABLE_BIT`: with page-table isolation each process has an 8 KiB PGD, the kernel's half
/// first and the user's half above it, so this one bit picks which set of page tables the CPU walks.
pub const PTI_USER_PGTABLE_BIT: u64 = 1 << 12;
/// `PTI_USER_PGTABLE_AND_PCID_MASK`: bit 12 and bit 11 (the user PCID bit); `SWITCH_TO_KERNEL_CR3` clears both.
pub const PTI_USER_PGTABLE_AND_PCID_MASK: u64 = (1 << 12) | (1 << 11);
/// The physical address of this process's PGD (8 KiB aligned): CR3 while the kernel runs, and always without PTI.
pub const KERNEL_CR3: u64 = 0x1_0a4e_6000;
/// CR3 in user mode with PTI: the same PGD's user half.
pub const USER_CR3: u64 = KERNEL_CR3 | PTI_USER_PGTABLE_BIT;

/// What a CR3 value selects, in words: `"kernel page tables"` or `"user page tables"`.
pub fn cr3_name(cr3: u64) -> &'static str {
    if cr3 & PTI_USER_PGTABLE_BIT == 0 {
        "kernel page tables"
    } else {
        "user page tables"
    }
}

/// The architectural state the model tracks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// RAX … R15, indexed by [`Gpr::index`].
    pub gpr: [u64; 16],
    pub rip: u64,
    pub rflags: u64,
    pub cs: u16,
    pub ss: u16,
    /// GS.base (the hidden part of GS): the user's value in user mode, the per-CPU area after SWAPGS.
    pub gs_base: u64,
    /// CR3: the physical address of the page tables in use ([`KERNEL_CR3`] or, with PTI in user mode, [`USER_CR3`]).
    pub cr3: u64,
    pub msr: Msrs,
}

impl Cpu {
    /// The privilege level, from CS's RPL bits.
    pub fn cpl(&self) -> Cpl {
        Cpl::of_selector(self.cs)
    }

    /// Reads a general register.
    pub fn get(&self, gpr: Gpr) -> u64 {
        self.gpr[gpr.index()]
    }

    /// Writes a general register.
    pub fn set(&mut self, gpr: Gpr, value: u64) {
        self.gpr[gpr.index()] = value;
    }

    /// Any register the frame diff knows about, as a 64-bit value.
    pub fn read(&self, reg: Reg) -> u64 {
        match reg {
            Reg::Gpr(gpr) => self.get(gpr),
            Reg::Rip => self.rip,
            Reg::Rflags => self.rflags,
            Reg::Cs => u64::from(self.cs),
            Reg::Ss => u64::from(self.ss),
            Reg::GsBase => self.gs_base,
            Reg::KernelGsBase => self.msr.kernel_gs_base,
            Reg::Cr3 => self.cr3,
        }
    }

    /// Every register the diff compares.
    pub fn all_regs() -> impl Iterator<Item = Reg> {
        Gpr::ALL.into_iter().map(Reg::Gpr).chain([
            Reg::Rip,
            Reg::Rflags,
            Reg::Cs,
            Reg::Ss,
            Reg::GsBase,
            Reg::KernelGsBase,
            Reg::Cr3,
        ])
    }

    /// The registers whose value differs between `self` and `other`.
    pub fn diff(&self, other: &Cpu) -> Vec<Reg> {
        Cpu::all_regs().filter(|reg| self.read(*reg) != other.read(*reg)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_linux() {
        assert_eq!(LINUX_STAR >> 32, 0x0023_0010);
    }

    #[test]
    fn fmask_is_the_named_flags() {
        use flags::*;
        assert_eq!(CF | PF | AF | ZF | SF | TF | IF | DF | OF | IOPL | NT | RF | AC | ID, LINUX_FMASK);
    }

    #[test]
    fn gpr_names_round_trip() {
        for gpr in Gpr::ALL {
            assert_eq!(Gpr::from_name(gpr.name()), Some(gpr));
        }
        assert_eq!(Gpr::DISPLAY_ORDER.len(), 16);
    }
}
