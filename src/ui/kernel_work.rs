//! The kernel's work: the C steps of this run, lit as they happen (done, current), and the plan of those still to
//! come, without their answers.

use std::fmt::Write as _;

use yew::prelude::*;

use crate::model::frame::Executed;

use crate::state::FrameRef;

use super::common::{escape_html, raw};
use super::hooks::use_center_in_box;

#[derive(Properties, PartialEq)]
pub struct KernelWorkProps {
    pub frame: FrameRef,
    /// Whether the panel is on screen (a hidden box cannot be scrolled to its current row).
    pub shown: bool,
}

/// A C step's code without its outcome (`fdget(3) → found` is `fdget(3)`), for the steps still to come.
pub fn plan(code: &str) -> String {
    code.split('→').next().unwrap_or(code).trim_end().to_string()
}

/// The kernel's work panel.
#[function_component(KernelWork)]
pub fn kernel_work(props: &KernelWorkProps) -> Html {
    let timeline = &props.frame.timeline;
    let cursor = props.frame.index;
    let steps: Vec<(usize, &'static str, String)> = timeline
        .frames
        .iter()
        .filter_map(|frame| match &frame.executed {
            Executed::CCode { function, code, .. } => Some((frame.index, *function, code.clone())),
            _ => None,
        })
        .collect();
    let list = use_node_ref();
    use_center_in_box(&list, ".current", cursor as u64, props.shown);
    let title = if timeline.scenario.program == crate::model::Program::VdsoClockGettime {
        "The vDSO's work (in ring 3)"
    } else {
        "The kernel's work"
    };
    let mut items = String::new();
    for (index, function, code) in &steps {
        let status = if *index == cursor {
            "current"
        } else if *index < cursor {
            "done"
        } else {
            "todo"
        };
        // What is still to come shows its plan, not its answer.
        let code = if status == "todo" { plan(code) } else { code.clone() };
        let _ = write!(
            items,
            "<li class=\"c-step {status}\" data-testid=\"c-step\" data-status=\"{status}\"{}><span class=\"function\">\
             {}</span><code>{}</code></li>",
            if status == "current" { " aria-current=\"step\"" } else { "" },
            escape_html(function),
            escape_html(&code)
        );
    }
    html! {
        <section class="panel work-panel" aria-labelledby="work-heading" data-testid="kernel-work">
            <h2 id="work-heading">{ title }</h2>
            if steps.is_empty() {
                <p class="hint">{ "No kernel code runs in this scenario." }</p>
            } else {
                <ol class="c-steps" ref={list} tabindex="0" aria-label="Kernel steps of this run">
                    { raw(items) }
                </ol>
            }
        </section>
    }
}
