//! The App's effects, each a named hook: what connects the state to the browser. Nothing here changes the state
//! except by dispatching an [`Action`]; nothing in `state.rs` or `link.rs` touches the browser.
//!
//! - [`use_url_sync`]: the URL follows the state once it has settled.
//! - [`use_theme_attribute`]: the theme as `data-theme` on `<html>`.
//! - [`use_keyboard`]: arrows, Page Up/Down (a clicker), Home/End and Space.
//! - [`use_printing`]: the handout built on `beforeprint`, and the Print button's print.
//! - [`use_autoplay`]: the timer that sends `Tick`s while playing.
//! - [`use_embedding`]: commands in from an embedding page by `postMessage`, the current frame out.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::link::{self, LinkState, MsgValue};
use crate::state::{key_action, Action, State, Theme, TimelineRef, Trigger};

/// How long the state must stay put before the URL is rewritten to match it.
pub const URL_SETTLE_MS: u32 = 250;

/// The current URL's query pairs, decoded.
pub fn query_pairs() -> Vec<(String, String)> {
    let Some(search) = web_sys::window().and_then(|window| window.location().search().ok()) else { return Vec::new() };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else { return Vec::new() };
    let mut pairs = Vec::new();
    if let Ok(Some(iterator)) = js_sys::try_iter(&params) {
        for entry in iterator.flatten() {
            let entry = js_sys::Array::from(&entry);
            if let (Some(key), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string()) {
                pairs.push((key, value));
            }
        }
    }
    pairs
}

/// Replaces the query of the current URL (no new history entry). In a sandboxed iframe this can throw; that is fine.
fn replace_query(query: &str) {
    let Some(window) = web_sys::window() else { return };
    let Ok(history) = window.history() else { return };
    let path = window.location().pathname().unwrap_or_default();
    let url = if query.is_empty() { path } else { format!("{path}?{query}") };
    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
}

/// The URL follows the state, without a history entry per step, once the state has settled for a moment:
/// `history.replaceState` costs ~2 ms a call in Chromium, too much to pay on every key press of a quick run through
/// the frames. A newer state cancels the pending write (dropping the Timeout clears it).
#[hook]
pub fn use_url_sync(link: LinkState) {
    use_effect_with(link, |link| {
        let query = link::to_query(link);
        let pending = gloo::timers::callback::Timeout::new(URL_SETTLE_MS, move || replace_query(&query));
        move || drop(pending)
    });
}

/// The theme is an attribute on `<html>`, so the whole document (scrollbars included) follows it.
#[hook]
pub fn use_theme_attribute(theme: Theme) {
    use_effect_with(theme, |theme| {
        let root =
            web_sys::window().and_then(|window| window.document()).and_then(|document| document.document_element());
        if let Some(root) = root {
            let _ = match theme {
                Theme::Auto => root.remove_attribute("data-theme"),
                other => root.set_attribute("data-theme", other.id()),
            };
        }
    });
}

/// The document's keydown listener: keys typed into a field, or Space and Enter on a button, stay with it.
fn keyboard_listener(dispatcher: UseReducerDispatcher<State>) -> Option<gloo::events::EventListener> {
    let document = web_sys::window().and_then(|window| window.document())?;
    // Not passive: the handler calls preventDefault so Space and the arrows do not also scroll the page.
    let options = gloo::events::EventListenerOptions::enable_prevent_default();
    Some(gloo::events::EventListener::new_with_options(&document, "keydown", options, move |event| {
        let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
        if event.alt_key() || event.ctrl_key() || event.meta_key() {
            return;
        }
        let target_tag = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .map(|element| element.tag_name().to_ascii_lowercase())
            .unwrap_or_default();
        let key = event.key();
        let in_field = matches!(target_tag.as_str(), "input" | "textarea" | "select");
        let on_button = target_tag == "button" || target_tag == "summary";
        // Keys a control handles itself (the view tabs' arrows) never reach the document: it stops them.
        if in_field || (on_button && (key == " " || key == "Enter")) {
            return;
        }
        if let Some(action) = key_action(&key) {
            event.prevent_default();
            dispatcher.dispatch(action);
        }
    }))
}

/// One keydown listener on the document, made by the first render itself rather than by an effect: Yew's scheduler
/// may yield to the browser between a long first render and its effects (after its 16 ms slice), and a key pressed
/// in that gap, a lecturer's clicker as the page appears, would find no listener. Dropped with the component (a ref
/// cell: the lightest hook that keeps a value).
#[hook]
pub fn use_keyboard(dispatcher: UseReducerDispatcher<State>) {
    let _listener = use_mut_ref(move || keyboard_listener(dispatcher));
}

