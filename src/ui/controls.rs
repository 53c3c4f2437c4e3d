//! Playback controls: restart, back, play/pause, forward, end, speed, and a scrubber marked with the seven steps.

use yew::prelude::*;

use crate::model::LessonStep;
use crate::state::{Action, Speed, TimelineRef};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub timeline: TimelineRef,
    pub cursor: usize,
    pub playing: bool,
    pub speed: Speed,
    pub on_action: Callback<Action>,
}

/// Scrubber marks: (step number, position in hundredths of a percent, whether it has room for its label).
/// Integer arithmetic: formatting floats would pull float printing into the WebAssembly.
pub fn marks(starts: &[(LessonStep, usize)], last: usize) -> Vec<(u8, usize, bool)> {
    let mut out: Vec<(u8, usize, bool)> = Vec::new();
    let mut last_label: Option<usize> = None;
    for (step, idx) in starts {
        let hundredths = (idx * 10_000).checked_div(last).unwrap_or(0);
        let labelled = last_label.is_none_or(|previous| hundredths >= previous + 300);
        if labelled {
            last_label = Some(hundredths);
        }
        out.push((step.number(), hundredths, labelled));
    }
    out
}

/// The control bar.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let cursor = props.cursor;
    let last = props.timeline.frames.len().saturating_sub(1);
    let emit = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let on_scrub = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            if let Ok(index) = input.value().parse::<usize>() {
                on_action.emit(Action::JumpTo(index));
            }
        })
    };
    let on_speed = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Some(speed) = Speed::from_id(&select.value()) {
                on_action.emit(Action::SetSpeed(speed));
            }
        })
    };
    let starts = props.timeline.step_starts();
    html! {
        <section class="controls" aria-label="Playback">
            <div class="buttons">
                <button type="button" data-testid="restart" onclick={emit(Action::First)} disabled={cursor == 0} title="Restart (Home)">{ "Restart" }</button>
                <button type="button" data-testid="step-back" onclick={emit(Action::Back)} disabled={cursor == 0} title="Step back (Left arrow, Page Up)">{ "◀ Back" }</button>
                <button type="button" data-testid="play" class="primary" onclick={emit(Action::TogglePlay)} aria-pressed={if props.playing { "true" } else { "false" }} title="Play or pause (Space)">
                    { if props.playing { "⏸ Pause" } else { "▶ Play" } }
                </button>
                <button type="button" data-testid="step-forward" onclick={emit(Action::Next)} disabled={cursor >= last} title="Step forward (Right arrow, Page Down)">{ "Next ▶" }</button>
                <button type="button" data-testid="end" onclick={emit(Action::Last)} disabled={cursor >= last} title="Go to the end (End)">{ "End" }</button>
                <label class="speed">{ "Speed " }
                    <select data-testid="speed" onchange={on_speed}>
                        { for Speed::ALL.iter().map(|speed| html! {
                            <option value={speed.id()} selected={*speed == props.speed}>{ speed.id() }</option>
                        }) }
                    </select>
                </label>
            </div>
            <div class="scrubber">
                <label for="scrubber" class="frame-count" data-testid="frame-counter">
                    { format!("Frame {} of {}", cursor + 1, last + 1) }
                </label>
                <div class="scrub-track">
                    <input id="scrubber" type="range" min="0" max={last.to_string()} value={cursor.to_string()}
                        data-testid="scrubber" oninput={on_scrub} aria-valuetext={format!("frame {} of {}", cursor + 1, last + 1)} />
                    // An SVG with percentage positions: no style attributes, so a strict CSP (no 'unsafe-inline') holds.
                    <svg class="marks" aria-hidden="true" focusable="false">
                        { for marks(&starts, last).into_iter().map(|(number, hundredths, labelled)| {
                            let x = format!("{}.{:02}%", hundredths / 100, hundredths % 100);
                            html! {
                                <g>
                                    <line x1={x.clone()} x2={x.clone()} y1="0" y2="5" />
                                    if labelled { <text x={x} y="15" text-anchor="middle">{ number }</text> }
                                </g>
                            }
                        }) }
                    </svg>
                </div>
            </div>
        </section>
    }
}
