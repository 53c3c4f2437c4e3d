//! Decoding: iced-x86's `Decoder` turns bytes back into instructions, which become the model's [`Insn`]; the Intel
//! formatter gives the text shown in the listing, with routine and variable names for known addresses.

use iced_x86::{
    Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, Mnemonic, OpKind, Register, SymbolResolver,
    SymbolResult,
};

use crate::model::cpu::Gpr;
use crate::model::isa::{AluOp, Cond, Insn, Mem, Operand, Segment, Width};
use crate::model::layout::*;

/// One decoded instruction: address, bytes, text and the model's form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedInsn {
    pub addr: u64,
    pub bytes: Vec<u8>,
    pub text: String,
    pub insn: Insn,
}

/// Names for addresses, so the listing reads `call read` and `mov rdi, qword ptr [arg0]`.
struct Names {
    routines: Vec<(u64, String)>,
}

impl Names {
    fn data_name(addr: u64) -> Option<&'static str> {
        Some(match addr {
            VAR_NR => "nr",
            VAR_PROBE_RCX => "probe_rcx",
            VAR_RESULT => "result",
            VAR_ERRNO => "errno",
            VAR_VDSO_CLOCK_GETTIME => "vdso_clock_gettime_ptr",
            _ if (VAR_ARG0..VAR_ARG0 + 48).contains(&addr) && (addr - VAR_ARG0) % 8 == 0 => {
                crate::model::input::ARG_FIELDS[((addr - VAR_ARG0) / 8) as usize]
            }
            DO_SYSCALL_64 => "do_syscall_64",
            DO_INT80_EMULATION => "do_int80_emulation",
            VDSO_CLOCK_GETTIME => "__vdso_clock_gettime",
            X86_VERW_SEL => "x86_verw_sel",
            _ => return None,
        })
    }

    fn per_cpu_name(offset: u64) -> Option<&'static str> {
        Some(match offset {
            PERCPU_TSS_SP0 => "cpu_tss_rw+TSS_sp0",
            PERCPU_TSS_SP2 => "cpu_tss_rw+TSS_sp2",
            PERCPU_TOP_OF_STACK => "pcpu_hot+X86_top_of_stack",
            _ => return None,
        })
    }
}

impl SymbolResolver for Names {
    fn symbol(
        &mut self,
        instruction: &Instruction,
        _operand: u32,
        instruction_operand: Option<u32>,
        address: u64,
        _address_size: u32,
    ) -> Option<SymbolResult<'_>> {
        let operand_kind = instruction_operand.map(|idx| instruction.op_kind(idx));
        if operand_kind == Some(OpKind::Memory) {
            if instruction.segment_prefix() == Register::GS {
                return Names::per_cpu_name(address).map(|name| SymbolResult::with_str(address, name));
            }
            if instruction.memory_base() != Register::None && instruction.memory_base() != Register::RIP {
                return None;
            }
        } else if !matches!(operand_kind, Some(OpKind::NearBranch64)) {
            // Immediates are numbers, not addresses.
            return None;
        }
        if let Some(name) = Names::data_name(address) {
            return Some(SymbolResult::with_str(address, name));
        }
        let (_, name) = self.routines.iter().find(|(routine_addr, _)| *routine_addr == address)?;
        Some(SymbolResult::with_string(address, name.clone()))
    }
}

fn gpr_of(register: Register) -> Option<(Gpr, Width)> {
    use Register::*;
    const R64: [Register; 16] = [RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15];
    const R32: [Register; 16] = [EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, R8D, R9D, R10D, R11D, R12D, R13D, R14D, R15D];
    if register == AL {
        return Some((Gpr::Rax, Width::W8));
    }
    if let Some(idx) = R64.iter().position(|candidate| *candidate == register) {
        return Some((Gpr::ALL[idx], Width::W64));
    }
    R32.iter().position(|candidate| *candidate == register).map(|idx| (Gpr::ALL[idx], Width::W32))
}

