//! Arbitrary `dockform.toml` text as the user's layer over a fixed Node project: every
//! value a flag or the config file can set reaches resolve and render. The result is
//! an error or a well-formed Dockerfile.

#![no_main]

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use dockform::layer::Layer;
use libfuzzer_sys::fuzz_target;

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("package.json"), r#"{"name":"a","scripts":{"start":"node src/server.js","build":"tsc","test":"node --test","dev":"node --watch src/server.js"}}"#).unwrap();
        std::fs::write(dir.join("package-lock.json"), "{}").unwrap();
        std::fs::write(dir.join("tsconfig.json"), r#"{"compilerOptions":{"outDir":"dist"}}"#).unwrap();
        std::fs::write(dir.join("src/server.js"), "require('http').createServer().listen(8080)\n").unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(layer) = toml::from_str::<Layer>(text) else { return };
    if let Ok(rendered) = common::pipeline::generate(root(), &layer) {
        common::check(&rendered);
    }
});
