//! No import goes up the layers of `src/`, and there is no import cycle.
//!
//! The layers, lowest first (ARCHITECTURE.md): {linear algebra, checks, the method interface,
//! config schema} → problem → {objective, model} → methods (optim/, solvers/, the catalog) →
//! metrics → pca → lab → {sensitivity, sweep, csv, bench} → {the wasm boundary, lib.rs, the
//! command line}. A module may use its own layer and those below. The test reads every
//! `src/**/*.rs`, finds its `crate::…` and `super::…` paths outside comments and test modules
//! (`#[cfg(test)]` to the end of the file), maps each to the file that defines it, and fails on
//! an edge that goes up, on a cycle among files, and on a file missing from the table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each file (relative to `src/`, `/` separators) or folder (ending in `/`) and its layer.
const LAYERS: &[(&str, usize)] = &[
    ("linalg.rs", 0),
    ("checks.rs", 0),
    ("method.rs", 0),
    ("config.rs", 0),
    ("problem.rs", 1),
    ("objective.rs", 2),
    ("model.rs", 2),
    ("optim/", 3),
    ("solvers/", 3),
    ("catalog.rs", 3),
    ("metrics.rs", 4),
    ("pca.rs", 5),
    ("lab.rs", 6),
    ("sensitivity.rs", 7),
    ("sweep.rs", 7),
    ("csv.rs", 7),
    ("bench.rs", 7),
    ("export_python.rs", 7),
    ("wasm.rs", 8),
    ("wasm_bench.rs", 8),
    ("lib.rs", 8),
    ("bin/", 8),
];

const LAYER_NAMES: [&str; 9] = [
    "linear algebra, checks, method interface, config schema",
    "problem",
    "objective, model",
    "methods",
    "metrics",
    "pca",
    "lab",
    "sensitivity, sweep, csv, bench, export_python",
    "boundary and command line",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(src()).unwrap().to_string_lossy().replace('\\', "/")
}

fn layer_of(file: &str) -> Option<usize> {
    LAYERS.iter().find(|(p, _)| if p.ends_with('/') { file.starts_with(p) } else { file == *p }).map(|&(_, l)| l)
}

/// The source without comments (line comments, doc comments, block comments) and without its
/// test module (`#[cfg(test)]` to the end). String literals are kept as they are.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(k) => &text[..k],
        None => text,
    };
    let (mut out, mut chars) = (String::new(), text.chars().peekable());
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
            }
            // A char literal such as '"' is not the start of a string.
            ('\'', _) => {
                out.push(c);
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with("\"'") || rest.starts_with("\\\"'") {
                    for _ in 0..rest.find('\'').unwrap() + 1 {
                        out.push(chars.next().unwrap());
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The module paths (segments after `crate::`) a piece of code uses; `super::` is resolved
/// against `module` (the file's own module path).
fn paths_used(code: &str, module: &[String], is_mod_file: bool) -> Vec<Vec<String>> {
    paths_with_origin(code, module, is_mod_file).into_iter().map(|(p, _)| p).collect()
}

/// [`paths_used`], each with whether it was written with `super::`.
fn paths_with_origin(code: &str, module: &[String], is_mod_file: bool) -> Vec<(Vec<String>, bool)> {
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", {
        // super of `a/b.rs` (module a::b) is `a`; of `a/mod.rs` (module a) is the crate root.
        let mut m = module.to_vec();
        m.pop();
        let _ = is_mod_file;
        m
    })] {
        let mut from = 0;
        while let Some(k) = code[from..].find(prefix) {
            let at = from + k;
            from = at + prefix.len();
            // `mc_playground::crate::` cannot occur; skip `$crate::` in macros and longer identifiers.
            if at > 0 && code[..at].chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let rest = &code[from..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c}`: each item's first segments.
                let close = group.find('}').unwrap_or(group.len());
                for item in group[..close].split(',') {
                    let item = item.trim();
                    let segs: Vec<String> = item.split("::").map(|s| ident(s.trim()).to_string()).take_while(|s| !s.is_empty()).collect();
                    if !segs.is_empty() {
                        out.push((base.iter().cloned().chain(segs).collect(), prefix == "super::"));
                    }
                }
            } else {
                let mut segs = base.clone();
                let mut r = rest;
                loop {
                    let id = ident(r);
                    if id.is_empty() {
                        break;
                    }
                    segs.push(id.to_string());
                    match r[id.len()..].strip_prefix("::") {
                        Some(next) if !next.starts_with('{') => r = next,
                        _ => break,
                    }
                }
                out.push((segs, prefix == "super::"));
            }
        }
    }
    out
}

/// The file that defines the module a path points into (the deepest module file that exists).
fn file_of(path: &[String]) -> String {
    let mut file = "lib.rs".to_string();
    let mut dir = String::new();
    for seg in path {
        let single = format!("{dir}{seg}.rs");
        let folder = format!("{dir}{seg}/mod.rs");
        if src().join(&single).is_file() {
            file = single;
            dir = format!("{dir}{seg}/");
        } else if src().join(&folder).is_file() {
            file = folder;
            dir = format!("{dir}{seg}/");
        } else {
            break;
        }
    }
    file
}

/// The module path of a file: `optim/adam.rs` → [optim, adam]; `optim/mod.rs` → [optim].
fn module_of(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let mut segs: Vec<String> = stem.split('/').map(String::from).collect();
    if segs.last().is_some_and(|s| s == "mod") {
        segs.pop();
    }
    segs
}

/// Every edge (from file, to file, the path written) of `src/`, the command line's excepted
/// (its `crate::` is the binary's own crate).
fn edges() -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    // `#[macro_export]` macros live at the crate root by name (`crate::name!`): the file that
    // defines each.
    let mut macros: BTreeMap<String, String> = BTreeMap::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        for part in text.split("macro_rules!").skip(1) {
            macros.insert(ident(part.trim_start()).to_string(), relative(path));
        }
    }
    let mut out = Vec::new();
    for path in files {
        let file = relative(&path);
        if file.starts_with("bin/") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&path).unwrap());
        for (used, is_super) in paths_with_origin(&code, &module_of(&file), file.ends_with("mod.rs")) {
            let mut target = file_of(&used);
            if let Some(file) = used.last().filter(|_| target == "lib.rs").and_then(|name| macros.get(name)) {
                target = file.clone();
            }
            // `super::item` reaching the crate root is an inline module (`mod simd { … }`) naming
            // its own file's items: the root holds no items but re-exports.
            if is_super && target == "lib.rs" {
                continue;
            }
            if target != file {
                out.push((file.clone(), target, used.join("::")));
            }
        }
    }
    out
}

