//! Syscall Explorer: an interactive explainer of the x86-64 Linux system call round trip.
//!
//! Layers (dependencies point one way, see ARCHITECTURE.md):
//! - [`model`]: the machine (CPU, memory, a small kernel), scenarios and the [`model::Timeline`]. Pure Rust.
//! - `asm` (native only): the one place that uses iced-x86, to encode, decode and format the programs the model runs.
//! - [`app`]: the one reducer, plus URL and timer effects; [`link`] parses and writes the URL's state.
//! - [`ui`]: Yew components, pure views of a frame.

pub mod app;
#[cfg(not(target_arch = "wasm32"))]
pub mod asm;
pub mod link;
pub mod model;
pub mod ui;

/// Mounts the app on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    // Yew empties <body> as it mounts, so the static first screen from index.html (ui/prerender.rs) gives way to the
    // app with nothing else to do.
    yew::Renderer::<app::App>::new().render();
}
