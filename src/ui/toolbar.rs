//! The toolbar: share a link to this exact view, get an iframe snippet, present in a lecture hall, pick a theme,
//! download the trace as JSON, print a handout. Browser APIs that may be missing (the clipboard outside a secure
//! context, fullscreen in an iframe, downloads in a sandbox) degrade to something visible, never to an error.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::link::{to_query, LinkState};
use crate::state::{Action, Mode, Theme, TimelineRef};

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// The view as a link (what Share and Embed hand out; also its mode and theme).
    pub link: LinkState,
    /// The running timeline, for the trace download.
    pub timeline: TimelineRef,
    pub on_action: Callback<Action>,
}

/// Which popover is open.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    None,
    Share,
    Embed,
}

/// The page's address for this view, with `query`.
pub fn link_for(query: &str) -> String {
    let Some(window) = web_sys::window() else { return format!("?{query}") };
    let location = window.location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}?{query}")
}

fn copy_to_clipboard(text: String, status: UseStateHandle<String>) {
    let clipboard = web_sys::window().map(|window| window.navigator().clipboard());
    // Outside a secure context `navigator.clipboard` is undefined.
    let clipboard = clipboard.filter(|clipboard| !wasm_bindgen::JsValue::from(clipboard.clone()).is_undefined());
    match clipboard {
        Some(clipboard) => {
            let promise = clipboard.write_text(&text);
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(promise).await {
                    Ok(_) => status.set("Copied to the clipboard.".to_string()),
                    Err(_) => status.set("Copying is not allowed here: select the text and copy it.".to_string()),
                }
            });
        }
        None => status.set("No clipboard here: select the text and copy it.".to_string()),
    }
}

fn download(name: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    let window = web_sys::window().ok_or(wasm_bindgen::JsValue::NULL)?;
    let document = window.document().ok_or(wasm_bindgen::JsValue::NULL)?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// The Present button: fullscreen and presentation mode, or back. Fullscreen needs the click itself; inside an iframe
/// without permission it fails, and presenting still works.
fn on_present(presenting: bool, on_action: &Callback<Action>) -> Callback<MouseEvent> {
    let on_action = on_action.clone();
    Callback::from(move |_: MouseEvent| {
        let document = web_sys::window().and_then(|window| window.document());
        if presenting {
            if let Some(document) = document.filter(|document| document.fullscreen_element().is_some()) {
                document.exit_fullscreen();
            }
            on_action.emit(Action::SetMode(Mode::Normal));
        } else {
            if let Some(root) = document.and_then(|document| document.document_element()) {
                let _ = root.request_fullscreen();
            }
            on_action.emit(Action::SetMode(Mode::Present));
        }
    })
}

/// The Download button: the trace as JSON (`model::trace::json`), or a message where downloads are not allowed.
fn on_download(timeline: &TimelineRef, status: &UseStateHandle<String>) -> Callback<MouseEvent> {
    let timeline = timeline.clone();
    let status = status.clone();
    Callback::from(move |_: MouseEvent| {
        let text = crate::model::trace::json(&timeline);
        let name = format!("syscall-trace-{}.json", timeline.scenario.preset.id());
        if download(&name, &text).is_err() {
            status.set("This page cannot start a download here.".to_string());
        }
    })
}

/// The link to hand out: a frame that starts a lesson step is linked as that step (`step=4` rather than `f=46`),
/// which reads better and survives a change of the scenario's frames.
pub fn shareable(link: &LinkState, timeline: &crate::model::Timeline) -> LinkState {
    let step = link.frame.and_then(|frame| timeline.frames.get(frame)).map(|frame| frame.step);
    match (link.frame, step) {
        (Some(frame), Some(step)) if timeline.step_start(step) == Some(frame) => {
            LinkState { frame: None, step: Some(step), ..link.clone() }
        }
        _ => link.clone(),
    }
}

/// The iframe snippet for this view in embed mode.
pub fn embed_snippet(link: &LinkState) -> String {
    let embed_link = link_for(&to_query(&LinkState { mode: Mode::Embed, ..link.clone() }));
    format!(
        "<iframe src=\"{embed_link}\" width=\"640\" height=\"400\" title=\"Syscall Explorer\" loading=\"lazy\" sandbox=\"allow-scripts\" style=\"border:1px solid #ccc;border-radius:8px\"></iframe>"
    )
}

/// A popover with a read-only text to copy, and its Copy button.
fn popover(kind: &'static str, label: &'static str, text: String, on_copy: Callback<MouseEvent>) -> Html {
    let (field_id, copy_testid, copy_label) = match kind {
        "share" => ("share-link", "copy-link", "Copy link"),
        _ => ("embed-snippet", "copy-embed", "Copy snippet"),
    };
    html! {
        <div class="popover" data-testid={format!("{kind}-popover")}>
            <label for={field_id}>{ label }</label>
            if kind == "share" {
                <input id={field_id} data-testid={field_id} type="text" readonly=true value={text} />
            } else {
                <textarea id={field_id} data-testid={field_id} readonly=true rows="4" value={text} />
            }
            <button type="button" data-testid={copy_testid} onclick={on_copy}>{ copy_label }</button>
        </div>
    }
}

/// The toolbar.
#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let open = use_state(|| Open::None);
    let status = use_state(String::new);
    let link = &shareable(&props.link, &props.timeline);
    let toggle = |which: Open| {
        let open = open.clone();
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            status.set(String::new());
            open.set(if *open == which { Open::None } else { which });
        })
    };
    let on_copy = |text: String| {
        let status = status.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(text.clone(), status.clone()))
    };
    let on_theme = props.on_action.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        Action::SetTheme(Theme::from_id(&select.value()).unwrap_or(Theme::Auto))
    });
    let presenting = link.mode == Mode::Present;
    let on_escape = {
        let open = open.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && *open != Open::None {
                open.set(Open::None);
            }
        })
    };
    // The links are built only while their popover is open, not on every step.
    let shared = match *open {
        Open::None => Html::default(),
        Open::Share => {
            let text = link_for(&to_query(link));
            popover("share", "Link to exactly this view", text.clone(), on_copy(text))
        }
        Open::Embed => {
            let text = embed_snippet(link);
            popover("embed", "Paste this into a course page (640×400, sandboxed)", text.clone(), on_copy(text))
        }
    };
    html! {
        <div class="toolbar" role="toolbar" aria-label="Share and view" onkeydown={on_escape}>
            <button type="button" data-testid="share" aria-expanded={(*open == Open::Share).to_string()} onclick={toggle(Open::Share)}>{ "Share" }</button>
            <button type="button" data-testid="embed" aria-expanded={(*open == Open::Embed).to_string()} onclick={toggle(Open::Embed)}>{ "Embed" }</button>
            <button type="button" data-testid="present" aria-pressed={presenting.to_string()} onclick={on_present(presenting, &props.on_action)}>
                { if presenting { "Exit presentation" } else { "Present" } }
            </button>
            <button type="button" data-testid="download" onclick={on_download(&props.timeline, &status)}>{ "Download trace" }</button>
            <button type="button" data-testid="print" onclick={props.on_action.reform(|_: MouseEvent| Action::Print)}>{ "Print handout" }</button>
            <label class="theme">{ "Theme " }
                <select data-testid="theme" onchange={on_theme}>
                    { for Theme::ALL.iter().map(|theme| html! {
                        <option value={theme.id()} selected={*theme == link.theme}>{ theme.label() }</option>
                    }) }
                </select>
            </label>
            { shared }
            if !status.is_empty() {
                <p class="status" role="status" data-testid="toolbar-status">{ (*status).clone() }</p>
            }
        </div>
    }
}