#[test]
fn every_file_is_in_the_layer_table() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let missing: Vec<String> = files.iter().map(|p| relative(p)).filter(|f| layer_of(f).is_none()).collect();
    assert!(missing.is_empty(), "files not in the layer table of tests/layers.rs (and ARCHITECTURE.md): {missing:?}");
}

#[test]
fn no_import_goes_up_the_layers() {
    let mut bad = Vec::new();
    for (from, to, path) in edges() {
        let (Some(a), Some(b)) = (layer_of(&from), layer_of(&to)) else { continue };
        if b > a {
            bad.push(format!("{from} ({}) uses {path} in {to} ({})", LAYER_NAMES[a], LAYER_NAMES[b]));
        }
    }
    assert!(bad.is_empty(), "imports that go up the layers:\n{}", bad.join("\n"));
}

#[test]
fn no_import_cycle() {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (from, to, _) in edges() {
        graph.entry(from).or_default().push(to);
    }
    // Depth-first search with colours: 1 on the stack, 2 done.
    fn visit(n: &str, graph: &BTreeMap<String, Vec<String>>, colour: &mut BTreeMap<String, u8>, stack: &mut Vec<String>) -> Option<Vec<String>> {
        colour.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match colour.get(m.as_str()) {
                Some(1) => {
                    let k = stack.iter().position(|s| s == m).unwrap();
                    return Some(stack[k..].iter().cloned().chain([m.clone()]).collect());
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(m, graph, colour, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        colour.insert(n.to_string(), 2);
        None
    }
    let mut colour = BTreeMap::new();
    for n in graph.keys() {
        if !colour.contains_key(n.as_str()) {
            if let Some(cycle) = visit(n, &graph, &mut colour, &mut Vec::new()) {
                panic!("an import cycle: {}", cycle.join(" → "));
            }
        }
    }
}

/// The checker itself: it sees `use` groups, paths in code, `super::`, and nothing in comments.
#[test]
fn the_checker_finds_edges() {
    let code = code_of(
        "use crate::{config::Config, linalg};\n// crate::lab in a comment\nfn f() { crate::pca::joint_pca(x); let s = \"crate::sweep\"; super::l2(1.0) }\n#[cfg(test)]\nmod tests { use crate::lab::Lab; }",
    );
    let module = module_of("optim/sgd.rs");
    let files: Vec<String> = paths_used(&code, &module, false).iter().map(|p| file_of(p)).collect();
    assert_eq!(files, ["config.rs", "linalg.rs", "pca.rs", "sweep.rs", "optim/mod.rs"]);
    assert_eq!(file_of(&["optim".into(), "adam".into(), "Adam".into()]), "optim/adam.rs");
    assert_eq!(file_of(&["optim".into(), "Adam".into()]), "optim/mod.rs");
    assert_eq!(layer_of("optim/a_new_method.rs"), Some(3));
    assert_eq!(layer_of("a_new_module.rs"), None);
    assert!(edges().iter().any(|(a, b, _)| a == "lab.rs" && b == "method.rs"));
    assert!(edges().iter().any(|(a, b, p)| a == "optim/sgd.rs" && b == "method.rs" && p == "learning_rate_field"), "a macro's file");
}
