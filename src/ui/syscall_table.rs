//! The syscall table: every entry of Linux 6.12's x86-64 table (or the i386 one for int 0x80), scrollable. From the
//! bounds check on, the row RAX selects is marked and the check is spelled out.

use std::fmt::Write as _;

use yew::prelude::*;

use crate::model::syscalls::{DispatchOutcome, DispatchTable, SyscallEntry, I386, NR_SYSCALLS_64, X86_64};
use crate::model::Program;

use crate::state::FrameRef;

use super::common::{escape_html, raw};
use super::hooks::use_center_in_box;

#[derive(Properties, PartialEq)]
pub struct SyscallTableProps {
    pub frame: FrameRef,
    /// Whether the panel is on screen (a hidden box cannot be scrolled to its current row).
    pub shown: bool,
}

/// The table panel.
#[function_component(SyscallTable)]
pub fn syscall_table(props: &SyscallTableProps) -> Html {
    let frame = &props.frame;
    let timeline = &frame.timeline;
    let i386 = timeline.scenario.program == Program::Int80Read;
    let dispatch = frame.dispatch;
    let check = dispatch.map(|dispatch| {
        let verdict = if dispatch.in_range { "passes" } else { "fails" };
        let outcome = match dispatch.outcome {
            DispatchOutcome::Handler => format!("→ {}", dispatch.handler_symbol().unwrap_or_default()),
            DispatchOutcome::NotImplemented => "→ no handler: sys_ni_syscall, -ENOSYS".to_string(),
            DispatchOutcome::OutOfRange => "→ never reaches the table: -ENOSYS".to_string(),
            DispatchOutcome::Skipped => "→ skipped".to_string(),
        };
        format!("nr = {}: unsigned {} < {} {verdict} {outcome}", dispatch.nr, dispatch.unr, dispatch.nr_syscalls)
    });
    let highlight = dispatch.filter(|dispatch| dispatch.in_range).map(|dispatch| dispatch.index as u32);
    let table = if i386 { DispatchTable::Ia32 } else { DispatchTable::X64 };
    html! {
        <section class="panel table-panel" aria-labelledby="table-heading" data-testid="syscall-table">
            <h2 id="table-heading">{ if i386 { "The i386 syscall table" } else { "The x86-64 syscall table" } }</h2>
            <p class="hint">
                { format!(
                    "Linux 6.12: {} slots, numbers 0 to {} (NR_syscalls); {} of them hold a system call of this ABI, the \
                     others answer -ENOSYS. ",
                    table.nr_syscalls(),
                    table.nr_syscalls() - 1,
                    entries(i386).count()
                ) }
                { "Since 6.9 the kernel dispatches with a switch generated from this table." }
            </p>
            <p class={classes!("bounds", dispatch.map(|dispatch| if dispatch.in_range { "ok" } else { "fail" }))} data-testid="bounds-check">
                { check.unwrap_or_else(|| "The lookup has not happened yet.".to_string()) }
            </p>
            <Rows i386={i386} highlight={highlight} looked_up={dispatch.map(|dispatch| dispatch.unr)} shown={props.shown} />
        </section>
    }
}

/// The entries the dispatch can select: the i386 table, or the x86-64 table's `common` and `64` lines (the x32 lines,
/// numbered from 512, are another ABI's and never reached by a 64-bit `syscall`).
pub fn entries(i386: bool) -> impl Iterator<Item = &'static SyscallEntry> {
    let table: &'static [SyscallEntry] = if i386 { &I386 } else { &X86_64 };
    table.iter().filter(move |entry| i386 || (entry.abi.is_x64() && entry.nr < NR_SYSCALLS_64))
}

#[derive(Properties, PartialEq)]
struct RowsProps {
    i386: bool,
    highlight: Option<u32>,
    /// The number looked up (`unr`), in range or not: the window centres on where it falls.
    looked_up: Option<u32>,
    shown: bool,
}

