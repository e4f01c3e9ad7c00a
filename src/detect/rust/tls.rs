//! Whether the build links the system OpenSSL. `Cargo.lock` lists every crate any
//! feature of a workspace member can pull in, so a crate whose default features use
//! rustls still has `openssl-sys` in its lockfile when another feature picks
//! native-tls. The lockfile's graph is walked from the built package through the
//! direct dependencies its default features turn on.

use std::collections::{BTreeMap, BTreeSet};

use toml::{Table, Value};

/// Crates that link the system OpenSSL.
const OPENSSL: &[&str] = &["openssl", "openssl-sys", "native-tls"];

/// The decision and its reason.
pub struct Verdict {
    /// Whether OpenSSL headers are needed.
    pub needed: bool,
    /// The file that decided.
    pub file: Option<String>,
    /// Why, for `detect`.
    pub why: String,
}

/// Decides for the package `manifest` (named `name`); `root` is the workspace root's
/// manifest (for `workspace = true` dependencies).
pub fn openssl(
    lock: Option<&str>,
    name: &str,
    (file, manifest): (&str, &Table),
    root: &Table,
) -> Verdict {
    let Some(graph) = lock.and_then(graph) else {
        return by_manifest(file, manifest, root);
    };
    if !OPENSSL.iter().any(|c| graph.contains_key(*c)) {
        return no("no OpenSSL crate in `Cargo.lock` (rustls needs no system library)");
    }
    if let Some((rustls, openssl)) = tls_choice(manifest) {
        return Verdict {
            needed: false,
            file: Some(file.to_string()),
            why: format!(
                "the default features select rustls (`{rustls}`); OpenSSL comes only with the feature `{openssl}`, off by default"
            ),
        };
    }
    let Some(direct) = graph.get(name).cloned() else {
        // The package is not in the lockfile (a stale or hand-made one): any OpenSSL
        // crate in it counts.
        let c = OPENSSL
            .iter()
            .find(|c| graph.contains_key(**c))
            .unwrap_or(&"openssl");
        return Verdict {
            needed: true,
            file: Some("Cargo.lock".into()),
            why: format!("`{c}` is in `Cargo.lock`"),
        };
    };
    let mut off = Vec::new();
    let mut queue = Vec::new();
    for dep in direct {
        match active(&dep, manifest, root) {
            true => queue.push((dep.clone(), dep)),
            false => off.push(dep),
        }
    }
    let mut seen = BTreeSet::new();
    while let Some((krate, via)) = queue.pop() {
        if OPENSSL.contains(&krate.as_str()) {
            return Verdict {
                needed: true,
                file: Some("Cargo.lock".into()),
                why: format!("`{krate}` is in the dependency graph (through `{via}`)"),
            };
        }
        if seen.insert(krate.clone()) {
            for next in graph.get(&krate).into_iter().flatten() {
                queue.push((next.clone(), via.clone()));
            }
        }
    }
    let off: Vec<String> = off
        .iter()
        .filter(|d| reaches(&graph, d))
        .map(|d| format!("`{d}`"))
        .collect();
    Verdict {
        needed: false,
        file: Some("Cargo.lock".into()),
        why: format!(
            "`Cargo.lock` has OpenSSL crates only through {}, whose OpenSSL feature only a feature of the package that is off by default enables",
            off.join(", ")
        ),
    }
}

fn no(why: &str) -> Verdict {
    Verdict {
        needed: false,
        file: None,
        why: why.into(),
    }
}

/// Crate name → the names it depends on, from `Cargo.lock`.
pub(super) fn graph(lock: &str) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let table: Table = lock.parse().ok()?;
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for pkg in table.get("package")?.as_array()? {
        let Some(name) = pkg.get("name").and_then(Value::as_str) else {
            continue;
        };
        let deps = pkg
            .get("dependencies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|d| d.split_whitespace().next())
            .map(String::from);
        g.entry(name.to_string()).or_default().extend(deps);
    }
    Some(g)
}

/// Every crate `from` depends on through `Cargo.lock`'s graph, itself included.
pub(super) fn closure(g: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue = vec![from.to_string()];
    while let Some(k) = queue.pop() {
        if seen.insert(k.clone()) {
            queue.extend(g.get(&k).into_iter().flatten().cloned());
        }
    }
    seen
}

fn reaches(g: &BTreeMap<String, BTreeSet<String>>, from: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut queue = vec![from.to_string()];
    while let Some(k) = queue.pop() {
        if OPENSSL.contains(&k.as_str()) {
            return true;
        }
        if seen.insert(k.clone()) {
            queue.extend(g.get(&k).into_iter().flatten().cloned());
        }
    }
    false
}

/// A feature name that selects OpenSSL (`native-tls`, `default-tls`, `postgres-openssl`).
fn openssl_feature(f: &str) -> bool {
    f.contains("native-tls") || f.contains("openssl") || f == "default-tls" || f == "native"
}

