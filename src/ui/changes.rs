//! What this frame changed: every register with its old and new value (marked ▲, not by colour alone), and a line for
//! the memory it wrote. On the stage at every size, so the change a narration talks about is always in view.

use std::fmt::Write as _;

use yew::prelude::*;

use crate::model::cpu::{Gpr, Reg};
use crate::model::errno::{describe_result, is_error};
use crate::state::{FrameRef, Radix};

use super::common::{escape_html, raw};

/// A register's value, short: hex without leading zeros (the register view has the padded form), or decimal.
pub fn short_value(value: u64, radix: Radix) -> String {
    match radix {
        Radix::Hex => format!("{value:#x}"),
        Radix::Decimal => (value as i64).to_string(),
    }
}

/// `= -9 (-EBADF)` for a value that reads as an error number (RAX after a failed call), else nothing.
pub fn as_error(reg: Reg, value: u64) -> Option<String> {
    let signed = value as i64;
    (reg == Reg::Gpr(Gpr::Rax) && is_error(signed)).then(|| format!("= {}", describe_result(signed)))
}

/// The changes. A plain view function rather than a component: it changes with every frame anyway, and a component
/// of its own would only add Yew's per-component code to the WebAssembly.
pub fn changes(frame: &FrameRef, radix: Radix) -> Html {
    let Some(before) = frame.previous() else {
        return html! {
            <section class="changes" aria-label="What changed" data-testid="changes">
                <p class="no-change">{ "The starting state: nothing has run yet." }</p>
            </section>
        };
    };
    let mut rows = String::new();
    for reg in &frame.changed_regs {
        let old = before.machine.cpu.read(*reg);
        let new = frame.machine.cpu.read(*reg);
        let note = as_error(*reg, new);
        let _ = write!(
            rows,
            "<tr data-testid=\"change-{}\"><th scope=\"row\">{}</th><td><code data-testid=\"old\">{}</code></td>\
             <td class=\"arrow\" aria-label=\"becomes\">→</td><td><code data-testid=\"new\">{}</code>{}</td>\
             <td class=\"change-mark\">▲</td></tr>",
            reg.name(),
            reg.name().to_ascii_uppercase(),
            short_value(old, radix),
            short_value(new, radix),
            note.map_or_else(String::new, |note| format!("<span class=\"as-error\"> {}</span>", escape_html(&note))),
        );
    }
    let n_bytes: usize = frame.changed_mem.iter().map(|change| change.len).sum();
    html! {
        <section class="changes" aria-label="What changed" data-testid="changes">
            if rows.is_empty() {
                <p class="no-change">{ "No register changed in this frame." }</p>
            } else {
                { raw(format!(
                    "<table class=\"change-table\"><caption class=\"visually-hidden\">Registers changed in this frame: \
                     old value, new value</caption><tbody>{rows}</tbody></table>"
                )) }
            }
            if n_bytes > 0 {
                <p class="mem-change" data-testid="mem-change">{ format!("▲ {n_bytes} bytes of memory written (see Memory)") }</p>
            }
        </section>
    }
}
