//! Whether a `package.json` declares a server of its own: a server framework among its
//! dependencies, or a start script that runs something other than asset tools.

use serde_json::{Map, Value};

use crate::scan::Project;

/// Dependencies that make a `package.json` a server of its own.
const NODE_SERVERS: &[&str] = &[
    "@adonisjs/core",
    "@astrojs/node",
    "@feathersjs/feathers",
    "@hapi/hapi",
    "@hono/node-server",
    "@nestjs/core",
    "@react-router/serve",
    "@remix-run/node",
    "@remix-run/serve",
    "@strapi/strapi",
    "@sveltejs/adapter-node",
    "elysia",
    "express",
    "fastify",
    "h3",
    "hapi",
    "hono",
    "koa",
    "next",
    "nuxt",
    "polka",
    "restify",
    "sails",
];

/// Programs that run a server (or anything long-lived) when a script starts them.
const NODE_RUNTIMES: &[&str] = &[
    "bun",
    "deno",
    "next",
    "nest",
    "node",
    "nodemon",
    "nuxi",
    "nuxt",
    "pm2",
    "pm2-runtime",
    "react-router-serve",
    "remix-serve",
    "ts-node",
    "tsx",
];

/// Programs that only build, check or watch front-end assets and docs.
const ASSET_TOOLS: &[&str] = &[
    "babel",
    "browserify",
    "clean-css",
    "cleancss",
    "concat",
    "docusaurus",
    "eleventy",
    "esbuild",
    "eslint",
    "grunt",
    "gulp",
    "lessc",
    "lightningcss",
    "lightningcss-cli",
    "mkdocs",
    "node-sass",
    "parcel",
    "postcss",
    "prettier",
    "rollup",
    "sass",
    "stylelint",
    "svelte-check",
    "svelte-kit",
    "tailwind",
    "tailwindcss",
    "terser",
    "tsc",
    "uglifyjs",
    "vite",
    "vitepress",
    "webpack",
    "webpack-cli",
    "webpack-dev-server",
];

/// Commands that neither serve nor build: they say nothing about the role.
const NEUTRAL: &[&str] = &[
    "cd",
    "cp",
    "cross-env",
    "echo",
    "exit",
    "mkdir",
    "mv",
    "npx",
    "rimraf",
    "rm",
    "true",
];

/// Runners whose arguments are script names of the same `package.json`.
const SCRIPT_RUNNERS: &[&str] = &["npm-run-all", "run-p", "run-s", "concurrently"];

/// What a `package.json` is for, as far as choosing a stack goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeRole {
    /// Why it is (or is not) a server of its own, naming the evidence.
    pub reason: String,
    /// Whether it is a server.
    pub server: bool,
    /// The script that builds its assets, if any (`build`, `build:css`).
    pub build_script: Option<String>,
}

/// Reads `package.json` and says whether it declares a server. `None` when there is
/// no `package.json` or it does not parse (the Node detector reports that).
pub(crate) fn node_role(project: &Project) -> Option<NodeRole> {
    let text = project.read_hint("package.json")?;
    let Ok(Value::Object(json)) = serde_json::from_str::<Value>(&text) else {
        return None;
    };
    Some(role_of(&json))
}

/// What a parsed `package.json` is for (see [`node_role`]).
pub(crate) fn role_of(json: &Map<String, Value>) -> NodeRole {
    let scripts = json.get("scripts").and_then(Value::as_object);
    let script = |name: &str| scripts.and_then(|s| s.get(name)).and_then(Value::as_str);
    let build_script = if script("build").is_some() {
        Some("build".to_string())
    } else {
        scripts.and_then(|s| {
            s.iter()
                .filter(|(k, v)| k.starts_with("build") && v.is_string())
                .map(|(k, _)| k.clone())
                .next()
        })
    };
    let server_dep = NODE_SERVERS.iter().find(|name| {
        ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|k| json.get(*k).and_then(|d| d.get(**name)).is_some())
    });
    if let Some(dep) = server_dep {
        return NodeRole {
            reason: format!("`package.json` depends on the server framework `{dep}`"),
            server: true,
            build_script,
        };
    }
    let Some(start) = script("start") else {
        return NodeRole {
            reason: "`package.json` declares no server framework and no `scripts.start`"
                .to_string(),
            server: false,
            build_script,
        };
    };
    match runs(start, &script, 0) {
        Runs::Server(word) => NodeRole {
            reason: format!("`package.json` `scripts.start` runs `{word}`"),
            server: true,
            build_script,
        },
        Runs::Assets(word) => NodeRole {
            reason: format!(
                "`package.json` declares no server framework and its `scripts.start` only runs asset tools (`{word}`)"
            ),
            server: false,
            build_script,
        },
        Runs::Nothing => NodeRole {
            reason:
                "`package.json` declares no server framework and its `scripts.start` runs no server"
                    .to_string(),
            server: false,
            build_script,
        },
    }
}