fn mem_of(instruction: &Instruction) -> Result<Mem, String> {
    if instruction.memory_index() != Register::None {
        return Err("indexed addressing is not modelled".into());
    }
    let seg = match instruction.segment_prefix() {
        Register::None => Segment::Ds,
        Register::GS => Segment::Gs,
        other => return Err(format!("segment {other:?} is not modelled")),
    };
    let base = match instruction.memory_base() {
        Register::None | Register::RIP => None,
        register => Some(gpr_of(register).ok_or_else(|| format!("base {register:?}"))?.0),
    };
    // For RIP-relative operands iced-x86 already gives the absolute target here.
    let disp = instruction.memory_displacement64() as i64;
    let disp = i32::try_from(disp).map_err(|_| format!("displacement {disp:#x} does not fit in 32 bits"))?;
    Ok(Mem { seg, base, disp })
}

fn operand_of(instruction: &Instruction, idx: u32) -> Result<(Operand, Option<Width>), String> {
    Ok(match instruction.op_kind(idx) {
        OpKind::Register => {
            let register = instruction.op_register(idx);
            let (gpr, width) = gpr_of(register).ok_or_else(|| format!("register {register:?} is not modelled"))?;
            (Operand::Reg(gpr), Some(width))
        }
        OpKind::Memory => {
            let width = match instruction.memory_size().size() {
                1 => Some(Width::W8),
                4 => Some(Width::W32),
                8 => Some(Width::W64),
                _ => None,
            };
            (Operand::Mem(mem_of(instruction)?), width)
        }
        OpKind::Immediate8
        | OpKind::Immediate32
        | OpKind::Immediate64
        | OpKind::Immediate8to32
        | OpKind::Immediate8to64
        | OpKind::Immediate32to64 => {
            let value = instruction.immediate(idx) as i64;
            let value = i32::try_from(value).map_err(|_| format!("immediate {value:#x} does not fit in 32 bits"))?;
            (Operand::Imm(value), None)
        }
        other => return Err(format!("operand kind {other:?} is not modelled")),
    })
}

fn width_of(instruction: &Instruction) -> Result<Width, String> {
    for idx in 0..instruction.op_count() {
        if let (_, Some(width)) = operand_of(instruction, idx)? {
            return Ok(width);
        }
    }
    Err("no operand gives a width".into())
}

