//! Playback controls: restart, back, play/pause, next, end, where Next stops (steps, key moments, every instruction),
//! speed, and a scrubber over the stops, marked and labelled with the lesson steps.

use std::fmt::Write as _;

use yew::prelude::*;

use crate::model::moments::{stop_position, Granularity};
use crate::model::LessonStep;
use crate::state::{Action, Speed, TimelineRef};

use super::common::raw;

/// What the control bar shows.
pub struct ControlsProps {
    pub timeline: TimelineRef,
    pub cursor: usize,
    pub playing: bool,
    pub granularity: Granularity,
    pub speed: Speed,
    pub on_action: Callback<Action>,
}

/// One lesson step's mark on the scrubber: where the step starts (hundredths of a percent of the track) and where its
/// label sits, moved aside just enough that no two labels overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub step: u8,
    pub at: usize,
    pub label_at: usize,
}

/// The least distance between two labels, in hundredths of a percent of the track: a one-digit label is under 3 %
/// of the narrowest track (a phone's, ~340 px) and under 4 % of a projector's at 18 px type, so 7 % leaves a gap.
pub const LABEL_GAP: usize = 700;

/// Scrubber marks for lesson steps that start at these stop positions, out of `last_position`. Every step keeps its
/// label: labels that would crowd are pushed right, then, where that runs past the end, pulled back left. Integer
/// arithmetic: formatting floats would pull float printing into the WebAssembly.
pub fn marks(starts: &[(LessonStep, usize)], last_position: usize) -> Vec<Mark> {
    let mut marks: Vec<Mark> = starts
        .iter()
        .map(|(step, position)| {
            let at = (position * 10_000).checked_div(last_position).unwrap_or(0).min(10_000);
            Mark { step: step.number(), at, label_at: at }
        })
        .collect();
    for idx in 1..marks.len() {
        marks[idx].label_at = marks[idx].label_at.max(marks[idx - 1].label_at + LABEL_GAP);
    }
    let mut limit = 10_000;
    for mark in marks.iter_mut().rev() {
        mark.label_at = mark.label_at.min(limit);
        limit = mark.label_at.saturating_sub(LABEL_GAP);
    }
    marks
}

