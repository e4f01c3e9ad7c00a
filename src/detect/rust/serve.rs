//! Whether a Rust package serves, and which binary of a workspace does. Where it listens
//! is in `listen`; a serve subcommand its CLI requires, in `subcommand`.

use super::manifest::{self, Bin, Package};
use crate::scan::Project;

/// Crates that run an HTTP server.
const SERVERS: &[&str] = &[
    "axum",
    "actix-web",
    "rocket",
    "warp",
    "poem",
    "salvo",
    "tide",
    "hyper",
    "tonic",
];

/// Other crates that run an HTTP server: with [`SERVERS`], what a program that serves
/// nothing does not depend on.
const MORE_SERVERS: &[&str] = &[
    "tiny_http",
    "rouille",
    "gotham",
    "ntex",
    "viz",
    "trillium",
    "thruster",
    "astra",
    "may_minihttp",
    "pingora",
    "loco-rs",
    "shuttle-runtime",
];

/// What a listening program's own code says (`std`/`tokio` listeners, hyper 0.14's and
/// tonic's builders, actix-web, `axum::serve`).
const LISTENS: &[&str] = &[
    "TcpListener",
    "UnixListener",
    "Server::bind",
    "Server::builder",
    "HttpServer::new",
    "serve(",
];

/// Why the package may serve HTTP, or `None` when nothing it depends on or says does:
/// a server crate it reaches through `Cargo.lock` (hyper and tonic only as its own
/// dependencies, since HTTP clients pull them in too), or without a lockfile one any
/// package of the project names, or a listener in its own sources.
pub fn may_serve(
    project: &Project,
    pkg: &Package,
    packages: &[Package],
    lock: Option<&str>,
) -> Option<String> {
    if let Some(c) = server_crate(pkg) {
        return Some(format!("depends on `{c}`"));
    }
    let servers = || SERVERS.iter().chain(MORE_SERVERS).copied();
    let graph = lock.and_then(super::tls::graph);
    match &graph {
        Some(g) => {
            let reach = super::tls::closure(g, &pkg.name);
            if let Some(c) = servers()
                .filter(|c| !CLIENT_TOO.contains(c))
                .find(|c| reach.contains(*c))
            {
                return Some(format!("reaches `{c}` through `Cargo.lock`"));
            }
        }
        None => {
            for p in packages {
                let deps = p
                    .manifest
                    .get("dependencies")
                    .and_then(toml::Value::as_table);
                if let Some(c) = servers().find(|c| deps.is_some_and(|d| d.contains_key(*c))) {
                    return Some(format!("`{}` depends on `{c}`", p.name));
                }
            }
        }
    }
    let prefix = manifest::join(&pkg.dir, "src/");
    project
        .files()
        .filter(|f| f.starts_with(&prefix) && f.ends_with(".rs"))
        .take(300)
        .find_map(|f| {
            let text = project.read_budgeted(f)?;
            let word = LISTENS.iter().find(|w| text.contains(**w))?;
            Some(format!("`{word}` in `{f}`"))
        })
}

/// Server crates that clients use as well.
const CLIENT_TOO: &[&str] = &["hyper", "tonic"];

/// The server crate the package depends on directly, if any.
pub fn server_crate(pkg: &Package) -> Option<&'static str> {
    let deps = pkg.manifest.get("dependencies")?.as_table()?;
    SERVERS.iter().copied().find(|c| deps.contains_key(*c))
}

/// Among several binaries, the one Cargo or the code points at: the only binary of
/// `default-members` or of a workspace's root package, else the only binary whose
/// package depends on a server crate. The reason says which.
pub fn prefer<'a>(
    all: &[(&'a Package, &'a Bin)],
    root: &toml::Table,
) -> Option<((&'a Package, &'a Bin), String)> {
    let only = |list: Vec<(&'a Package, &'a Bin)>| match list.as_slice() {
        [one] => Some(*one),
        many => {
            let mut runs = many
                .iter()
                .filter(|(p, b)| p.default_run.as_deref() == Some(b.name.as_str()));
            match (runs.next(), runs.next()) {
                (Some(one), None) => Some(*one),
                _ => None,
            }
        }
    };
    let defaults: Vec<String> = root
        .get("workspace")
        .and_then(|w| w.get("default-members"))
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(toml::Value::as_str)
                .map(|s| s.trim_end_matches('/').trim_start_matches("./").to_string())
                .collect()
        })
        .unwrap_or_default();
    if !defaults.is_empty() {
        let list = all
            .iter()
            .filter(|(p, _)| defaults.contains(&p.dir))
            .copied()
            .collect();
        if let Some(found) = only(list) {
            return Some((found, "the binary of `default-members`".into()));
        }
    }
    let root_bins = all
        .iter()
        .filter(|(p, _)| p.dir.is_empty())
        .copied()
        .collect();
    if let Some(found) = only(root_bins) {
        return Some((
            found,
            "the binary of the workspace's root package (what `cargo run` builds)".into(),
        ));
    }
    // hyper and tonic also make clients (a CLI that calls the server depends on them
    // too): a web framework decides first, any server crate only when none does.
    let serving = |frameworks_only: bool| -> Vec<_> {
        all.iter()
            .filter(|(p, _)| {
                server_crate(p).is_some_and(|c| !frameworks_only || !CLIENT_TOO.contains(&c))
            })
            .copied()
            .collect()
    };
    let found = only(serving(true)).or_else(|| only(serving(false)))?;
    let why = format!(
        "the only binary whose package depends on a server crate (`{}`)",
        server_crate(found.0).unwrap_or_default()
    );
    Some((found, why))
}
