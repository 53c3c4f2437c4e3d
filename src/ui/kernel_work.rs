//! The kernel's work: the C steps of this run, lit as they happen (done, current, still to come), and a strip of
//! the stages (fd table, permission, page cache, disk, copy_to_user …) this scenario passes through.

use yew::prelude::*;

use crate::model::timeline::{Executed, Work};

use super::FrameProps;

/// A short label for a stage.
pub fn work_label(work: Work) -> &'static str {
    match work {
        Work::EnterKernel => "enter, IRQs on",
        Work::BoundsCheck => "bounds check",
        Work::Nospec => "array_index_nospec",
        Work::TableLookup => "syscall table",
        Work::FdTable => "fd table",
        Work::FileMode => "file mode",
        Work::AccessOk => "access_ok",
        Work::PageCache => "page cache",
        Work::Disk => "disk",
        Work::CopyToUser => "copy_to_user",
        Work::ExceptionFixup => "exception table",
        Work::CopyFromUser => "copy_from_user",
        Work::Console => "terminal",
        Work::PathCopy => "copy path in",
        Work::PathLookup => "path walk",
        Work::Permission => "permission",
        Work::FdAlloc => "new fd",
        Work::FdClose => "free fd",
        Work::Pid => "read pid",
        Work::Exit => "exit",
        Work::NotSimulated => "not simulated",
        Work::SetReturn => "set return value",
        Work::ExitKernel => "exit work, IRQs off",
        Work::SysretCheck => "choose exit",
        Work::VvarRead => "vvar page",
        Work::Rdtsc => "rdtsc",
        Work::VdsoStore => "store result",
    }
}

/// The kernel's work panel.
#[function_component(KernelWork)]
pub fn kernel_work(props: &FrameProps) -> Html {
    let state = &props.state;
    let timeline = &state.timeline;
    let cursor = state.cursor.min(state.last());
    let steps: Vec<(usize, &'static str, String, Work)> = timeline
        .frames
        .iter()
        .filter_map(|frame| match &frame.executed {
            Executed::Step { function, code, work } => Some((frame.index, *function, code.clone(), *work)),
            _ => None,
        })
        .collect();
    let mut stages: Vec<(Work, usize)> = Vec::new();
    for (index, _, _, work) in &steps {
        if !stages.iter().any(|(known, _)| known == work) {
            stages.push((*work, *index));
        }
    }
    let list = use_node_ref();
    super::use_center_in_box(&list, ".current", cursor);
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
                    html! { <li class={classes!("stage", status)} data-status={status}>{ work_label(*work) }
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
                                <code>{ code.clone() }</code>
                            </li>
                        }
                    }) }
                </ol>
            }
        </section>
    }
}
