//! `index.html` carries the first screen as static HTML (see src/ui/prerender.rs), generated from the model so it
//! cannot drift from what the app shows. `UPDATE_GENERATED=1 cargo test --test prerender` rewrites it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use syscall_explorer::ui::prerender::with_first_screen;

#[test]
fn index_html_holds_the_current_first_screen() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("index.html");
    let committed = std::fs::read_to_string(&path).unwrap();
    let generated = with_first_screen(&committed).expect("index.html has the prerender markers");
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    assert!(
        committed == generated,
        "index.html's first screen is stale: run UPDATE_GENERATED=1 cargo test --test prerender"
    );
}

#[test]
fn the_first_screen_has_the_seven_steps_and_the_first_narration() {
    let html = syscall_explorer::ui::prerender::first_screen();
    assert_eq!(html.matches("class=\"step-number\"").count(), 7);
    assert!(html.contains("Step 1 of 7: Call the library"));
    assert!(!html.contains("<script"), "static text only");
}

/// Decodes the `%XX` escapes of a URL.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' && at + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[at + 1..at + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn the_inline_icon_is_static_favicon_svg() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let html = std::fs::read_to_string(root.join("index.html")).unwrap();
    let svg = std::fs::read_to_string(root.join("static/favicon.svg")).unwrap();
    let prefix = "<link rel=\"icon\" type=\"image/svg+xml\" href=\"data:image/svg+xml,";
    let start = html.find(prefix).expect("index.html has the inline icon") + prefix.len();
    let end = start + html[start..].find('"').unwrap();
    // In the attribute the SVG's double quotes are single quotes.
    assert_eq!(
        percent_decode(&html[start..end]),
        svg.trim().replace('"', "'"),
        "index.html's icon differs from static/favicon.svg: re-encode it"
    );
}