fn percent(hundredths: usize) -> String {
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

/// The scrubber's step marks: an SVG with percentage positions, no style attributes, so a strict CSP (no
/// 'unsafe-inline') holds. As one string: it has no controls, and the virtual DOM's code for it costs more.
fn marks_svg(marks: &[Mark]) -> String {
    let mut out = String::from("<svg class=\"marks\" aria-hidden=\"true\" focusable=\"false\">");
    for mark in marks {
        let (at, label_at) = (percent(mark.at), percent(mark.label_at));
        let _ = write!(out, "<g><line x1=\"{at}\" x2=\"{at}\" y1=\"0\" y2=\"5\"/>");
        if mark.label_at != mark.at {
            let _ = write!(out, "<line class=\"leader\" x1=\"{at}\" x2=\"{label_at}\" y1=\"5\" y2=\"8\"/>");
        }
        let _ = write!(
            out,
            "<text x=\"{label_at}\" y=\"1.05em\" text-anchor=\"middle\" data-testid=\"scrubber-label-{}\">{}</text></g>",
            mark.step, mark.step
        );
    }
    out.push_str("</svg>");
    out
}

/// The control bar.
///
/// A plain view function rather than a component: the cursor changes with every step anyway, and a component of its
/// own would only add Yew's per-component code to the WebAssembly.
pub fn controls(props: &ControlsProps) -> Html {
    let cursor = props.cursor;
    let last = props.timeline.frames.len().saturating_sub(1);
    let stops = props.timeline.stops(props.granularity);
    let last_position = stops.len().saturating_sub(1);
    let position = stop_position(&stops, cursor);
    let emit = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let on_scrub = {
        let on_action = props.on_action.clone();
        let stops = stops.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            if let Some(frame) = input.value().parse::<usize>().ok().and_then(|position| stops.get(position)) {
                on_action.emit(Action::JumpTo(*frame));
            }
        })
    };
    let on_speed = props.on_action.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        Action::SetSpeed(Speed::from_id(&select.value()).unwrap_or(Speed::Normal))
    });
    let on_granularity = props.on_action.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        Action::SetGranularity(Granularity::from_id(&select.value()).unwrap_or(Granularity::KeyMoments))
    });
    let starts: Vec<(LessonStep, usize)> =
        props.timeline.step_starts().into_iter().map(|(step, frame)| (step, stop_position(&stops, frame))).collect();
    let where_text = if props.granularity == Granularity::Instructions {
        format!("Frame {} of {}", cursor + 1, last + 1)
    } else {
        format!("Frame {} of {} · stop {} of {}", cursor + 1, last + 1, position + 1, last_position + 1)
    };
    html! {
        <section class="controls" aria-label="Playback" data-testid="controls">
            <div class="buttons">
                <button type="button" data-testid="restart" onclick={emit(Action::First)} disabled={cursor == 0} title="Restart (Home)">{ "Restart" }</button>
                <button type="button" data-testid="step-back" onclick={emit(Action::Back)} disabled={cursor == 0} title="Back (Left arrow, Page Up)">{ "◀ Back" }</button>
                <button type="button" data-testid="play" class="primary" onclick={emit(Action::TogglePlay)} aria-pressed={if props.playing { "true" } else { "false" }} title="Play or pause (Space)">
                    { if props.playing { "⏸ Pause" } else { "▶ Play" } }
                </button>
                <button type="button" data-testid="step-forward" onclick={emit(Action::Next)} disabled={cursor >= last} title="Next (Right arrow, Page Down)">{ "Next ▶" }</button>
                <button type="button" data-testid="end" onclick={emit(Action::Last)} disabled={cursor >= last} title="Go to the end (End)">{ "End" }</button>
                <label class="granularity">{ "Stop at " }
                    <select data-testid="granularity" onchange={on_granularity}>
                        { for Granularity::ALL.iter().map(|granularity| html! {
                            <option value={granularity.id()} selected={*granularity == props.granularity}>{ granularity.label() }</option>
                        }) }
                    </select>
                </label>
                <label class="speed">{ "Speed " }
                    <select data-testid="speed" onchange={on_speed}>
                        { for Speed::ALL.iter().map(|speed| html! {
                            <option value={speed.id()} selected={*speed == props.speed}>{ speed.id() }</option>
                        }) }
                    </select>
                </label>
            </div>
            <div class="scrubber">
                <label for="scrubber" class="frame-count" data-testid="frame-counter">{ where_text.clone() }</label>
                <div class="scrub-track">
                    <input id="scrubber" type="range" min="0" max={last_position.to_string()} value={position.to_string()}
                        data-testid="scrubber" oninput={on_scrub} aria-valuetext={where_text} />
                    { raw(marks_svg(&marks(&starts, last_position))) }
                </div>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_keeps_a_label_and_labels_never_crowd() {
        // Step starts as stop positions out of 84 (every instruction of read): steps 1 and 2 are one stop apart.
        let starts: Vec<(LessonStep, usize)> = LessonStep::ALL.iter().copied().zip([0, 5, 6, 45, 52, 59, 81]).collect();
        let marks = marks(&starts, 84);
        assert_eq!(marks.len(), 7);
        for pair in marks.windows(2) {
            assert!(pair[1].label_at >= pair[0].label_at + LABEL_GAP, "{pair:?}");
        }
        assert!(marks.iter().all(|mark| mark.label_at <= 10_000));
        // Crowded at the end: pulled back left, still in order.
        let late: Vec<(LessonStep, usize)> = LessonStep::ALL.iter().copied().zip([0, 1, 2, 3, 97, 98, 99]).collect();
        let marks = super::marks(&late, 99);
        assert_eq!(marks.last().map(|mark| mark.label_at), Some(10_000));
        assert!(marks.windows(2).all(|pair| pair[1].label_at >= pair[0].label_at + LABEL_GAP));
    }
}
