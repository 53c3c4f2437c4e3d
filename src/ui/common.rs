//! Text the views share: the tagline, HTML escaping for the views built as one string, and hex formatting.

/// The one sentence under the title (also in the pre-rendered first screen, `prerender.rs`).
pub const TAGLINE: &str =
    "What the CPU and the Linux kernel do, register by register, when a program makes a system call.";

/// Escapes text for HTML built as a string (the pre-rendered first screen, the listings' tables, the handout).
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// HTML built as one string, as a node (the views of many plain elements: the virtual DOM's code for each element
/// costs far more WebAssembly than a line of text; they have no controls inside).
pub fn raw(html: String) -> yew::Html {
    yew::Html::from_html_unchecked(yew::AttrValue::from(html))
}

/// Formats a 64-bit value as 16 hex digits.
pub fn hex64(value: u64) -> String {
    format!("0x{value:016x}")
}