/// Maps one iced-x86 instruction to the model's form, or says why it cannot.
///
/// # Errors
/// A message naming what the model does not support.
pub fn to_model(instruction: &Instruction) -> Result<Insn, String> {
    let op = |idx| operand_of(instruction, idx).map(|(operand, _)| operand);
    let alu = |alu_op| -> Result<Insn, String> {
        Ok(Insn::Alu { op: alu_op, dst: op(0)?, src: op(1)?, width: width_of(instruction)? })
    };
    let gpr0 = || match op(0)? {
        Operand::Reg(gpr) => Ok(gpr),
        other => Err(format!("expected a register, got {other:?}")),
    };
    Ok(match instruction.mnemonic() {
        Mnemonic::Endbr64 => Insn::Endbr64,
        Mnemonic::Mov if instruction.op0_register() == Register::CR3 => match op(1)? {
            Operand::Reg(src) => Insn::MovToCr3 { src },
            other => return Err(format!("mov cr3 from {other:?}")),
        },
        Mnemonic::Mov if instruction.op_count() == 2 && instruction.op1_register() == Register::CR3 => {
            Insn::MovFromCr3 { dst: gpr0()? }
        }
        Mnemonic::Verw => Insn::Verw { mem: mem_of(instruction)? },
        Mnemonic::Mov => Insn::Mov { dst: op(0)?, src: op(1)?, width: width_of(instruction)? },
        Mnemonic::Movsxd => match op(1)? {
            Operand::Reg(src) => Insn::Movsxd { dst: gpr0()?, src },
            other => return Err(format!("movsxd from {other:?}")),
        },
        Mnemonic::Lea => Insn::Lea { dst: gpr0()?, mem: mem_of(instruction)? },
        Mnemonic::Add => alu(AluOp::Add)?,
        Mnemonic::Sub => alu(AluOp::Sub)?,
        Mnemonic::Cmp => alu(AluOp::Cmp)?,
        Mnemonic::And => alu(AluOp::And)?,
        Mnemonic::Or => alu(AluOp::Or)?,
        Mnemonic::Xor => alu(AluOp::Xor)?,
        Mnemonic::Test => alu(AluOp::Test)?,
        Mnemonic::Neg => Insn::Neg { dst: gpr0()?, width: width_of(instruction)? },
        Mnemonic::Push => Insn::Push { src: op(0)? },
        Mnemonic::Pop => Insn::Pop { dst: gpr0()? },
        Mnemonic::Call if instruction.op_kind(0) == OpKind::Memory => Insn::CallMem { mem: mem_of(instruction)? },
        Mnemonic::Call => Insn::Call { target: instruction.near_branch_target() },
        Mnemonic::Ret => Insn::Ret,
        Mnemonic::Jmp => Insn::Jmp { target: instruction.near_branch_target() },
        Mnemonic::Jae => Insn::Jcc { cond: Cond::Ae, target: instruction.near_branch_target() },
        Mnemonic::Je => Insn::Jcc { cond: Cond::E, target: instruction.near_branch_target() },
        Mnemonic::Jne => Insn::Jcc { cond: Cond::Ne, target: instruction.near_branch_target() },
        Mnemonic::Syscall => Insn::Syscall,
        Mnemonic::Sysretq => Insn::Sysretq,
        Mnemonic::Swapgs => Insn::Swapgs,
        Mnemonic::Int => Insn::Int { vector: instruction.immediate8() },
        Mnemonic::Iretq => Insn::Iretq,
        Mnemonic::Hlt => Insn::Hlt,
        other => return Err(format!("{other:?} is not modelled")),
    })
}

/// Decodes a routine's bytes at `addr`, one instruction after another, into the model's form with Intel text.
/// `routines` names call and jump targets.
///
/// # Errors
/// If the bytes hold an invalid or unmodelled instruction.
pub fn decode_routine(bytes: &[u8], addr: u64, routines: &[(u64, String)]) -> Result<Vec<DecodedInsn>, String> {
    let mut decoder = Decoder::with_ip(64, bytes, addr, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::with_options(Some(Box::new(Names { routines: routines.to_vec() })), None);
    let options = formatter.options_mut();
    options.set_space_after_operand_separator(true);
    options.set_hex_prefix("0x");
    options.set_hex_suffix("");
    options.set_uppercase_hex(false);
    options.set_signed_immediate_operands(true);
    options.set_branch_leading_zeros(false);
    options.set_leading_zeros(false);
    // `int 0x80` reads better unsigned; everything else shows signed immediates (`cmp rax, -0xfff`).
    let mut unsigned_formatter = IntelFormatter::new();
    unsigned_formatter.options_mut().set_hex_prefix("0x");
    unsigned_formatter.options_mut().set_hex_suffix("");
    let mut decoded = Vec::new();
    while decoder.can_decode() {
        let instruction = decoder.decode();
        if instruction.is_invalid() {
            return Err(format!("invalid bytes at {:#x}: {:?}", instruction.ip(), decoder.last_error()));
        }
        let start = (instruction.ip() - addr) as usize;
        let mut text = String::new();
        if instruction.mnemonic() == Mnemonic::Int {
            unsigned_formatter.format(&instruction, &mut text);
        } else {
            formatter.format(&instruction, &mut text);
        }
        decoded.push(DecodedInsn {
            addr: instruction.ip(),
            bytes: bytes[start..start + instruction.len()].to_vec(),
            text,
            insn: to_model(&instruction)?,
        });
    }
    Ok(decoded)
}
