//! The wizard is only *who answers*: a [`Prompter`] for a terminal (dialoguer, on
//! stderr), one that accepts defaults (`--yes`, no terminal), and a scripted one for
//! tests. The questions themselves live in `questions`; the same code asks them
//! whoever answers.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};

/// Answers questions.
pub trait Prompter {
    /// A free-text answer; `default` is offered and `check` validates.
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String>;
    /// One of `options`; returns its index. A `default` out of range means "no default".
    fn select(&mut self, q: &Ask, options: &[String], default: usize) -> Result<usize>;
    /// Yes or no.
    fn confirm(&mut self, q: &Ask, default: bool) -> Result<bool>;
    /// Any number of `options`, those whose `checked` is true offered as chosen;
    /// returns their indexes in order. Choosing none is an error naming the flag.
    fn multi_select(&mut self, q: &Ask, options: &[String], checked: &[bool])
    -> Result<Vec<usize>>;
    /// Shows text to the person answering (a summary, a diff); silent without one.
    fn show(&mut self, text: &str);
    /// Whether a person answers (a question without a default can be asked).
    fn interactive(&self) -> bool {
        true
    }
}

/// The indices of the options a multi-select starts with checked.
pub fn checked_indices(options: &[String], checked: &[bool]) -> Vec<usize> {
    (0..options.len())
        .filter(|i| checked.get(*i) == Some(&true))
        .collect()
}

/// One question: a stable key (for scripts and tests), the prompt, the reason behind
/// the default and the flag that answers it non-interactively.
#[derive(Debug, Clone)]
pub struct Ask {
    /// Stable key, e.g. `port`.
    pub key: String,
    /// Prompt text.
    pub prompt: String,
    /// Why the default is what it is ("from .nvmrc").
    pub reason: String,
    /// The flag that answers it.
    pub flag: String,
}

impl Ask {
    /// The error for a question nobody can answer: it names the flag to pass.
    pub fn unanswered(&self, detail: impl Into<String>) -> Error {
        Error::NeedsAnswer {
            question: self.prompt.trim_end_matches(['?', ':']).to_lowercase(),
            detail: detail.into(),
            flag: self.flag.clone(),
        }
    }
}

/// Accepts every default; a question without one is an error naming the flag.
pub struct Defaults;

impl Prompter for Defaults {
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String> {
        let value = default.ok_or_else(|| q.unanswered("no default and no terminal to ask"))?;
        check(value)?;
        Ok(value.to_string())
    }
    fn select(&mut self, q: &Ask, options: &[String], default: usize) -> Result<usize> {
        if default < options.len() {
            Ok(default)
        } else {
            Err(q.unanswered(format!(
                "{} (choose one of: {})",
                q.reason,
                options.join(", ")
            )))
        }
    }
    fn confirm(&mut self, _: &Ask, default: bool) -> Result<bool> {
        Ok(default)
    }
    fn multi_select(
        &mut self,
        q: &Ask,
        options: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>> {
        let chosen = checked_indices(options, checked);
        if chosen.is_empty() {
            return Err(q.unanswered(format!(
                "{} (choose among: {})",
                q.reason,
                options.join(", ")
            )));
        }
        Ok(chosen)
    }
    fn show(&mut self, _: &str) {}
    fn interactive(&self) -> bool {
        false
    }
}

/// Answers from a script (key → answers, used in turn; the last one repeats), for
/// tests; unscripted keys take the default. Records every key asked and all shown.
#[derive(Debug, Default)]
pub struct Scripted {
    /// Answers by question key; a select takes the option's text, a confirm `yes`/`no`.
    pub answers: BTreeMap<String, Vec<String>>,
    /// Keys of the questions asked, in order.
    pub asked: Vec<String>,
    /// Texts shown.
    pub shown: Vec<String>,
}

impl Scripted {
    /// A script from (key, answer) pairs; a key given twice is answered in turn.
    pub fn new<'a>(answers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Scripted {
        let mut script = Scripted::default();
        for (k, v) in answers {
            script
                .answers
                .entry(k.to_string())
                .or_default()
                .push(v.to_string());
        }
        script
    }

