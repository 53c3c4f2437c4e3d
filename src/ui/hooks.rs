//! The DOM hooks views share: [`use_center_in_box`] keeps the current row of a scroll box in view, and
//! [`use_staged_reveal`] lets the panels arrive one per animation frame after the first render.

use gloo::render::request_animation_frame;
use yew::prelude::*;

/// Keeps the row matching `selector` centred in `container`'s own scroll box: on mount, and whenever `key` (what the
/// current row depends on, packed into a number) or `shown` changes. One key type for every caller: each type of
/// dependency would be a copy of the hook in the WebAssembly.
/// Not `scrollIntoView`, which would scroll every scrolling ancestor, the page included, on every step.
///
/// Measuring the row forces a layout, so it waits for the next animation frame, where that layout is the one the
/// browser does anyway before it paints. Run straight from the effect it laid the page out an extra time in each of
/// the render passes in which the panels arrive: 31 ms of forced layout in one of them at 1x.
#[hook]
pub fn use_center_in_box(container: &NodeRef, selector: &'static str, key: u64, shown: bool) {
    let container = container.clone();
    use_effect_with((key, shown), move |_| {
        // Dropped (so cancelled) if the deps change again before the frame.
        let frame = request_animation_frame(move |_| {
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

/// How many of `batches` staged renders to show: none at first, then one more per animation frame. A frame in which
/// `changes` changed (a click, a key press) paints that change alone: the next batch waits for the frame after, so a
/// reader's first click is not painted late behind a panel's first layout.
#[hook]
pub fn use_staged_reveal<T: PartialEq + Clone + 'static>(batches: u8, changes: T) -> u8 {
    // (batches shown, frames let go by after changes): every change makes a new value, so each one renders and runs
    // the effect again (an equal value would not).
    let stage = use_state(|| (0u8, 0u8));
    let last_stage = use_mut_ref(|| None);
    {
        let stage = stage.clone();
        let last_stage = last_stage.clone();
        use_effect_with((*stage, changes), move |(current, _)| {
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