/// Printing: the handout is built when the browser announces a print (a DOM change made in `beforeprint`, here by
/// the render the dispatch schedules as a microtask, is in what prints), and the Print button prints once the
/// handout it asked for is rendered.
#[hook]
pub fn use_printing(dispatcher: UseReducerDispatcher<State>, print_request: Trigger) {
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            gloo::events::EventListener::new(&window, "beforeprint", move |_| {
                dispatcher.dispatch(Action::PrepareHandout)
            })
        });
        move || drop(listener)
    });
    use_effect_with(print_request, |request| {
        if request.requested() {
            if let Some(window) = web_sys::window() {
                let _ = window.print();
            }
        }
    });
}

/// Autoplay: an interval while playing; dropped (and so cancelled) when playing stops or the speed changes.
#[hook]
pub fn use_autoplay(dispatcher: UseReducerDispatcher<State>, playing: bool, interval_ms: u32) {
    use_effect_with((playing, interval_ms), move |(playing, interval_ms)| {
        let interval = playing
            .then(|| gloo::timers::callback::Interval::new(*interval_ms, move || dispatcher.dispatch(Action::Tick)));
        move || drop(interval)
    });
}

/// The own enumerable fields of a message's data, for the schema check.
fn message_fields(data: &JsValue) -> Vec<(String, MsgValue)> {
    if !data.is_object() || js_sys::Array::is_array(data) {
        return Vec::new();
    }
    let Ok(entries) = js_sys::Reflect::own_keys(data) else { return Vec::new() };
    entries
        .iter()
        .take(16)
        .filter_map(|key| {
            let name = key.as_string()?;
            let value = js_sys::Reflect::get(data, &key).ok()?;
            let value = if let Some(text) = value.as_string() {
                MsgValue::Str(text)
            } else if let Some(number) = value.as_f64() {
                MsgValue::Num(number)
            } else if let Some(flag) = value.as_bool() {
                MsgValue::Bool(flag)
            } else {
                MsgValue::Other
            };
            Some((name, value))
        })
        .collect()
}

/// Posts a flat object to the parent window, if the page is framed: to each allowed origin, or to any.
fn post_to_parent(fields: &[(&str, JsValue)], origins: &[String]) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    let message = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(key), value);
    }
    if origins.is_empty() {
        let _ = parent.post_message(&message, "*");
    } else {
        for origin in origins {
            let _ = parent.post_message(&message, origin);
        }
    }
}

/// What the embedding page sees of the state.
#[derive(Clone, PartialEq)]
pub struct FramePost {
    pub timeline: TimelineRef,
    pub cursor: usize,
    pub playing: bool,
    pub origins: Rc<Vec<String>>,
    /// A `get` message asks for the frame again.
    pub request: Trigger,
}

/// postMessage: commands from the embedding page in (checked by `link::parse_message`), the current frame out
/// whenever it changes or is asked for.
#[hook]
pub fn use_embedding(dispatcher: UseReducerDispatcher<State>, post: FramePost) {
    use_effect_with(post.origins.clone(), move |origins| {
        let origins = origins.clone();
        let listener = web_sys::window().map(|window| {
            gloo::events::EventListener::new(&window, "message", move |event| {
                let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else { return };
                if !origins.is_empty() && !origins.contains(&event.origin()) {
                    return;
                }
                match link::parse_message(&message_fields(&event.data())) {
                    Ok(Some(action)) => dispatcher.dispatch(action),
                    Ok(None) => {}
                    Err(message) => {
                        post_to_parent(&[("type", link::MSG_ERROR.into()), ("message", message.into())], &origins);
                    }
                }
            })
        });
        move || drop(listener)
    });
    use_effect_with(post, |post| {
        let timeline = &post.timeline;
        let frame = &timeline.frames[post.cursor.min(timeline.frames.len() - 1)];
        post_to_parent(
            &[
                ("type", link::MSG_FRAME.into()),
                ("scenario", timeline.scenario.preset.id().into()),
                ("frame", ((post.cursor + 1) as f64).into()),
                ("frames", (timeline.frames.len() as f64).into()),
                ("step", f64::from(frame.step.number()).into()),
                ("cpl", f64::from(frame.cpl().number()).into()),
                ("playing", post.playing.into()),
            ],
            &post.origins,
        );
    });
}
