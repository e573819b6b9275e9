//! Parity: every option and lifecycle call of the one description ([`ceaseless_bridge::spec`]) exists
//! in every binding that can have it, spelled by that binding's rule; and the README's option table is
//! the one rendered from the description.
//!
//! The surfaces checked are what an app developer reads and calls: the Python `Client` signatures
//! (`python/python/ceaseless/_client.py`), the TypeScript declarations (`wasm/npm/index.d.ts`), and the
//! uniffi records and objects Kotlin and Swift are generated from (`bindings/ffi/src`). Each binding's
//! Rust side converts into `ceaseless_bridge::ClientOptions` by destructuring it without `..`, so the
//! compiler keeps those conversions complete; this test keeps the public surfaces complete.
//!
//! `CEASELESS_BLESS=1 cargo test -p ceaseless-bridge --test parity` rewrites the README table.

use std::path::{Path, PathBuf};

use ceaseless_bridge::spec::{CLIENT_METHODS, CLIENT_OPTIONS, OptionSpec, SUBSCRIPTION_OPTIONS, camel};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The text from `start` to the first `end` after it (both found by substring).
fn block<'a>(text: &'a str, start: &str, end: &str, what: &str) -> &'a str {
    let Some(from) = text.find(start) else { panic!("{what}: `{start}` not found") };
    let rest = &text[from..];
    let to = rest.find(end).unwrap_or(rest.len());
    &rest[..to]
}

/// Whether `block` declares `name` as a parameter, property or field (`name:` or `name?:` or
/// `name=`), as a whole word.
fn declares(block: &str, name: &str) -> bool {
    block.match_indices(name).any(|(at, _)| {
        let before = block[..at].chars().next_back();
        let after = block[at + name.len()..].trim_start_matches('?').chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && matches!(after, Some(':') | Some('='))
    })
}

struct Surfaces {
    py_client: String,
    py_subscription: String,
    py_methods: String,
    js_client: String,
    js_subscription: String,
    js_methods: String,
    ffi_client: String,
    ffi_subscription: String,
    ffi_methods: String,
}

fn surfaces() -> Surfaces {
    let py = read("python/python/ceaseless/_client.py");
    let dts = read("wasm/npm/index.d.ts");
    let ffi_options = read("bindings/ffi/src/options.rs");
    let ffi_client = read("bindings/ffi/src/client.rs");
    Surfaces {
        py_client: block(
            block(&py, "class Client:", "\nclass ", "Python Client"),
            "    def __init__(",
            ") -> None:",
            "Python Client.__init__",
        )
        .to_owned(),
        py_subscription: block(&py, "    def new_subscription(", ") -> ", "Python new_subscription")
            .to_owned(),
        py_methods: py.clone(),
        js_client: block(&dts, "export interface ClientOptions", "\n}", "TS ClientOptions").to_owned(),
        js_subscription: block(&dts, "export interface SubscriptionOptions", "\n}", "TS SubscriptionOptions")
            .to_owned(),
        js_methods: block(&dts, "export declare class Client", "\n}", "TS Client").to_owned(),
        ffi_client: block(&ffi_options, "pub struct ClientOptions", "\n}", "uniffi ClientOptions").to_owned(),
        ffi_subscription: block(
            &ffi_options,
            "pub struct SubscriptionOptions",
            "\n}",
            "uniffi SubscriptionOptions",
        )
        .to_owned(),
        ffi_methods: ffi_client,
    }
}

fn check(missing: &mut Vec<String>, options: &[OptionSpec], py: &str, js: &str, ffi: &str, what: &str) {
    for option in options {
        if !declares(py, &option.python()) {
            missing.push(format!("Python {what}: `{}`", option.python()));
        }
        if option.in_browser() && !declares(js, &option.js()) {
            missing.push(format!("TypeScript {what}: `{}`", option.js()));
        }
        if !declares(ffi, &format!("pub {}", option.uniffi_field())) {
            missing.push(format!("uniffi {what}: `{}`", option.uniffi_field()));
        }
    }
}

