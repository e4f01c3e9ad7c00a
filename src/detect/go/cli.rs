//! A serve subcommand the program's CLI requires: cobra, urfave/cli and go-flags
//! programs whose root command does nothing by itself.

use regex::Regex;

use super::source::GoFile;

/// Subcommands that run the server.
const SERVE_WORDS: &[&str] = &["serve", "server", "start", "run", "web", "daemon"];

/// The text of the `{...}` literal that opens at `start` (just after its `{`).
fn literal(text: &str, start: usize) -> &str {
    let mut depth = 1usize;
    for (i, ch) in text[start..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[start..start + i];
                }
            }
            _ => {}
        }
    }
    &text[start..]
}

/// Whether the cobra literal holding the field at `at` is deprecated or hidden: an
/// old name kept for compatibility (its replacement is the command to run).
fn retired(text: &str, at: usize) -> bool {
    let Some(open) = text[..at].rfind('{') else {
        return false;
    };
    let body = literal(text, open + 1);
    body.contains("Deprecated:") || Regex::new(r"Hidden:\s*true").is_ok_and(|re| re.is_match(body))
}

/// (subcommand, why) when the binary `bin` needs one to serve.
pub fn subcommand(files: &[&GoFile], bin: &str) -> Option<(String, String)> {
    let words = SERVE_WORDS.join("|");
    let cobra = Regex::new(&format!(r#"Use:\s*"({words})\b"#)).ok()?;
    let urfave = Regex::new(&format!(r#"Name:\s*"({words})""#)).ok()?;
    let flags = Regex::new(&format!(r#"`[^`]*\bcommand:"({words})""#)).ok()?;
    let root = Regex::new(&format!(
        r#"cobra\.Command\{{\s*Use:\s*"{}\b"#,
        regex::escape(bin)
    ))
    .ok()?;
    let app = Regex::new(r"&?cli\.(?:App|Command)\{").ok()?;
    let line = |f: &&GoFile, at: usize| f.text[..at].matches('\n').count() + 1;
    for f in files {
        if let Some(c) = flags.captures(&f.text)
            && !files.iter().any(|g| g.text.contains("SubcommandsOptional"))
        {
            let at = line(f, c.get(0)?.start());
            return Some((
                c[1].to_string(),
                format!(
                    "{} line {at}: go-flags requires a command; `{}` serves",
                    f.path, &c[1]
                ),
            ));
        }
    }
    // cobra: the root command named after the binary runs nothing itself.
    let root_idle = files.iter().find_map(|f| {
        let m = root.find(&f.text)?;
        let body = literal(&f.text, m.start() + "cobra.Command{".len());
        let idle = !body.contains("Run:") && !body.contains("RunE:");
        Some((idle, f.path.clone(), line(f, m.start())))
    });
    if let Some((true, file, at)) = root_idle {
        for f in files {
            let live = cobra
                .captures_iter(&f.text)
                .find(|c| c.get(0).is_some_and(|m| !retired(&f.text, m.start())));
            if let Some(c) = live {
                return Some((
                    c[1].to_string(),
                    format!(
                        "{file} line {at}: the root command `{bin}` runs nothing; `{}` serves",
                        &c[1]
                    ),
                ));
            }
        }
    }
    // urfave/cli: an app with commands and no action of its own, set in its literal
    // (`&cli.App{Commands: ...}`) or by assignment (`app := cli.NewApp()` then
    // `app.Commands = ...`).
    let built = Regex::new(r"(\w+)\s*:?=\s*(?:cli\.NewApp\(\)|&?cli\.(?:App|Command)\{)").ok()?;
    for f in files {
        let assigned = built.captures_iter(&f.text).filter_map(|c| {
            let var = regex::escape(&c[1]);
            let set = |field: &str| {
                Regex::new(&format!(r"\b{var}\.{field}\s*=[^=]"))
                    .is_ok_and(|re| re.is_match(&f.text))
            };
            let whole = c.get(0)?;
            // An action or a default command of its own, in the literal or set after.
            let body = if whole.as_str().ends_with('{') {
                literal(&f.text, whole.end())
            } else {
                ""
            };
            let acts = body.contains("Action:")
                || body.contains("DefaultCommand:")
                || set("Action")
                || set("DefaultCommand");
            (set("Commands") && !acts).then_some(whole.start())
        });
        let literals = app.find_iter(&f.text).filter_map(|m| {
            let body = literal(&f.text, m.end());
            (body.contains("Commands:")
                && !body.contains("Action:")
                && !body.contains("DefaultCommand:"))
            .then_some(m.start())
        });
        let found: Vec<usize> = literals.chain(assigned).collect();
        for start in found {
            let at = line(f, start);
            for g in files {
                if let Some(c) = urfave.captures(&g.text) {
                    return Some((
                        c[1].to_string(),
                        format!(
                            "{} line {at}: the app has commands and no action; `{}` serves",
                            f.path, &c[1]
                        ),
                    ));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> GoFile {
        GoFile {
            path: path.into(),
            dir: String::new(),
            package: "main".into(),
            text: text.into(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn an_idle_cobra_root_needs_its_serve_command() {
        let root = "var root = &cobra.Command{\n\tUse: \"tool\",\n\tShort: \"x\",\n}\n";
        let serve = "var s = &cobra.Command{\n\tUse: \"server\",\n\tRun: run,\n}\n";
        let got = subcommand(&[&file("root.go", root), &file("server.go", serve)], "tool");
        assert_eq!(got.map(|g| g.0).as_deref(), Some("server"));
        let busy = root.replace("Short", "Run: run, Short");
        let got = subcommand(
            &[&file("root.go", &busy), &file("server.go", serve)],
            "tool",
        );
        assert_eq!(got, None);
    }

    #[test]
    fn a_deprecated_or_hidden_serve_command_gives_way_to_its_replacement() {
        let root = "var root = &cobra.Command{\n\tUse: \"tool\",\n}\n";
        let old = "var o = &cobra.Command{\n\tUse: \"serve\",\n\tDeprecated: \"use server\",\n\tRun: run,\n}\n";
        let new = "var n = &cobra.Command{\n\tUse: \"server\",\n\tRun: run,\n}\n";
        let cmds = format!("{old}{new}");
        let got = subcommand(&[&file("root.go", root), &file("cmds.go", &cmds)], "tool");
        assert_eq!(got.map(|g| g.0).as_deref(), Some("server"));
        let hidden = cmds.replace("Deprecated: \"use server\"", "Hidden: true");
        let got = subcommand(&[&file("root.go", root), &file("cmds.go", &hidden)], "tool");
        assert_eq!(got.map(|g| g.0).as_deref(), Some("server"));
    }

    #[test]
    fn urfave_apps_without_an_action_and_go_flags_commands_need_the_command() {
        let app = "return &cli.App{\n\tName: \"tool\",\n\tCommands: cmds,\n}\nvar c = &cli.Command{\n\tName: \"serve\",\n\tAction: run,\n}\n";
        let got = subcommand(&[&file("app.go", app)], "tool");
        assert_eq!(got.map(|g| g.0).as_deref(), Some("serve"));
        let with_action = app.replace("Commands: cmds,", "Commands: cmds,\n\tAction: run,");
        assert_eq!(subcommand(&[&file("app.go", &with_action)], "tool"), None);
        let assigned = "app := cli.NewApp()\napp.Name = \"tool\"\napp.Commands = []*cli.Command{\n\t{\n\t\tName: \"start\",\n\t\tAction: run,\n\t},\n}\n";
        let got = subcommand(&[&file("cli.go", assigned)], "tool");
        assert_eq!(got.map(|g| g.0).as_deref(), Some("start"));
        let acting = format!("{assigned}app.Action = serve\n");
        assert_eq!(subcommand(&[&file("cli.go", &acting)], "tool"), None);
        let defaulted = format!("{assigned}app.DefaultCommand = \"start\"\n");
        assert_eq!(subcommand(&[&file("cli.go", &defaulted)], "tool"), None);
        let literal_action = assigned.replace("cli.NewApp()", "&cli.App{\n\tAction: legacy,\n}");
        assert_eq!(
            subcommand(&[&file("cli.go", &literal_action)], "tool"),
            None
        );
        let opts = "type Opts struct {\n\tServer ServerCommand `command:\"server\"`\n}\n";
        let got = subcommand(&[&file("main.go", opts)], "tool");
        assert_eq!(got.map(|g| g.0).as_deref(), Some("server"));
    }
}
