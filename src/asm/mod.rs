//! The only module that imports iced-x86 (native builds only).
//!
//! - [`programs`] writes the user program (callers, libc-like wrappers, the errno path) and the condensed kernel entry
//!   code with iced-x86's `CodeAssembler`, each instruction tagged with the [`Role`] and [`LessonStep`] it plays.
//! - [`decode`] decodes the assembled bytes back with iced-x86's `Decoder` into the model's [`Insn`], and formats each
//!   instruction with the Intel formatter.
//! - [`render_image`] turns the result into the Rust source of `src/model/image.rs`, which is committed so that the
//!   browser build carries the machine code without carrying iced-x86. `tests/image.rs` regenerates and compares it.
//!
//! [`Role`]: crate::model::program::Role
//! [`LessonStep`]: crate::model::LessonStep
//! [`Insn`]: crate::model::isa::Insn

pub mod decode;
pub mod programs;
mod render;

pub use decode::{decode_routine, DecodedInsn};
pub use programs::{assemble_all, AssembledRoutine};
pub use render::render_image;
