//! Memory: the user buffer (where read's bytes land), the kernel stack where the entry code builds `pt_regs`, and the
//! terminal. Bytes changed in this frame are marked.

use yew::prelude::*;

use crate::model::frame::MemChange;
use crate::model::layout::{pt_regs, BUF_ADDR, ENTRY_STACK, ENTRY_STACK_TOP, PT_REGS};
use crate::model::memory::Access;
use crate::model::Program;

use crate::state::FrameRef;

use std::fmt::Write as _;

use super::common::{escape_html, hex64, raw};
use super::hooks::use_center_in_box;

#[derive(Properties, PartialEq)]
pub struct MemoryViewProps {
    pub frame: FrameRef,
    /// Whether the panel is on screen (a hidden box cannot be scrolled to its current row).
    pub shown: bool,
}

fn changed(changes: &[MemChange], addr: u64, len: u64) -> bool {
    changes.iter().any(|change| addr < change.addr + change.len as u64 && change.addr < addr + len)
}

/// `struct pt_regs` on the kernel stack, highest address first, as HTML: the fields this frame wrote and the one RSP
/// points at are marked.
fn ptregs_table(frame: &FrameRef) -> String {
    let memory = &frame.machine.mem;
    let mut out = String::from(
        "<table class=\"ptregs\" data-testid=\"pt-regs\"><thead><tr><th scope=\"col\">field</th><th scope=\"col\">\
         address</th><th scope=\"col\">value</th></tr></thead><tbody>",
    );
    for (idx, name) in pt_regs::FIELDS.iter().enumerate().rev() {
        let addr = PT_REGS + 8 * idx as u64;
        let value = memory.read_le(addr, 8, Access::Kernel).unwrap_or(0);
        let is_changed = changed(&frame.changed_mem, addr, 8);
        let is_top = frame.machine.cpu.get(crate::model::cpu::Gpr::Rsp) == addr;
        let class = match (is_changed, is_top) {
            (true, true) => " class=\"changed rsp\"",
            (true, false) => " class=\"changed\"",
            (false, true) => " class=\"rsp\"",
            (false, false) => "",
        };
        let _ = write!(
            out,
            "<tr{class}><th scope=\"row\">{name}{}</th><td><code>{addr:x}</code></td><td><code>{}</code>{}</td></tr>",
            if is_top { " ← RSP" } else { "" },
            hex64(value),
            if is_changed { " ▲" } else { "" },
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// With PTI, the per-CPU entry stack while an exit uses it (RSP on it): the words from RSP to its top, what the
/// exit copied there from pt_regs before switching CR3, as HTML.
fn entry_stack_table(frame: &FrameRef) -> Option<String> {
    let rsp = frame.machine.cpu.get(crate::model::cpu::Gpr::Rsp);
    if !(ENTRY_STACK..=ENTRY_STACK_TOP).contains(&rsp) {
        return None;
    }
    let mut out = String::from(
        "<table class=\"ptregs\" data-testid=\"entry-stack\"><thead><tr><th scope=\"col\">address</th>\
         <th scope=\"col\">value</th></tr></thead><tbody>",
    );
    for word in (0..(ENTRY_STACK_TOP - rsp) / 8).rev() {
        let addr = rsp + 8 * word;
        let value = frame.machine.mem.read_le(addr, 8, Access::Kernel).unwrap_or(0);
        let is_changed = changed(&frame.changed_mem, addr, 8);
        let _ = write!(
            out,
            "<tr{}><th scope=\"row\"><code>{addr:x}</code>{}</th><td><code>{}</code>{}</td></tr>",
            if is_changed { " class=\"changed\"" } else { "" },
            if addr == rsp { " ← RSP" } else { "" },
            hex64(value),
            if is_changed { " ▲" } else { "" },
        );
    }
    if rsp == ENTRY_STACK_TOP {
        out.push_str("<tr><td colspan=\"2\">empty: RSP is at its top</td></tr>");
    }
    out.push_str("</tbody></table>");
    Some(out)
}

/// The memory panel.
#[function_component(MemoryView)]
pub fn memory_view(props: &MemoryViewProps) -> Html {
    let frame = &props.frame;
    let timeline = &frame.timeline;
    let memory = &frame.machine.mem;
    let scenario = &timeline.scenario;
    // The buffer the scenario passes, if it is mapped; otherwise the default buffer, so there is always something to see.
    let wanted = match scenario.program {
        Program::Read | Program::Write | Program::Int80Read | Program::VdsoClockGettime => scenario.args[1],
        _ => BUF_ADDR,
    };
    let buf = if memory.read_u8(wanted, Access::User).is_ok() { wanted } else { BUF_ADDR };
    let n_rows = 4u64;
    let mut hexdump = String::from("<table class=\"hexdump\" data-testid=\"user-buffer\"><tbody>");
    for row_idx in 0..n_rows {
        let row_addr = buf + 16 * row_idx;
        let bytes: Vec<Option<u8>> =
            (0..16).map(|offset| memory.read_u8(row_addr + offset, Access::User).ok()).collect();
        let _ = write!(hexdump, "<tr><th scope=\"row\"><code>{row_addr:x}</code></th><td class=\"hex\"><code>");
        for (offset, byte) in bytes.iter().enumerate() {
            let class =
                if changed(&frame.changed_mem, row_addr + offset as u64, 1) { " class=\"changed\"" } else { "" };
            match byte {
                Some(value) => {
                    let _ = write!(hexdump, "<span{class}>{value:02x} </span>");
                }
                None => {
                    let _ = write!(hexdump, "<span{class}>·· </span>");
                }
            }
        }
        let ascii: String = bytes
            .iter()
            .map(|byte| match byte {
                Some(value) if value.is_ascii_graphic() || *value == b' ' => *value as char,
                Some(_) => '.',
                None => ' ',
            })
            .collect();
        let _ = write!(hexdump, "</code></td><td class=\"ascii\"><code>{}</code></td></tr>", escape_html(&ascii));
    }
    hexdump.push_str("</tbody></table>");
    let buffer_changed = changed(&frame.changed_mem, buf, 16 * n_rows);
    let kernel_stack_used = frame.machine.cpu.cpl() == crate::model::cpu::Cpl::Ring0
        || memory.read_le(PT_REGS + pt_regs::SS, 8, Access::Kernel).unwrap_or(0) != 0;
    let console = String::from_utf8_lossy(&frame.machine.kernel.console).into_owned();
    let ptregs_box = use_node_ref();
    use_center_in_box(&ptregs_box, "tr.changed, tr.rsp", frame.index as u64, props.shown);
    let buffer_section = html! {
        <>
            <h3>{ format!("User buffer at {buf:#x}") }
                if buffer_changed { <span class="change-mark">{ " ▲ changed" }</span> }
            </h3>
            <div class="hexdump-scroll" tabindex="0" role="region" aria-label="User buffer bytes">
                { raw(hexdump) }
            </div>
        </>
    };
    let stack_section = html! {
        <>
            <h3>{ format!("Kernel stack: struct pt_regs at {PT_REGS:#x}") }</h3>
            if kernel_stack_used {
                <div class="ptregs-scroll" tabindex="0" role="region" aria-label="pt_regs" ref={ptregs_box}>
                    { raw(ptregs_table(frame)) }
                </div>
            } else {
                <p class="hint">{ "Empty until the kernel is entered: the entry code builds pt_regs here, one push at a time." }</p>
            }
        </>
    };
    // What the frame wrote comes first: pt_regs while the kernel builds, reads or restores it, the user buffer when
    // the copy lands there (and outside the kernel).
    let stack_first = kernel_stack_used && !buffer_changed;
    html! {
        <section class="panel memory-panel" aria-labelledby="memory-heading" data-testid="memory">
            <h2 id="memory-heading">{ "Memory" }</h2>
            // While a PTI exit runs on the entry stack, that is where it writes.
            if let Some(table) = entry_stack_table(frame) {
                <h3>{ format!("Entry stack (PTI) at {ENTRY_STACK:#x}") }</h3>
                { raw(table) }
            }
            if stack_first { { stack_section } { buffer_section } } else { { buffer_section } { stack_section } }
            if !console.is_empty() {
                <h3>{ "Terminal" }</h3>
                <pre class="console" data-testid="console">{ console }</pre>
            }
        </section>
    }
}
