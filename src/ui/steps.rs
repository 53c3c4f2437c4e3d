//! The step indicator: the seven steps of the lesson, the current one marked, each a button to its first frame.

use yew::prelude::*;

use crate::app::{Action, State};
use crate::model::SeedStep;

#[derive(Properties, PartialEq)]
pub struct StepIndicatorProps {
    pub state: State,
    pub on_action: Callback<Action>,
}

/// The seven steps as an ordered list of buttons; steps this scenario skips (the vDSO never traps) are marked.
#[function_component(StepIndicator)]
pub fn step_indicator(props: &StepIndicatorProps) -> Html {
    let state = &props.state;
    let current = state.timeline.frames[state.cursor.min(state.last())].step;
    let starts = state.timeline.step_starts();
    html! {
        <nav class="steps" aria-label="The seven steps">
            <ol data-testid="seed-steps">
                { for SeedStep::ALL.iter().map(|step| {
                    let start = starts.iter().find(|(candidate, _)| candidate == step).map(|(_, idx)| *idx);
                    let status = if *step == current { "current" } else if *step < current { "done" } else { "todo" };
                    let on_click = {
                        let on_action = props.on_action.clone();
                        Callback::from(move |_| if let Some(idx) = start { on_action.emit(Action::JumpTo(idx)) })
                    };
                    html! {
                        <li class={classes!("step", status, start.is_none().then_some("skipped"))}
                            data-testid={format!("seed-step-{}", step.number())}
                            aria-current={(*step == current).then_some("step")}>
                            <button type="button" onclick={on_click} disabled={start.is_none()}
                                title={if start.is_none() { "This scenario skips this step".to_string() } else { format!("Go to step {}", step.number()) }}>
                                <span class="step-number">{ step.number() }</span>
                                <span class="step-name">{ step.title() }</span>
                                if start.is_none() { <span class="visually-hidden">{ " (skipped in this scenario)" }</span> }
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}
