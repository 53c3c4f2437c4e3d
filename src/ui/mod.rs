//! The view: Yew components over [`crate::state::State`], and the effects that connect it to the browser.
//!
//! - [`app::App`] is the root: it holds the state in one reducer (`state::reduce`) and runs the effects, each a named
//!   hook in [`effects`] (the URL, the keyboard, autoplay, printing, messages from an embedding page).
//! - [`explorer::Explorer`] lays the page out and hands each view only what it shows: a [`crate::state::FrameRef`],
//!   a timeline, a setting, callbacks.
//! - The stage ([`explorer`]): the narration, [`cpl_strip`], [`changes`], and [`stage::FocusView`], the panel the
//!   frame is about with tabs to the others.
//! - The views, one file each: [`controls`], [`steps`], [`wall`], [`register_file`], [`listing`], [`kernel_work`],
//!   [`syscall_table`], [`memory_view`], [`scenario_editor`], [`toolbar`], [`handout`].
//! - [`hooks`] holds the two DOM hooks views share; [`common`] the text helpers; [`prerender`] (native only) writes
//!   the first screen into `index.html`.
//!
//! This module only declares; no file here imports it, so the views form no circle.

pub mod app;
pub mod changes;
pub mod common;
pub mod controls;
pub mod cost_view;
pub mod cpl_strip;
pub mod effects;
pub mod explorer;
pub mod handout;
pub mod hooks;
pub mod kernel_work;
pub mod listing;
pub mod memory_view;
#[cfg(not(target_arch = "wasm32"))]
pub mod prerender;
pub mod register_file;
pub mod scenario_editor;
pub mod stage;
#[cfg(feature = "startup-floor")]
pub mod startup_floor;
pub mod steps;
pub mod syscall_table;
pub mod toolbar;
pub mod wall;
