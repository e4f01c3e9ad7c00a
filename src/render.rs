//! Rendering: one minijinja environment over the embedded templates (optionally
//! overridden from a user directory). Returns strings; never touches disk.

use std::collections::BTreeMap;

use include_dir::{Dir, include_dir};
use minijinja::{Environment, UndefinedBehavior, syntax::SyntaxConfig, value::Serde};

use crate::error::{Error, Result};
use crate::ignorefile;
use crate::settings::Settings;

static TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The generated files, in the order they are written.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// (file name relative to the project, contents).
    pub files: Vec<(String, String)>,
}

impl Rendered {
    /// The files under `==> name <==` banners, for `--stdout` and snapshots.
    pub fn banners(&self) -> String {
        let mut out = String::new();
        for (name, text) in &self.files {
            out.push_str(&format!("==> {name} <==\n{text}"));
            if !text.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }
}

/// Renders templates for a settings plan.
pub struct Renderer {
    env: Environment<'static>,
    overrides: BTreeMap<String, String>,
}

impl Renderer {
    /// Builds the environment. `overrides` maps template names (`node/Dockerfile.j2`)
    /// to user-supplied sources that replace the embedded ones.
    pub fn new(overrides: BTreeMap<String, String>) -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        if let Ok(syntax) = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.add_filter("exec", exec_form);
        let user = overrides.clone();
        env.set_loader(move |name| {
            if let Some(text) = user.get(name) {
                return Ok(Some(text.clone()));
            }
            Ok(TEMPLATES
                .get_file(name)
                .and_then(|f| f.contents_utf8())
                .map(String::from))
        });
        Renderer { env, overrides }
    }

    /// Renders the Dockerfile and `.dockerignore` for `settings`. `gitignore` is the
    /// project's `.gitignore`, whose patterns are carried over.
    pub fn render(&self, settings: &Settings, gitignore: Option<&str>) -> Result<Rendered> {
        Ok(self.render_noting(settings, gitignore)?.0)
    }

    /// [`Renderer::render`], plus warnings for the user: `.gitignore` rules left out,
    /// credential files kept in the context on the word of `allow-secret-files`.
    pub fn render_noting(
        &self,
        settings: &Settings,
        gitignore: Option<&str>,
    ) -> Result<(Rendered, Vec<String>)> {
        let dockerfile = self.one(&format!("{}/Dockerfile.j2", settings.stack), settings)?;
        let mut ignore = self.one(&format!("{}/dockerignore.j2", settings.stack), settings)?;
        let translation = gitignore
            .map(ignorefile::from_gitignore)
            .unwrap_or_default();
        let mut warnings = translation.warnings;
        let present: std::collections::HashSet<&str> = ignore.lines().collect();
        let carried: Vec<String> = translation
            .lines
            .into_iter()
            .filter(|l| !present.contains(l.as_str()))
            .collect();
        if !carried.is_empty() {
            ignore.push_str("\n# From .gitignore\n");
            for line in carried {
                ignore.push_str(&line);
                ignore.push('\n');
            }
        }
        keep_copied_sources(&dockerfile, &mut ignore);
        deny_secrets(settings, &dockerfile, &mut ignore, &mut warnings)?;
        let mut files = vec![
            ("Dockerfile".into(), dockerfile),
            (".dockerignore".into(), ignore),
        ];
        // A project's own Compose file or `.env.example` is kept: none is written over
        // or beside it (a second Compose file would shadow or be shadowed by it).
        let own = &settings.needs.own_files;
        if settings.compose && !own.iter().any(|f| f.contains("compose")) {
            files.push((
                "compose.yaml".into(),
                self.one("common/compose.yaml.j2", settings)?,
            ));
        }
        // Only when there is a variable to list: an empty template would tell the user
        // to fill in nothing.
        let env = &settings.needs.env;
        let listed = !env.runtime.is_empty() || !env.build.is_empty();
        if settings.compose && listed && !own.iter().any(|f| f == ".env.example") {
            files.push((
                ".env.example".into(),
                self.one("common/env.example.j2", settings)?,
            ));
        }
        // The checksum in each header line: a later run may replace an untouched file.
        for (_, text) in &mut files {
            *text = crate::stamp::seal(text);
        }
        Ok((Rendered { files }, warnings))
    }

