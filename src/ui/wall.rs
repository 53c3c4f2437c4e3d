//! The wall in detail: user space (ring 3) above, kernel space (ring 0) below, the privilege boundary between, a
//! token for where execution is, and the MSRs that make the entry point fixed.

use yew::prelude::*;

use crate::model::cpu::{Cpl, PTI_USER_PGTABLE_BIT};
use crate::model::frame::Executed;
use crate::model::image::ROUTINES;
use crate::model::layout::{DO_INT80_EMULATION, DO_SYSCALL_64, VDSO_CLOCK_GETTIME};
use crate::model::program::routine_containing;
use crate::state::FrameRef;

use super::common::escape_html;

/// Where execution is, in words: the routine and offset, or the C function.
pub fn location(frame: &crate::model::Frame) -> String {
    if let Executed::CCode { function, .. } = &frame.executed {
        return format!("{function} (C)");
    }
    let rip = frame.machine.cpu.rip;
    match rip {
        DO_SYSCALL_64 => return "do_syscall_64 (C)".to_string(),
        DO_INT80_EMULATION => return "do_int80_emulation (C)".to_string(),
        VDSO_CLOCK_GETTIME => return "__vdso_clock_gettime".to_string(),
        _ => {}
    }
    match routine_containing(ROUTINES, rip) {
        Some(routine) if routine.addr == rip => routine.name.to_string(),
        Some(routine) => format!("{}+{:#x}", routine.name, rip - routine.addr),
        None => format!("{rip:#x}"),
    }
}

/// What the page tables in CR3 map of the kernel.
fn page_tables(cr3: u64, pti: bool) -> String {
    let what = if !pti {
        "one set of page tables maps the kernel too, but only for ring 0 (no PTI)"
    } else if cr3 & PTI_USER_PGTABLE_BIT != 0 {
        "the user page tables: of the kernel only the entry code, this CPU's TSS and the entry stack are mapped (PTI)"
    } else {
        "the kernel page tables: the whole kernel is mapped"
    };
    format!("CR3 {cr3:#x}: {what}.")
}

/// The wall in detail: the two sides and what may cross them, where execution is, and the MSRs that fix the entry
/// point. The CPL and the crossing animation are on the stage's strip (`cpl_strip.rs`), always in view.
///
/// A plain view function rather than a component: it changes with every frame anyway, and a component of its own
/// would only add Yew's per-component code to the WebAssembly.
pub fn wall(frame: &FrameRef) -> Html {
    let kernel = frame.cpl() == Cpl::Ring0;
    let here = |side: bool| if side { " here" } else { "" };
    let msr = &frame.machine.cpu.msr;
    let html = format!(
        "<section class=\"panel wall-panel\" aria-labelledby=\"wall-heading\" data-testid=\"wall\">\
         <h2 id=\"wall-heading\">The wall between user and kernel</h2><dl class=\"sides\">\
         <dt class=\"user-side-name{}\">User space · ring 3</dt><dd>Your program, the C library, the vDSO. It enters \
         the kernel only at fixed points: syscall, int 0x80 or sysenter, or an exception or interrupt (a page fault, \
         a timer).</dd><dt class=\"kernel-side-name{}\">Kernel space · ring 0</dt><dd>Entered only at those points; \
         left by sysret or iret.</dd></dl><p class=\"wall-here\" data-testid=\"wall-token\">Execution is at {}, CPL \
         {}.</p><p class=\"wall-tables\" data-testid=\"wall-tables\">{}</p><dl class=\"msrs\" data-testid=\"msrs\">\
         <dt>LSTAR</dt><dd><code>{:#x}</code> entry_SYSCALL_64: where syscall always lands</dd><dt>STAR</dt><dd><code>\
         {:#x}</code> kernel CS 0x10 (SS 0x18); user CS 0x33, SS 0x2b for sysret</dd><dt>FMASK</dt><dd><code>{:#x}\
         </code> RFLAGS bits syscall clears, IF among them</dd><dt>KERNEL_GS_BASE</dt><dd><code>{:#x}</code> swapped \
         with GS.base by swapgs</dd></dl></section>",
        here(!kernel),
        here(kernel),
        escape_html(&location(frame)),
        frame.cpl().number(),
        page_tables(frame.machine.cpu.cr3, frame.timeline.scenario.runs_pti()),
        msr.lstar,
        msr.star,
        msr.fmask,
        msr.kernel_gs_base,
    );
    Html::from_html_unchecked(AttrValue::from(html))
}
