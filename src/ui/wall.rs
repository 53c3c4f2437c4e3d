//! The wall: user space (ring 3) above, kernel space (ring 0) below, the privilege boundary between, and a token for
//! where execution is. On the trap and on the return the token crosses, animated (unless reduced motion is asked).

use yew::prelude::*;

use crate::model::cpu::Cpl;
use crate::model::frame::Executed;
use crate::model::image::ROUTINES;
use crate::model::layout::{DO_INT80_EMULATION, DO_SYSCALL_64, VDSO_CLOCK_GETTIME};
use crate::model::program::routine_containing;
use crate::state::{FrameRef, Trigger};

#[derive(Properties, PartialEq)]
pub struct WallProps {
    pub frame: FrameRef,
    /// Replays the crossing animation when it changes.
    pub replay: Trigger,
    pub on_replay: Callback<()>,
}

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

/// The wall panel.
#[function_component(Wall)]
pub fn wall(props: &WallProps) -> Html {
    let frame = &props.frame;
    let cpl = frame.cpl();
    let prev_cpl = frame.previous().map(crate::model::Frame::cpl);
    let crossing = match (prev_cpl, cpl) {
        (Some(Cpl::Ring3), Cpl::Ring0) => Some("trap"),
        (Some(Cpl::Ring0), Cpl::Ring3) => Some("return"),
        _ => None,
    };
    let kernel = cpl == Cpl::Ring0;
    let here = location(frame);
    let on_replay = props.on_replay.reform(|_: MouseEvent| ());
    let lstar = frame.machine.cpu.msr.lstar;
    html! {
        <section class="panel wall-panel" aria-labelledby="wall-heading" data-testid="wall">
            <h2 id="wall-heading">{ "The wall between user and kernel" }</h2>
            <p class="cpl-line">
                <span class={classes!("cpl-badge", if kernel { "ring0" } else { "ring3" })} data-testid="cpl-badge">
                    { format!("CPL {}", cpl.number()) }
                </span>
                <span data-testid="cpl-text">{ format!(" The CPU is in {} (ring {}).", cpl.mode_name(), cpl.number()) }</span>
            </p>
            <div class={classes!("wall", kernel.then_some("kernel-side"))} role="img"
                aria-label={format!("Execution is in {} at {here}", if kernel { "kernel space, ring 0" } else { "user space, ring 3" })}>
                <div class="lane user-lane"><span class="lane-name">{ "User space · ring 3" }</span><span class="lane-note">{ "your program, the C library, the vDSO; leaves only by syscall or int 0x80" }</span></div>
                <div class="boundary"><span>{ "privilege boundary" }</span></div>
                <div class="lane kernel-lane"><span class="lane-name">{ "Kernel space · ring 0" }</span><span class="lane-note">{ "entered only at fixed points; left by sysret or iret" }</span></div>
                // A new element (so its animation runs from the start) only on a crossing frame and on Replay; on
                // other steps the same element stays, its label changes and a jump across the wall slides it.
                <div key={format!("token-{}-{}", props.replay.count(), crossing.map_or(0, |_| frame.index + 1))}
                    class={classes!("token", if kernel { "at-kernel" } else { "at-user" }, crossing.map(|kind| format!("crossing-{kind}")))}
                    data-testid="token">
                    <span class="token-dot" aria-hidden="true">{ "●" }</span>
                    <span class="token-label">{ here.clone() }</span>
                </div>
            </div>
            <p class="crossing-note" data-testid="crossing">
                { match crossing {
                    Some("trap") => "Just crossed into the kernel.".to_string(),
                    Some(_) => "Just crossed back to user mode.".to_string(),
                    None => format!("Execution is at {here}."),
                } }
                { " " }
                <button type="button" class="link" onclick={on_replay} disabled={crossing.is_none()} data-testid="replay">{ "Replay crossing" }</button>
            </p>
            <dl class="msrs" data-testid="msrs">
                <dt>{ "LSTAR" }</dt><dd><code>{ format!("{lstar:#x}") }</code>{ " entry_SYSCALL_64: where syscall always lands" }</dd>
                <dt>{ "STAR" }</dt><dd><code>{ format!("{:#x}", frame.machine.cpu.msr.star) }</code>{ " kernel CS 0x10 (SS 0x18); user CS 0x33, SS 0x2b for sysret" }</dd>
                <dt>{ "FMASK" }</dt><dd><code>{ format!("{:#x}", frame.machine.cpu.msr.fmask) }</code>{ " RFLAGS bits syscall clears, IF among them" }</dd>
                <dt>{ "KERNEL_GS_BASE" }</dt><dd><code>{ format!("{:#x}", frame.machine.cpu.msr.kernel_gs_base) }</code>{ " swapped with GS.base by swapgs" }</dd>
            </dl>
        </section>
    }
}
