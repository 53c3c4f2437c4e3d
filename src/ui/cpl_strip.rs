//! The privilege strip: the wall between user and kernel space, compact enough to stay on the stage at every size.
//! The CPL in words and as a badge, the two sides, and a token for where execution is that crosses, animated, on
//! the trap and on the return (unless reduced motion is asked), with a button to replay the crossing.

use yew::prelude::*;

use crate::model::cpu::{Cpl, PTI_USER_PGTABLE_BIT};
use crate::state::{FrameRef, Trigger};

use super::wall::location;

/// Which way the CPU just crossed the wall, if this frame is a crossing.
pub fn crossing(frame: &FrameRef) -> Option<&'static str> {
    match (frame.previous().map(crate::model::Frame::cpl), frame.cpl()) {
        (Some(Cpl::Ring3), Cpl::Ring0) => Some("trap"),
        (Some(Cpl::Ring0), Cpl::Ring3) => Some("return"),
        _ => None,
    }
}

/// The strip. A plain view function rather than a component: it changes with every frame anyway, and a component of
/// its own would only add Yew's per-component code to the WebAssembly. `replay` replays the crossing animation when
/// it changes.
pub fn cpl_strip(frame: &FrameRef, replay: Trigger, on_replay: &Callback<()>) -> Html {
    let cpl = frame.cpl();
    let kernel = cpl == Cpl::Ring0;
    let crossing = crossing(frame);
    let here = location(frame);
    // With PTI the user page tables leave the kernel unmapped: the kernel side says so while CR3 names them.
    let unmapped = frame.timeline.scenario.runs_pti() && frame.machine.cpu.cr3 & PTI_USER_PGTABLE_BIT != 0;
    html! {
        <section class={classes!("cpl-strip", kernel.then_some("kernel-side"))} aria-label="Privilege level" data-testid="cpl-strip">
            <p class="cpl-words">
                <span class={classes!("cpl-badge", if kernel { "ring0" } else { "ring3" })} data-testid="cpl-badge">
                    { format!("CPL {}", cpl.number()) }
                </span>
                <span class="cpl-text" data-testid="cpl-text">{ format!(" {} (ring {})", cpl.mode_name(), cpl.number()) }</span>
            </p>
            <div class="strip" role="img"
                aria-label={format!("Execution is in {} at {here}", if kernel { "kernel space, ring 0" } else { "user space, ring 3" })}>
                <span class="side user-side">{ "user · ring 3" }</span>
                <span class="boundary-line" aria-hidden="true"></span>
                <span class={classes!("side", "kernel-side-label", unmapped.then_some("unmapped"))} data-testid="kernel-side">
                    { if unmapped { "kernel · unmapped (PTI)" } else { "kernel · ring 0" } }
                </span>
                // A new element (so its animation runs from the start) only on a crossing frame and on Replay; on
                // other frames the same element stays and a jump across the wall slides it.
                <span key={format!("token-{}-{}", replay.count(), crossing.map_or(0, |_| frame.index + 1))}
                    class={classes!("token", if kernel { "at-kernel" } else { "at-user" }, crossing.map(|kind| format!("crossing-{kind}")))}
                    data-testid="token">
                    <span class="token-dot" aria-hidden="true">{ "●" }</span>
                    <span class="token-label">{ here }</span>
                </span>
            </div>
            <p class="crossing-note" data-testid="crossing">
                <span class="crossing-words">{ match crossing {
                    Some("trap") => "Just crossed into the kernel. ",
                    Some(_) => "Just crossed back to user mode. ",
                    None => "",
                } }</span>
                <button type="button" class="link" onclick={on_replay.reform(|_: MouseEvent| ())}
                    disabled={crossing.is_none()} data-testid="replay">{ "Replay" }<span class="long-label">{ " crossing" }</span></button>
            </p>
        </section>
    }
}
