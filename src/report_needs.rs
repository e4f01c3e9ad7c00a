//! `detect`'s lines for what the app needs besides itself: services (and the optional
//! ones), writable paths and required env.

use std::fmt::Write as _;

use crate::detect;

/// Services, writable paths and required env, one line each with the file.
pub(super) fn lines(out: &mut String, needs: &detect::services::Needs) {
    for s in &needs.services {
        outln!(
            out,
            "{:<16} {}  ({}: {})",
            "service",
            s.kind,
            s.source,
            s.reason
        );
    }
    if let Some(d) = &needs.default_database {
        outln!(
            out,
            "{:<16} {}  ({}: {})",
            "default database",
            d.kind,
            d.source,
            d.reason
        );
    }
    for s in needs.optional.iter().filter(|s| s.kind == "sqlite") {
        let how = "an option of the app's own database setting, not a service";
        outln!(
            out,
            "{:<16} sqlite  ({}: {}); {how}",
            "optional",
            s.source,
            s.reason
        );
    }
    for s in needs.optional.iter().filter(|s| s.kind != "sqlite") {
        outln!(
            out,
            "{:<16} {}  ({}: {}); compose.yaml runs it with `--service {}` (or `services = [...]` in dockform.toml, listing every service to run)",
            "optional",
            s.kind,
            s.source,
            s.reason,
            s.kind
        );
    }
    for w in &needs.writable_paths {
        let pointed = w
            .env
            .as_ref()
            .map(|var| {
                let file = w.file.as_ref().map(|f| format!("/{f}")).unwrap_or_default();
                let dir = match w.path.as_str() {
                    p if p.starts_with('/') => p.to_string(),
                    p => format!("/app/{p}"),
                };
                format!("; the image sets {var}={}{dir}{file}", w.prefix)
            })
            .unwrap_or_default();
        outln!(
            out,
            "{:<16} {}  ({}: {}{pointed})",
            "writable path",
            w.path,
            w.source,
            w.reason
        );
    }
    if let Some(m) = &needs.migrate {
        let how = if m.command.is_empty() {
            String::new()
        } else {
            format!(
                "; compose.yaml's `migrate` service runs it on target `{}`",
                m.target
            )
        };
        outln!(
            out,
            "{:<16} {}  ({}: {}{how})",
            "migrations",
            m.tool,
            m.source,
            m.reason
        );
    }
    for (label, list) in [
        ("env (runtime)", &needs.env.runtime),
        ("env (build)", &needs.env.build),
    ] {
        for v in list {
            outln!(out, "{label:<16} {}  ({}:{})", v.name, v.file, v.line);
        }
    }
}
