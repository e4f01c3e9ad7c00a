//! Issue 6, injection: every hostile value in every place a value enters (flags,
//! `dockform.toml`, project files) for every stack ends either rendered inertly or
//! refused with an error naming the field. "Inertly" is checked with a parser's view
//! of the Dockerfile: the instruction shapes equal a baseline render of the same
//! project, and the Python `dockerfile-parse` package counts the same instructions.
//!
//! `cargo test` runs a sample (about a fifth of the runs): the flag table still puts
//! every hostile value in every field, each time in one stack, turning with the field,
//! so every stack sees every field; `dockform.toml` gets every other value of each key
//! and each project-file place one value in four, turning with the place.
//! `DOCKFORM_TEST_FULL=1 cargo test --test hostile_injection` runs every combination,
//! as `.ci/run` does.

mod hostile_fields;
mod hostile_support;

use std::path::Path;
use std::process::Output;

use hostile_support::*;

/// How a field's value lands in the Dockerfile.
#[derive(Clone, Copy, PartialEq)]
enum Lands {
    /// In shell form after `RUN`: the value must be the end of one RUN instruction.
    Run,
    /// As exec-form words of `CMD`: each word must be one JSON element.
    Exec,
    /// Anywhere else (validated names, numbers, tags, paths): the shape is checked, and
    /// where the value reaches a shell-form RUN it must be single-quoted.
    Elsewhere,
}

/// A flag (empty for a `dockform.toml`-only key), its key, a benign value and the words
/// an error must name.
struct Field {
    flag: &'static str,
    key: &'static str,
    benign: &'static str,
    list: bool,
    lands: Lands,
}

/// Every value a flag can set. The version flag is per stack (`Stack::version_flag`).
fn fields(stack: &Stack) -> Vec<Field> {
    let f = |flag, key, benign, lands| Field {
        flag,
        key,
        benign,
        list: false,
        lands,
    };
    vec![
        f(
            "--start-command",
            "start-command",
            "node src/server.js",
            Lands::Exec,
        ),
        f(
            "--build-command",
            "build-command",
            "npm run build",
            Lands::Run,
        ),
        f("--test-command", "test-command", "npm test", Lands::Run),
        f("--dev-command", "dev-command", "npm run dev", Lands::Exec),
        f("--port", "port", "8080", Lands::Elsewhere),
        f(
            stack.version_flag,
            "version",
            stack.version,
            Lands::Elsewhere,
        ),
        f("--health-path", "health-path", "/healthz", Lands::Elsewhere),
        Field {
            list: true,
            ..f("--build-arg", "build-args", "API_URL", Lands::Elsewhere)
        },
        Field {
            list: true,
            ..f("--secret", "secrets", "NPM_TOKEN", Lands::Elsewhere)
        },
        // `dockform.toml` only (no flag): a credential file kept in the build context on
        // the user's word. It lands in `.dockerignore`, whose line count is checked.
        Field {
            list: true,
            ..f("", "allow-secret-files", ".npmrc", Lands::Elsewhere)
        },
        f(
            "--package-manager",
            "package-manager",
            match stack.id {
                "python" => "pip",
                "go" => "go",
                "rust" => "cargo",
                _ => "npm",
            },
            Lands::Elsewhere,
        ),
        f("--runtime", "runtime", "slim", Lands::Elsewhere),
        f("--preset", "preset", stack.id, Lands::Elsewhere),
        f("--stack", "stack", stack.id, Lands::Elsewhere),
        f(
            "--app",
            "app",
            // A name each stack accepts for its single-app project.
            match stack.id {
                "python" => "app:app",
                "rust" => "app",
                _ => "web",
            },
            Lands::Elsewhere,
        ),
    ]
}

/// Whether to run every combination (`DOCKFORM_TEST_FULL=1`) instead of the sample.
fn full() -> bool {
    std::env::var("DOCKFORM_TEST_FULL").is_ok_and(|v| v == "1")
}

/// Whether the `i`th combination is in the sample that keeps one in `of`: all of them
/// with [`full`].
fn sampled(i: usize, of: usize) -> bool {
    full() || i.is_multiple_of(of)
}

/// What one run produced.
#[derive(Debug)]
enum Outcome {
    Rendered { dockerfile: String, ignore: String },
    Refused { code: Option<i32>, stderr: String },
}