/// Rows shown around the looked-up entry until the reader asks for the whole table: enough to see the neighbours,
/// few enough that the page does not build ~1,400 table cells it may never show.
pub const WINDOW_ROWS: usize = 11;

/// The rows to show: `WINDOW_ROWS` around `focus` (the first rows before the lookup, the last ones when the number is
/// past the end), clamped to the table.
pub fn window(len: usize, focus: Option<usize>) -> std::ops::Range<usize> {
    if len <= WINDOW_ROWS {
        return 0..len;
    }
    let center = focus.unwrap_or(0).min(len - 1);
    let start = center.saturating_sub(WINDOW_ROWS / 2).min(len - WINDOW_ROWS);
    start..start + WINDOW_ROWS
}

/// The rows, re-rendered only when the table, the highlight or the reader's choice of all or some changes.
#[function_component(Rows)]
fn rows(props: &RowsProps) -> Html {
    let container = use_node_ref();
    let show_all = use_state(|| false);
    let key = props.highlight.map_or(u64::MAX, u64::from) ^ (u64::from(*show_all) << 40);
    use_center_in_box(&container, ".selected", key, props.shown);
    let entries: Vec<&'static SyscallEntry> = entries(props.i386).collect();
    let focus = props.looked_up.map(|nr| entries.iter().position(|entry| entry.nr >= nr).unwrap_or(entries.len()));
    let shown = if *show_all { 0..entries.len() } else { window(entries.len(), focus) };
    let toggle = {
        let show_all = show_all.clone();
        Callback::from(move |_: MouseEvent| show_all.set(!*show_all))
    };
    let (first, last) = (entries[shown.start].nr, entries[shown.end - 1].nr);
    let mut table = String::from(
        "<table class=\"systable\"><thead><tr><th scope=\"col\">nr</th><th scope=\"col\">name</th>\
         <th scope=\"col\">handler</th></tr></thead><tbody>",
    );
    for entry in &entries[shown.clone()] {
        let selected = if props.highlight == Some(entry.nr) {
            " class=\"selected\" data-testid=\"selected-entry\" aria-current=\"true\""
        } else {
            ""
        };
        let _ = write!(
            table,
            "<tr{selected}><td class=\"nr\">{}</td><td>{}</td><td class=\"handler\">{}</td></tr>",
            entry.nr,
            escape_html(entry.name),
            escape_html(entry.entry_point.unwrap_or("(none: sys_ni_syscall)"))
        );
    }
    table.push_str("</tbody></table>");
    html! {
        <>
        <p class="table-window">
            <span data-testid="table-window">{ format!("Showing {} of the {} (numbers {first} to {last}). ", shown.len(), entries.len()) }</span>
            <button type="button" class="small" data-testid="table-all" aria-pressed={show_all.to_string()} onclick={toggle}>
                { if *show_all { "Show the entries around the lookup" } else { "Show the whole table" } }
            </button>
        </p>
        <div class="table-scroll" ref={container} tabindex="0" role="region" aria-label="Syscall table entries">
            { raw(table) }
        </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::{window, WINDOW_ROWS};

    #[test]
    fn the_window_centres_the_lookup_and_stays_inside_the_table() {
        assert_eq!(window(463, None), 0..WINDOW_ROWS);
        assert_eq!(window(463, Some(0)), 0..WINDOW_ROWS);
        assert_eq!(window(463, Some(39)), 34..45);
        assert_eq!(window(463, Some(462)), 452..463);
        assert_eq!(window(463, Some(1000)), 452..463);
        assert_eq!(window(5, Some(3)), 0..5);
        for len in 1..40 {
            for focus in 0..50 {
                let shown = window(len, Some(focus));
                assert!(shown.end <= len && shown.len() == len.min(WINDOW_ROWS));
                if focus < len {
                    assert!(shown.contains(&focus), "len {len} focus {focus} -> {shown:?}");
                }
            }
        }
    }
}
