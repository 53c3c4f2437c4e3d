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
