//! The step indicator: the seven steps of the lesson, the current one marked, each a button to its first frame.

use yew::prelude::*;

use crate::model::LessonStep;
use crate::state::TimelineRef;

#[derive(Properties, PartialEq)]
pub struct StepIndicatorProps {
    pub timeline: TimelineRef,
    /// The step of the frame shown.
    pub current: LessonStep,
    pub on_jump: Callback<LessonStep>,
}

/// The seven steps as an ordered list of buttons; steps this scenario skips (the vDSO never traps) are marked.
#[function_component(StepIndicator)]
pub fn step_indicator(props: &StepIndicatorProps) -> Html {
    let current = props.current;
    html! {
            <nav class="steps" aria-label="The seven steps">
                <ol data-testid="lesson-steps">
                    { for LessonStep::ALL.iter().map(|step| {
                        let start = props.timeline.step_start(*step);
                        let status = if *step == current { "current" } else if *step < current { "done" } else { "todo" };
                        let on_click = props.on_jump.reform({
                            let step = *step;
                            move |_: MouseEvent| step
                        });
                        html! {
                            <li class={classes!("step", status, start.is_none().then_some("skipped"))}
                                data-testid={format!("lesson-step-{}", step.number())}
                                aria-current={(*step == current).then_some("step")}>
                                <button type="button" onclick={on_click} disabled={start.is_none()}
    >
                                    <span class="step-number">{ step.number() }</span>
                                    <span class="step-name">{ step.title_for(props.timeline.scenario.program) }</span>
                                    if start.is_none() { <span class="visually-hidden">{ " (skipped in this scenario)" }</span> }
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            </nav>
        }
}
