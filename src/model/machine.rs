//! The [`Machine`]: CPU, memory and kernel state together, built from a [`Scenario`] by [`Machine::boot`], and
//! [`Machine::execute`], which runs one decoded instruction with the semantics of the Intel SDM.
//!
//! SYSCALL and SYSRET follow the Intel SDM, Vol. 2B, "SYSCALL" and "SYSRET" (with RF cleared in R11, as AMD documents
//! and as `tests/real_cpu.rs` measures); INT n and IRETQ follow Vol. 2A "INT n" and "IRET" in 64-bit mode.

use std::rc::Rc;

use super::cpu::{
    flags, selectors, Cpu, Gpr, Msrs, KERNEL_CR3, LINUX_FMASK, LINUX_STAR, PTI_USER_PGTABLE_BIT, SYSRET_RFLAGS_MASK,
    USER_CR3,
};
use super::isa::{AluOp, Cond, Insn, Mem, Operand, Segment, Width};
use super::kernel::Kernel;
use super::layout::*;
use super::memory::{Access, Fault, Memory, RegionKind};
use super::program::ImageInsn;
use super::scenario::Scenario;

/// The whole state one frame shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    pub cpu: Cpu,
    pub mem: Memory,
    pub kernel: Rc<Kernel>,
}

/// A CPU exception an instruction raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    /// #PF: a page fault at this address.
    PageFault(Fault),
    /// #GP(0): a general-protection fault, with the reason.
    GeneralProtection(&'static str),
    /// #UD: an invalid opcode in this mode.
    InvalidOpcode(&'static str),
}

impl Exception {
    /// What happened, in a sentence.
    pub fn describe(self) -> String {
        match self {
            Exception::PageFault(fault) => format!(
                "page fault: {} {:#x}, which is not mapped for this access",
                if fault.write { "writing" } else { "reading" },
                fault.addr
            ),
            Exception::GeneralProtection(why) => format!("general-protection fault: {why}"),
            Exception::InvalidOpcode(why) => format!("invalid opcode: {why}"),
        }
    }
}

/// Whether an address is canonical (bits 63..47 all equal) with 48-bit virtual addresses.
pub fn is_canonical(addr: u64) -> bool {
    let top = (addr as i64) >> 47;
    top == 0 || top == -1
}

impl Machine {
    /// The machine as the scenario starts: the program and kernel code loaded, the caller's variables set, the CPU
    /// in ring 3 at the caller, the MSRs as Linux programs them.
    pub fn boot(scenario: &Scenario) -> Machine {
        let routines = super::image::ROUTINES;
        let mut mem = Memory::default();
        mem.map("user code", RegionKind::UserCode, USER_CODE, USER_CODE_LEN);
        mem.map("user data", RegionKind::UserData, USER_DATA, USER_DATA_LEN);
        mem.map("user stack", RegionKind::UserStack, USER_STACK, USER_STACK_LEN);
        mem.map("vvar", RegionKind::Vdso, VVAR, VDSO_LEN);
        mem.map("vdso", RegionKind::Vdso, VDSO_TEXT, VDSO_LEN);
        mem.map("kernel entry text", RegionKind::KernelCode, KERNEL_ENTRY_TEXT, KERNEL_ENTRY_TEXT_LEN);
        mem.map("kernel text", RegionKind::KernelCode, KERNEL_TEXT, KERNEL_TEXT_LEN);
        mem.map("per-CPU area", RegionKind::PerCpu, PER_CPU, PER_CPU_LEN);
        mem.map("kernel stack", RegionKind::KernelStack, KERNEL_STACK, KERNEL_STACK_LEN);
        let pti = scenario.runs_pti();
        if pti {
            mem.map("entry stack", RegionKind::KernelStack, ENTRY_STACK, ENTRY_STACK_LEN);
        }
        for routine in routines {
            for image_insn in routine.insns {
                mem.load(image_insn.addr, image_insn.bytes);
            }
        }
        // The caller's variables.
        mem.load(VAR_NR, &scenario.nr.to_le_bytes());
        for (idx, arg) in scenario.args.iter().enumerate() {
            mem.load(VAR_ARG0 + 8 * idx as u64, &arg.to_le_bytes());
        }
        mem.load(VAR_PROBE_RCX, &scenario.probe_rcx.to_le_bytes());
        mem.load(VAR_VDSO_CLOCK_GETTIME, &VDSO_CLOCK_GETTIME.to_le_bytes());
        let mut path = scenario.path.as_bytes().to_vec();
        path.truncate(PATH_MAX_HERE - 1);
        path.push(0);
        mem.load(PATH_ADDR, &path);
        let room = (USER_DATA + USER_DATA_LEN as u64 - BUF_ADDR) as usize;
        let buffer: Vec<u8> = scenario.buffer_text.bytes().take(room).collect();
        mem.load(BUF_ADDR, &buffer);
        mem.load(X86_VERW_SEL, &u16::to_le_bytes(selectors::KERNEL_DS));
        // The per-CPU area: TSS.sp0 (the stack INT n switches to, and with PTI the entry stack the exit switches CR3
        // on) and the top of this task's kernel stack.
        let sp0 = if pti { ENTRY_STACK_TOP } else { KERNEL_STACK_TOP };
        mem.load(PER_CPU + PERCPU_TSS_SP0, &sp0.to_le_bytes());
        mem.load(PER_CPU + PERCPU_TOP_OF_STACK, &KERNEL_STACK_TOP.to_le_bytes());
        // Callee-saved registers hold the caller's own values; the rest hold leftovers. Distinct values make every
        // change visible.
        let mut gpr = [0u64; 16];
        for (idx, value) in gpr.iter_mut().enumerate() {
            *value = 0x0000_0000_0000_1000 * (idx as u64 + 1) + idx as u64;
        }
        gpr[Gpr::Rsp.index()] = USER_RSP;
        gpr[Gpr::Rbp.index()] = USER_RSP + 0x30;
        let rip =
            super::program::routine(routines, scenario.program.routine()).map_or(USER_CODE, |routine| routine.addr);
        let cpu = Cpu {
            gpr,
            rip,
            rflags: USER_RFLAGS,
            cs: selectors::USER_CS,
            ss: selectors::USER_DS,
            gs_base: 0,
            cr3: if pti { USER_CR3 } else { KERNEL_CR3 },
            msr: Msrs { star: LINUX_STAR, lstar: ENTRY_SYSCALL_64, fmask: LINUX_FMASK, kernel_gs_base: PER_CPU },
        };
        let kernel = Kernel::new(scenario.pid, scenario.file_text.as_bytes());
        Machine { cpu, mem, kernel: Rc::new(kernel) }
    }

    /// Who is accessing memory: user mode, or kernel mode on the kernel's or (PTI) the user's page tables.
    fn access(&self) -> Access {
        match self.cpu.cpl() {
            super::cpu::Cpl::Ring0 if self.cpu.cr3 & PTI_USER_PGTABLE_BIT != 0 => Access::KernelOnUserTables,
            super::cpu::Cpl::Ring0 => Access::Kernel,
            super::cpu::Cpl::Ring3 => Access::User,
        }
    }

    /// The linear address of a memory operand.
    pub fn effective_address(&self, mem: &Mem) -> u64 {
        let base = mem.base.map_or(0, |gpr| self.cpu.get(gpr));
        let segment_base = match mem.seg {
            Segment::Ds => 0,
            Segment::Gs => self.cpu.gs_base,
        };
        segment_base.wrapping_add(base).wrapping_add(mem.disp64())
    }

    fn read_operand(&self, operand: &Operand, width: Width) -> Result<u64, Exception> {
        Ok(match operand {
            Operand::Reg(gpr) => self.cpu.get(*gpr) & width.mask(),
            Operand::Imm(value) => Operand::imm64(*value) & width.mask(),
            Operand::Mem(mem) => {
                let addr = self.effective_address(mem);
                self.mem.read_le(addr, width.bytes(), self.access()).map_err(Exception::PageFault)?
            }
        })
    }

    fn write_operand(&mut self, operand: &Operand, width: Width, value: u64) -> Result<(), Exception> {
        match operand {
            Operand::Reg(gpr) => {
                let old = self.cpu.get(*gpr);
                let new = match width {
                    // Writing a 32-bit register zero-extends into the whole 64-bit register.
                    Width::W32 => value & 0xffff_ffff,
                    Width::W64 => value,
                    Width::W8 => (old & !0xff) | (value & 0xff),
                };
                self.cpu.set(*gpr, new);
                Ok(())
            }
            Operand::Mem(mem) => {
                let addr = self.effective_address(mem);
                let access = self.access();
                self.mem.write_le(addr, value, width.bytes(), access).map_err(Exception::PageFault)
            }
            Operand::Imm(_) => Err(Exception::InvalidOpcode("an immediate cannot be a destination")),
        }
    }

    /// Pushes a 64-bit value on the current stack.
    pub fn push(&mut self, value: u64) -> Result<(), Exception> {
        let rsp = self.cpu.get(Gpr::Rsp).wrapping_sub(8);
        let access = self.access();
        self.mem.write_le(rsp, value, 8, access).map_err(Exception::PageFault)?;
        self.cpu.set(Gpr::Rsp, rsp);
        Ok(())
    }

    /// Pops a 64-bit value from the current stack.
    pub fn pop(&mut self) -> Result<u64, Exception> {
        let rsp = self.cpu.get(Gpr::Rsp);
        let value = self.mem.read_le(rsp, 8, self.access()).map_err(Exception::PageFault)?;
        self.cpu.set(Gpr::Rsp, rsp.wrapping_add(8));
        Ok(value)
    }

    fn set_status_flags(&mut self, result: u64, width: Width, carry: bool, overflow: bool, adjust: bool) {
        let result = result & width.mask();
        let mut rflags = self.cpu.rflags & !flags::STATUS;
        if carry {
            rflags |= flags::CF;
        }
        if (result & 0xff).count_ones() % 2 == 0 {
            rflags |= flags::PF;
        }
        if adjust {
            rflags |= flags::AF;
        }
        if result == 0 {
            rflags |= flags::ZF;
        }
        if result & width.sign_bit() != 0 {
            rflags |= flags::SF;
        }
        if overflow {
            rflags |= flags::OF;
        }
        self.cpu.rflags = rflags;
    }

    fn alu(&mut self, op: AluOp, dst: &Operand, src: &Operand, width: Width) -> Result<(), Exception> {
        let lhs = self.read_operand(dst, width)?;
        let rhs = self.read_operand(src, width)?;
        let mask = width.mask();
        let sign = width.sign_bit();
        let (result, carry, overflow, adjust) = match op {
            AluOp::Add => {
                let result = lhs.wrapping_add(rhs) & mask;
                let carry = result < lhs;
                let overflow = (lhs ^ result) & (rhs ^ result) & sign != 0;
                (result, carry, overflow, (lhs ^ rhs ^ result) & 0x10 != 0)
            }
            AluOp::Sub | AluOp::Cmp => {
                let result = lhs.wrapping_sub(rhs) & mask;
                let overflow = (lhs ^ rhs) & (lhs ^ result) & sign != 0;
                (result, rhs > lhs, overflow, (lhs ^ rhs ^ result) & 0x10 != 0)
            }
            AluOp::And | AluOp::Test => (lhs & rhs, false, false, false),
            AluOp::Or => (lhs | rhs, false, false, false),
            AluOp::Xor => (lhs ^ rhs, false, false, false),
        };
        self.set_status_flags(result, width, carry, overflow, adjust);
        if !matches!(op, AluOp::Cmp | AluOp::Test) {
            self.write_operand(dst, width, result)?;
        }
        Ok(())
    }

    /// Executes one instruction. On an exception the machine is left as the CPU leaves it (nothing of the faulting
    /// instruction is committed, except what the SDM says happens first).
    ///
    /// # Errors
    /// The CPU exception the instruction raised.
    pub fn execute(&mut self, image_insn: &ImageInsn) -> Result<(), Exception> {
        let next = image_insn.next_addr();
        match image_insn.insn {
            Insn::Endbr64 => {}
            Insn::Mov { dst, src, width } => {
                let value = self.read_operand(&src, width)?;
                self.write_operand(&dst, width, value)?;
            }
            Insn::Movsxd { dst, src } => {
                let value = self.cpu.get(src) as u32 as i32 as i64 as u64;
                self.cpu.set(dst, value);
            }
            Insn::Lea { dst, mem } => {
                let base = mem.base.map_or(0, |gpr| self.cpu.get(gpr));
                self.cpu.set(dst, base.wrapping_add(mem.disp64()));
            }
            Insn::Alu { op, dst, src, width } => self.alu(op, &dst, &src, width)?,
            Insn::Neg { dst, width } => {
                let value = self.cpu.get(dst) & width.mask();
                let result = 0u64.wrapping_sub(value) & width.mask();
                let overflow = value == width.sign_bit();
                self.set_status_flags(result, width, value != 0, overflow, value & 0xf != 0);
                self.write_operand(&Operand::Reg(dst), width, result)?;
            }
            Insn::Push { src } => {
                let value = match src {
                    Operand::Imm(value) => Operand::imm64(value),
                    other => self.read_operand(&other, Width::W64)?,
                };
                self.push(value)?;
            }
            Insn::Pop { dst } => {
                let value = self.pop()?;
                self.cpu.set(dst, value);
            }
            Insn::Call { target } => {
                self.push(next)?;
                self.cpu.rip = target;
                return Ok(());
            }
            Insn::CallMem { mem } => {
                let addr = self.effective_address(&mem);
                let target = self.mem.read_le(addr, 8, self.access()).map_err(Exception::PageFault)?;
                self.push(next)?;
                self.cpu.rip = target;
                return Ok(());
            }
            Insn::Ret => {
                self.cpu.rip = self.pop()?;
                return Ok(());
            }
            Insn::Jmp { target } => {
                self.cpu.rip = target;
                return Ok(());
            }
            Insn::Jcc { cond, target } => {
                let taken = match cond {
                    Cond::Ae => self.cpu.rflags & flags::CF == 0,
                    Cond::E => self.cpu.rflags & flags::ZF != 0,
                    Cond::Ne => self.cpu.rflags & flags::ZF == 0,
                };
                self.cpu.rip = if taken { target } else { next };
                return Ok(());
            }
            Insn::Syscall => {
                self.syscall(next);
                return Ok(());
            }
            Insn::Sysretq => {
                self.sysretq()?;
                return Ok(());
            }
            Insn::Swapgs => {
                if self.cpu.cpl() != super::cpu::Cpl::Ring0 {
                    // Intel SDM Vol. 2B, SWAPGS, 64-bit mode exceptions: #GP(0) if CPL != 0 (#UD only outside
                    // 64-bit mode).
                    return Err(Exception::GeneralProtection("swapgs is only allowed in ring 0"));
                }
                std::mem::swap(&mut self.cpu.gs_base, &mut self.cpu.msr.kernel_gs_base);
            }
            Insn::Int { vector } => {
                self.int(vector, next)?;
                return Ok(());
            }
            Insn::Iretq => {
                self.iretq()?;
                return Ok(());
            }
            Insn::Hlt => {
                if self.cpu.cpl() != super::cpu::Cpl::Ring0 {
                    return Err(Exception::GeneralProtection("hlt is privileged"));
                }
            }
            Insn::MovFromCr3 { .. } | Insn::MovToCr3 { .. } | Insn::Verw { .. } => {
                self.execute_mitigation(&image_insn.insn)?
            }
        }
        self.cpu.rip = next;
        Ok(())
    }

    /// The instructions Linux adds for a CPU that needs page-table isolation and buffer clearing.
    fn execute_mitigation(&mut self, insn: &Insn) -> Result<(), Exception> {
        match *insn {
            Insn::MovFromCr3 { dst } => {
                if self.cpu.cpl() != super::cpu::Cpl::Ring0 {
                    return Err(Exception::GeneralProtection("control registers are only readable in ring 0"));
                }
                self.cpu.set(dst, self.cpu.cr3);
            }
            Insn::MovToCr3 { src } => {
                if self.cpu.cpl() != super::cpu::Cpl::Ring0 {
                    return Err(Exception::GeneralProtection("control registers are only writable in ring 0"));
                }
                self.cpu.cr3 = self.cpu.get(src);
            }
            Insn::Verw { mem } => {
                let addr = self.effective_address(&mem);
                let selector = self.mem.read_le(addr, 2, self.access()).map_err(Exception::PageFault)? as u16;
                // SDM VERW: ZF = 1 if the segment is a writable data segment whose DPL is at least CPL and RPL. The
                // model's GDT has two data segments: __KERNEL_DS (DPL 0) and __USER_DS (DPL 3).
                let dpl = match selector & !3 {
                    sel if sel == selectors::KERNEL_DS & !3 => Some(0),
                    sel if sel == selectors::USER_DS & !3 => Some(3),
                    _ => None,
                };
                let cpl = self.cpu.cpl().number();
                let writable = dpl.is_some_and(|dpl| dpl >= cpl && dpl >= (selector & 3) as u8);
                self.cpu.rflags = if writable { self.cpu.rflags | flags::ZF } else { self.cpu.rflags & !flags::ZF };
            }
            _ => {}
        }
        Ok(())
    }

    /// SYSCALL (SDM Vol. 2B): RCX := next RIP; R11 := RFLAGS with RF cleared; RFLAGS &= ~FMASK;
    /// CS := STAR\[47:32\] & ~3, SS := STAR\[47:32\] + 8, CPL 0; RIP := LSTAR. RSP is not touched.
    pub fn syscall(&mut self, next: u64) {
        self.cpu.set(Gpr::Rcx, next);
        self.cpu.set(Gpr::R11, self.cpu.rflags & !flags::RF);
        self.cpu.rflags &= !self.cpu.msr.fmask;
        let star_47_32 = ((self.cpu.msr.star >> 32) & 0xffff) as u16;
        self.cpu.cs = star_47_32 & 0xfffc;
        self.cpu.ss = star_47_32.wrapping_add(8);
        self.cpu.rip = self.cpu.msr.lstar;
    }

    /// SYSRET, 64-bit form (SDM Vol. 2B): #GP in ring 3 or for a non-canonical RCX; RIP := RCX;
    /// RFLAGS := (R11 & 0x3C7FD7) | 2; CS := (STAR\[63:48\] + 16) | 3; SS := (STAR\[63:48\] + 8) | 3; CPL 3.
    pub fn sysretq(&mut self) -> Result<(), Exception> {
        if self.cpu.cpl() != super::cpu::Cpl::Ring0 {
            return Err(Exception::GeneralProtection("sysret outside ring 0"));
        }
        let rcx = self.cpu.get(Gpr::Rcx);
        if !is_canonical(rcx) {
            return Err(Exception::GeneralProtection("sysret to a non-canonical RCX (raised in ring 0)"));
        }
        self.cpu.rip = rcx;
        self.cpu.rflags = (self.cpu.get(Gpr::R11) & SYSRET_RFLAGS_MASK) | flags::FIXED;
        let base = ((self.cpu.msr.star >> 48) & 0xffff) as u16;
        self.cpu.cs = base.wrapping_add(16) | 3;
        self.cpu.ss = base.wrapping_add(8) | 3;
        Ok(())
    }

    /// INT n through a 64-bit interrupt gate (SDM INT n): only vector 0x80 has a DPL-3 gate here. From ring 3 the
    /// CPU loads RSP from TSS.RSP0, aligns it to 16, pushes SS, RSP, RFLAGS, CS, RIP, clears TF, NT, RF, VM and
    /// (interrupt gate) IF, and enters ring 0 at the gate's target.
    pub fn int(&mut self, vector: u8, next: u64) -> Result<(), Exception> {
        if vector != 0x80 {
            return Err(Exception::GeneralProtection("no gate with DPL 3 for this vector"));
        }
        let old_ss = u64::from(self.cpu.ss);
        let old_rsp = self.cpu.get(Gpr::Rsp);
        let old_rflags = self.cpu.rflags;
        let old_cs = u64::from(self.cpu.cs);
        let rsp0 = self.mem.read_le(PER_CPU + PERCPU_TSS_SP0, 8, Access::Kernel).map_err(Exception::PageFault)?;
        self.cpu.cs = selectors::KERNEL_CS;
        // In 64-bit mode a privilege change loads SS with a NULL selector whose RPL is the new CPL.
        self.cpu.ss = 0;
        self.cpu.set(Gpr::Rsp, rsp0 & !0xf);
        for value in [old_ss, old_rsp, old_rflags, old_cs, next] {
            self.push(value)?;
        }
        self.cpu.rflags &= !(flags::TF | flags::NT | flags::RF | flags::VM | flags::IF);
        self.cpu.rip = ASM_INT80_EMULATION;
        Ok(())
    }

    /// IRETQ to ring 3 (SDM IRET): pops RIP, CS, RFLAGS, RSP, SS; the CPL comes from CS's RPL.
    pub fn iretq(&mut self) -> Result<(), Exception> {
        let rip = self.pop()?;
        let cs = self.pop()?;
        let rflags = self.pop()?;
        let rsp = self.pop()?;
        let ss = self.pop()?;
        self.cpu.rip = rip;
        self.cpu.cs = cs as u16;
        // Reserved bits read as their fixed values; VM cannot be set from 64-bit mode.
        self.cpu.rflags = (rflags & 0x3F7FD5 & !flags::VM) | flags::FIXED;
        self.cpu.set(Gpr::Rsp, rsp);
        self.cpu.ss = ss as u16;
        Ok(())
    }
}
