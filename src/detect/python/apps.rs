//! The application objects in the code: `app = Flask(...)`-style instances and
//! factories (`def create_app()`), as `module:name` candidates for the server.

use regex::Regex;

use super::entry::{importable, module_of, pick};
use crate::detect::Detection;
use crate::error::Result;
use crate::layer::Layer;
use crate::scan::Project;

/// [`pick`] over found app instances, returning the chosen one whole.
pub(super) fn pick_instance(
    found: Vec<(String, String, Option<&'static str>)>,
    hints: &Layer,
    what: &str,
    d: &mut Detection,
) -> Result<Option<(String, String, Option<&'static str>)>> {
    let names = found.iter().map(|f| f.0.clone()).collect();
    let Some(app) = pick(names, hints, what, d)? else {
        return Ok(None);
    };
    Ok(found.into_iter().find(|f| f.0 == app))
}

/// Files defining `<var> = <Ctor>(`, as `module:var` candidates with the app dir.
pub(super) fn instances(
    project: &Project,
    sources: &[String],
    ctor: &str,
) -> Vec<(String, String, Option<&'static str>)> {
    let Ok(re) = Regex::new(&format!(
        r"(?m)^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:\w+\.)?{ctor}\("
    )) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for file in sources.iter().filter(|f| importable(f)) {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        if let Some(c) = re.captures(&text) {
            let (module, dir) = module_of(file);
            out.push((format!("{module}:{}", &c[1]), file.clone(), dir));
        }
    }
    out
}

/// Application factories when no module-level instance exists: a module-level
/// `app = get_application()` calling a factory defined beside it (a `module:app`
/// instance), else the factory itself (`module:create_app()`). A factory is a function
/// named `create_app` or `get_application` (the names Flask's and FastAPI's documentation
/// use), or one annotated to return the framework's class.
pub(super) fn factories(
    project: &Project,
    sources: &[String],
    ctor: &str,
) -> Vec<(String, String, Option<&'static str>)> {
    let Ok(def) = Regex::new(&format!(
        r"(?m)^def (create_app|get_application|\w+\([^)]*\)\s*->\s*{ctor}\b)"
    )) else {
        return Vec::new();
    };
    let Ok(named) = Regex::new(r"(?m)^def (\w+)") else {
        return Vec::new();
    };
    let Ok(call) = Regex::new(r"(?m)^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(\w+)\(\)\s*$") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for file in sources.iter().filter(|f| importable(f)) {
        let Some(text) = project.read_budgeted(file) else {
            continue;
        };
        let Some(c) = def.captures(&text) else {
            continue;
        };
        let Some(factory) = named
            .captures(&text[c.get(0).map_or(0, |m| m.start())..])
            .map(|n| n[1].to_string())
        else {
            continue;
        };
        let (module, dir) = module_of(file);
        let instance = call
            .captures_iter(&text)
            .find(|c| c[2] == factory)
            .map(|c| c[1].to_string());
        if let Some(var) = instance {
            out.push((format!("{module}:{var}"), file.clone(), dir));
        } else if let Some(found) = called_elsewhere(project, sources, file, &factory) {
            out.push(found);
        } else {
            out.push((format!("{module}:{factory}()"), file.clone(), dir));
        }
    }
    out
}

/// `module:var` of the `wsgi.py` or `asgi.py` (the module the server conventions name)
/// that imports `factory` and calls it at module level (`app = create_app()`): the
/// instance the authors serve. Other modules doing so (a worker's entry) do not count.
fn called_elsewhere(
    project: &Project,
    sources: &[String],
    def_file: &str,
    factory: &str,
) -> Option<(String, String, Option<&'static str>)> {
    let f = regex::escape(factory);
    let call = Regex::new(&format!(r"(?m)^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*{f}\(\)\s*$")).ok()?;
    let import = Regex::new(&format!(
        r"(?m)^\s*(?:from\s+[\w.]+\s+)?import\s[^\n]*\b{f}\b"
    ))
    .ok()?;
    let served = |f: &str| matches!(f.rsplit('/').next(), Some("wsgi.py" | "asgi.py"));
    let found: Vec<(String, String, Option<&'static str>)> = sources
        .iter()
        .filter(|file| file.as_str() != def_file && served(file) && importable(file))
        .filter_map(|file| {
            let text = project.read_budgeted(file)?;
            let var = call.captures(&text)?[1].to_string();
            let (module, dir) = module_of(file);
            import
                .is_match(&text)
                .then(|| (format!("{module}:{var}"), file.clone(), dir))
        })
        .collect();
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}
