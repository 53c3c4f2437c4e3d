//! The code listings: every routine this scenario runs (the caller, the C library wrapper and its error path, the
//! kernel entry code), as address, bytes and Intel syntax from iced-x86. The current instruction is marked and kept
//! in view; instructions this run never executes are dimmed.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::prelude::*;

use crate::model::image::ROUTINES;
use crate::model::program::{routine, routine_containing, ImageInsn, Routine, Space};
use crate::model::timeline::Executed;
use crate::model::Timeline;

use super::FrameProps;

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
pub fn listings(props: &FrameProps) -> Html {
    let state = &props.state;
    let timeline = &state.timeline;
    let cursor = state.cursor.min(state.last());
    let frame = &timeline.frames[cursor];
    let coverage = use_memo(timeline.clone(), |timeline| Coverage::of(timeline));
    // The frame shows the state after an instruction; the marker sits on the next one to run.
    let current = frame.machine.cpu.rip;
    let in_c = matches!(frame.executed, Executed::Step { .. });
    html! {
        <section class="panel code-panel" aria-labelledby="code-heading" data-testid="code">
            <h2 id="code-heading">{ "The code" }</h2>
            <p class="hint">{ "Real x86-64 machine code: address, bytes, instruction. ▶ marks the next instruction to run." }</p>
            <div class="listings">
                <Listing title="User space" routines={coverage.user.clone()} {current} {cursor} coverage={coverage.clone()} testid="listing-user" />
                if !coverage.kernel.is_empty() {
                    <Listing title="Kernel entry (ring 0)" routines={coverage.kernel.clone()} {current} {cursor} coverage={coverage.clone()} testid="listing-kernel" />
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
}

#[function_component(Listing)]
fn listing(props: &ListingProps) -> Html {
    let container = use_node_ref();
    super::use_center_in_box(&container, ".current", props.current);
    html! {
        <div class="listing" data-testid={props.testid.clone()}>
            <h3>{ props.title.clone() }</h3>
            <div class="listing-scroll" ref={container} tabindex="0" role="region" aria-label={props.title.clone()}>
                <table>
                    { for props.routines.iter().map(|found| html! {
                        <>
                            <tr class="routine-name"><th colspan="4" scope="rowgroup">{ format!("{}:", found.name) }</th></tr>
                            { for found.insns.iter().map(|image_insn| html! {
                                <InsnRow
                                    image_insn={image_insn}
                                    current={image_insn.addr == props.current}
                                    done={props.coverage.first_run.get(&image_insn.addr).is_some_and(|first| *first <= props.cursor)}
                                    not_run={!props.coverage.first_run.contains_key(&image_insn.addr)} />
                            }) }
                        </>
                    }) }
                </table>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct InsnRowProps {
    image_insn: &'static ImageInsn,
    current: bool,
    done: bool,
    not_run: bool,
}

/// One line of a listing. A component of its own so that a step re-renders only the rows whose marks change.
#[function_component(InsnRow)]
fn insn_row(props: &InsnRowProps) -> Html {
    let image_insn = props.image_insn;
    let bytes: Vec<String> = image_insn.bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let class = classes!(
        "insn",
        props.current.then_some("current"),
        props.done.then_some("done"),
        props.not_run.then_some("not-run"),
    );
    html! {
        <tr class={class} aria-current={props.current.then_some("true")}>
            <td class="marker">{ if props.current { "▶" } else { "" } }</td>
            <td class="addr">{ format!("{:x}", image_insn.addr) }</td>
            <td class="bytes">{ bytes.join(" ") }</td>
            <td class="text">{ image_insn.text }</td>
        </tr>
    }
}