#[test]
fn every_binding_has_every_option_and_lifecycle_call() {
    let s = surfaces();
    let mut missing = Vec::new();
    check(&mut missing, CLIENT_OPTIONS, &s.py_client, &s.js_client, &s.ffi_client, "client option");
    check(
        &mut missing,
        SUBSCRIPTION_OPTIONS,
        &s.py_subscription,
        &s.js_subscription,
        &s.ffi_subscription,
        "subscription option",
    );
    for method in CLIENT_METHODS {
        if !s.py_methods.contains(&format!("def {}(", method.python())) {
            missing.push(format!("Python method `{}`", method.python()));
        }
        if !s.js_methods.contains(&format!("{}(", method.js())) {
            missing.push(format!("TypeScript method `{}`", method.js()));
        }
        if !s.ffi_methods.contains(&format!("fn {}(", method.name)) {
            missing.push(format!("uniffi method `{}`", method.name));
        }
    }
    assert!(missing.is_empty(), "bindings lack what the core has:\n  {}", missing.join("\n  "));
}

const START: &str = "<!-- options table: generated by core/bridge/tests/parity.rs -->";
const END: &str = "<!-- end of options table -->";

fn render() -> String {
    let mut out = String::new();
    out.push_str(START);
    out.push_str(
        "\n\n| option | what | default | Python | JS / TS | Kotlin / Swift |\n|---|---|---|---|---|---|\n",
    );
    let rows = CLIENT_OPTIONS
        .iter()
        .map(|o| ("client", o))
        .chain(SUBSCRIPTION_OPTIONS.iter().map(|o| ("subscription", o)));
    for (scope, o) in rows {
        let js = if o.in_browser() { format!("`{}`", o.js()) } else { "n/a (the browser's own)".to_owned() };
        out.push_str(&format!(
            "| {scope} `{}` | {} | {} | `{}` | {js} | `{}` |\n",
            o.name,
            o.doc,
            (o.default)(),
            o.python(),
            camel(&o.uniffi_field()),
        ));
    }
    for m in CLIENT_METHODS {
        out.push_str(&format!(
            "| method `{}` | {} | | `{}()` | `{}()` | `{}()` |\n",
            m.name,
            m.doc,
            m.python(),
            m.js(),
            m.js()
        ));
    }
    out.push('\n');
    out.push_str(END);
    out
}

#[test]
fn readme_option_table_is_generated_from_the_description() {
    let readme = read("README.md");
    let table = render();
    let current = match (readme.find(START), readme.find(END)) {
        (Some(a), Some(b)) if a < b => &readme[a..b + END.len()],
        _ => "",
    };
    if current == table {
        return;
    }
    if std::env::var_os("CEASELESS_BLESS").is_some() && !current.is_empty() {
        let updated = readme.replacen(current, &table, 1);
        std::fs::write(repo().join("README.md"), updated).unwrap_or_else(|e| panic!("write README.md: {e}"));
        return;
    }
    panic!(
        "README.md's option table is stale or missing (put the two marker lines in README.md, then run \
         CEASELESS_BLESS=1 cargo test -p ceaseless-bridge --test parity). Expected:\n{table}"
    );
}

#[test]
fn every_error_kind_has_a_js_class() {
    let dts = read("wasm/npm/index.d.ts");
    let js = read("wasm/npm/errors.js");
    let mut missing = Vec::new();
    for kind in ceaseless_bridge::ErrorKind::ALL {
        let class = format!("{}Error", kind.name());
        if !dts.contains(&format!("export declare class {class} ")) {
            missing.push(format!("index.d.ts: {class}"));
        }
        if !js.contains(&format!("class {class} ")) {
            missing.push(format!("errors.js: {class}"));
        }
    }
    // Python and Kotlin/Swift pick their class with an exhaustive `match` on `ErrorKind` in Rust, so
    // the compiler checks them; JS picks `${kind}Error` by name at run time, so this test does.
    assert!(missing.is_empty(), "error kinds without a class:\n  {}", missing.join("\n  "));
}
