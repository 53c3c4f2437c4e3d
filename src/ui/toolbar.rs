//! The toolbar: share a link to this exact view, get an iframe snippet, present in a lecture hall, pick a theme,
//! download the trace as JSON, print a handout. Browser APIs that may be missing (the clipboard outside a secure
//! context, fullscreen in an iframe, downloads in a sandbox) degrade to something visible, never to an error.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::app::{Action, Mode, State, Theme};

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub state: State,
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

/// The toolbar.
#[function_component(Toolbar)]
pub fn toolbar(props: &ToolbarProps) -> Html {
    let open = use_state(|| Open::None);
    let status = use_state(String::new);
    let state = &props.state;
    // The links are built only while their popover is open, not on every step.
    let link = (*open == Open::Share).then(|| link_for(&crate::link::to_query(&state.to_link())));
    let snippet = (*open == Open::Embed).then(|| {
        let mut embed_state = state.to_link();
        embed_state.mode = Mode::Embed;
        let embed_link = link_for(&crate::link::to_query(&embed_state));
        format!(
            "<iframe src=\"{embed_link}\" width=\"640\" height=\"400\" title=\"Syscall Explorer\" loading=\"lazy\" sandbox=\"allow-scripts\" style=\"border:1px solid #ccc;border-radius:8px\"></iframe>"
        )
    });
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
    let on_present = {
        let on_action = props.on_action.clone();
        let presenting = state.mode == Mode::Present;
        Callback::from(move |_: MouseEvent| {
            let document = web_sys::window().and_then(|window| window.document());
            if presenting {
                if let Some(document) = &document {
                    if document.fullscreen_element().is_some() {
                        document.exit_fullscreen();
                    }
                }
                on_action.emit(Action::SetMode(Mode::Normal));
            } else {
                // Fullscreen needs this click; inside an iframe without permission it fails, and presenting still works.
                if let Some(root) = document.and_then(|document| document.document_element()) {
                    let _ = root.request_fullscreen();
                }
                on_action.emit(Action::SetMode(Mode::Present));
            }
        })
    };
    let on_theme = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let theme = match select.value().as_str() {
                "light" => Theme::Light,
                "dark" => Theme::Dark,
                _ => Theme::Auto,
            };
            on_action.emit(Action::SetTheme(theme));
        })
    };
    let on_download = {
        let timeline = state.timeline.clone();
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let text = crate::model::trace::json(&timeline);
            let name = format!("syscall-trace-{}.json", timeline.scenario.preset.id());
            if download(&name, &text).is_err() {
                status.set("This page cannot start a download here.".to_string());
            }
        })
    };
    // The handout is built on demand; the app prints once it is rendered.
    let on_print = props.on_action.reform(|_: MouseEvent| Action::Print);
    let theme_id = match state.theme {
        Theme::Auto => "auto",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    html! {
        <div class="toolbar" role="toolbar" aria-label="Share and view">
            <button type="button" data-testid="share" aria-expanded={(*open == Open::Share).to_string()} onclick={toggle(Open::Share)}>{ "Share" }</button>
            <button type="button" data-testid="embed" aria-expanded={(*open == Open::Embed).to_string()} onclick={toggle(Open::Embed)}>{ "Embed" }</button>
            <button type="button" data-testid="present" aria-pressed={(state.mode == Mode::Present).to_string()} onclick={on_present}>
                { if state.mode == Mode::Present { "Exit presentation" } else { "Present" } }
            </button>
            <button type="button" data-testid="download" onclick={on_download}>{ "Download trace" }</button>
            <button type="button" data-testid="print" onclick={on_print}>{ "Print handout" }</button>
            <label class="theme">{ "Theme " }
                <select data-testid="theme" onchange={on_theme}>
                    { for [("auto", "system"), ("light", "light"), ("dark", "dark")].iter().map(|(id, label)| html! {
                        <option value={*id} selected={*id == theme_id}>{ *label }</option>
                    }) }
                </select>
            </label>
            if let Some(link) = link {
                <div class="popover" data-testid="share-popover">
                    <label for="share-link">{ "Link to exactly this view" }</label>
                    <input id="share-link" data-testid="share-link" type="text" readonly=true value={link.clone()} />
                    <button type="button" data-testid="copy-link" onclick={on_copy(link.clone())}>{ "Copy link" }</button>
                </div>
            }
            if let Some(snippet) = snippet {
                <div class="popover" data-testid="embed-popover">
                    <label for="embed-snippet">{ "Paste this into a course page (640×400, sandboxed)" }</label>
                    <textarea id="embed-snippet" data-testid="embed-snippet" readonly=true rows="4" value={snippet.clone()} />
                    <button type="button" data-testid="copy-embed" onclick={on_copy(snippet)}>{ "Copy snippet" }</button>
                </div>
            }
            if !status.is_empty() {
                <p class="status" role="status" data-testid="toolbar-status">{ (*status).clone() }</p>
            }
        </div>
    }
}
