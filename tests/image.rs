//! The committed program image (src/model/image.rs) must be exactly what src/asm/ generates with iced-x86.
//! `UPDATE_GENERATED=1 cargo test --test image` rewrites it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

#[test]
fn committed_image_is_what_iced_x86_generates() {
    let generated = syscall_explorer::asm::render_image().expect("the programs assemble and decode");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/model/image.rs");
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(committed == generated, "src/model/image.rs is stale: run UPDATE_GENERATED=1 cargo test --test image");
}
