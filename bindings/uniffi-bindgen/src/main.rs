//! `cargo run -p uniffi-bindgen -- generate ...`: the binding generator, built from the same uniffi
//! version as `ceaseless-ffi`, so the generated Kotlin and Swift always match the library's scaffolding.

fn main() {
    uniffi::uniffi_bindgen_main();
}
