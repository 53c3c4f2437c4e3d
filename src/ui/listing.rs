//! The code listings: every routine this scenario runs (the caller, the C library wrapper and its error path, the
//! kernel entry code), as address, bytes and Intel syntax from iced-x86. The current instruction is marked and kept
//! in view; instructions this run never executes are dimmed.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::model::frame::Executed;
use crate::model::image::ROUTINES;
use crate::model::program::{routine, routine_containing, ImageInsn, Patch, Routine, Space};
use crate::model::Timeline;

use crate::state::FrameRef;

use super::common::escape_html;
use super::hooks::use_center_in_box;

#[derive(Properties, PartialEq)]
pub struct ListingsProps {
    pub frame: FrameRef,
    /// Whether the panel is on screen (a hidden box cannot be scrolled to its current row).
    pub shown: bool,
}

/// The routines a timeline touches, user side first, plus the errno path of any wrapper it enters.
pub fn routines_of(timeline: &Timeline) -> Vec<&'static Routine> {
    let mut routines: Vec<&'static Routine> = Vec::new();
    for frame in &timeline.frames {
        if let Executed::Insn(image_insn) = frame.executed {
            if let Some(found) = routine_containing(ROUTINES, image_insn.addr) {
                if !routines.iter().any(|known| known.name == found.name) {
                    routines.push(found);
                }
            }
        }
    }
    if let Some(start) = routine(ROUTINES, timeline.scenario.program.routine()) {
        if !routines.iter().any(|known| known.name == start.name) {
            routines.insert(0, start);
        }
    }
    let enters_wrapper = routines.iter().any(|known| known.space == Space::User && !known.name.starts_with("main_"));
    if enters_wrapper && !routines.iter().any(|known| known.name == "__syscall_error") {
        if let Some(error_path) = routine(ROUTINES, "__syscall_error") {
            let pos = routines.iter().position(|known| known.space == Space::Kernel).unwrap_or(routines.len());
            routines.insert(pos, error_path);
        }
    }
    routines
}

/// What the listings need from a timeline, worked out once per timeline rather than on every step: the routines to
/// show, and the first frame at which each executed instruction runs.
#[derive(PartialEq)]
struct Coverage {
    user: Vec<&'static Routine>,
    kernel: Vec<&'static Routine>,
    first_run: BTreeMap<u64, usize>,
}

impl Coverage {
    fn of(timeline: &Timeline) -> Coverage {
        let routines = routines_of(timeline);
        let mut first_run = BTreeMap::new();
        for frame in &timeline.frames {
            if let Executed::Insn(image_insn) = frame.executed {
                first_run.entry(image_insn.addr).or_insert(frame.index);
            }
        }
        Coverage {
            user: routines.iter().copied().filter(|found| found.space == Space::User).collect(),
            kernel: routines.iter().copied().filter(|found| found.space == Space::Kernel).collect(),
            first_run,
        }
    }
}

