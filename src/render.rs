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
        let dockerfile = self.one(&format!("{}/Dockerfile.j2", settings.stack), settings)?;
        let mut ignore = self.one(&format!("{}/dockerignore.j2", settings.stack), settings)?;
        let carried = gitignore
            .map(ignorefile::from_gitignore)
            .unwrap_or_default();
        let present: Vec<String> = ignore.lines().map(String::from).collect();
        let carried: Vec<String> = carried
            .into_iter()
            .filter(|l| !present.contains(l))
            .collect();
        if !carried.is_empty() {
            ignore.push_str("\n# From .gitignore\n");
            for line in carried {
                ignore.push_str(&line);
                ignore.push('\n');
            }
        }
        keep_copied_sources(&dockerfile, &mut ignore);
        let mut files = vec![
            ("Dockerfile".into(), dockerfile),
            (".dockerignore".into(), ignore),
        ];
        if settings.compose {
            files.push((
                "compose.yaml".into(),
                self.one("common/compose.yaml.j2", settings)?,
            ));
            files.push((
                ".env.example".into(),
                self.one("common/env.example.j2", settings)?,
            ));
        }
        Ok(Rendered { files })
    }

    /// Renders one template by name.
    fn one(&self, name: &str, settings: &Settings) -> Result<String> {
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
        let text = template
            .render(minijinja::context! { settings => Serde(settings) })
            .map_err(fail)?;
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
        for f in dir.files() {
            names.push(f.path().to_string_lossy().replace('\\', "/"));
        }
        stack.extend(dir.dirs());
    }
    names.sort();
    names
}