    fn next(&mut self, key: &str) -> Option<String> {
        self.asked.push(key.to_string());
        let queue = self.answers.get_mut(key)?;
        if queue.len() > 1 {
            Some(queue.remove(0))
        } else {
            queue.first().cloned()
        }
    }
}

impl Prompter for Scripted {
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String> {
        match self.next(&q.key) {
            Some(a) => check(&a).map(|()| a),
            None => Defaults.input(q, default, check),
        }
    }
    fn select(&mut self, q: &Ask, options: &[String], default: usize) -> Result<usize> {
        match self.next(&q.key) {
            None => Defaults.select(q, options, default),
            Some(a) => options.iter().position(|o| *o == a).ok_or_else(|| {
                Error::invalid(
                    &q.flag,
                    format!("`{a}` is not one of {}", options.join(", ")),
                )
            }),
        }
    }
    fn confirm(&mut self, q: &Ask, default: bool) -> Result<bool> {
        Ok(self.next(&q.key).map_or(default, |a| a == "yes"))
    }
    /// The answer lists the chosen options' texts, separated by commas.
    fn multi_select(
        &mut self,
        q: &Ask,
        options: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>> {
        let Some(answer) = self.next(&q.key) else {
            return Defaults.multi_select(q, options, checked);
        };
        answer
            .split(',')
            .map(|a| {
                options.iter().position(|o| o == a.trim()).ok_or_else(|| {
                    Error::invalid(
                        &q.flag,
                        format!("`{a}` is not one of {}", options.join(", ")),
                    )
                })
            })
            .collect()
    }
    fn show(&mut self, text: &str) {
        self.shown.push(text.to_string());
    }
}

/// Set once files start being written: an interrupt can no longer promise that
/// nothing was.
static WRITING: AtomicBool = AtomicBool::new(false);

/// Marks the start of writing, for the interrupt message.
pub fn writing() {
    WRITING.store(true, Ordering::SeqCst);
}

/// The SIGINT handler. Ctrl-C reaches it as a signal in every case: between keys the
/// terminal is not raw, and inside a key read `console` re-raises it. It restores the
/// cursor a prompt may have hidden and ends the process with the conventional 130.
pub fn on_interrupt() {
    // Held until exit, so no temporary file is started or renamed after the cleanup.
    let _temporary = crate::write::remove_temporary_files();
    let _ = console::Term::stderr().show_cursor();
    let written = if WRITING.load(Ordering::SeqCst) {
        ""
    } else {
        "; nothing was written"
    };
    eprintln!("\nerror: interrupted{written}");
    std::process::exit(130);
}

/// A real terminal: dialoguer prompts drawn on stderr, plain when colours are off
/// (`NO_COLOR`, or stderr not a colour terminal).
pub struct Terminal {
    theme: Box<dyn dialoguer::theme::Theme>,
}

impl Default for Terminal {
    fn default() -> Self {
        let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
            || !console::colors_enabled_stderr()
            || anstream::ColorChoice::global() == anstream::ColorChoice::Never;
        let theme: Box<dyn dialoguer::theme::Theme> = if plain {
            Box::new(dialoguer::theme::SimpleTheme)
        } else {
            Box::new(dialoguer::theme::ColorfulTheme::default())
        };
        Terminal { theme }
    }
}

/// Lists longer than this get type-to-filter.
const FILTER_FROM: usize = 7;

/// The prompt with its reason, or without the reason when the line would wrap (a
/// wrapped prompt line confuses redrawing).
fn label(q: &Ask, default: Option<&str>) -> String {
    let width = console::Term::stderr()
        .size_checked()
        .map_or(80, |(_, cols)| usize::from(cols));
    let full = format!("{} ({})", q.prompt, q.reason);
    let room = width.saturating_sub(8 + default.map_or(0, |d| d.chars().count()));
    let shown = if q.reason.is_empty() || full.chars().count() > room {
        q.prompt.clone()
    } else {
        full
    };
    crate::validate::safe(&shown).into_owned()
}

/// Options as shown (a candidate may be a directory name from the project).
fn items(options: &[String]) -> Vec<String> {
    options
        .iter()
        .map(|o| crate::validate::safe(o).into_owned())
        .collect()
}

/// Runs one dialoguer prompt; Esc (`None`) cancels. An interrupted read is Ctrl-C,
/// which the signal handler turns into the exit: wait for it rather than race it.
fn prompt<T>(run: impl FnOnce() -> dialoguer::Result<Option<T>>) -> Result<T> {
    match run() {
        Ok(Some(v)) => Ok(v),
        Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => loop {
            std::thread::park();
        },
        Ok(None) | Err(_) => {
            let _ = console::Term::stderr().show_cursor();
            Err(Error::Cancelled)
        }
    }
}

impl Prompter for Terminal {
    fn input(
        &mut self,
        q: &Ask,
        default: Option<&str>,
        check: &dyn Fn(&str) -> Result<()>,
    ) -> Result<String> {
        let mut input = dialoguer::Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt(label(q, default));
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        let input = input.validate_with(|v: &String| {
            check(v).map_err(|e| crate::validate::safe(&e.to_string()).into_owned())
        });
        prompt(|| input.interact_text().map(Some))
    }
    fn select(&mut self, q: &Ask, options: &[String], default: usize) -> Result<usize> {
        // No default (an app among several): the cursor starts on the first option,
        // which detection orders first, never silently on the last.
        let default = if default < options.len() { default } else { 0 };
        if options.len() >= FILTER_FROM {
            let select = dialoguer::FuzzySelect::with_theme(self.theme.as_ref())
                .with_prompt(label(q, None))
                .items(items(options))
                .default(default);
            prompt(|| select.interact_opt())
        } else {
            let select = dialoguer::Select::with_theme(self.theme.as_ref())
                .with_prompt(label(q, None))
                .items(items(options))
                .default(default);
            prompt(|| select.interact_opt())
        }
    }
    fn confirm(&mut self, q: &Ask, default: bool) -> Result<bool> {
        let confirm = dialoguer::Confirm::with_theme(self.theme.as_ref())
            .with_prompt(label(q, None))
            .default(default);
        prompt(|| confirm.interact_opt())
    }
    fn multi_select(
        &mut self,
        q: &Ask,
        options: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>> {
        let select = dialoguer::MultiSelect::with_theme(self.theme.as_ref())
            .with_prompt(format!("{} (space toggles, enter accepts)", label(q, None)))
            .items(items(options))
            .defaults(checked);
        let chosen = prompt(|| select.interact_opt())?;
        if chosen.is_empty() {
            return Err(q.unanswered("no app was chosen"));
        }
        Ok(chosen)
    }
    fn show(&mut self, text: &str) {
        eprint!("{}", crate::validate::safe(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(key: &str) -> Ask {
        Ask {
            key: key.into(),
            prompt: "Port".into(),
            reason: "detected".into(),
            flag: "--port".into(),
        }
    }

    #[test]
    fn defaults_fail_on_a_question_without_a_default_naming_the_flag() {
        let err = Defaults
            .input(&ask("port"), None, &|_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`--port`"), "{err}");
        let err = Defaults
            .select(&ask("app"), &["a".into(), "b".into()], usize::MAX)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a, b") && err.contains("`--port`"), "{err}");
    }

    #[test]
    fn defaults_still_validate_the_default() {
        let bad = |_: &str| Err(Error::invalid("port", "nope"));
        assert!(Defaults.input(&ask("port"), Some("x"), &bad).is_err());
    }

    #[test]
    fn scripted_refuses_an_option_that_is_not_offered() {
        let mut s = Scripted::new([("runtime", "scratch")]);
        assert!(s.select(&ask("runtime"), &["slim".into()], 0).is_err());
        assert_eq!(s.asked, ["runtime"]);
    }
}
