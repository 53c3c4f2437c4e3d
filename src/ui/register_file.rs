//! The register file: the sixteen general registers, RIP, RFLAGS with its named flags, CS and SS with the CPL.
//! Registers that changed in this frame are marked (a symbol and a colour, not colour alone); each has its role.

use yew::prelude::*;

use crate::model::cpu::{flags, Cpl, Gpr, Reg};
use crate::model::frame::Executed;
use crate::model::program::Role;
use crate::model::scenario::Program;
use crate::state::{FrameRef, Radix};

use std::fmt::Write as _;

use super::common::{escape_html, hex64, raw};

#[derive(Properties, PartialEq)]
pub struct RegisterFileProps {
    pub frame: FrameRef,
    pub radix: Radix,
    pub on_toggle_radix: Callback<()>,
}

/// What a register holds while the kernel runs: after the entry code saved the user's values in pt_regs, most
/// registers are zeroed or scratch; RDI and RSI carry the C function's arguments.
pub fn kernel_role(gpr: Gpr, program: Program) -> &'static str {
    match gpr {
        // The int 0x80 entry passes only the pt_regs pointer.
        Gpr::Rsi if program == Program::Int80Read => "",
        Gpr::Rax => "number, later the result",
        Gpr::Rdi => "C arg 1: struct pt_regs *",
        Gpr::Rsi => "C arg 2: nr",
        _ => "",
    }
}

/// What a register is for in this scenario, in user mode.
pub fn role(gpr: Gpr, program: Program) -> &'static str {
    if program == Program::Int80Read {
        return match gpr {
            Gpr::Rax => "number (i386), then result",
            Gpr::Rbx => "arg 1",
            Gpr::Rcx => "arg 2",
            Gpr::Rdx => "arg 3",
            _ => "",
        };
    }
    match gpr {
        Gpr::Rax => "syscall number, then result",
        Gpr::Rdi => "arg 1",
        Gpr::Rsi => "arg 2",
        Gpr::Rdx => "arg 3",
        Gpr::R10 => "arg 4 (syscall ABI)",
        Gpr::R8 => "arg 5",
        Gpr::R9 => "arg 6",
        Gpr::Rcx => "saved RIP (by syscall)",
        Gpr::R11 => "saved RFLAGS (by syscall)",
        _ => "",
    }
}

/// Formats a value in the chosen radix.
pub fn format_value(value: u64, radix: Radix) -> String {
    match radix {
        Radix::Hex => hex64(value),
        Radix::Decimal => (value as i64).to_string(),
    }
}

fn row(out: &mut String, name: &str, value: &str, role_text: &str, changed: bool) {
    let _ = write!(
        out,
        "<tr{} data-testid=\"reg-{}\" data-changed=\"{changed}\"><th scope=\"row\">{}</th><td class=\"value\">\
         <code data-testid=\"value\">{value}</code></td><td class=\"change-mark\">{}</td><td class=\"role\">{}</td></tr>",
        if changed { " class=\"changed\"" } else { "" },
        name.replace('.', "_"),
        name.to_ascii_uppercase(),
        if changed { "▲ changed" } else { "" },
        escape_html(role_text),
    );
}

