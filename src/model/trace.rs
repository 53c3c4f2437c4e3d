//! Text renderings of a [`Timeline`]: the full table the `trace` command prints, and a compact summary the
//! data-driven tests compare.

use std::fmt::Write as _;

use super::cpu::{Gpr, Reg};
use super::frame::Executed;
use super::lesson::LessonStep;
use super::program::Role;
use super::timeline::{Ending, Timeline};

/// The full table: one line per frame with step, CPL, what executed and the registers that changed.
pub fn table(timeline: &Timeline) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario: {} ({})", timeline.scenario.preset.id(), timeline.scenario.program.signature());
    let _ = writeln!(out, "{:>4}  step  cpl  {:<70}  changed", "#", "executed");
    for frame in &timeline.frames {
        let changed: Vec<String> = frame
            .changed_regs
            .iter()
            .map(|reg| format!("{}={:#x}", reg.name(), frame.machine.cpu.read(*reg)))
            .collect();
        let mem: Vec<String> =
            frame.changed_mem.iter().map(|change| format!("mem[{:#x}+{}]", change.addr, change.len)).collect();
        let _ = writeln!(
            out,
            "{:>4}  {:>4}  {:>3}  {:<70}  {}",
            frame.index,
            frame.step.number(),
            frame.cpl().number(),
            frame.executed.describe(),
            [changed, mem].concat().join(" ")
        );
    }
    let _ = writeln!(out, "ending: {}", ending(timeline));
    for note in &timeline.simplifications {
        let _ = writeln!(out, "simplified: {note}");
    }
    out
}

/// How the run ended, in words.
pub fn ending(timeline: &Timeline) -> String {
    match &timeline.ending {
        Ending::Returned { rax, errno: Some(errno) } => format!(
            "the call returned {} with errno = {errno} ({})",
            *rax as i64,
            super::errno::errno_name(i64::from(*errno))
        ),
        // The vDSO scenario calls __vdso_clock_gettime directly, as glibc does inside clock_gettime; glibc then turns
        // a negative result into -1 and errno for its caller.
        Ending::Returned { rax, errno: None }
            if timeline.scenario.program == super::scenario::Program::VdsoClockGettime
                && super::errno::is_error(*rax as i64) =>
        {
            format!(
                "__vdso_clock_gettime returned {}; glibc's clock_gettime would give its caller -1 with errno = {} ({})",
                super::errno::describe_result(*rax as i64),
                -(*rax as i64),
                super::errno::errno_name(-(*rax as i64))
            )
        }
        Ending::Returned { rax, errno: None } => {
            format!("the call returned {}", super::errno::describe_result(*rax as i64))
        }
        Ending::Exited { status } => format!("the process exited with status {status}: the call never returns"),
        Ending::Killed { why } => format!("the process was killed: {why}"),
    }
}

/// One or two sentences on what a lesson step did in this run, from the run's own path and outcome (the handout's
/// page summaries): `int 0x80` traps and returns differently, the vDSO never traps, a failed call refuses the work.
pub fn step_summary(timeline: &Timeline, step: LessonStep) -> String {
    use super::scenario::Program;
    let program = timeline.scenario.program;
    let result = timeline.result();
    let failed = result.is_some_and(super::errno::is_error)
        || matches!(&timeline.ending, Ending::Returned { errno: Some(_), .. });
    match (step, program) {
        (LessonStep::CallLibrary | LessonStep::LoadRegisters, Program::Raw) => {
            "No C library: the program sets RAX and the argument registers itself.".to_string()
        }
        (LessonStep::LoadRegisters, Program::Int80Read) => {
            "The i386 number goes in EAX, the arguments in EBX, ECX, EDX.".to_string()
        }
        (LessonStep::Trap, Program::Int80Read) => {
            "int 0x80 enters ring 0 through an interrupt gate; the CPU pushes SS, RSP, RFLAGS, CS, RIP.".to_string()
        }
        (LessonStep::Return, Program::Int80Read) => {
            "The kernel restores the registers; iretq pops RIP, CS, RFLAGS, RSP, SS: ring 3.".to_string()
        }
        (LessonStep::Work, Program::VdsoClockGettime) => {
            "The vDSO reads the clock from a page the kernel shares: no mode switch.".to_string()
        }
        (LessonStep::Work, _) if failed => format!("The handler refuses: {}.", ending(timeline)),
        (LessonStep::Resume, _) => {
            format!("The program continues after the trapping instruction: {}.", ending(timeline))
        }
        _ => step.summary().to_string(),
    }
}

