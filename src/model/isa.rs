//! The small instruction set the model executes: [`Insn`], with operands [`Operand`] and [`Mem`].
//!
//! `src/asm/` decodes real x86-64 bytes with iced-x86 into these values; the model never sees bytes it would have to
//! decode itself. Only the forms the user and kernel programs use are here; anything else is rejected by the decoder.

use super::cpu::Gpr;

/// Operand width in bits. Writing a 32-bit register zero-extends into the 64-bit register, as on real hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    W8,
    W32,
    W64,
}

impl Width {
    /// Bytes in an operand of this width.
    pub fn bytes(self) -> usize {
        match self {
            Width::W8 => 1,
            Width::W32 => 4,
            Width::W64 => 8,
        }
    }

    /// All ones in this width.
    pub fn mask(self) -> u64 {
        match self {
            Width::W8 => 0xff,
            Width::W32 => 0xffff_ffff,
            Width::W64 => u64::MAX,
        }
    }

    /// The sign bit in this width.
    pub fn sign_bit(self) -> u64 {
        1 << (self.bytes() * 8 - 1)
    }
}

/// The segment a memory operand goes through. Only GS has a non-zero base in this model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    Ds,
    Gs,
}

/// A memory operand: `seg:[base + disp]`. RIP-relative operands are resolved to an absolute `disp` by the decoder.
/// The displacement is 32 bits, sign-extended, as x86-64 encodes it (an absolute address in the low 2 GiB or the top
/// 2 GiB, where the kernel's text and data are); the decoder refuses any other, and the image stays small.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mem {
    pub seg: Segment,
    pub base: Option<Gpr>,
    pub disp: i32,
}

impl Mem {
    /// The displacement as the CPU adds it: sign-extended to 64 bits.
    pub fn disp64(self) -> u64 {
        i64::from(self.disp) as u64
    }
}

/// An instruction operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    Reg(Gpr),
    /// An imm8 or imm32, as encoded; the CPU sign-extends it to the operand size ([`Operand::imm64`]).
    Imm(i32),
    Mem(Mem),
}

impl Operand {
    /// An immediate sign-extended to 64 bits, as the CPU does for imm8 and imm32 operands.
    pub fn imm64(value: i32) -> u64 {
        i64::from(value) as u64
    }
}

/// A two-operand arithmetic or logic operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluOp {
    Add,
    Sub,
    /// SUB that only sets flags.
    Cmp,
    And,
    Or,
    Xor,
    /// AND that only sets flags.
    Test,
}

/// A condition code for `jcc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    /// Above or equal (unsigned): CF = 0.
    Ae,
    /// Equal / zero: ZF = 1.
    E,
    /// Not equal / not zero: ZF = 0.
    Ne,
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Insn {
    /// `endbr64`: the indirect-branch landing pad; architecturally a no-op here.
    Endbr64,
    /// `mov dst, src` of `width`; 32-bit register writes zero-extend.
    Mov { dst: Operand, src: Operand, width: Width },
    /// `movsxd dst, src32`: sign-extends a 32-bit register into a 64-bit one.
    Movsxd { dst: Gpr, src: Gpr },
    /// `lea dst, [mem]`.
    Lea { dst: Gpr, mem: Mem },
    /// `op dst, src` of `width`, setting the status flags.
    Alu { op: AluOp, dst: Operand, src: Operand, width: Width },
    /// `neg dst` of `width`.
    Neg { dst: Gpr, width: Width },
    /// `push src` (64-bit).
    Push { src: Operand },
    /// `pop dst` (64-bit).
    Pop { dst: Gpr },
    /// Near `call target`.
    Call { target: u64 },
    /// Near `call qword ptr [mem]`: through a function pointer, as glibc calls into the vDSO.
    CallMem { mem: Mem },
    /// Near `ret`.
    Ret,
    /// `jmp target`.
    Jmp { target: u64 },
    /// `jcc target`.
    Jcc { cond: Cond, target: u64 },
    /// `syscall` (0F 05).
    Syscall,
    /// `sysretq` (48 0F 07), the 64-bit form.
    Sysretq,
    /// `swapgs` (0F 01 F8).
    Swapgs,
    /// `int imm8`.
    Int { vector: u8 },
    /// `iretq` (48 CF).
    Iretq,
    /// `hlt`.
    Hlt,
    /// `mov dst, cr3` (ring 0 only).
    MovFromCr3 { dst: Gpr },
    /// `mov cr3, src` (ring 0 only): switches page tables and, without PCID, flushes the TLB's non-global entries.
    MovToCr3 { src: Gpr },
    /// `verw word [mem]`: sets ZF if the selector there names a segment writable at this CPL. Linux runs it for its
    /// side effect on CPUs with the MDS microcode: it overwrites the CPU's internal buffers.
    Verw { mem: Mem },
}

impl Insn {
    /// The general register this instruction names as its destination, if any, whether or not the value changes
    /// (`pop r8` of a 0 into a 0 still writes R8). Implicit writes (RSP by push and pop, RCX and R11 by `syscall`)
    /// are not destinations.
    pub fn destination(&self) -> Option<Gpr> {
        match *self {
            Insn::Mov { dst: Operand::Reg(gpr), .. } => Some(gpr),
            Insn::Alu { dst: Operand::Reg(gpr), op, .. } if !matches!(op, AluOp::Cmp | AluOp::Test) => Some(gpr),
            Insn::Movsxd { dst, .. }
            | Insn::Lea { dst, .. }
            | Insn::Neg { dst, .. }
            | Insn::Pop { dst }
            | Insn::MovFromCr3 { dst } => Some(dst),
            _ => None,
        }
    }
}
