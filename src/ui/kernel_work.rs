//! The kernel's work: the C steps of this run, lit as they happen (done, current, still to come), and a strip of
//! the stages (fd table, permission, page cache, disk, copy_to_user …) this scenario passes through.

use yew::prelude::*;

use crate::model::frame::{Executed, KernelStage};

use crate::state::FrameRef;

use super::hooks::use_center_in_box;

#[derive(Properties, PartialEq)]
pub struct KernelWorkProps {
    pub frame: FrameRef,
    /// Whether the panel is on screen (a hidden box cannot be scrolled to its current row).
    pub shown: bool,
}

/// A short label for a stage.
pub fn work_label(work: KernelStage) -> &'static str {
    match work {
        KernelStage::EnterKernel => "enter, IRQs on",
        KernelStage::BoundsCheck => "bounds check",
        KernelStage::Nospec => "array_index_nospec",
        KernelStage::TableLookup => "syscall table",
        KernelStage::FdTable => "fd table",
        KernelStage::FileMode => "file mode",
        KernelStage::AccessOk => "access_ok",
        KernelStage::PageCache => "page cache",
        KernelStage::Disk => "disk",
        KernelStage::CopyToUser => "copy_to_user",
        KernelStage::ExceptionFixup => "exception table",
        KernelStage::CopyFromUser => "copy_from_user",
        KernelStage::Console => "terminal",
        KernelStage::PathCopy => "copy path in",
        KernelStage::PathLookup => "path walk",
        KernelStage::Permission => "permission",
        KernelStage::FdAlloc => "new fd",
        KernelStage::FdClose => "free fd",
        KernelStage::Pid => "read pid",
        KernelStage::Exit => "exit",
        KernelStage::NotSimulated => "not simulated",
        KernelStage::SetReturn => "set return value",
        KernelStage::ExitKernel => "exit work, IRQs off",
        KernelStage::SysretCheck => "choose exit",
        KernelStage::VvarRead => "vvar page",
        KernelStage::Rdtsc => "rdtsc",
        KernelStage::VdsoStore => "store result",
    }
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
    let steps: Vec<(usize, &'static str, String, KernelStage)> = timeline
        .frames
        .iter()
        .filter_map(|frame| match &frame.executed {
            Executed::CCode { function, code, stage } => Some((frame.index, *function, code.clone(), *stage)),
            _ => None,
        })
        .collect();
    let mut stages: Vec<(KernelStage, usize)> = Vec::new();
    for (index, _, _, work) in &steps {
        if !stages.iter().any(|(known, _)| known == work) {
            stages.push((*work, *index));
        }
    }
    let list = use_node_ref();
    use_center_in_box(&list, ".current", cursor as u64, props.shown);
    let current_work = steps.iter().find(|(index, ..)| *index == cursor).map(|(_, _, _, work)| *work);
    let title = if timeline.scenario.program == crate::model::Program::VdsoClockGettime {
        "The vDSO's work (in ring 3)"
    } else {
        "The kernel's work"
    };
    html! {
        <section class="panel work-panel" aria-labelledby="work-heading" data-testid="kernel-work">
            <h2 id="work-heading">{ title }</h2>
            <ol class="stages" aria-label="Stages">
                { for stages.iter().map(|(work, first)| {
                    let status = if current_work == Some(*work) { "current" } else if *first < cursor { "done" } else { "todo" };
                    html! { <li class={classes!("stage-chip", status)} data-status={status}>{ work_label(*work) }
                        <span class="visually-hidden">{ format!(" ({status})") }</span></li> }
                }) }
            </ol>
            if steps.is_empty() {
                <p class="hint">{ "No kernel code runs in this scenario." }</p>
            } else {
                <ol class="c-steps" ref={list} tabindex="0" aria-label="Kernel steps of this run">
                    { for steps.iter().map(|(index, function, code, _)| {
                        let status = if *index == cursor { "current" } else if *index < cursor { "done" } else { "todo" };
                        html! {
                            <li class={classes!("c-step", status)} data-testid="c-step" data-status={status} aria-current={(status == "current").then_some("step")}>
                                <span class="function">{ *function }</span>
                                // What is still to come shows its plan, not its answer.
                                <code>{ if status == "todo" { plan(code) } else { code.clone() } }</code>
                            </li>
                        }
                    }) }
                </ol>
            }
        </section>
    }
}
