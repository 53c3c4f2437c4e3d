//! The only module that imports iced-x86.
