//! The machine model: pure Rust, no Yew, DOM or iced-x86.
//!
//! - [`step::SeedStep`]: the seven steps of the lesson.
//! - [`cpu`], [`memory`], [`isa`]: the machine.
//! - [`program`] and the generated [`image`]: the code it runs.

pub mod cpu;
pub mod image;
pub mod isa;
pub mod layout;
pub mod memory;
pub mod program;
pub mod step;
pub mod syscall_table;
pub mod syscalls;

pub use step::SeedStep;
