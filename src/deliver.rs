//! The last step of `init` and `check`, for one app or a workspace: the rendered files
//! planned against the project, then compared (`--diff`, `--check`) or decided (the
//! overwrite questions, `--force`) and written, with a report of each file.

use serde::Serialize;

use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::output;
use crate::render;
use crate::wizard::{Ask, Prompter};
use crate::write::{FilePlan, Plan, Status};

/// How much to say on stderr.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Only errors.
    pub quiet: bool,
    /// Also where every setting came from.
    pub verbose: bool,
}

/// What happened to one file, for the report and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Written, did not exist.
    Created,
    /// Written over other contents.
    Updated,
    /// Already had the generated contents.
    Unchanged,
    /// Differs, and the person at the terminal chose to keep it.
    Kept,
    /// Differs and was not overwritten: no `--force` and no terminal to ask.
    Refused,
    /// Not written because another file was refused.
    Skipped,
}

/// The plan for the rendered files, `dockform.toml` outdated rather than changed when
/// `untouched(old, new)` says replacing it loses nothing of the user's.
pub(crate) fn plan_with(
    root: &std::path::Path,
    rendered: &render::Rendered,
    untouched: impl Fn(&str, &str) -> bool,
) -> Result<Plan> {
    let mut plan = Plan::new(root, rendered)?;
    for f in &mut plan.files {
        if f.name == CONFIG_FILE
            && f.status == Status::Changed
            && f.old.as_deref().is_some_and(|old| untouched(old, &f.new))
        {
            f.status = Status::Outdated;
        }
    }
    Ok(plan)
}

/// `--diff` and `--check`: the diff on stdout; drift is an error under `--check`.
pub(crate) fn compare(plan: &Plan, check: bool, out: Output) -> Result<i32> {
    // Never set up is not "out of date": say so, without a diff of whole files.
    let generated = plan.files.iter().filter(|f| f.name != CONFIG_FILE);
    if check && generated.clone().all(|f| f.status == Status::New) {
        let names: Vec<String> = generated.map(|f| format!("`{}`", f.name)).collect();
        let list = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.join(""),
        };
        return Err(Error::Missing(list));
    }
    if !(check && out.quiet) {
        output::emit_coloured(&plan.diff())?;
    }
    let stale: Vec<String> = plan.pending().map(|f| format!("`{}`", f.name)).collect();
    if check && !stale.is_empty() {
        let edited = plan.pending().any(|f| f.status == Status::Changed);
        let fix = if edited {
            "dockform init --force"
        } else {
            "dockform init --yes"
        };
        return Err(Error::Drift(stale.join(" and "), fix));
    }
    if check && !out.quiet {
        let names: Vec<&str> = plan.files.iter().map(|f| f.name.as_str()).collect();
        eprintln!("up to date: {}", crate::validate::safe(&names.join(", ")));
    }
    Ok(0)
}

/// Decides each file: on a terminal, a summary, a yes per changed file (with its diff
/// on request) and a final confirmation; otherwise `--force` decides, and one refusal
/// means nothing is written.
pub(crate) fn decide(
    p: &mut dyn Prompter,
    plan: &Plan,
    force: bool,
    interactive: bool,
) -> Result<Vec<Action>> {
    let mut actions: Vec<Action> = plan
        .files
        .iter()
        .map(|f| match f.status {
            Status::New => Action::Created,
            Status::Unchanged => Action::Unchanged,
            Status::Outdated => Action::Updated,
            Status::Changed if force => Action::Updated,
            Status::Changed => Action::Refused,
        })
        .collect();
    if !interactive {
        if actions.contains(&Action::Refused) {
            actions
                .iter_mut()
                .filter(|a| matches!(a, Action::Created | Action::Updated))
                .for_each(|a| *a = Action::Skipped);
        }
        return Ok(actions);
    }
    p.show(&summary(plan));
    for (f, action) in plan.files.iter().zip(actions.iter_mut()) {
        if *action == Action::Refused {
            *action = if overwrite(p, f)? {
                Action::Updated
            } else {
                Action::Kept
            };
        }
    }
    let count = actions
        .iter()
        .filter(|a| matches!(a, Action::Created | Action::Updated))
        .count();
    if count > 0 {
        let ask = Ask {
            key: "write".into(),
            prompt: format!("Write {count} file{}?", if count == 1 { "" } else { "s" }),
            reason: String::new(),
            flag: "--yes".into(),
        };
        if !p.confirm(&ask, true)? {
            return Err(Error::Cancelled);
        }
    }
    Ok(actions)
}

fn summary(plan: &Plan) -> String {
    let mut text = String::from("\nFiles in the project:\n");
    for f in &plan.files {
        let status = match f.status {
            Status::New => "new",
            Status::Unchanged => "unchanged",
            Status::Outdated => "outdated",
            Status::Changed => "changed",
        };
        text.push_str(&format!("  {status:<10} {}\n", f.name));
    }
    text
}