/// Both listings, one above the other.
#[function_component(Listings)]
pub fn listings(props: &ListingsProps) -> Html {
    let frame = &props.frame;
    let timeline = &frame.timeline;
    let cursor = frame.index;
    let coverage = use_memo(timeline.clone(), |timeline| Coverage::of(timeline));
    // The frame shows the state after an instruction; the marker sits on the next one to run.
    let current = frame.machine.cpu.rip;
    let in_c = matches!(frame.executed, Executed::CCode { .. });
    html! {
        <section class="panel code-panel" aria-labelledby="code-heading" data-testid="code">
            <h2 id="code-heading">{ "The code" }</h2>
            <p class="hint">{ "Real x86-64 machine code: address, bytes, instruction. ▶ marks the next instruction to run." }</p>
            <div class="listings">
                <Listing title="User space" routines={coverage.user.clone()} {current} {cursor} coverage={coverage.clone()} testid="listing-user" shown={props.shown} />
                if !coverage.kernel.is_empty() {
                    <Listing title="Kernel entry (ring 0)" routines={coverage.kernel.clone()} {current} {cursor} coverage={coverage.clone()} testid="listing-kernel" shown={props.shown} />
                }
            </div>
            if in_c {
                <p class="in-c" data-testid="in-c">{ "The kernel is running C code now: see “The kernel's work”." }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ListingProps {
    title: AttrValue,
    routines: Vec<&'static Routine>,
    current: u64,
    cursor: usize,
    coverage: Rc<Coverage>,
    testid: AttrValue,
    shown: bool,
}

/// A listing's table as HTML. It is the same for the whole timeline, so it is built once, as one string the browser
/// parses in one call, rather than as ~800 elements through the virtual DOM (that was most of the page's first render
/// and a good part of every step's diff). What changes from step to step, the marks, is set by [`mark_rows`].
fn table_html(routines: &[&'static Routine], coverage: &Coverage) -> String {
    let mut html = String::from("<table>");
    for found in routines {
        html.push_str(&format!(
            "<tr class=\"routine-name\"><th colspan=\"4\" scope=\"rowgroup\">{}:</th></tr>",
            escape_html(found.name)
        ));
        for image_insn in found.insns {
            let not_run = if coverage.first_run.contains_key(&image_insn.addr) { "" } else { " not-run" };
            // The ALTERNATIVE sites: which kernel runs the line (the other one patched it out at boot).
            let patch = match image_insn.patch {
                Patch::Always => "",
                Patch::Pti => " <span class=\"patch\">with PTI</span>",
                Patch::NoPti => " <span class=\"patch\">without PTI</span>",
            };
            html.push_str(&format!(
                "<tr class=\"insn{not_run}\"><td class=\"marker\"></td><td class=\"addr\">{:x}</td><td class=\"bytes\">{}</td><td class=\"text\">{}{patch}</td></tr>",
                image_insn.addr,
                image_insn.hex_bytes(),
                escape_html(image_insn.text)
            ));
        }
    }
    html.push_str("</table>");
    html
}

/// The class a row has at this frame: the next instruction to run (`current`), already run (`done`), never run by
/// this scenario (`not-run`).
fn row_class(image_insn: &ImageInsn, coverage: &Coverage, current: u64, cursor: usize) -> &'static str {
    match (image_insn.addr == current, coverage.first_run.get(&image_insn.addr)) {
        (true, Some(first)) if *first <= cursor => "insn current done",
        (true, Some(_)) => "insn current",
        (true, None) => "insn current not-run",
        (false, Some(first)) if *first <= cursor => "insn done",
        (false, Some(_)) => "insn",
        (false, None) => "insn not-run",
    }
}

/// Sets each row's marks for this frame, touching only the rows whose marks change (a step changes two or three).
fn mark_rows(container: &NodeRef, routines: &[&'static Routine], coverage: &Coverage, current: u64, cursor: usize) {
    let Some(scroll_box) = container.cast::<web_sys::Element>() else { return };
    let Ok(rows) = scroll_box.query_selector_all("tr.insn") else { return };
    let insns = routines.iter().flat_map(|found| found.insns.iter());
    for (index, image_insn) in insns.enumerate() {
        let Some(row) = rows.item(index as u32) else { break };
        let Ok(row) = wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(row) else { continue };
        let class = row_class(image_insn, coverage, current, cursor);
        if row.class_name() != class {
            row.set_class_name(class);
            let _ = if image_insn.addr == current {
                row.set_attribute("aria-current", "true")
            } else {
                row.remove_attribute("aria-current")
            };
        }
    }
}

#[function_component(Listing)]
fn listing(props: &ListingProps) -> Html {
    let container = use_node_ref();
    let table = use_memo((props.routines.clone(), props.coverage.clone()), |(routines, coverage)| {
        AttrValue::from(table_html(routines, coverage))
    });
    {
        let container = container.clone();
        let (routines, coverage) = (props.routines.clone(), props.coverage.clone());
        use_effect_with((props.current, props.cursor, table.clone()), move |(current, cursor, _)| {
            mark_rows(&container, &routines, &coverage, *current, *cursor)
        });
    }
    // The current row's address, and the listing it is in (a new timeline lists other routines).
    let key = props.current ^ ((props.routines.len() as u64) << 56);
    use_center_in_box(&container, ".current", key, props.shown);
    html! {
        <div class="listing" data-testid={props.testid.clone()}>
            <h3>{ props.title.clone() }</h3>
            <div class="listing-scroll" ref={container} tabindex="0" role="region" aria-label={props.title.clone()}>
                { Html::from_html_unchecked((*table).clone()) }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Preset, Scenario};

    #[test]
    fn the_table_has_a_row_per_instruction_and_escapes_the_text() {
        let timeline = Timeline::run(&Scenario::preset(Preset::Read));
        let coverage = Coverage::of(&timeline);
        let html = table_html(&coverage.kernel, &coverage);
        let insns: usize = coverage.kernel.iter().map(|found| found.insns.len()).sum();
        assert_eq!(html.matches("<tr class=\"insn").count(), insns);
        assert_eq!(html.matches("scope=\"rowgroup\"").count(), coverage.kernel.len());
        assert!(!html.contains("<<") && html.starts_with("<table>") && html.ends_with("</table>"));
        // Every ALTERNATIVE line says which kernel runs it.
        let count =
            |patch: Patch| coverage.kernel.iter().flat_map(|found| found.insns).filter(|i| i.patch == patch).count();
        assert!(count(Patch::Pti) > 0 && count(Patch::NoPti) > 0);
        assert_eq!(html.matches(">with PTI</span>").count(), count(Patch::Pti));
        assert_eq!(html.matches(">without PTI</span>").count(), count(Patch::NoPti));
    }

    #[test]
    fn each_instruction_is_current_done_or_not_run_as_the_timeline_says() {
        let timeline = Timeline::run(&Scenario::preset(Preset::Read));
        let coverage = Coverage::of(&timeline);
        let all: Vec<&ImageInsn> = coverage.user.iter().chain(&coverage.kernel).flat_map(|found| found.insns).collect();
        for (cursor, frame) in timeline.frames.iter().enumerate() {
            let current = frame.machine.cpu.rip;
            let classes: Vec<&str> = all.iter().map(|insn| row_class(insn, &coverage, current, cursor)).collect();
            assert!(classes.iter().filter(|class| class.contains("current")).count() <= 1, "frame {cursor}");
            for (insn, class) in all.iter().zip(&classes) {
                let ran_by_now = timeline.frames[..=cursor]
                    .iter()
                    .any(|seen| matches!(seen.executed, Executed::Insn(ran) if ran.addr == insn.addr));
                assert_eq!(class.contains("done"), ran_by_now, "frame {cursor} {:x}", insn.addr);
            }
        }
    }
}
