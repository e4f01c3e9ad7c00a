//! Detection: reads the project and returns facts, each with the evidence behind it.
//! One file per stack; each exposes `detect(&Project, &Presets) -> Result<Option<Detection>>`.

mod go;
mod health;
mod node;
mod python;
mod rust;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::preset::Presets;
use crate::scan::Project;
use crate::settings::Layer;

/// A stack detector: `Ok(None)` when the project is not of this stack. `hints` holds
/// what the user already decided (config and flags), e.g. the package manager.
type Detector = fn(&Project, &Presets, &Layer) -> Result<Option<Detection>>;

/// The registered detectors with the stacks each yields, tried in order.
const DETECTORS: &[(&[&str], Detector)] = &[
    (&["node", "nextjs"], node::detect),
    (&["go"], go::detect),
    (&["python"], python::detect),
    (&["rust"], rust::detect),
];

/// The stack ids dockform knows, for `--stack` validation and help.
pub fn stack_ids() -> Vec<&'static str> {
    DETECTORS
        .iter()
        .flat_map(|(ids, _)| ids.iter().copied())
        .collect()
}

/// Where a fact came from and why it was chosen.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    /// The file that caused the decision, relative to the project, if any.
    pub source: Option<String>,
    /// A one-line reason a user can read.
    pub reason: String,
}

/// One detected value with its evidence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fact {
    /// The value (string, number, bool or list).
    pub value: Value,
    /// Why.
    #[serde(flatten)]
    pub evidence: Evidence,
}

/// What a detector found.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    /// The stack id; selects the preset and templates.
    pub stack: String,
    /// Why this stack.
    pub stack_evidence: Option<Evidence>,
    /// Detected values of the common settings (version, port, commands, ...).
    pub layer: Layer,
    /// Evidence for each field set in `layer`, by kebab-case field name.
    pub evidence: BTreeMap<String, Evidence>,
    /// Stack-specific facts for the templates (see the detector's docs).
    pub extra: BTreeMap<String, Fact>,
    /// Things the user should know (not reproducible, ignored files, ...).
    pub warnings: Vec<String>,
    /// Choices only a person can make; `--yes` turns them into errors.
    pub questions: Vec<Question>,
}

/// An open choice among candidates, e.g. which app of a workspace to containerize.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Question {
    /// What is being asked.
    pub prompt: String,
    /// Why it cannot be decided.
    pub detail: String,
    /// The candidates.
    pub candidates: Vec<String>,
    /// The flag that answers it.
    pub flag: String,
}

impl Detection {
    /// A detection for `stack`, with the evidence for choosing it.
    pub fn new(stack: &str, source: &str, reason: impl Into<String>) -> Self {
        Detection {
            stack: stack.to_string(),
            stack_evidence: Some(evidence(Some(source), reason)),
            ..Default::default()
        }
    }

    /// Records why `field` (kebab-case, as in `Layer`) has its detected value.
    pub fn why(&mut self, field: &str, source: Option<&str>, reason: impl Into<String>) {
        self.evidence
            .insert(field.to_string(), evidence(source, reason));
    }

    /// Records a stack-specific fact for the templates.
    pub fn fact(
        &mut self,
        key: &str,
        value: impl Into<Value>,
        source: Option<&str>,
        reason: impl Into<String>,
    ) {
        let fact = Fact {
            value: value.into(),
            evidence: evidence(source, reason),
        };
        self.extra.insert(key.to_string(), fact);
    }

    /// Adds a warning.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }
}

fn evidence(source: Option<&str>, reason: impl Into<String>) -> Evidence {
    Evidence {
        source: source.map(str::to_string),
        reason: reason.into(),
    }
}

/// Runs the detectors: the one for `stack` if given, else each in turn.
pub fn detect(
    project: &Project,
    presets: &Presets,
    stack: Option<&str>,
    hints: &Layer,
) -> Result<Detection> {
    if let Some(wanted) = stack {
        let (_, detector) = DETECTORS
            .iter()
            .find(|(ids, _)| ids.contains(&wanted))
            .ok_or_else(|| {
                Error::invalid(
                    "`--stack`",
                    format!(
                        "unknown stack `{}` (known: {})",
                        crate::validate::shown(wanted),
                        stack_ids().join(", ")
                    ),
                )
            })?;
        return detector(project, presets, hints)?
            .map(|d| health::with_route(project, d))
            .ok_or_else(|| {
                Error::bad_input(
                    project.root().display().to_string(),
                    format!("has no manifest for `--stack {wanted}`"),
                )
            });
    }
    for (_, detector) in DETECTORS {
        if let Some(found) = detector(project, presets, hints)? {
            return Ok(health::with_route(project, found));
        }
    }
    Err(Error::NoStack(project.root().display().to_string()))
}

/// Turns a serde_json error into a parse error naming the file, line and column.
pub fn json_error(path: &str, e: &serde_json::Error) -> Error {
    Error::Parse {
        path: path.to_string(),
        format: "JSON",
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    }
}

/// Turns a toml error into a parse error naming the file, line and column.
pub fn toml_error(path: &str, text: &str, e: &toml::de::Error) -> Error {
    let (line, column) = e
        .span()
        .map(|span| line_column(text, span.start))
        .unwrap_or((1, 1));
    Error::Parse {
        path: path.to_string(),
        format: "TOML",
        line,
        column,
        message: e.message().to_string(),
    }
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
