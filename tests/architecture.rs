//! Architecture invariants that a text search can check, in the manner of rust-analyzer's `xtask/src/tidy.rs`
//! (see ARCHITECTURE.md and ../shared/STYLE.md, "The shape"):
//!
//! - `src/model/` names no UI or browser crate (`yew`, `web_sys`, `gloo`, `js_sys`, `wasm_bindgen`) and not
//!   `iced_x86`, and uses no layer above it (`crate::asm`, `crate::ui`, `crate::app`, `crate::link`).
//! - `src/asm/` names no UI or browser crate and no layer above it: it is native-only and depends on the model alone.
//! - `src/ui/` does not name `iced_x86` or `crate::asm` (both are native-only; the page ships without them).
//! - Only `tests/real_cpu.rs` contains `unsafe`, and Cargo.toml keeps `unsafe_code = "deny"`.
//!
//! The search looks at code only: it drops `//` comments (docs may well say "no Yew here") and matches whole
//! identifiers, so `entry_SYSRETQ_unsafe_stack` is not `unsafe`.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir` (relative to the crate root), recursively, in a stable order.
fn rust_files(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&crate_root().join(dir), &mut files);
    files.sort();
    files
}

fn is_ident_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_'
}

/// Whether `needle` (an identifier or a path such as `crate::asm`) appears in `code` as a whole token.
fn contains_token(code: &str, needle: &str) -> bool {
    code.match_indices(needle).any(|(start, _)| {
        let before = code[..start].chars().next_back();
        let after = code[start + needle.len()..].chars().next();
        !before.is_some_and(is_ident_char) && !after.is_some_and(is_ident_char)
    })
}

/// The code part of a line: everything before a `//` comment.
fn code_of(line: &str) -> &str {
    line.find("//").map_or(line, |comment| &line[..comment])
}

/// Every `path:line: text` where one of `needles` appears in the code of the `.rs` files under `dir`.
fn offending_lines(dir: &str, needles: &[&str]) -> Vec<String> {
    let files = rust_files(dir);
    assert!(!files.is_empty(), "no Rust files under {dir}: did the layout change?");
    let mut offences = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()));
        for (line_idx, line) in text.lines().enumerate() {
            let code = code_of(line);
            if needles.iter().any(|needle| contains_token(code, needle)) {
                let shown = path.strip_prefix(crate_root()).unwrap_or(&path).display().to_string();
                offences.push(format!("{shown}:{}: {}", line_idx + 1, line.trim()));
            }
        }
    }
    offences
}

const BROWSER_CRATES: [&str; 5] = ["yew", "web_sys", "gloo", "js_sys", "wasm_bindgen"];

#[test]
fn model_names_no_ui_browser_or_assembler_crate() {
    let mut needles = BROWSER_CRATES.to_vec();
    needles.push("iced_x86");
    let offences = offending_lines("src/model", &needles);
    assert!(offences.is_empty(), "src/model/ must stay pure Rust:\n{}", offences.join("\n"));
}

#[test]
fn model_depends_on_no_layer_above_it() {
    let offences = offending_lines("src/model", &["crate::asm", "crate::ui", "crate::app", "crate::link"]);
    assert!(offences.is_empty(), "src/model/ depends on nothing above it:\n{}", offences.join("\n"));
}

#[test]
fn asm_names_no_ui_or_browser_crate() {
    let mut needles = BROWSER_CRATES.to_vec();
    needles.extend(["crate::ui", "crate::app", "crate::link"]);
    let offences = offending_lines("src/asm", &needles);
    assert!(offences.is_empty(), "src/asm/ depends on the model and iced-x86 only:\n{}", offences.join("\n"));
}

#[test]
fn ui_does_not_use_the_assembler() {
    let offences = offending_lines("src/ui", &["iced_x86", "crate::asm"]);
    assert!(offences.is_empty(), "src/ui/ must build for the browser, without iced-x86:\n{}", offences.join("\n"));
}

#[test]
fn only_the_real_cpu_test_contains_unsafe() {
    // Spelled in two halves so that this file does not contain the word it looks for.
    let needle = concat!("un", "safe");
    let allowed = crate_root().join("tests/real_cpu.rs");
    let mut offences = Vec::new();
    for dir in ["src", "tests", "benches", "examples"] {
        if !crate_root().join(dir).is_dir() {
            continue;
        }
        offences.extend(
            offending_lines(dir, &[needle]).into_iter().filter(|line| !line.starts_with(&format!("{dir}/real_cpu.rs"))),
        );
    }
    let build_script = crate_root().join("build.rs");
    if let Ok(text) = fs::read_to_string(&build_script) {
        if text.lines().any(|line| contains_token(code_of(line), needle)) {
            offences.push("build.rs".to_string());
        }
    }
    assert!(offences.is_empty(), "only {} may contain `{needle}`:\n{}", allowed.display(), offences.join("\n"));
    let real_cpu = fs::read_to_string(&allowed).expect("tests/real_cpu.rs exists");
    assert!(real_cpu.lines().any(|line| contains_token(code_of(line), needle)), "the exception is still needed");
}

#[test]
fn cargo_toml_denies_unsafe_code() {
    let manifest = fs::read_to_string(crate_root().join("Cargo.toml")).expect("read Cargo.toml");
    let denies = manifest.lines().any(|line| {
        let compact: String = line.chars().filter(|ch| !ch.is_whitespace()).collect();
        compact.starts_with("unsafe_code=\"deny\"") || compact.starts_with("unsafe_code=\"forbid\"")
    });
    assert!(denies, "Cargo.toml's [lints.rust] must keep unsafe_code = \"deny\"");
}

#[test]
fn the_token_search_matches_whole_identifiers_in_code_only() {
    assert!(contains_token("use yew::prelude::*;", "yew"));
    assert!(!contains_token("use yew_router::Router;", "yew"));
    assert!(!contains_token("let entry_SYSRETQ_unsafe_stack = 1;", concat!("un", "safe")));
    assert!(contains_token("    un\u{73}afe { asm!(\"nop\") }", concat!("un", "safe")));
    assert_eq!(code_of("let x = 1; // no yew here"), "let x = 1; ");
    assert!(contains_token("use crate::asm::render;", "crate::asm"));
    assert!(!contains_token("use crate::asmx;", "crate::asm"));
}

/// A positive control: the search does find what is there, so an empty result above means something.
#[test]
fn the_search_finds_iced_x86_in_src_asm() {
    assert!(!offending_lines("src/asm", &["iced_x86"]).is_empty());
}