/// Asks whether to overwrite one changed file; "show the diff" shows it and asks again.
fn overwrite(p: &mut dyn Prompter, f: &FilePlan) -> Result<bool> {
    let options = [
        "yes, overwrite it".to_string(),
        "no, keep mine".to_string(),
        "show the diff".to_string(),
    ];
    let ask = Ask {
        key: format!("overwrite:{}", f.name),
        prompt: format!("`{}` differs; overwrite?", f.name),
        reason: String::new(),
        flag: "--force".into(),
    };
    loop {
        match p.select(&ask, &options, 1)? {
            0 => return Ok(true),
            1 => return Ok(false),
            _ => p.show(&f.diff()),
        }
    }
}

/// Writes the files decided on and reports each (text on stderr, or `--json` on stdout).
pub(crate) fn write(plan: &Plan, actions: &[Action], json: bool, out: Output) -> Result<i32> {
    let mut chosen = plan.clone();
    let mut keep = actions
        .iter()
        .map(|a| matches!(a, Action::Created | Action::Updated));
    chosen.files.retain(|_| keep.next().unwrap_or(false));
    crate::wizard::writing();
    chosen.apply(|_| Ok(true))?;
    if json {
        let files: Vec<_> = plan
            .files
            .iter()
            .zip(actions)
            .map(|(f, a)| serde_json::json!({ "name": f.name, "action": a }))
            .collect();
        let text = serde_json::to_string_pretty(&serde_json::json!({ "files": files }))
            .map_err(|e| Error::Internal(e.to_string()))?;
        output::emit(&format!("{text}\n"))?;
    } else if !out.quiet && !actions.contains(&Action::Refused) {
        for (f, a) in plan.files.iter().zip(actions) {
            let verb = serde_json::to_value(a)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let s = match a {
                Action::Created | Action::Updated => output::style::DONE,
                Action::Unchanged | Action::Kept => output::style::SAME,
                Action::Refused | Action::Skipped => output::style::REFUSED,
            };
            anstream::eprintln!("{s}{verb:>9}{s:#} {}", crate::validate::safe(&f.name));
        }
    }
    let refused: Vec<String> = plan
        .files
        .iter()
        .zip(actions)
        .filter(|(_, a)| **a == Action::Refused)
        .map(|(f, _)| format!("`{}`", f.name))
        .collect();
    if !refused.is_empty() {
        return Err(crate::write::refused_error(&refused));
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Rendered;
    use crate::wizard::Scripted;

    fn plan(dir: &std::path::Path) -> Plan {
        std::fs::write(dir.join("Dockerfile"), "FROM old\n").unwrap();
        std::fs::write(dir.join(".dockerignore"), "same\n").unwrap();
        let files = [
            ("Dockerfile", "FROM new\n"),
            (".dockerignore", "same\n"),
            ("dockform.toml", "preset = \"node\"\n"),
        ];
        Plan::new(
            dir,
            &Rendered {
                files: files
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.to_string()))
                    .collect(),
            },
        )
        .unwrap()
    }

    #[test]
    fn a_changed_file_is_shown_as_a_diff_on_request_and_overwritten_after_a_yes() {
        let dir = tempfile::tempdir().unwrap();
        let mut script = Scripted::new([
            ("overwrite:Dockerfile", "show the diff"),
            ("overwrite:Dockerfile", "yes, overwrite it"),
        ]);
        let actions = decide(&mut script, &plan(dir.path()), false, true).unwrap();
        assert_eq!(
            actions,
            [Action::Updated, Action::Unchanged, Action::Created]
        );
        assert!(
            script
                .shown
                .iter()
                .any(|t| t.contains("-FROM old\n+FROM new")),
            "{:?}",
            script.shown
        );
        assert_eq!(
            script.asked,
            ["overwrite:Dockerfile", "overwrite:Dockerfile", "write"]
        );
    }

    #[test]
    fn a_no_keeps_that_file_and_the_others_are_still_written() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path());
        let mut script = Scripted::new([("overwrite:Dockerfile", "no, keep mine")]);
        let actions = decide(&mut script, &plan, false, true).unwrap();
        assert_eq!(actions, [Action::Kept, Action::Unchanged, Action::Created]);
        write(
            &plan,
            &actions,
            false,
            Output {
                quiet: true,
                verbose: false,
            },
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            "FROM old\n"
        );
        assert!(dir.path().join("dockform.toml").exists());
    }

    #[test]
    fn declining_the_final_confirmation_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut script = Scripted::new([
            ("overwrite:Dockerfile", "yes, overwrite it"),
            ("write", "no"),
        ]);
        assert!(matches!(
            decide(&mut script, &plan(dir.path()), false, true),
            Err(Error::Cancelled)
        ));
    }

    #[test]
    fn without_a_terminal_one_refusal_means_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path());
        let actions = decide(&mut Scripted::default(), &plan, false, false).unwrap();
        assert_eq!(
            actions,
            [Action::Refused, Action::Unchanged, Action::Skipped]
        );
        let err = write(
            &plan,
            &actions,
            false,
            Output {
                quiet: true,
                verbose: false,
            },
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("`Dockerfile` already exists"),
            "{err}"
        );
        assert!(!dir.path().join("dockform.toml").exists());
    }
}
