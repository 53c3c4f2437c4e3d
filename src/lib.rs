//! Syscall Explorer: an interactive explainer of the x86-64 Linux system call round trip.
//!
//! Layers, each depending only on those before it (ARCHITECTURE.md; `tests/architecture.rs` checks):
//! - [`model`]: the machine (CPU, memory, a small kernel), scenarios and the [`model::Timeline`]. Pure Rust.
//! - `asm` (native only): the one place that uses iced-x86, to encode, decode and format the programs the model runs.
//! - [`state`]: the page's state and its one reducer, in plain Rust.
//! - [`link`]: the URL and `postMessage` schemas, to and from the state.
//! - [`ui`]: the Yew components and the effects that connect the state to the browser.

#[cfg(not(target_arch = "wasm32"))]
pub mod asm;
pub mod link;
pub mod model;
pub mod state;
pub mod ui;

/// Mounts the app on the page's `<body>`. Yew empties `<body>` as it mounts, so the static first screen from
/// index.html (`ui/prerender.rs`) gives way to the app with nothing else to do.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    #[cfg(not(feature = "startup-floor"))]
    yew::Renderer::<ui::app::App>::new().render();
    #[cfg(feature = "startup-floor")]
    yew::Renderer::<ui::startup_floor::StartupFloor>::new().render();
}