    /// Renders one template by name.
    fn one(&self, name: &str, settings: &Settings) -> Result<String> {
        self.render_with(name, minijinja::context! { settings => Serde(settings) })
    }

    /// Renders the template `name` with any context (the workspace templates read
    /// more than one app's `settings`).
    pub fn render_with(&self, name: &str, context: minijinja::Value) -> Result<String> {
        let fail = |e: minijinja::Error| {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            if self.overrides.is_empty() {
                Error::Internal(format!("template `{name}`: {msg}"))
            } else {
                Error::invalid("`--templates-dir`", format!("template `{name}`: {msg}"))
            }
        };
        let template = self.env.get_template(name).map_err(fail)?;
        let text = template.render(context).map_err(fail)?;
        Ok(tidy(&text))
    }
}

/// Renders a list of strings as a Dockerfile exec-form JSON array. Unlike `tojson`,
/// quotes and `<>&` stay readable; control characters are still escaped.
fn exec_form(argv: Vec<String>) -> Result<String, minijinja::Error> {
    serde_json::to_string(&argv)
        .map(|s| s.replace("\",\"", "\", \""))
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

/// Re-includes anything the Dockerfile copies from the context that the ignore
/// patterns would otherwise exclude (a `.gitignore` may list `public/`, say).
fn keep_copied_sources(dockerfile: &str, ignore: &mut String) {
    let matcher = ignorefile::Matcher::new(ignore);
    let hidden: Vec<String> = ignorefile::copied_paths(dockerfile)
        .into_iter()
        .filter(|p| matcher.excludes(p))
        .collect();
    if !hidden.is_empty() {
        ignore.push_str("\n# Copied by the Dockerfile, so never ignored\n");
        for path in hidden {
            ignore.push_str(&format!("!{path}\n"));
        }
    }
}

/// Appends the deny list last, so no `.gitignore` negation or re-include before it can
/// bring a credential file back; then the package-manager configs the Dockerfile copies
/// by name (read and found clean) and what `allow-secret-files` asks for.
fn deny_secrets(
    settings: &Settings,
    dockerfile: &str,
    ignore: &mut String,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let list = crate::denylist::load()?;
    let withheld: Vec<String> = settings
        .extra
        .get("withheld_files")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    ignore.push_str("\n# Credentials: never in the build context (dockform's deny list)\n");
    let denied: Vec<&String> = list
        .deny
        .iter()
        .chain(&withheld)
        .chain(&list.checked)
        .collect();
    for p in &denied {
        ignore.push_str(&format!("{p}\n"));
    }
    for p in &list.except {
        ignore.push_str(&format!("!{p}\n"));
    }
    let always = ignorefile::Matcher::new(
        &list
            .deny
            .iter()
            .chain(&withheld)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let checked = ignorefile::Matcher::new(&list.checked.join("\n"));
    let mut clean: Vec<String> = ignorefile::copied_paths(dockerfile)
        .into_iter()
        .filter(|p| checked.excludes(p) && !always.excludes(p))
        .collect();
    clean.sort();
    clean.dedup();
    if !clean.is_empty() {
        ignore.push_str("# Read by the install, and free of credentials\n");
        for p in clean {
            ignore.push_str(&format!("!{p}\n"));
        }
    }
    if !settings.allow_secret_files.is_empty() {
        ignore.push_str("# Kept on the word of `allow-secret-files` in dockform.toml\n");
        for p in &settings.allow_secret_files {
            let p = p.trim_start_matches('!');
            ignore.push_str(&format!("!{p}\n"));
            warnings.push(format!(
                "`dockform.toml` `allow-secret-files` keeps `{p}` in the build context: a `COPY` of it puts it in an image layer"
            ));
        }
    }
    Ok(())
}

/// Collapses runs of blank lines left by template conditionals and ends with one newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Names of the embedded templates, for tests and `--templates-dir` validation.
pub fn embedded_names() -> Vec<String> {
    let mut names = Vec::new();
    let mut stack = vec![&TEMPLATES];
    while let Some(dir) = stack.pop() {
        for f in dir
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "j2"))
        {
            names.push(f.path().to_string_lossy().replace('\\', "/"));
        }
        stack.extend(dir.dirs());
    }
    names.sort();
    names
}