/// What a script runs, the strongest first: a server, else asset tools, else nothing.
#[derive(Debug, PartialEq)]
enum Runs {
    Server(String),
    Assets(String),
    Nothing,
}

/// Classifies a script line. Any program dockform does not know counts as a server,
/// so an unknown start script never loses quietly: it leads to a question instead.
fn runs<'a>(line: &str, script: &dyn Fn(&str) -> Option<&'a str>, depth: usize) -> Runs {
    let mut assets: Option<String> = None;
    let spaced = line
        .replace("&&", ";")
        .replace("||", ";")
        .replace(['|', '&'], ";");
    for segment in spaced.split(';') {
        let words: Vec<&str> = segment
            .split_whitespace()
            .skip_while(|w| w.contains('=') && !w.starts_with('-'))
            .collect();
        let Some(first) = words.first() else {
            continue;
        };
        let program = first.rsplit('/').next().unwrap_or(first);
        let found = if NEUTRAL.contains(&program) {
            // `npx vite build`, `cross-env X=1 webpack`: look at what they run.
            let rest = words[1..]
                .iter()
                .copied()
                .skip_while(|w| w.starts_with('-') || w.contains('='))
                .collect::<Vec<_>>()
                .join(" ");
            if rest.is_empty() || depth > 4 || matches!(program, "cd" | "echo" | "exit") {
                Runs::Nothing
            } else {
                runs(&rest, script, depth + 1)
            }
        } else if ["npm", "pnpm", "yarn", "bun"].contains(&program) {
            run_script(&words[1..], script, depth)
        } else if SCRIPT_RUNNERS.contains(&program) {
            let mut best = Runs::Nothing;
            for arg in words[1..].iter().filter(|w| !w.starts_with('-')) {
                let arg = arg.trim_matches(['"', '\'']);
                let inner = match script(arg) {
                    Some(body) if depth < 4 => runs(body, script, depth + 1),
                    Some(_) => Runs::Nothing,
                    None => runs(arg, script, depth + 1),
                };
                best = stronger(best, inner);
            }
            best
        } else if NODE_RUNTIMES.contains(&program) {
            Runs::Server(program.to_string())
        } else if ASSET_TOOLS.contains(&program) {
            Runs::Assets(program.to_string())
        } else {
            Runs::Server(program.to_string())
        };
        match found {
            Runs::Server(_) => return found,
            Runs::Assets(word) => {
                assets.get_or_insert(word);
            }
            Runs::Nothing => {}
        }
    }
    assets.map_or(Runs::Nothing, Runs::Assets)
}

/// `npm run build-css -- --watch`, `pnpm --filter lib watch`, `yarn start`.
fn run_script<'a>(args: &[&str], script: &dyn Fn(&str) -> Option<&'a str>, depth: usize) -> Runs {
    // Another workspace package's script (`--filter`, `--workspace`) is that
    // package's business: it neither serves nor builds this one.
    if args
        .iter()
        .any(|a| a.starts_with("--filter") || a.starts_with("--workspace") || *a == "-w")
    {
        return Runs::Nothing;
    }
    let mut rest = args.iter().copied().skip_while(|a| a.starts_with('-'));
    let name = match rest.next() {
        Some("run" | "run-script") => rest.find(|a| !a.starts_with('-')),
        Some("install" | "ci" | "i" | "add") => return Runs::Nothing,
        other => other,
    };
    let Some(name) = name else {
        return Runs::Nothing;
    };
    match script(name) {
        Some(body) if depth < 4 => runs(body, script, depth + 1),
        Some(_) => Runs::Nothing,
        // `bun server.ts`, `yarn node app.js`: not a script, so a program.
        None => runs(&args.join(" "), &|_| None, 5).max_server(name),
    }
}

impl Runs {
    fn max_server(self, name: &str) -> Runs {
        match self {
            Runs::Nothing => Runs::Server(name.to_string()),
            other => other,
        }
    }
}

fn stronger(a: Runs, b: Runs) -> Runs {
    match (&a, &b) {
        (Runs::Server(_), _) => a,
        (_, Runs::Server(_)) => b,
        (Runs::Assets(_), _) => a,
        _ => b,
    }
}
