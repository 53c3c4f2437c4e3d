//! [`Explorer`], the page layout: a screen that fits the viewport (header, lesson steps, the stage, the controls), then
//! the notes. It hands each view only what it shows.

use yew::prelude::*;

use crate::model::cpu::Cpl;
use crate::model::frame::Executed;
use crate::model::moments::Focus;
use crate::state::{Action, Mode, State};

use super::common::TAGLINE;
use super::hooks::use_staged_reveal;
use super::stage::FocusView;
use super::{changes, controls, cpl_strip, handout, scenario_editor, steps, toolbar};

/// The CSS class of a mode.
pub fn mode_class(mode: Mode) -> String {
    format!("mode-{}", mode.id())
}

#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    pub state: State,
    pub on_action: Callback<Action>,
}

/// How many render passes the focus view's panels arrive in (see [`Explorer`]): the shown one in the first, each of
/// the others in one after it, so one per view.
pub const PANEL_BATCHES: u8 = Focus::ALL.len() as u8;

/// What the frame ran, under the step title. An instruction's text is a piece of its own after the address and bytes
/// (not the trace's fixed columns), so a narrow column wraps it onto the next line: in presentation mode the padded
/// line put the instruction itself past the edge of the narration.
fn executed_line(executed: &Executed) -> Html {
    match executed {
        Executed::Insn(image_insn) => html! {
            <code class="insn-line">
                // The trailing space keeps the text readable as one line (a screen reader, a copy): "e4 xor".
                { format!("{:#x}  {} ", image_insn.addr, image_insn.hex_bytes()) }
                <span class="insn-text">{ image_insn.text }</span>
            </code>
        },
        Executed::Start => html! { <span>{ "Nothing has run yet." }</span> },
        other => html! { <code>{ other.describe() }</code> },
    }
}

/// The notices about a link's unusable parameters, with a button to dismiss them.
fn notices(state: &State, on_action: &Callback<Action>) -> Html {
    if state.notices.is_empty() {
        return Html::default();
    }
    html! {
        <div class="notices" role="status" data-testid="notices">
            <p>{ "Some parts of the link could not be used:" }</p>
            <ul>{ for state.notices.iter().map(|notice| html! { <li><code>{ notice.param.clone() }</code>{ format!(": {}", notice.message) }</li> }) }</ul>
            <button type="button" class="small" onclick={on_action.reform(|_| Action::DismissNotices)}>{ "Dismiss" }</button>
        </div>
    }
}

/// The narration of the current frame: the step heading, what ran, the words, and at the end how it ended.
fn narration(state: &State, on_action: &Callback<Action>) -> Html {
    let frame = state.frame();
    let ending = (state.cursor == state.last()).then(|| {
        let text = crate::model::trace::ending(&state.timeline);
        let mut chars = text.chars();
        chars.next().map_or_else(String::new, |first| format!("{}{}.", first.to_ascii_uppercase(), chars.as_str()))
    });
    html! {
        <section class="narration" aria-labelledby="narration-heading" data-testid="narration-box">
            <h2 id="narration-heading" class="visually-hidden">{ "What is happening" }</h2>
            <p class="step-title" data-testid="step-title">{ frame.step.heading_for(state.timeline.scenario.program) }</p>
            <p class="executed" data-testid="executed">{ executed_line(&frame.executed) }</p>
            <p class="narration-text" data-testid="narration" aria-live="polite">{ frame.narration.clone() }</p>
            if let Some(ending) = ending {
                <p class="ending" data-testid="ending">{ ending }
                    { " " }<button type="button" class="small" data-testid="show-cost" onclick={on_action.reform(|_| Action::ShowCost)}>{ "What did it cost?" }</button>
                </p>
            }
        </section>
    }
}

/// The page layout: a screen (header, steps, the stage, the controls) that fits the viewport, then the notes.
///
/// The stage holds what a frame is about, all in view at once at every size: the narration, the privilege strip,
/// the registers that changed, and the focus view ([`FocusView`]). The first render builds the screen without the
/// focus view's panels; they follow one per animation frame ([`use_staged_reveal`], [`PANEL_BATCHES`] renders), the
/// shown one first, so a click is handled between frames instead of waiting for the whole page. A render in which
/// the state changed reveals nothing more, so the change paints alone.
#[function_component(Explorer)]
pub fn explorer(props: &ExplorerProps) -> Html {
    let state = &props.state;
    let on_action = &props.on_action;
    let revealed = use_staged_reveal(PANEL_BATCHES, state.clone());
    let timeline = &state.timeline;
    let frame = state.frame_ref();
    let kernel = frame.cpl() == Cpl::Ring0;
    let edited = timeline.scenario.is_edited();
    html! {
        <div class={classes!("page", if kernel { "in-kernel" } else { "in-user" }, mode_class(state.mode))}
            data-testid="app" data-mode={mode_class(state.mode)}>
            <div class="screen">
                { notices(state, on_action) }
                <header class="top">
                    <div class="brand">
                        <h1>{ "Syscall Explorer" }</h1>
                        <p class="tagline">{ TAGLINE }</p>
                    </div>
                    <scenario_editor::ScenarioEditor timeline={timeline.clone()} reset={state.editor_reset} {edited}
                        on_preset={on_action.reform(Action::SetPreset)} on_scenario={on_action.reform(Action::SetScenario)} />
                    <toolbar::Toolbar link={crate::link::LinkState::of(state)} timeline={timeline.clone()} {on_action} />
                </header>
                <steps::StepIndicator timeline={timeline.clone()} current={frame.step} on_jump={on_action.reform(Action::JumpToStep)} />
                <main class="stage" data-testid="stage" aria-busy={(revealed < PANEL_BATCHES).then_some("true")}>
                    { narration(state, on_action) }
                    { cpl_strip::cpl_strip(&frame, state.crossing_replay, &on_action.reform(|()| Action::ReplayCrossing)) }
                    { changes::changes(&frame, state.radix) }
                    <FocusView frame={frame.clone()} radix={state.radix} on_toggle_radix={on_action.reform(|()| Action::ToggleRadix)} {revealed}
                        measured={state.measured.clone()} show_cost={state.cost_request} />
                </main>
                { controls::controls(&controls::ControlsProps { timeline: timeline.clone(), cursor: frame.index,
                    playing: state.playing, granularity: state.granularity, speed: state.speed, on_action: on_action.clone() }) }
            </div>
            if revealed >= PANEL_BATCHES && !timeline.simplifications.is_empty() {
                <aside class="simplified" data-testid="simplified">
                    <h2>{ "Simplified here" }</h2>
                    <ul>{ for timeline.simplifications.iter().map(|note| html! { <li>{ note.clone() }</li> }) }</ul>
                </aside>
            }
            if state.handout {
                <handout::Handout timeline={timeline.clone()} />
            }
            <footer class="about">
                <details>
                    <summary>{ "What this model leaves out" }</summary>
                    <p>{ "The entry code is Linux 6.12's entry_SYSCALL_64. With mitigations on it adds the Meltdown page-table switch (PTI, without PCID) and verw (MDS), as on a Skylake; it never runs IBRS or the return-stack and branch-history clearing newer CPUs need. Without them its exit skips the trampoline stack, and int 0x80 is shown without mitigations. Addresses are fixed (no KASLR); the kernel's C code runs as named steps. The bytes are real x86-64, encoded and decoded by iced-x86." }</p>
                </details>
            </footer>
        </div>
    }
}
