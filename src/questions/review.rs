//! The summary before writing: every answer given, and the chance to change any one.
//! Changing one runs the interview again with a [`Replay`] that answers the other
//! questions as before, so answers that depend on the changed one are recomputed: an
//! answer that took the offered default takes the new default.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::wizard::{Ask, Prompter};

/// One recorded answer.
struct Answer {
    prompt: String,
    text: String,
    /// The person took the default offered (so a replay takes the new default).
    took_default: bool,
}

/// Answers asked questions from a record, except the one being changed, which the
/// person answers again; records every answer given.
pub(super) struct Replay<'p> {
    pub(super) inner: &'p mut dyn Prompter,
    record: BTreeMap<String, Answer>,
    order: Vec<String>,
    change: Option<String>,
    replaying: bool,
}

impl<'p> Replay<'p> {
    pub(super) fn new(inner: &'p mut dyn Prompter) -> Self {
        Replay {
            inner,
            record: BTreeMap::new(),
            order: Vec::new(),
            change: None,
            replaying: false,
        }
    }

    /// The recorded answer to `key`, unless it is the one being changed.
    fn recorded(&self, key: &str) -> Option<&Answer> {
        (self.change.as_deref() != Some(key))
            .then(|| self.record.get(key))
            .flatten()
    }

    fn keep(&mut self, q: &Ask, text: String, took_default: bool) {
        if !self.order.contains(&q.key) {
            self.order.push(q.key.clone());
        }
        let prompt = q.prompt.clone();
        self.record.insert(
            q.key.clone(),
            Answer {
                prompt,
                text,
                took_default,
            },
        );
    }

    /// Shows the answers and asks whether to go on or which to change; `true` to go on.
    pub(super) fn review(&mut self) -> Result<bool> {
        let asked: Vec<&String> = self
            .order
            .iter()
            .filter(|k| self.record.contains_key(*k))
            .collect();
        if asked.is_empty() {
            return Ok(true);
        }
        let mut text = String::from("\nYour answers:\n");
        let mut options = vec!["Continue with these answers".to_string()];
        for key in &asked {
            let a = &self.record[*key];
            let shown = if a.text.is_empty() {
                "(empty)"
            } else {
                &a.text
            };
            text.push_str(&format!("  {:<28} {shown}\n", a.prompt));
            options.push(format!("Change: {}", a.prompt));
        }
        self.inner.show(&text);
        let ask = Ask {
            key: "review".into(),
            prompt: "Review".into(),
            reason: String::new(),
            flag: "--yes".into(),
        };
        let i = self.inner.select(&ask, &options, 0)?;
        self.change = (i > 0).then(|| asked[i - 1].clone());
        self.replaying = true;
        Ok(i == 0)
    }
}

impl Prompter for Replay<'_> {
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String> {
        if let Some(a) = self.recorded(&q.key) {
            let text = match default {
                Some(d) if a.took_default => d.to_string(),
                _ => a.text.clone(),
            };
            if check(&text).is_ok() {
                let took = default == Some(text.as_str());
                self.keep(q, text.clone(), took);
                return Ok(text);
            }
        }
        let text = self.inner.input(q, default, check)?;
        let took = default == Some(text.as_str());
        self.keep(q, text.clone(), took);
        Ok(text)
    }

    fn select(&mut self, q: &Ask, options: &[String], default: usize) -> Result<usize> {
        if let Some(a) = self.recorded(&q.key) {
            let i = if a.took_default && default < options.len() {
                Some(default)
            } else {
                options.iter().position(|o| *o == a.text)
            };
            if let Some(i) = i {
                self.keep(q, options[i].clone(), i == default);
                return Ok(i);
            }
        }
        let i = self.inner.select(q, options, default)?;
        self.keep(q, options[i].clone(), i == default);
        Ok(i)
    }

    /// A multi-select is replayed like a select: its checked options, one per line.
    fn multi_select(
        &mut self,
        q: &Ask,
        options: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>> {
        let defaults = crate::wizard::checked_indices(options, checked);
        let text_of = |chosen: &[usize]| -> String {
            chosen
                .iter()
                .map(|i| options[*i].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        };
        if let Some(a) = self.recorded(&q.key) {
            let chosen: Option<Vec<usize>> = if a.took_default {
                Some(defaults.clone())
            } else {
                a.text
                    .lines()
                    .map(|t| options.iter().position(|o| o == t))
                    .collect()
            };
            if let Some(chosen) = chosen.filter(|c| !c.is_empty()) {
                let text = text_of(&chosen);
                self.keep(q, text, chosen == defaults);
                return Ok(chosen);
            }
        }
        let chosen = self.inner.multi_select(q, options, checked)?;
        self.keep(q, text_of(&chosen), chosen == defaults);
        Ok(chosen)
    }

    fn confirm(&mut self, q: &Ask, default: bool) -> Result<bool> {
        self.inner.confirm(q, default)
    }

    /// Notes before the questions are shown once, not again on each replay.
    fn show(&mut self, text: &str) {
        if !self.replaying {
            self.inner.show(text);
        }
    }

    fn interactive(&self) -> bool {
        self.inner.interactive()
    }
}
