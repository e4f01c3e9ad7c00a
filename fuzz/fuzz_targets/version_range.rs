//! Arbitrary version strings through every preset's resolver and the validators: a
//! resolved version is always tag-safe and never panics on a malformed range.

#![no_main]

use std::sync::OnceLock;

use dockform::preset::Presets;
use dockform::{settings, validate};
use libfuzzer_sys::fuzz_target;

fn presets() -> &'static Presets {
    static P: OnceLock<Presets> = OnceLock::new();
    P.get_or_init(|| Presets::embedded().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for preset in presets().all() {
        if let Ok(v) = dockform::preset::resolve_version(preset, text) {
            assert!(validate::version("v", &v).is_ok(), "{text:?} resolved to {v:?}");
        }
    }
    let _ = validate::line("f", text);
    let _ = validate::relative_path("f", text);
    let _ = validate::http_path("f", text);
    let _ = validate::ident("f", text);
    let _ = validate::shown(text);
});
