//! The dependability demo (work in progress).
fn main() {}
