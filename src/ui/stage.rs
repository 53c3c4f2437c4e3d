//! The focus view: the one panel the frame is about ([`Focus`], from the model), with tabs to the others. When the
//! frame's focus changes, the stage shows the new focus view itself; a tab the reader picks stays until then.
//!
//! Every panel stays mounted once it has arrived (hidden unless shown), so a step updates the few nodes that change
//! instead of building a panel again, and a tab switch is a class change.

use yew::prelude::*;

use std::rc::Rc;

use crate::model::measured::Measurement;
use crate::model::moments::Focus;
use crate::state::{FrameRef, Radix, Trigger};

use super::{cost_view, kernel_work, listing, memory_view, register_file, syscall_table, wall};

#[derive(Properties, PartialEq)]
pub struct FocusViewProps {
    pub frame: FrameRef,
    pub radix: Radix,
    pub on_toggle_radix: Callback<()>,
    /// How many of the staged render passes have happened (`hooks::use_staged_reveal`): the shown panel arrives in
    /// the first, the others one per pass after it.
    pub revealed: u8,
    /// Figures from `trace measure --link`, for the cost view.
    pub measured: Option<Rc<Measurement>>,
    /// Show the cost view (the last frame's button); stays until the frame's focus changes, like a picked tab.
    pub show_cost: Trigger,
}

/// A view's tab, by its id.
fn tab_element(view: Focus) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()?.document()?.get_element_by_id(&format!("tab-{}", view.id()))?.dyn_into().ok()
}

/// The view on the stage.
#[function_component(FocusView)]
pub fn focus_view(props: &FocusViewProps) -> Html {
    let focus = props.frame.focus();
    // (the view the reader picked, the frame's focus when they picked it)
    let picked = use_state(|| None::<(Focus, Focus)>);
    let cost_seen = use_mut_ref(|| props.show_cost);
    let cost_asked = *cost_seen.borrow() != props.show_cost;
    if cost_asked {
        *cost_seen.borrow_mut() = props.show_cost;
        picked.set(Some((Focus::Cost, focus)));
    }
    let shown = match *picked {
        _ if cost_asked => Focus::Cost,
        Some((view, when)) if when == focus => view,
        _ => focus,
    };
    // The strip scrolls sideways where the seven tabs do not fit (a course page's frame, a phone): keep the shown
    // one in view, whichever way it was chosen (the frame's focus, a click, the last frame's button).
    use_effect_with(shown, |shown| {
        // Sideways only, within the strip (its offset parent): never the page.
        if let Some((tab, strip)) = tab_element(*shown).and_then(|tab| tab.parent_element().map(|strip| (tab, strip))) {
            let (left, right) = (tab.offset_left(), tab.offset_left() + tab.offset_width());
            let (from, width) = (strip.scroll_left(), strip.client_width());
            if left < from {
                strip.set_scroll_left(left);
            } else if right > from + width {
                strip.set_scroll_left(right - width);
            }
        }
    });
    let tabs = Focus::ALL.iter().map(|view| {
        let on_click = {
            let picked = picked.clone();
            let view = *view;
            Callback::from(move |_: MouseEvent| picked.set(Some((view, focus))))
        };
        let selected = *view == shown;
        html! {
            <button type="button" role="tab" id={format!("tab-{}", view.id())} aria-selected={selected.to_string()}
                aria-controls={format!("view-{}", view.id())} tabindex={if selected { "0" } else { "-1" }}
                class={classes!("view-tab", selected.then_some("selected"), (*view == focus).then_some("is-focus"))}
                data-testid={format!("view-tab-{}", view.id())} onclick={on_click}>
                { view.label() }
                if *view == focus { <span class="visually-hidden">{ " (what this frame is about)" }</span> }
            </button>
        }
    });
    let panel = |view: Focus, content: Html| {
        // The shown panel in the first pass, the other five in the tabs' order after it.
        let rank = Focus::ALL.iter().filter(|other| **other != shown).position(|other| *other == view);
        let arrived = props.revealed >= rank.map_or(1, |rank| 2 + rank as u8);
        html! {
            <div role="tabpanel" id={format!("view-{}", view.id())} aria-labelledby={format!("tab-{}", view.id())}
                class="view" hidden={view != shown} tabindex={(view == Focus::Wall).then_some("0")}>
                if arrived { { content } }
            </div>
        }
    };
    // The tabs pattern: the arrows move to the previous or next tab (wrapping), Home and End to the first and last;
    // the tab reached is selected and takes the focus.
    let on_tab_key = {
        let picked = picked.clone();
        Callback::from(move |event: KeyboardEvent| {
            let at = Focus::ALL.iter().position(|view| *view == shown).unwrap_or(0);
            let n_views = Focus::ALL.len();
            let to = match event.key().as_str() {
                "ArrowRight" => (at + 1) % n_views,
                "ArrowLeft" => (at + n_views - 1) % n_views,
                "Home" => 0,
                "End" => n_views - 1,
                _ => return,
            };
            // Handled here: not a step through the frames for the document's key listener.
            event.prevent_default();
            event.stop_propagation();
            let view = Focus::ALL[to];
            picked.set(Some((view, focus)));
            if let Some(tab) = tab_element(view) {
                let _ = tab.focus();
            }
        })
    };
    // The cost view runs two more timelines: once per timeline and link figures while it is shown, not per render.
    let cost = use_memo(
        (props.frame.timeline.clone(), props.measured.clone(), shown == Focus::Cost),
        |(timeline, measured, cost_shown)| {
            cost_shown.then(|| AttrValue::from(cost_view::cost_html(timeline, measured.as_deref())))
        },
    );
    let frame = props.frame.clone();
    let is_shown = |view: Focus| view == shown;
    html! {
        <section class="focus-view" data-testid="focus-view" data-focus={focus.id()} data-shown={shown.id()}
            aria-label="The view this frame is about">
            <div class="view-tabs" role="tablist" aria-label="Views" onkeydown={on_tab_key}>{ for tabs }</div>
            { panel(Focus::Wall, wall::wall(&frame)) }
            { panel(Focus::Registers, html! {
                <register_file::RegisterFile frame={frame.clone()} radix={props.radix} on_toggle_radix={props.on_toggle_radix.clone()} />
            }) }
            { panel(Focus::Code, html! { <listing::Listings frame={frame.clone()} shown={is_shown(Focus::Code)} /> }) }
            { panel(Focus::KernelWork, html! { <kernel_work::KernelWork frame={frame.clone()} shown={is_shown(Focus::KernelWork)} /> }) }
            { panel(Focus::SyscallTable, html! { <syscall_table::SyscallTable frame={frame.clone()} shown={is_shown(Focus::SyscallTable)} /> }) }
            { panel(Focus::Memory, html! { <memory_view::MemoryView frame={frame.clone()} shown={is_shown(Focus::Memory)} /> }) }
            { panel(Focus::Cost, (*cost).clone().map(Html::from_html_unchecked).unwrap_or_default()) }
        </section>
    }
}
