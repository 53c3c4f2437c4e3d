//! Yew components: pure views of a frame, plus callbacks that send [`Action`]s to the reducer in `app.rs`.
//!
//! [`Explorer`] lays the page out; each panel is a component of its own file: [`controls`], [`steps`], [`wall`],
//! [`register_file`], [`listing`], [`syscall_table`], [`kernel_work`], [`memory_view`], [`scenario_editor`].

pub mod controls;
pub mod handout;
pub mod kernel_work;
pub mod listing;
pub mod memory_view;
#[cfg(not(target_arch = "wasm32"))]
pub mod prerender;
pub mod register_file;
pub mod scenario_editor;
pub mod steps;
pub mod syscall_table;
pub mod toolbar;
pub mod wall;

use gloo::render::request_animation_frame;
use yew::prelude::*;

use crate::app::{Action, Mode, State};
use crate::model::cpu::Cpl;
use crate::model::timeline::Executed;

/// The one sentence under the title (also in the pre-rendered first screen, `prerender.rs`).
pub const TAGLINE: &str =
    "What the CPU and the Linux kernel do, register by register, when a program makes a system call.";

/// Escapes text for HTML built as a string (the pre-rendered first screen, the listings' tables).
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Formats a 64-bit value as 16 hex digits.
pub fn hex64(value: u64) -> String {
    format!("0x{value:016x}")
}

/// Keeps the row matching `selector` centred in `container`'s own scroll box: on mount, and whenever `deps` changes.
/// Not `scrollIntoView`, which would scroll every scrolling ancestor, the page included, on every step.
///
/// Measuring the row forces a layout, so it waits for the next animation frame, where that layout is the one the
/// browser does anyway before it paints. Run straight from the effect it laid the page out an extra time in each of
/// the render passes in which the panels arrive (see [`Explorer`]): 31 ms of forced layout in one of them at 1x.
#[hook]
pub fn use_center_in_box<D: PartialEq + 'static>(container: &NodeRef, selector: &'static str, deps: D) {
    let container = container.clone();
    use_effect_with(deps, move |_| {
        // Dropped (so cancelled) if the deps change again before the frame.
        let frame = gloo::render::request_animation_frame(move |_| {
            use wasm_bindgen::JsCast;
            let Some(box_element) = container.cast::<web_sys::HtmlElement>() else { return };
            let Ok(Some(found)) = box_element.query_selector(selector) else { return };
            let Ok(found) = found.dyn_into::<web_sys::HtmlElement>() else { return };
            let target = found.offset_top() - box_element.client_height() / 2 + found.offset_height() / 2;
            box_element.set_scroll_top(target.max(0));
        });
        move || drop(frame)
    });
}

/// The CSS class of a mode.
pub fn mode_class(mode: Mode) -> &'static str {
    match mode {
        Mode::Normal => "mode-normal",
        Mode::Embed => "mode-embed",
        Mode::Present => "mode-present",
    }
}

/// Props of every panel that shows the current frame.
#[derive(Properties, PartialEq, Clone)]
pub struct FrameProps {
    pub state: State,
}

/// The whole page.
#[derive(Properties, PartialEq)]
pub struct ExplorerProps {
    pub state: State,
    pub on_action: Callback<Action>,
}

/// How many render passes the panels arrive in after the first one (see [`Explorer`]).
pub const PANEL_BATCHES: u8 = 6;

/// How many of `batches` staged renders to show: none at first, then one more per animation frame. A frame in which
/// `state` changed (a click, a key press) paints that change alone: the next batch waits for the frame after, so a
/// reader's first click is not painted late behind a panel's first layout.
#[hook]
pub fn use_staged_reveal(batches: u8, state: State) -> u8 {
    // (batches shown, frames let go by after changes of the state): every step makes a new value, so each one renders
    // and runs the effect again (an equal value would not).
    let stage = use_state(|| (0u8, 0u8));
    let last_stage = use_mut_ref(|| None);
    {
        let stage = stage.clone();
        let last_stage = last_stage.clone();
        use_effect_with((*stage, state), move |(current, _)| {
            let (shown, waits) = *current;
            // Run again with the same stage: the state changed, not the stage, so this frame is the change's own.
            let after_change = last_stage.replace(Some(*current)) == Some(*current);
            let pending = (shown < batches).then(|| {
                request_animation_frame(move |_| {
                    stage.set(if after_change { (shown, waits.wrapping_add(1)) } else { (shown + 1, waits) })
                })
            });
            move || drop(pending)
        });
    }
    stage.0
}

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
        other => html! { <code>{ other.describe() }</code> },
    }
}

