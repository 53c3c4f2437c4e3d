//! The printable handout: one page per seed step, each with the step's key frame: the narration, which side of the
//! wall the CPU is on, and the registers (changed ones marked). Built when a print is announced (the Print button, or
//! the browser's `beforeprint` for Ctrl+P and its menu) and shown only by the print stylesheet; it depends on the
//! timeline only, so stepping never re-renders it.

use yew::prelude::*;

use crate::model::cpu::{Gpr, Reg};
use crate::model::{Frame, SeedStep, Timeline};

use crate::app::TimelineRef;

#[derive(Properties, PartialEq)]
pub struct HandoutProps {
    pub timeline: TimelineRef,
}

/// The frame that best shows each step: the trap itself for step 3, the step's last frame otherwise.
pub fn key_frames(timeline: &Timeline) -> Vec<(SeedStep, &Frame)> {
    SeedStep::ALL
        .iter()
        .filter_map(|step| {
            let mut frames = timeline.frames.iter().filter(|frame| frame.step == *step);
            let chosen = if *step == SeedStep::Trap { frames.next() } else { frames.next_back() };
            chosen.map(|frame| (*step, frame))
        })
        .collect()
}

/// The handout.
#[function_component(Handout)]
pub fn handout(props: &HandoutProps) -> Html {
    let timeline = &props.timeline;
    html! {
        <div class="handout" data-testid="handout" aria-hidden="true">
            { for key_frames(timeline).into_iter().map(|(step, frame)| {
                let cpu = &frame.machine.cpu;
                let cpl = frame.cpl();
                html! {
                    <section class="handout-page">
                        <p class="handout-scenario">{ format!("Syscall Explorer · {} · frame {} of {}", timeline.scenario.preset.title(), frame.index + 1, timeline.frames.len()) }</p>
                        <h2>{ format!("Step {} of 7: {}", step.number(), step.title()) }</h2>
                        <p>{ step.summary() }</p>
                        <p class="handout-wall">{ format!("The CPU is in {} (CPL {}).", cpl.mode_name(), cpl.number()) }</p>
                        <p><code>{ frame.executed.describe() }</code></p>
                        <p class="handout-narration">{ frame.narration.clone() }</p>
                        <table class="handout-regs">
                            <tbody>
                                { for Gpr::DISPLAY_ORDER.chunks(2).map(|pair| html! {
                                    <tr>
                                        { for pair.iter().map(|gpr| {
                                            let changed = frame.changed_regs.contains(&Reg::Gpr(*gpr));
                                            html! { <>
                                                <th>{ gpr.name().to_ascii_uppercase() }</th>
                                                <td><code>{ format!("{:#018x}{}", cpu.get(*gpr), if changed { " ▲" } else { "" }) }</code></td>
                                            </> }
                                        }) }
                                    </tr>
                                }) }
                                <tr><th>{ "RIP" }</th><td><code>{ format!("{:#018x}", cpu.rip) }</code></td>
                                    <th>{ "RFLAGS" }</th><td><code>{ format!("{:#x}", cpu.rflags) }</code></td></tr>
                                <tr><th>{ "CS" }</th><td><code>{ format!("{:#x}", cpu.cs) }</code></td>
                                    <th>{ "SS" }</th><td><code>{ format!("{:#x}", cpu.ss) }</code></td></tr>
                            </tbody>
                        </table>
                    </section>
                }
            }) }
        </div>
    }
}
