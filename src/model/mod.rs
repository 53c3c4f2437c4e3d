//! The machine model: pure Rust, no Yew, DOM or iced-x86.
//!
//! - [`step::SeedStep`]: the seven steps of the lesson.

pub mod step;

pub use step::SeedStep;