/// A compact summary for tests: the kernel steps, every privilege change, and the user-visible register changes
/// across the trap.
pub fn summary(timeline: &Timeline) -> String {
    let mut out = String::new();
    let mut prev_cpl = None;
    for frame in &timeline.frames {
        let cpl = frame.cpl().number();
        match &frame.executed {
            Executed::Insn(image_insn) if prev_cpl.is_some_and(|prev| prev != cpl) => {
                let _ = writeln!(out, "{} -> ring {cpl} at {:#x}", image_insn.text, frame.machine.cpu.rip);
            }
            Executed::Insn(image_insn) if matches!(image_insn.role, Role::Cr3Write { .. } | Role::Verw) => {
                let cr3 = frame.machine.cpu.cr3;
                let what = match image_insn.role {
                    Role::Verw => "clears the CPU buffers".to_string(),
                    _ => format!("cr3={cr3:#x} ({})", super::cpu::cr3_name(cr3)),
                };
                let _ = writeln!(out, "  {}: {} -> {what}", frame.step.number(), image_insn.text);
            }
            Executed::CCode { function, code, .. } => {
                let _ = writeln!(out, "  {}: [{function}] {code}", frame.step.number());
            }
            Executed::Fault { what, .. } => {
                let _ = writeln!(out, "fault: {what}");
            }
            _ => {}
        }
        prev_cpl = Some(cpl);
    }
    if let (Some(trap), Some(ret)) = (timeline.trap_frame(), timeline.return_frame()) {
        let before = &timeline.frames[trap - 1].machine.cpu;
        let after = &timeline.frames[ret].machine.cpu;
        let changed: Vec<String> = Gpr::ALL
            .into_iter()
            .filter(|gpr| before.get(*gpr) != after.get(*gpr))
            .map(|gpr| format!("{}={:#x}", gpr.name(), after.get(gpr)))
            .collect();
        let flags_note = if before.read(Reg::Rflags) == after.read(Reg::Rflags) { "same" } else { "changed" };
        let _ = writeln!(out, "across the trap: {} (rflags {flags_note})", changed.join(" "));
    }
    let _ = writeln!(out, "ending: {}", ending(timeline));
    out
}

/// Escapes a string for JSON.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ch if (ch as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

/// The trace as JSON, the format `trace --json` prints and the page downloads (a contract, see README):
/// `{"scenario", "program", "ending", "frames": [{"index", "step", "cpl", "executed", "narration_key", "narration",
/// "regs": {"rax": "0x…", …, "rip", "rflags", "cs", "ss"}}]}`.
///
/// Written by hand rather than with serde_json so the browser build stays small; `tests/trace_json.rs` parses it
/// with serde_json to hold it to the format.
pub fn json(timeline: &Timeline) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{{\n  \"scenario\": {},\n  \"program\": {},\n  \"ending\": {},\n  \"frames\": [",
        json_string(timeline.scenario.preset.id()),
        json_string(timeline.scenario.program.signature()),
        json_string(&ending(timeline))
    );
    for (idx, frame) in timeline.frames.iter().enumerate() {
        let cpu = &frame.machine.cpu;
        let mut regs: Vec<String> =
            Gpr::DISPLAY_ORDER.iter().map(|gpr| format!("\"{}\": \"{:#x}\"", gpr.name(), cpu.get(*gpr))).collect();
        regs.push(format!("\"rip\": \"{:#x}\"", cpu.rip));
        regs.push(format!("\"rflags\": \"{:#x}\"", cpu.rflags));
        regs.push(format!("\"cs\": \"{:#x}\"", cpu.cs));
        regs.push(format!("\"ss\": \"{:#x}\"", cpu.ss));
        let _ = write!(
            out,
            "{}\n    {{\"index\": {}, \"step\": {}, \"cpl\": {}, \"executed\": {}, \"narration_key\": {}, \"narration\": {}, \"regs\": {{{}}}}}",
            if idx == 0 { "" } else { "," },
            frame.index,
            frame.step.number(),
            frame.cpl().number(),
            json_string(&frame.executed.describe()),
            json_string(&frame.narration_key),
            json_string(&frame.narration),
            regs.join(", ")
        );
    }
    out.push_str("\n  ]\n}\n");
    out
}
