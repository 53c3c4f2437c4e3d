//! The model against the real CPU and kernel: on x86-64 Linux these tests execute real `syscall` instructions with
//! inline assembly and compare, register by register, what the CPU and kernel did with what the model predicts.
//!
//! [`traced_syscall`] puts a known, distinct value in every general register (RBX and RBP included: LLVM reserves
//! them, so the assembly saves and restores them itself) and a chosen RFLAGS, records RFLAGS right before
//! `syscall` (`pushfq`), executes it, and records every register and RFLAGS right after, plus the address of the
//! instruction after `syscall` (`lea rcx, [rip + 2b]`). Each case then checks three things:
//!
//! 1. The SDM's rules on the real CPU (Intel SDM Vol. 2B, "SYSCALL"): RCX = the next instruction's address,
//!    R11 = RFLAGS before with RF clear, RFLAGS after = `(R11 & 0x3C7FD7) | 2`, RSP and every other register unchanged.
//! 2. The model's machine, started with the same register values at the `syscall` of its `read` wrapper, runs its
//!    own entry code, `do_syscall_64` and `sysretq`, and ends with the same registers as the CPU (only the arguments
//!    that name real objects, such as the fd and the buffer address, are replaced by the model's equivalents).
//! 3. RAX equals what the model's [`Timeline`] returns for the equivalent scenario.
//!
//! A case where Linux and the model disagree fails here: the model is fixed, not the test.
//!
//! This is the one file allowed to contain `unsafe` (tests/architecture.rs checks that). Elsewhere it compiles to a
//! single test that prints why it was skipped.
#![allow(unsafe_code)]
#![cfg(not(target_arch = "wasm32"))]

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
#[test]
fn skipped_not_x86_64_linux() {
    println!("skipped: not x86-64 Linux, so no real `syscall` instruction to compare the model with");
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod real {
    use std::arch::asm;
    use std::ffi::CString;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use syscall_explorer::model::cpu::{flags, Cpl, Cpu, Gpr, SYSRET_RFLAGS_MASK, USER_CR3};
    use syscall_explorer::model::frame::FrameBuilder;
    use syscall_explorer::model::image::ROUTINES;
    use syscall_explorer::model::input::set_field;
    use syscall_explorer::model::layout::{BUF_ADDR, DO_SYSCALL_64};
    use syscall_explorer::model::linux;
    use syscall_explorer::model::program::{insn_at, routine, Role};
    use syscall_explorer::model::scenario::DEFAULT_NOTES;
    use syscall_explorer::model::{Preset, Scenario, Timeline};

    /// What [`traced_syscall`] reads and writes. The assembly addresses the fields by offset, so the layout is fixed.
    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default)]
    struct Block {
        /// Offset 0: the registers before, indexed by [`Gpr::index`] (RSP's slot is ignored).
        regs_in: [u64; 16],
        /// Offset 128: the registers right after `syscall` (RSP's slot is not written).
        regs_out: [u64; 16],
        /// Offset 256: what `popfq` loads before the call.
        flags_in: u64,
        /// Offset 264: RFLAGS by `pushfq` right before `syscall`.
        flags_before: u64,
        /// Offset 272: RFLAGS by `pushfq` right after.
        flags_after: u64,
        /// Offset 280: the address of the instruction after `syscall`.
        next_rip: u64,
        /// Offset 288: RSP after the three saves at the start of the assembly.
        rsp_start: u64,
        /// Offset 296: RSP after the `pushfq` that follows `syscall`.
        rsp_after_pushfq: u64,
    }

    impl Block {
        /// RSP at the `syscall` instruction: three saves, then the `pushfq` of the flags before.
        fn rsp_at_syscall(&self) -> u64 {
            self.rsp_start - 8
        }
    }

    /// RFLAGS for the call: CF PF AF ZF SF IF DF OF and bit 1, the pattern of the hardware trace in isa.md [S11].
    /// No TF (it would trap), no AC (Linux sets CR0.AM, so it would enable alignment checks), no RF, and IF must stay
    /// 1 in user mode.
    const FLAGS_MANY: u64 = 0x0ed7;
    /// Only IF and bit 1.
    const FLAGS_FEW: u64 = 0x0202;

    /// Executes one real `syscall` with every general register and RFLAGS set from `block`, and records the state
    /// right after it in `block`.
    fn traced_syscall(block: &mut Block) {
        let block_ptr: *mut Block = block;
        // SAFETY: the assembly saves and restores RBX and RBP (LLVM's reserved registers), declares every other
        // register it changes as clobbered, keeps RSP balanced (three pushes and the two pushfq are popped), only
        // writes inside `*block_ptr`, and clears DF before it ends as Rust requires. The system calls made are the
        // ones the tests choose: reads into buffers they own, or calls that fail without side effects.
        unsafe {
            asm!(
                "push rbx",
                "push rbp",
                "push rax",
                "mov [rax + 288], rsp",
                "push qword ptr [rax + 256]",
                "popfq",
                "mov rcx, [rax + 8]",
                "mov rdx, [rax + 16]",
                "mov rbx, [rax + 24]",
                "mov rbp, [rax + 40]",
                "mov rsi, [rax + 48]",
                "mov rdi, [rax + 56]",
                "mov r8, [rax + 64]",
                "mov r9, [rax + 72]",
                "mov r10, [rax + 80]",
                "mov r11, [rax + 88]",
                "mov r12, [rax + 96]",
                "mov r13, [rax + 104]",
                "mov r14, [rax + 112]",
                "mov r15, [rax + 120]",
                "mov rax, [rax]",
                "pushfq",
                "syscall",
                "2:",
                "pushfq",
                // The block pointer was saved under the two RFLAGS images; swap it with the result.
                "xchg rax, [rsp + 16]",
                "mov [rax + 136], rcx",
                "mov [rax + 144], rdx",
                "mov [rax + 152], rbx",
                "mov [rax + 168], rbp",
                "mov [rax + 176], rsi",
                "mov [rax + 184], rdi",
                "mov [rax + 192], r8",
                "mov [rax + 200], r9",
                "mov [rax + 208], r10",
                "mov [rax + 216], r11",
                "mov [rax + 224], r12",
                "mov [rax + 232], r13",
                "mov [rax + 240], r14",
                "mov [rax + 248], r15",
                "mov [rax + 296], rsp",
                "pop rcx",
                "mov [rax + 272], rcx",
                "pop rcx",
                "mov [rax + 264], rcx",
                "pop rcx",
                "mov [rax + 128], rcx",
                "lea rcx, [rip + 2b]",
                "mov [rax + 280], rcx",
                "pop rbp",
                "pop rbx",
                "cld",
                inout("rax") block_ptr => _,
                out("rcx") _,
                out("rdx") _,
                out("rsi") _,
                out("rdi") _,
                out("r8") _,
                out("r9") _,
                out("r10") _,
                out("r11") _,
                out("r12") _,
                out("r13") _,
                out("r14") _,
                out("r15") _,
            );
        }
    }

    /// A plain system call for setting up (mmap, munmap, openat, close): the kernel's six-argument convention.
    fn raw_syscall(nr: u64, args: [u64; 6]) -> u64 {
        let ret: u64;
        // SAFETY: `syscall` clobbers only RAX (the result), RCX and R11, all declared; it does not touch the stack.
        // The callers pass arguments for calls that only map or unmap memory they own, or open and close files.
        unsafe {
            asm!(
                "syscall",
                inlateout("rax") nr => ret,
                in("rdi") args[0],
                in("rsi") args[1],
                in("rdx") args[2],
                in("r10") args[3],
                in("r8") args[4],
                in("r9") args[5],
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        ret
    }

    /// Distinct values for every register, so a register that is overwritten or swapped shows. `seed` varies them.
    fn distinct_registers(seed: u64) -> [u64; 16] {
        let mut regs = [0; 16];
        for (idx, value) in regs.iter_mut().enumerate() {
            *value = 0x5a5a_0000_0000_0000 ^ (seed << 32) ^ ((idx as u64 + 1) * 0x0101_0101) ^ 0x8000_0000_0000_0000;
        }
        regs
    }

    /// A file in the temp directory holding `DEFAULT_NOTES`, deleted when dropped.
    struct NotesFile {
        path: PathBuf,
        file: std::fs::File,
    }

    impl NotesFile {
        fn create() -> NotesFile {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "syscall-explorer-real-cpu-{}-{}.txt",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&path, DEFAULT_NOTES).expect("write the notes file");
            let file = std::fs::File::open(&path).expect("open the notes file read-only");
            NotesFile { path, file }
        }

        fn fd(&self) -> u64 {
            self.file.as_raw_fd() as u64
        }

        fn c_path(&self) -> CString {
            CString::new(self.path.as_os_str().as_bytes()).expect("no NUL in a temp path")
        }
    }

    impl Drop for NotesFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// One case: the real registers and RFLAGS, the model's scenario, and which registers name real objects
    /// (the fd, a buffer address) and are replaced by the model's equivalents for the machine-level comparison.
    struct Case<'a> {
        name: &'a str,
        regs: [u64; 16],
        flags: u64,
        scenario: Scenario,
        substitutions: &'a [(Gpr, u64)],
    }

    /// The scenario a preset starts from, with edits applied as the page applies them.
    fn scenario(preset: Preset, edits: &[(&str, &str)]) -> Scenario {
        let mut scenario = Scenario::preset(preset);
        for (name, value) in edits {
            set_field(&mut scenario, name, value).unwrap_or_else(|why| panic!("edit {name}={value}: {why}"));
        }
        scenario
    }

    /// The model's machine with the given registers and RFLAGS at the `syscall` of the `read` wrapper, run through
    /// the model's entry code, `do_syscall_64` and the exit until it is back in ring 3. Returns the CPU before and
    /// after, and the address after that `syscall`.
    fn model_round_trip(scenario: &Scenario, regs: [u64; 16], rflags: u64) -> (Cpu, Cpu, u64) {
        let syscall_insn = routine(ROUTINES, "read")
            .and_then(|wrapper| wrapper.insns.iter().find(|image_insn| image_insn.role == Role::Syscall))
            .expect("the read wrapper has a syscall instruction");
        let mut builder = FrameBuilder::new(scenario);
        builder.machine.cpu.gpr = regs;
        builder.machine.cpu.rflags = rflags;
        builder.machine.cpu.rip = syscall_insn.addr;
        let before = builder.machine.cpu.clone();
        builder.machine.execute(syscall_insn).expect("syscall from ring 3 does not fault");
        for _ in 0..1000 {
            if builder.machine.cpu.cpl() == Cpl::Ring3 {
                return (before, builder.machine.cpu.clone(), syscall_insn.next_addr());
            }
            let rip = builder.machine.cpu.rip;
            if rip == DO_SYSCALL_64 {
                linux::do_syscall_64(&mut builder);
                continue;
            }
            let image_insn = insn_at(ROUTINES, rip).unwrap_or_else(|| panic!("no model instruction at {rip:#x}"));
            if !image_insn.patch.runs(scenario.runs_pti()) {
                // An ALTERNATIVE site this kernel patched out (the timeline skips it the same way).
                builder.machine.cpu.rip = image_insn.next_addr();
                continue;
            }
            builder.machine.execute(image_insn).unwrap_or_else(|why| panic!("{}: {}", image_insn.text, why.describe()));
        }
        panic!("the model's kernel did not return to ring 3 within 1000 steps");
    }

    /// RAX as the program sees it right after the model's `sysretq`, from the whole [`Timeline`].
    fn timeline_rax(scenario: &Scenario) -> u64 {
        let timeline = Timeline::run(scenario);
        let ret = timeline.return_frame().expect("the model's call returns");
        timeline.frames[ret].machine.cpu.get(Gpr::Rax)
    }

    /// The GPRs other than RSP, which the assembly cannot set.
    fn checked_gprs() -> impl Iterator<Item = Gpr> {
        Gpr::ALL.into_iter().filter(|gpr| *gpr != Gpr::Rsp)
    }

    /// Runs a case on the real CPU and in the model and checks the three things the module docs list. Returns what
    /// the real CPU recorded.
    fn run_case(case: &Case<'_>) -> Block {
        let name = case.name;
        let mut block = Block { regs_in: case.regs, flags_in: case.flags, ..Block::default() };
        traced_syscall(&mut block);
        let real_in = block.regs_in;
        let real_out = block.regs_out;
        let get = |regs: &[u64; 16], gpr: Gpr| regs[gpr.index()];

        // 1. The SDM's rules, on the real CPU.
        assert_eq!(block.flags_before, case.flags, "{name}: popfq loaded the chosen RFLAGS");
        assert_eq!(get(&real_out, Gpr::Rcx), block.next_rip, "{name}: real RCX is the address after syscall");
        assert_eq!(
            get(&real_out, Gpr::R11),
            block.flags_before & !flags::RF,
            "{name}: real R11 is RFLAGS before, RF clear"
        );
        assert_eq!(
            block.flags_after,
            (get(&real_out, Gpr::R11) & SYSRET_RFLAGS_MASK) | flags::FIXED,
            "{name}: real RFLAGS after is (R11 & 0x3C7FD7) | 2"
        );
        assert_eq!(block.rsp_after_pushfq, block.rsp_start - 16, "{name}: RSP is unchanged across syscall");
        for gpr in checked_gprs().filter(|gpr| ![Gpr::Rax, Gpr::Rcx, Gpr::R11].contains(gpr)) {
            assert_eq!(
                get(&real_out, gpr),
                get(&real_in, gpr),
                "{name}: real {} is unchanged across syscall",
                gpr.name()
            );
        }

        // 2. The model's machine with the same registers (the real objects replaced by the model's).
        let mut model_in = real_in;
        model_in[Gpr::Rsp.index()] = block.rsp_at_syscall();
        for (gpr, value) in case.substitutions {
            model_in[gpr.index()] = *value;
        }
        let (model_before, model_after, model_next) = model_round_trip(&case.scenario, model_in, block.flags_before);
        assert_eq!(model_after.rip, model_next, "{name}: the model returns to the instruction after syscall");
        assert_eq!(model_after.get(Gpr::Rcx), model_next, "{name}: model RCX is the address after syscall");
        assert_eq!((model_after.cs, model_after.ss), (0x33, 0x2b), "{name}: model CS and SS after sysretq");
        assert_eq!(model_after.gs_base, model_before.gs_base, "{name}: the model's GS base is the user's again");
        assert_eq!(model_after.get(Gpr::Rsp), model_before.get(Gpr::Rsp), "{name}: the model restores RSP");
        assert_eq!(model_after.rflags, block.flags_after, "{name}: RFLAGS after, model vs CPU");
        for gpr in checked_gprs().filter(|gpr| *gpr != Gpr::Rcx) {
            let substituted = case.substitutions.iter().any(|(sub, _)| *sub == gpr);
            if substituted {
                assert_eq!(model_after.get(gpr), model_before.get(gpr), "{name}: model {} unchanged", gpr.name());
            } else {
                assert_eq!(
                    model_after.get(gpr),
                    get(&real_out, gpr),
                    "{name}: {} after the call, model vs CPU (model {:#x}, CPU {:#x})",
                    gpr.name(),
                    model_after.get(gpr),
                    get(&real_out, gpr)
                );
            }
        }

        // 2b. A kernel with the model's mitigations (PTI, verw) hands the program exactly the same registers, and its
        // own page tables back.
        let mitigated = Scenario { mitigations: true, ..case.scenario.clone() };
        let (pti_before, pti_after, _) = model_round_trip(&mitigated, model_in, block.flags_before);
        assert_eq!(pti_after.gpr, model_after.gpr, "{name}: registers after the call, with mitigations vs without");
        assert_eq!(pti_after.rflags, model_after.rflags, "{name}: RFLAGS after the call, with mitigations vs without");
        assert_eq!(pti_after.rip, model_after.rip, "{name}: where the call returns, with mitigations vs without");
        assert_eq!(pti_before.cr3, USER_CR3, "{name}: with mitigations, the program runs on the user page tables");
        assert_eq!(pti_after.cr3, USER_CR3, "{name}: with mitigations, CR3 is the user's page tables again");

        // 3. The whole timeline of the equivalent scenario gives the same RAX.
        let model_rax = timeline_rax(&case.scenario);
        assert_eq!(
            model_rax,
            get(&real_out, Gpr::Rax),
            "{name}: RAX, model timeline {} vs CPU {}",
            model_rax as i64,
            get(&real_out, Gpr::Rax) as i64
        );
        block
    }

    /// Registers for a call: distinct values everywhere, then the number and the first three arguments.
    fn call_regs(seed: u64, nr: u64, args: [u64; 3]) -> [u64; 16] {
        let mut regs = distinct_registers(seed);
        regs[Gpr::Rax.index()] = nr;
        regs[Gpr::Rdi.index()] = args[0];
        regs[Gpr::Rsi.index()] = args[1];
        regs[Gpr::Rdx.index()] = args[2];
        regs
    }

    const NR_READ: u64 = 0;
    const NR_WRITE: u64 = 1;
    const NR_CLOSE: u64 = 3;
    const NR_MMAP: u64 = 9;
    const NR_MUNMAP: u64 = 11;
    const NR_GETPID: u64 = 39;
    const NR_OPENAT: u64 = 257;
    const AT_FDCWD: u64 = -100i64 as u64;
    const EBADF: u64 = -9i64 as u64;
    const EFAULT: u64 = -14i64 as u64;
    const ENOSYS: u64 = -38i64 as u64;
    const ENOENT: u64 = -2i64 as u64;
    /// An fd no process has open: above any RLIMIT_NOFILE, as an `unsigned int`.
    const BAD_FD: u64 = 0xffff_fff0;

    #[test]
    fn read_fills_the_buffer_with_the_file() {
        for (seed, flags) in [(1, FLAGS_MANY), (2, FLAGS_FEW)] {
            let notes = NotesFile::create();
            let mut buffer = [0u8; 64];
            let buf = buffer.as_mut_ptr() as u64;
            run_case(&Case {
                name: "read",
                regs: call_regs(seed, NR_READ, [notes.fd(), buf, 64]),
                flags,
                scenario: scenario(Preset::Read, &[]),
                substitutions: &[(Gpr::Rdi, 3), (Gpr::Rsi, BUF_ADDR)],
            });
            assert_eq!(&buffer[..DEFAULT_NOTES.len()], DEFAULT_NOTES.as_bytes(), "the real read filled the buffer");
            assert!(buffer[DEFAULT_NOTES.len()..].iter().all(|byte| *byte == 0), "and nothing past the file's end");
        }
    }

    #[test]
    fn read_with_a_bad_fd_is_ebadf() {
        let block = run_case(&Case {
            name: "read bad fd",
            regs: call_regs(3, NR_READ, [BAD_FD, BUF_ADDR, 64]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::ReadBadFd, &[("fd", "0xfffffff0")]),
            substitutions: &[],
        });
        assert_eq!(block.regs_out[Gpr::Rax.index()], EBADF);
    }

    #[test]
    fn unknown_number_1000_is_enosys() {
        let block = run_case(&Case {
            name: "nr 1000",
            regs: call_regs(4, 1000, [0, 0, 0]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::UnknownNumber, &[]),
            substitutions: &[],
        });
        assert_eq!(block.regs_out[Gpr::Rax.index()], ENOSYS);
    }

    #[test]
    fn read_into_a_bad_buffer_is_efault() {
        let notes = NotesFile::create();
        let block = run_case(&Case {
            name: "read bad buffer",
            regs: call_regs(5, NR_READ, [notes.fd(), 0x10, 64]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::ReadBadBuffer, &[]),
            substitutions: &[(Gpr::Rdi, 3)],
        });
        assert_eq!(block.regs_out[Gpr::Rax.index()], EFAULT);
    }

    #[test]
    fn getpid_is_this_process() {
        let pid = std::process::id();
        let block = run_case(&Case {
            name: "getpid",
            regs: call_regs(6, NR_GETPID, [0, 0, 0]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::Getpid, &[("pid", &pid.to_string())]),
            substitutions: &[],
        });
        assert_eq!(block.regs_out[Gpr::Rax.index()], u64::from(pid));
    }

    // More differential cases: the same three checks for the edited scenarios of tests/scenarios.rs.

    #[test]
    fn read_count_0_and_5() {
        for (seed, count) in [(7, 0u64), (8, 5)] {
            let notes = NotesFile::create();
            let mut buffer = [0u8; 64];
            run_case(&Case {
                name: "read count",
                regs: call_regs(seed, NR_READ, [notes.fd(), buffer.as_mut_ptr() as u64, count]),
                flags: FLAGS_MANY,
                scenario: scenario(Preset::Read, &[("count", &count.to_string())]),
                substitutions: &[(Gpr::Rdi, 3), (Gpr::Rsi, BUF_ADDR)],
            });
            assert_eq!(&buffer[..count as usize], &DEFAULT_NOTES.as_bytes()[..count as usize]);
        }
    }

    #[test]
    fn read_into_the_kernel_half_is_efault() {
        let notes = NotesFile::create();
        run_case(&Case {
            name: "read buf 0xfffffffffffff000",
            regs: call_regs(9, NR_READ, [notes.fd(), 0xffff_ffff_ffff_f000, 64]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::Read, &[("buf", "0xfffffffffffff000")]),
            substitutions: &[(Gpr::Rdi, 3)],
        });
    }

    /// A buffer whose range ends above TASK_SIZE_MAX but below 2^63: `access_ok()` in Linux 6.12 compares the end
    /// with `USER_PTR_MAX` (TASK_SIZE_MAX), so the read fails with -EFAULT before anything is copied.
    #[test]
    fn read_whose_range_ends_past_the_user_half_is_efault() {
        let notes = NotesFile::create();
        let mut buffer = [0u8; 64];
        let count = 1u64 << 62;
        let block = run_case(&Case {
            name: "read count 2^62",
            regs: call_regs(10, NR_READ, [notes.fd(), buffer.as_mut_ptr() as u64, count]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::Read, &[("count", &count.to_string())]),
            substitutions: &[(Gpr::Rdi, 3), (Gpr::Rsi, BUF_ADDR)],
        });
        assert_eq!(block.regs_out[Gpr::Rax.index()], EFAULT);
        assert!(buffer.iter().all(|byte| *byte == 0), "nothing was copied");
    }

    /// Two fresh pages, the second unmapped again: a read 16 bytes before the hole copies 16 bytes and returns 16,
    /// as the model does at the end of its data page (0x404ff0).
    #[test]
    fn read_that_runs_into_an_unmapped_page_is_partial() {
        const PAGE: u64 = 4096;
        let addr = raw_syscall(NR_MMAP, [0, 2 * PAGE, 3, 0x22, u64::MAX, 0]);
        assert!((addr as i64) > 0, "mmap failed: {}", addr as i64);
        assert_eq!(raw_syscall(NR_MUNMAP, [addr + PAGE, PAGE, 0, 0, 0, 0]), 0, "munmap the second page");
        let notes = NotesFile::create();
        let block = run_case(&Case {
            name: "read near a hole",
            regs: call_regs(11, NR_READ, [notes.fd(), addr + PAGE - 16, 64]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::Read, &[("buf", "0x404ff0")]),
            substitutions: &[(Gpr::Rdi, 3), (Gpr::Rsi, 0x404ff0)],
        });
        assert_eq!(block.regs_out[Gpr::Rax.index()], 16);
        // SAFETY: the first page is still mapped, readable and ours; the 16 bytes before its end were just written.
        let copied = unsafe { std::slice::from_raw_parts((addr + PAGE - 16) as *const u8, 16) }.to_vec();
        assert_eq!(copied, &DEFAULT_NOTES.as_bytes()[..16]);
        assert_eq!(raw_syscall(NR_MUNMAP, [addr, PAGE, 0, 0, 0, 0]), 0);
    }

    #[test]
    fn write_to_a_read_only_fd_is_ebadf() {
        let notes = NotesFile::create();
        let message = b"Hello, console!\n";
        let block = run_case(&Case {
            name: "write read-only fd",
            regs: call_regs(12, NR_WRITE, [notes.fd(), message.as_ptr() as u64, message.len() as u64]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::Write, &[("fd", "3")]),
            substitutions: &[(Gpr::Rdi, 3), (Gpr::Rsi, BUF_ADDR)],
        });
        assert_eq!(block.regs_out[Gpr::Rax.index()], EBADF);
    }

    /// A terminal takes writes in chunks of 2048 bytes (`iterate_tty_write()`): each chunk is copied in whole or the
    /// write stops with -EFAULT (or with what earlier chunks wrote). A 64-byte write whose last 48 bytes are not
    /// mapped is therefore -EFAULT, and nothing reaches the terminal.
    #[test]
    fn write_to_a_terminal_from_a_partly_mapped_buffer_is_efault() {
        const PAGE: u64 = 4096;
        const O_RDWR_NOCTTY_CLOEXEC: u64 = 0o2 | 0o400 | 0o2000000;
        const TIOCSPTLCK: u64 = 0x4004_5431;
        const TIOCGPTPEER: u64 = 0x5441;
        const NR_IOCTL: u64 = 16;
        let ptmx = CString::new("/dev/ptmx").expect("no NUL");
        let master = raw_syscall(NR_OPENAT, [AT_FDCWD, ptmx.as_ptr() as u64, O_RDWR_NOCTTY_CLOEXEC, 0, 0, 0]);
        if (master as i64) < 0 {
            println!("skipped: no /dev/ptmx here ({})", master as i64);
            return;
        }
        let unlock = 0u32;
        assert_eq!(raw_syscall(NR_IOCTL, [master, TIOCSPTLCK, &unlock as *const u32 as u64, 0, 0, 0]), 0);
        let terminal = raw_syscall(NR_IOCTL, [master, TIOCGPTPEER, O_RDWR_NOCTTY_CLOEXEC, 0, 0, 0]);
        assert!((terminal as i64) >= 0, "TIOCGPTPEER: {}", terminal as i64);
        let addr = raw_syscall(NR_MMAP, [0, 2 * PAGE, 3, 0x22, u64::MAX, 0]);
        assert!((addr as i64) > 0, "mmap failed: {}", addr as i64);
        assert_eq!(raw_syscall(NR_MUNMAP, [addr + PAGE, PAGE, 0, 0, 0, 0]), 0);
        let whole = raw_syscall(NR_WRITE, [terminal, addr + PAGE - 16, 16, 0, 0, 0]);
        let partial = raw_syscall(NR_WRITE, [terminal, addr + PAGE - 16, 64, 0, 0, 0]);
        for fd in [terminal, master] {
            raw_syscall(NR_CLOSE, [fd, 0, 0, 0, 0, 0]);
        }
        raw_syscall(NR_MUNMAP, [addr, PAGE, 0, 0, 0, 0]);
        assert_eq!(whole, 16, "the mapped 16 bytes alone are written");
        assert_eq!(partial, EFAULT, "a chunk that is only partly mapped is -EFAULT");
        let model = Timeline::run(&scenario(Preset::Write, &[("buf", "0x404ff0"), ("count", "64")]));
        let ret = model.return_frame().expect("the model's call returns");
        assert_eq!(model.frames[ret].machine.cpu.get(Gpr::Rax), EFAULT, "the model agrees");
    }

    #[test]
    fn close_of_an_fd_that_is_not_open_is_ebadf() {
        run_case(&Case {
            name: "close bad fd",
            regs: call_regs(13, NR_CLOSE, [BAD_FD, 0, 0]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::Close, &[("fd", "42")]),
            substitutions: &[(Gpr::Rdi, 42)],
        });
    }

    #[test]
    fn openat_of_a_missing_file_is_enoent() {
        let missing = CString::new("/nonexistent-syscall-explorer-dir/missing.txt").expect("no NUL");
        let block = run_case(&Case {
            name: "openat missing",
            regs: call_regs(14, NR_OPENAT, [AT_FDCWD, missing.as_ptr() as u64, 0]),
            flags: FLAGS_MANY,
            scenario: scenario(Preset::OpenatMissing, &[]),
            substitutions: &[(Gpr::Rsi, syscall_explorer::model::layout::PATH_ADDR)],
        });
        assert_eq!(block.regs_out[Gpr::Rax.index()], ENOENT);
    }

    /// O_ACCMODE 3 (open(2): "check for read and write permission on the file and return a file descriptor that can't
    /// be used for reading or writing") opens a file we may read and write.
    #[test]
    fn openat_with_access_mode_3_opens_the_file() {
        let notes = NotesFile::create();
        let path = notes.c_path();
        let fd = raw_syscall(NR_OPENAT, [AT_FDCWD, path.as_ptr() as u64, 3, 0, 0, 0]);
        assert!((fd as i64) >= 0, "Linux opens it: {}", fd as i64);
        let mut buffer = [0u8; 8];
        assert_eq!(raw_syscall(NR_READ, [fd, buffer.as_mut_ptr() as u64, 8, 0, 0, 0]), EBADF, "but cannot read it");
        assert_eq!(raw_syscall(NR_CLOSE, [fd, 0, 0, 0, 0, 0]), 0);
        let model = Timeline::run(&scenario(Preset::OpenatMissing, &[("path", "notes.txt"), ("flags", "3")]));
        let ret = model.return_frame().expect("the model's call returns");
        let model_rax = model.frames[ret].machine.cpu.get(Gpr::Rax) as i64;
        assert!(model_rax >= 0, "the model opens it too (it says {model_rax})");
    }

    /// Clock ids the vDSO does not serve itself make the real clock_gettime syscall, which succeeds for the CPU-time
    /// clocks (2, 3) and CLOCK_TAI (11) and fails with -EINVAL only for unknown ids (10 was CLOCK_SGI_CYCLE, 12 does
    /// not exist).
    #[test]
    fn clock_gettime_of_other_clocks_matches_linux() {
        const NR_CLOCK_GETTIME: u64 = 228;
        for clock_id in [2u64, 3, 10, 11, 12] {
            let mut timespec = [0u64; 2];
            let real = raw_syscall(NR_CLOCK_GETTIME, [clock_id, timespec.as_mut_ptr() as u64, 0, 0, 0, 0]) as i64;
            let model = Timeline::run(&scenario(Preset::VdsoClockGettime, &[("clockid", &clock_id.to_string())]));
            let model_result = model.result().expect("clock_gettime returns");
            assert_eq!(model_result, real, "clock_gettime({clock_id}): model vs Linux");
        }
    }

    #[test]
    fn raw_numbers_skip_upper_half_ni_and_gap() {
        let pid = u64::from(std::process::id());
        let pid_text = pid.to_string();
        let cases: [(&str, u64, u64); 5] = [
            ("-1", u64::MAX, ENOSYS),
            ("0x100000027", 0x1_0000_0027, pid),
            ("212", 212, ENOSYS),
            ("400", 400, ENOSYS),
            ("1000", 1000, ENOSYS),
        ];
        for (seed, (nr_text, nr, expected)) in cases.into_iter().enumerate() {
            let block = run_case(&Case {
                name: &format!("raw nr {nr_text}"),
                regs: call_regs(20 + seed as u64, nr, [0, 0, 0]),
                flags: FLAGS_MANY,
                scenario: scenario(Preset::RawProbe, &[("nr", nr_text), ("pid", &pid_text)]),
                substitutions: &[],
            });
            assert_eq!(block.regs_out[Gpr::Rax.index()], expected, "raw nr {nr_text}");
        }
    }
}
