//! The machine model: pure Rust, no Yew, DOM or iced-x86.
//!
//! - [`lesson::LessonStep`]: the seven steps of the lesson.
//! - [`cpu`], [`memory`], [`isa`]: the machine.
//! - [`program`] and the generated [`image`]: the code it runs.

pub mod cost;
pub mod cpu;
pub mod errno;
pub mod frame;
pub mod image;
pub mod input;
pub mod isa;
pub mod kernel;
pub mod layout;
pub mod lesson;
pub mod linux;
pub mod machine;
pub mod measured;
pub mod memory;
pub mod moments;
pub mod narration;
pub mod program;
pub mod scenario;
pub mod syscall_table;
pub mod syscalls;
pub mod timeline;
pub mod trace;

pub use lesson::LessonStep;
pub use scenario::{Preset, Program, Scenario};
pub use timeline::{Frame, Timeline};