/// The page layout: header, steps, narration and controls, then the panels.
///
/// The first render builds only the part that answers the reader (title, steps, narration, controls); the panels
/// follow one per animation frame ([`use_staged_reveal`], [`PANEL_BATCHES`] renders), so each frame renders, lays
/// out and paints one panel and a click is handled between frames instead of waiting for the whole page. (With
/// zero-delay timeouts instead, all batches rendered before the next frame, whose one layout of every panel held a
/// click back ~50 ms at 1x CPU; with four batches of two panels, a click waited for the larger frames.) Panels
/// already shown are not re-rendered by a later batch: their props (the state) are unchanged.
#[function_component(Explorer)]
pub fn explorer(props: &ExplorerProps) -> Html {
    // The benchmark's start-up floor (Cargo.toml): the same start-up, and only the controls.
    if cfg!(feature = "startup-floor") {
        return html! {
            <div class="page in-user mode-normal" data-testid="app">
                <controls::Controls state={props.state.clone()} on_action={props.on_action.clone()} />
            </div>
        };
    }
    let revealed = use_staged_reveal(PANEL_BATCHES, props.state.clone());
    let batch = |number: u8| revealed >= number;
    let state = &props.state;
    let timeline = &state.timeline;
    let frame = &timeline.frames[state.cursor.min(state.last())];
    let cpl = frame.cpl();
    let at_end = state.cursor == state.last();
    let ending = at_end.then(|| {
        let text = crate::model::trace::ending(timeline);
        let mut chars = text.chars();
        chars.next().map_or_else(String::new, |first| format!("{}{}.", first.to_ascii_uppercase(), chars.as_str()))
    });
    html! {
        <div class={classes!("page", if cpl == Cpl::Ring0 { "in-kernel" } else { "in-user" }, mode_class(state.mode))}
            data-testid="app" data-mode={mode_class(state.mode)}>
            if !state.notices.is_empty() {
                <div class="notices" role="status" data-testid="notices">
                    <p>{ "Some parts of the link could not be used:" }</p>
                    <ul>{ for state.notices.iter().map(|notice| html! { <li><code>{ notice.param.clone() }</code>{ format!(": {}", notice.message) }</li> }) }</ul>
                    <button type="button" class="small" onclick={props.on_action.reform(|_| Action::DismissNotices)}>{ "Dismiss" }</button>
                </div>
            }
            <header class="top">
                <div class="brand">
                    <h1>{ "Syscall Explorer" }</h1>
                    <p class="tagline">{ TAGLINE }</p>
                </div>
                <scenario_editor::ScenarioEditor state={state.clone()} on_action={props.on_action.clone()} />
                <toolbar::Toolbar state={state.clone()} on_action={props.on_action.clone()} />
            </header>
            <steps::StepIndicator state={state.clone()} on_action={props.on_action.clone()} />
            <section class="narration" aria-labelledby="narration-heading">
                <h2 id="narration-heading" class="visually-hidden">{ "What is happening" }</h2>
                <p class="step-title" data-testid="step-title">
                    { format!("Step {} of 7: {}", frame.step.number(), frame.step.title()) }
                </p>
                <p class="executed" data-testid="executed">{ executed_line(&frame.executed) }</p>
                <p class="narration-text" data-testid="narration" aria-live="polite">{ frame.narration.clone() }</p>
                if let Some(ending) = ending {
                    <p class="ending" data-testid="ending">{ ending }</p>
                }
            </section>
            <controls::Controls state={state.clone()} on_action={props.on_action.clone()} />
            <main class="panels" aria-busy={(!batch(PANEL_BATCHES)).then_some("true")}>
                if batch(1) {
                    <wall::Wall state={state.clone()} on_action={props.on_action.clone()} />
                }
                if batch(2) {
                    <register_file::RegisterFile state={state.clone()} on_action={props.on_action.clone()} />
                }
                if batch(3) {
                    <listing::Listings state={state.clone()} />
                }
                if batch(4) {
                    <kernel_work::KernelWork state={state.clone()} />
                }
                if batch(5) {
                    <syscall_table::SyscallTable state={state.clone()} />
                }
                if batch(6) {
                    <memory_view::MemoryView state={state.clone()} />
                }
            </main>
            if batch(PANEL_BATCHES) && !timeline.simplifications.is_empty() {
                <aside class="simplified" data-testid="simplified">
                    <h2>{ "Simplified here" }</h2>
                    <ul>{ for timeline.simplifications.iter().map(|note| html! { <li>{ note.clone() }</li> }) }</ul>
                </aside>
            }
            if state.handout {
                <handout::Handout timeline={state.timeline.clone()} />
            }
            <footer class="about">
                <details>
                    <summary>{ "What this model leaves out" }</summary>
                    <p>{ "The kernel entry code is condensed from Linux 6.12's entry_SYSCALL_64: the page-table switch for Meltdown (PTI) and the Spectre mitigations are left out, as they are patched out on CPUs that do not need them, and the exit does not switch to the per-CPU trampoline stack. Addresses are fixed (no KASLR). The kernel's C code runs as named steps rather than instructions. The instruction bytes are real x86-64, encoded and decoded by iced-x86." }</p>
                </details>
            </footer>
        </div>
    }
}
