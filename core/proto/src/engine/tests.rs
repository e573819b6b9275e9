//! Deterministic tests of the engine (filled in below).