/// The register panel.
#[function_component(RegisterFile)]
pub fn register_file(props: &RegisterFileProps) -> Html {
    let frame = &props.frame;
    let timeline = &frame.timeline;
    let radix = props.radix;
    let cpu = &frame.machine.cpu;
    let program = timeline.scenario.program;
    let changed = |reg: Reg| frame.changed_regs.contains(&reg);
    let on_radix = props.on_toggle_radix.reform(|_: MouseEvent| ());
    // The C-function roles hold from `mov rdi, rsp` until the C code returns; before that, in the entry code, the
    // registers still carry the user's values (until they are saved and cleared).
    let in_c = matches!(&frame.executed, Executed::CCode { .. })
        || matches!(&frame.executed, Executed::Insn(image_insn)
            if matches!(image_insn.role, Role::PtRegsArg | Role::NrArg | Role::CallC));
    let stack_role = stack_role(cpu.get(Gpr::Rsp));
    let cleared_regs = use_memo(timeline.clone(), |timeline| timeline.cleared_regs());
    let cleared = cleared_regs.get(frame.index).copied().unwrap_or(0);
    let leftover = frame.step == crate::model::LessonStep::CallLibrary && program != Program::Raw;
    let rax_error = super::changes::as_error(Reg::Gpr(Gpr::Rax), cpu.get(Gpr::Rax));
    let role_now = |gpr: Gpr| match gpr {
        Gpr::Rsp => stack_role,
        Gpr::Rax if leftover => "a leftover value: the syscall number goes in at step 2",
        Gpr::Rax if !in_c && rax_error.is_some() => rax_error.as_deref().unwrap_or_default(),
        _ if in_c && !kernel_role(gpr, program).is_empty() => kernel_role(gpr, program),
        _ if cleared & (1 << gpr as u16) != 0 => "user value saved in pt_regs; zeroed",
        _ if in_c => "",
        _ => role(gpr, program),
    };
    let cpl_of = |selector: u16| Cpl::of_selector(selector).number();
    let mut table = String::from(
        "<table class=\"regs\"><caption class=\"visually-hidden\">Register values in this frame; changed ones are \
         marked</caption><tbody>",
    );
    for gpr in Gpr::DISPLAY_ORDER {
        row(&mut table, gpr.name(), &format_value(cpu.get(gpr), radix), role_now(gpr), changed(Reg::Gpr(gpr)));
    }
    row(&mut table, "rip", &hex64(cpu.rip), "next instruction", changed(Reg::Rip));
    row(&mut table, "rflags", &hex64(cpu.rflags), "flags", changed(Reg::Rflags));
    let cs_role = format!("code segment · RPL {} = CPL", cpl_of(cpu.cs));
    row(&mut table, "cs", &format!("{:#06x}", cpu.cs), &cs_role, changed(Reg::Cs));
    row(&mut table, "ss", &format!("{:#06x}", cpu.ss), "stack segment", changed(Reg::Ss));
    row(&mut table, "gs.base", &hex64(cpu.gs_base), "swapped by swapgs", changed(Reg::GsBase));
    let pti = timeline.scenario.runs_pti();
    row(&mut table, "cr3", &hex64(cpu.cr3), &cr3_role(cpu.cr3, pti), changed(Reg::Cr3));
    table.push_str("</tbody></table>");
    html! {
        <section class="panel registers-panel" aria-labelledby="registers-heading" data-testid="registers">
            <div class="panel-head">
                <h2 id="registers-heading">{ "Registers" }</h2>
                <button type="button" class="small" onclick={on_radix} data-testid="radix" aria-pressed={(radix == Radix::Decimal).to_string()}>
                    { if radix == Radix::Hex { "Show decimal" } else { "Show hex" } }
                </button>
            </div>
            { raw(table) }
            { raw(flags_line(cpu.rflags)) }
        </section>
    }
}

/// What RSP points at: one of the three stacks, or nothing (PTI's entry uses it as scratch for CR3).
fn stack_role(rsp: u64) -> &'static str {
    use crate::model::layout::{
        ENTRY_STACK, ENTRY_STACK_TOP, KERNEL_STACK, KERNEL_STACK_TOP, USER_STACK, USER_STACK_LEN,
    };
    if (KERNEL_STACK..=KERNEL_STACK_TOP).contains(&rsp) {
        "kernel stack pointer"
    } else if (ENTRY_STACK..=ENTRY_STACK_TOP).contains(&rsp) {
        "entry stack pointer (PTI)"
    } else if (USER_STACK..=USER_STACK + USER_STACK_LEN as u64).contains(&rsp) {
        "user stack pointer"
    } else {
        "scratch: no stack here"
    }
}

/// The flags set in RFLAGS, by name, and a word when interrupts are off.
fn flags_line(rflags: u64) -> String {
    let mut out = String::from("<p class=\"flags\" data-testid=\"flags\">Flags set: ");
    for name in flags::names(rflags) {
        let class = if name == "IF" { "flag flag-if" } else { "flag" };
        let _ = write!(out, "<span class=\"{class}\">{name}</span>");
    }
    if rflags & flags::IF == 0 {
        out.push_str("<span class=\"flag-off\">IF clear: interrupts off</span>");
    }
    out.push_str("</p>");
    out
}

/// What CR3 holds: with PTI, the user's or the kernel's page tables; without, the one set that maps both.
/// With PTI both values are named: the one in CR3, and the other half of the same 8 KiB PGD.
fn cr3_role(cr3: u64, pti: bool) -> String {
    use crate::model::cpu::{cr3_name, PTI_USER_PGTABLE_BIT};
    if pti {
        let other = cr3 ^ PTI_USER_PGTABLE_BIT;
        format!("{}; {}: {other:#x}", cr3_name(cr3), cr3_name(other))
    } else {
        "page tables (one set: no PTI)".to_string()
    }
}