/// Whether the default build compiles the direct dependency `krate` with a feature set
/// that can pull in OpenSSL. Unknown cases count as active.
fn active(krate: &str, manifest: &Table, root: &Table) -> bool {
    let Some((key, spec)) = spec_of(krate, manifest) else {
        // A build or platform-specific dependency counts (its features are not read);
        // a dev-dependency is not in the release build.
        let build = manifest
            .get("build-dependencies")
            .and_then(Value::as_table)
            .is_some_and(|t| t.contains_key(krate));
        let platform = manifest
            .get("target")
            .and_then(Value::as_table)
            .into_iter()
            .flat_map(|t| t.values())
            .filter_map(|t| t.get("dependencies").and_then(Value::as_table))
            .any(|t| t.contains_key(krate));
        return build || platform;
    };
    let inherited = spec
        .get("workspace")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        .then(|| {
            root.get("workspace")
                .and_then(|w| w.get("dependencies"))
                .and_then(|d| d.get(&key))
        })
        .flatten();
    let get = |k: &str| spec.get(k).or_else(|| inherited.and_then(|i| i.get(k)));
    let defaults = default_features(manifest);
    let optional = get("optional").and_then(Value::as_bool).unwrap_or(false);
    if optional
        && !defaults
            .iter()
            .any(|f| *f == key || *f == format!("dep:{key}") || f.starts_with(&format!("{key}/")))
    {
        return false;
    }
    let mut feats: Vec<String> = [
        spec.get("features"),
        inherited.and_then(|i| i.get("features")),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_array)
    .flatten()
    .filter_map(Value::as_str)
    .map(String::from)
    .collect();
    feats.extend(defaults.iter().filter_map(|f| dep_feature(f, &key)));
    if feats.iter().any(|f| openssl_feature(f)) {
        return true;
    }
    // The lockfile holds what every feature of the package can enable. When one of the
    // package's own features, off by default, selects this crate's OpenSSL feature
    // (`native = ["reqwest/native-tls"]`), that feature is why OpenSSL is in the
    // lockfile. Otherwise the crate may pull it in by itself: it counts.
    let gated = manifest
        .get("features")
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|f| dep_feature(f, &key))
        .any(|f| openssl_feature(&f));
    !gated
}

/// A package that chooses its TLS backend by feature: the default features enable a
/// rustls one and none for OpenSSL, and a feature off by default selects OpenSSL.
/// Returns (the rustls item, the OpenSSL feature).
fn tls_choice(manifest: &Table) -> Option<(String, String)> {
    let defaults = default_features(manifest);
    let leaf = |item: &str| {
        item.rsplit('/')
            .next()
            .unwrap_or(item)
            .trim_start_matches("dep:")
            .to_string()
    };
    if defaults.iter().any(|f| openssl_feature(&leaf(f))) {
        return None;
    }
    let rustls = defaults.iter().find(|f| f.contains("rustls"))?.clone();
    let features = manifest.get("features")?.as_table()?;
    let openssl = features.iter().find_map(|(name, items)| {
        let selects = items
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .any(|i| openssl_feature(&leaf(i)));
        (name != "default" && !defaults.contains(name) && selects).then(|| name.clone())
    })?;
    Some((rustls, openssl))
}

/// `key/feat` or `key?/feat` → `feat`.
fn dep_feature(item: &str, key: &str) -> Option<String> {
    [format!("{key}/"), format!("{key}?/")]
        .iter()
        .find_map(|p| item.strip_prefix(p.as_str()))
        .map(String::from)
}

/// The dependency table entry for the crate `krate` (by key or `package = ...` rename).
fn spec_of(krate: &str, manifest: &Table) -> Option<(String, Table)> {
    let deps = manifest.get("dependencies")?.as_table()?;
    deps.iter().find_map(|(k, v)| {
        let table = match v {
            Value::String(ver) => {
                let mut t = Table::new();
                t.insert("version".into(), Value::String(ver.clone()));
                t
            }
            Value::Table(t) => t.clone(),
            _ => return None,
        };
        let package = table.get("package").and_then(Value::as_str).unwrap_or(k);
        (package == krate).then(|| (k.clone(), table))
    })
}

/// The `default` feature and every feature it enables, transitively.
fn default_features(manifest: &Table) -> Vec<String> {
    let features = manifest.get("features").and_then(Value::as_table);
    let mut out: Vec<String> = Vec::new();
    let mut queue = vec!["default".to_string()];
    while let Some(f) = queue.pop() {
        let Some(list) = features.and_then(|t| t.get(&f)).and_then(Value::as_array) else {
            continue;
        };
        for item in list.iter().filter_map(Value::as_str) {
            if !out.iter().any(|o| o == item) {
                out.push(item.to_string());
                queue.push(item.to_string());
            }
        }
    }
    out
}

/// Without `Cargo.lock`: the manifests' direct dependencies.
fn by_manifest(file: &str, manifest: &Table, root: &Table) -> Verdict {
    for (file, m) in [(file, manifest), ("Cargo.toml", root)] {
        let tables = [
            m.get("dependencies"),
            m.get("workspace").and_then(|w| w.get("dependencies")),
        ];
        for t in tables.into_iter().flatten().filter_map(Value::as_table) {
            if let Some(c) = OPENSSL.iter().find(|c| t.contains_key(**c)) {
                return Verdict {
                    needed: true,
                    file: Some(file.into()),
                    why: format!("`{c}` is a dependency"),
                };
            }
        }
    }
    no("no OpenSSL crates (rustls needs no system library)")
}