fn outcome(o: Output) -> Outcome {
    if o.status.success() {
        let (dockerfile, ignore) = split_stdout(&o.stdout);
        Outcome::Rendered { dockerfile, ignore }
    } else {
        Outcome::Refused {
            code: o.status.code(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

fn project(stack: &Stack) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), stack.files);
    dir
}

fn init(dir: &Path, extra: &[&str]) -> Outcome {
    let mut args = vec!["init", "--yes", "--stdout"];
    args.extend_from_slice(extra);
    outcome(dockform(dir, &args))
}

/// Collects failures instead of stopping at the first, and the accepted renders for
/// the Python cross-check.
#[derive(Default)]
struct Report {
    failures: Vec<String>,
    accepted: Vec<(String, String)>,
    refused: usize,
}

impl Report {
    /// Judges one outcome against the baselines a correct render may equal.
    fn judge(
        &mut self,
        label: String,
        out: Outcome,
        baselines: &[&Outcome],
        value: &str,
        lands: Lands,
        names: &[&str],
    ) {
        match out {
            Outcome::Refused { code, stderr } => {
                self.refused += 1;
                let last = stderr.trim_end().lines().last().unwrap_or("").to_string();
                let usage = code == Some(2);
                // `--main` (Go) and `--bin` (Rust) are the stacks' names for `--app`.
                let alias = names.contains(&"--app")
                    && (stderr.contains("`--main`") || stderr.contains("`--bin`"));
                let named = alias || names.iter().any(|n| stderr.contains(n));
                if !named || !(code == Some(1) || usage) {
                    self.failures.push(format!(
                        "{label}: refused without naming {names:?} (exit {code:?}): {stderr}"
                    ));
                } else if !(last.starts_with("error: ")
                    && stderr.lines().filter(|l| l.starts_with("error")).count() == 1
                    && stderr
                        .trim_end()
                        .lines()
                        .rev()
                        .take_while(|l| !l.starts_with("warning:"))
                        .count()
                        == 1)
                {
                    self.failures
                        .push(format!("{label}: the error is not one line: {stderr:?}"));
                }
            }
            Outcome::Rendered { dockerfile, ignore } => {
                if let Err(e) = self.check_render(&dockerfile, &ignore, baselines, value, lands) {
                    self.failures.push(format!("{label}: {e}\n{dockerfile}"));
                }
                self.accepted.push((label, dockerfile));
            }
        }
    }

    fn check_render(
        &self,
        dockerfile: &str,
        ignore: &str,
        baselines: &[&Outcome],
        value: &str,
        lands: Lands,
    ) -> Result<(), String> {
        let parsed = well_formed(dockerfile)?;
        let shape: Vec<String> = parsed.iter().map(Instruction::shape).collect();
        let lines = ignore.lines().count();
        let matches = baselines.iter().any(|b| match b {
            Outcome::Rendered { dockerfile, ignore } => {
                shapes(dockerfile) == shape && ignore.lines().count() == lines
            }
            Outcome::Refused { .. } => false,
        });
        if !matches {
            return Err("instruction shapes or .dockerignore differ from every baseline".into());
        }
        // Where Docker splits words and expands variables itself (`COPY a b`, `ENV`), a
        // value with blanks, `$` or quotes must not land verbatim.
        let splits = value.contains([' ', '\t', '$', '"', '\'']);
        for ins in &parsed {
            let shell = matches!(
                ins.kind.as_str(),
                "RUN" | "CMD" | "ENTRYPOINT" | "HEALTHCHECK"
            );
            if splits && !shell && ins.args.contains(value) {
                return Err(format!(
                    "line {}: the value lands verbatim in a {} instruction",
                    ins.line, ins.kind
                ));
            }
        }
        match lands {
            Lands::Run => {
                let found = parsed
                    .iter()
                    .any(|i| i.kind == "RUN" && i.args.trim_end().ends_with(value.trim()));
                if !found {
                    return Err("the command is not the end of one RUN instruction".into());
                }
            }
            Lands::Exec => {
                let words = shell_words::split(value)
                    .map_err(|e| format!("accepted an unsplittable command: {e}"))?;
                let found = parsed
                    .iter()
                    .filter_map(|i| i.exec.as_ref())
                    .any(|argv| argv.ends_with(&words) || words.ends_with(argv));
                if !found {
                    return Err(format!("no exec-form CMD holds the words {words:?}"));
                }
            }
            Lands::Elsewhere => {
                // A name, path or version that reaches a shell-form RUN must be quoted.
                let risky = value.contains([
                    ';', '|', '&', '$', '`', '<', '>', '(', ')', '\'', '"', '\\', ' ',
                ]);
                let quoted = format!("'{value}'");
                for ins in parsed
                    .iter()
                    .filter(|i| i.kind == "RUN" && i.exec.is_none())
                {
                    if risky
                        && ins.args.contains(value)
                        && (value.contains('\'') || !ins.args.contains(&quoted))
                    {
                        return Err(format!(
                            "line {}: the value lands unquoted in a shell-form RUN",
                            ins.line
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Cross-checks every accepted render with the Python parser, then fails with
    /// every collected failure.
    fn finish(mut self, what: &str) {
        let texts: Vec<String> = self.accepted.iter().map(|(_, d)| d.clone()).collect();
        let python = python_kinds(&texts);
        for ((label, df), kinds) in self.accepted.iter().zip(python) {
            let ours: Vec<String> = parse(df)
                .unwrap_or_default()
                .iter()
                .map(|i| i.kind.clone())
                .collect();
            if ours != kinds {
                self.failures.push(format!(
                    "{label}: dockerfile-parse sees {kinds:?}, we see {ours:?}"
                ));
            }
        }
        assert!(
            self.refused > 0 && !self.accepted.is_empty(),
            "{what}: the table exercised nothing"
        );
        assert!(
            self.failures.is_empty(),
            "{what}: {} failures:\n{}",
            self.failures.len(),
            self.failures.join("\n\n")
        );
    }
}

/// Words an error about `field` may use to name it.
fn names(field: &Field) -> Vec<&'static str> {
    let bare = field.flag.trim_start_matches("--");
    let mut n: Vec<&'static str> = [field.flag, field.key]
        .into_iter()
        .filter(|w| !w.is_empty())
        .collect();
    if bare.ends_with("-version") {
        n.push("version");
    }
    if matches!(bare, "stack" | "preset") {
        n.push("stack");
        n.push("preset");
    }
    if !bare.is_empty() {
        n.push(bare);
    }
    n
}

/// One run to judge: where the value went and what a correct result may equal.
struct Job {
    label: String,
    dir: std::path::PathBuf,
    args: Vec<String>,
    config: Option<String>,
    baselines: [usize; 2],
    value: String,
    lands: Lands,
    names: Vec<&'static str>,
}

/// Runs every job (in parallel, one project copy per job), then judges each.
fn run_jobs(jobs: Vec<Job>, baselines: &[Outcome], what: &str) {
    let outcomes = par_map(&jobs, |job| {
        let copy = tempfile::tempdir().unwrap();
        copy_tree(&job.dir, copy.path());
        if let Some(config) = &job.config {
            std::fs::write(copy.path().join("dockform.toml"), config).unwrap();
        }
        let args: Vec<&str> = job.args.iter().map(String::as_str).collect();
        init(copy.path(), &args)
    });
    let mut report = Report::default();
    for (job, out) in jobs.into_iter().zip(outcomes) {
        let [a, b] = job.baselines;
        report.judge(
            job.label,
            out,
            &[&baselines[a], &baselines[b]],
            &job.value,
            job.lands,
            &job.names,
        );
    }
    report.finish(what);
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn hostile_flag_values_are_inert_or_refused_by_name() {
    let dirs: Vec<_> = STACKS.iter().map(project).collect();
    let mut baselines = Vec::new();
    let mut jobs = Vec::new();
    for (s, (stack, dir)) in STACKS.iter().zip(&dirs).enumerate() {
        let absent = baselines.len();
        baselines.push(init(dir.path(), &[]));
        for (f, field) in fields(stack).into_iter().enumerate() {
            if field.flag.is_empty() {
                continue; // `dockform.toml` only: the next table
            }
            let benign = baselines.len();
            baselines.push(init(dir.path(), &[field.flag, field.benign]));
            assert!(
                matches!(baselines[benign], Outcome::Rendered { .. }),
                "{} {}: benign value refused: {:?}",
                stack.id,
                field.flag,
                baselines[benign]
            );
            // No argv can hold a NUL; `dockform.toml` covers it. The sample sends each
            // value of each field to one stack, turning with the field.
            for (v, h) in hostile_values()
                .into_iter()
                .filter(|h| !h.value.contains('\0'))
                .enumerate()
            {
                if !sampled(v + f + STACKS.len() - s, STACKS.len()) {
                    continue;
                }
                jobs.push(Job {
                    label: format!("{} {} <{}>", stack.id, field.flag, h.name),
                    dir: dir.path().to_path_buf(),
                    args: vec![format!("{}={}", field.flag, h.value)],
                    config: None,
                    baselines: [benign, absent],
                    value: h.value,
                    lands: field.lands,
                    names: names(&field),
                });
            }
        }
    }
    run_jobs(jobs, &baselines, "flags");
}

/// The same table through `dockform.toml`, which also carries what no argv can (NUL).
/// The file is read into the same layer as the flags whatever the stack, so one stack
/// is enough here; the flag table runs every stack's templates.
#[test]
fn hostile_config_values_are_inert_or_refused_by_name() {
    let dirs: Vec<_> = STACKS[..1].iter().map(project).collect();
    let mut baselines = Vec::new();
    let mut jobs = Vec::new();
    for (stack, dir) in STACKS.iter().zip(&dirs) {
        let absent = baselines.len();
        baselines.push(init(dir.path(), &[]));
        for (f, field) in fields(stack).into_iter().enumerate() {
            let benign = baselines.len();
            std::fs::write(
                dir.path().join("dockform.toml"),
                config_line(&field, field.benign),
            )
            .unwrap();
            baselines.push(init(dir.path(), &[]));
            std::fs::remove_file(dir.path().join("dockform.toml")).unwrap();
            assert!(
                matches!(baselines[benign], Outcome::Rendered { .. }),
                "{} {}: benign value refused",
                stack.id,
                field.key
            );
            // The sample: every other value, turning with the field.
            for (v, h) in hostile_values().into_iter().enumerate() {
                if !sampled(v + f, 2) {
                    continue;
                }
                let mut names = names(&field);
                names.push("dockform.toml");
                jobs.push(Job {
                    label: format!("{} dockform.toml {} <{}>", stack.id, field.key, h.name),
                    dir: dir.path().to_path_buf(),
                    args: vec![],
                    config: Some(config_line(&field, &h.value)),
                    baselines: [benign, absent],
                    value: h.value,
                    lands: field.lands,
                    names,
                });
            }
        }
    }
    run_jobs(jobs, &baselines, "dockform.toml");
}

/// `key = value` for `dockform.toml`, the value as TOML would write it.
fn config_line(field: &Field, value: &str) -> String {
    let string = toml::Value::String(value.to_string());
    let rendered = match (field.key, field.list) {
        ("port", _) => value
            .parse::<u16>()
            .map(|p| p.to_string())
            .unwrap_or_else(|_| string.to_string()),
        (_, true) => toml::Value::Array(vec![string]).to_string(),
        _ => string.to_string(),
    };
    format!("{} = {rendered}\n", field.key)
}

/// A place in a project's files where a value enters, and the file an error names.
struct ProjectField {
    stacks: &'static [&'static str],
    name: &'static str,
    file: &'static str,
    lands: Lands,
    /// Writes the value into the project; false when it cannot be placed there
    /// (a file name with `/` or NUL).
    place: fn(&Path, &str) -> bool,
    /// The project the value is placed in, when not the stack's minimal one.
    base: Option<&'static [(&'static str, &'static str)]>,
    /// Turns the base project into the second baseline: the value removed, or a benign
    /// one where the project cannot do without it. `None`: [`absent_baseline`] decides.
    baseline: Option<fn(&Path)>,
}

/// The defaults of a [`ProjectField`]: the stack's minimal project, the value removed.
const FIELD: ProjectField = ProjectField {
    stacks: &[],
    name: "",
    file: "",
    lands: Lands::Elsewhere,
    place: |_, _| false,
    base: None,
    baseline: None,
};

fn file_name_ok(v: &str) -> bool {
    !v.contains(['/', '\0']) && v.len() < 200 && !v.is_empty() && v != "." && v != ".."
}

/// Every project-file place of every stack. A new stack adds its manifests here.
const PROJECT_FIELDS: &[&[ProjectField]] = &[
    hostile_fields::NODE,
    hostile_fields::GO,
    hostile_fields::PYTHON,
    hostile_fields::RUST,
];

#[test]
fn hostile_project_file_values_are_inert_or_refused_by_file() {
    let parent = tempfile::tempdir().unwrap();
    let mut baselines = Vec::new();
    let mut jobs = Vec::new();
    let mut placed = 0;
    for stack in STACKS {
        let plain = baselines.len();
        baselines.push(init(project(stack).path(), &[]));
        assert!(
            matches!(baselines[plain], Outcome::Rendered { .. }),
            "{}: the baseline project fails",
            stack.id
        );
        for (f, field) in PROJECT_FIELDS
            .iter()
            .flat_map(|fields| fields.iter())
            .filter(|f| f.stacks.contains(&stack.id))
            .enumerate()
        {
            let files = field.base.unwrap_or(stack.files);
            let as_is = match field.base {
                None => plain,
                Some(base) => {
                    let dir = tempfile::tempdir().unwrap();
                    write_files(dir.path(), base);
                    baselines.push(init(dir.path(), &[]));
                    baselines.len() - 1
                }
            };
            assert!(
                matches!(baselines[as_is], Outcome::Rendered { .. }),
                "{} {}: the base project fails: {:?}",
                stack.id,
                field.name,
                baselines[as_is]
            );
            let absent = baselines.len();
            baselines.push(absent_baseline(stack, field));
            // The sample: one value in four, turning with the field.
            for (v, h) in hostile_values().into_iter().enumerate() {
                if !sampled(v + f, 4) {
                    continue;
                }
                placed += 1;
                let dir = parent.path().join(placed.to_string());
                std::fs::create_dir(&dir).unwrap();
                write_files(&dir, files);
                if !(field.place)(&dir, &h.value) {
                    continue;
                }
                jobs.push(Job {
                    label: format!("{} {} <{}>", stack.id, field.name, h.name),
                    dir,
                    args: vec![],
                    config: None,
                    baselines: [as_is, absent],
                    value: h.value,
                    lands: field.lands,
                    names: vec![field.file],
                });
            }
        }
    }
    run_jobs(jobs, &baselines, "project files");
}

/// The project with the field's value removed (for values a detector may ignore), or
/// the field's own second baseline.
fn absent_baseline(stack: &Stack, field: &ProjectField) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), field.base.unwrap_or(stack.files));
    if let Some(baseline) = field.baseline {
        baseline(dir.path());
        return init(dir.path(), &[]);
    }
    match field.file {
        "package.json" => {
            let key = field
                .name
                .split([' ', '.'])
                .next()
                .unwrap_or_default()
                .to_string();
            hostile_fields::edit_package(dir.path(), |j| {
                j.remove(&key);
                if let Some(s) = j.get_mut("scripts").and_then(|s| s.as_object_mut())
                    && let Some(script) = field.name.strip_prefix("scripts.")
                {
                    s.remove(script.split(' ').next().unwrap_or_default());
                }
            });
        }
        "src" | "public" => {}
        // Without an `output` setting the config is still there (and copied).
        "next.config.mjs" => {
            std::fs::write(dir.path().join("next.config.mjs"), "export default {};\n").unwrap()
        }
        file => {
            let _ = std::fs::remove_file(dir.path().join(file));
        }
    }
    init(dir.path(), &[])
}

#[test]
fn a_hostile_project_directory_name_never_reaches_the_files() {
    let parent = tempfile::tempdir().unwrap();
    // The same project in a plain directory: a value may occur as often as it does there
    // (`-rf` is in every `rm -rf`), never more.
    let plain = parent.path().join("plain");
    write_files(&plain, NODE_APP);
    let out = dockform(&plain, &["init", "--yes", "--stdout"]);
    let (baseline, _) = split_stdout(&out.stdout);
    for h in hostile_values()
        .into_iter()
        .filter(|h| file_name_ok(&h.value))
    {
        let dir = parent.path().join(&h.value);
        std::fs::create_dir_all(&dir).unwrap();
        write_files(&dir, NODE_APP);
        let out = dockform(
            parent.path(),
            &["init", "--yes", "--stdout", "--", &h.value],
        );
        assert!(
            out.status.success(),
            "<{}>: {}",
            h.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let (df, _) = split_stdout(&out.stdout);
        let value = h.value.trim();
        assert!(
            df.matches(value).count() <= baseline.matches(value).count(),
            "<{}> leaked into the Dockerfile",
            h.name
        );
    }
}
