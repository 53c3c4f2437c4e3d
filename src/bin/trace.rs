//! `trace`: prints a scenario's timeline (placeholder until the model lands).
fn main() {}
