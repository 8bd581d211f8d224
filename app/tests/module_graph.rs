//! The app's modules form layers, read from the source: pages use server
//! functions and shared types; server functions use their server-side
//! bodies; the bodies use the shared types and the backend; the shared
//! types (`model`, `error`) use nothing above them. A cycle would make any
//! of them impossible to change or test alone.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// Every `.rs` file under `path` (or `path` itself).
fn sources(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let Ok(entries) = fs::read_dir(path) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| sources(&entry.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

/// The top-level modules a source names through `crate::` paths, grouped
/// imports (`use crate::{a::x, b::{y, z}}`) included.
fn named_modules(source: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = true;
            let mut ident = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                if depth == 1 && (c.is_alphanumeric() || c == '_') && item_start {
                    ident.push(c);
                    continue;
                }
                if !ident.is_empty() {
                    named.insert(std::mem::take(&mut ident));
                }
                item_start =
                    depth == 1 && (c == ',' || c.is_whitespace()) && (item_start || c == ',');
            }
        } else {
            let ident: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                named.insert(ident);
            }
        }
    }
    named
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = BTreeMap::new();
    for entry in fs::read_dir(&src).expect("app/src").flatten() {
        let path = entry.path();
        let Some(module) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        if module == "lib" {
            continue;
        }
        let mut uses = BTreeSet::new();
        for file in sources(&path) {
            let text = fs::read_to_string(&file).expect("readable source");
            uses.extend(named_modules(&text).into_iter().filter(|m| *m != module));
        }
        graph.insert(module, uses);
    }
    graph
}

/// A path that returns to where it started, if any.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        graph: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut found = path[i..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(graph, next, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(graph, node, &mut Vec::new(), &mut done))
}

#[test]
fn grouped_and_plain_paths_are_both_read() {
    let source = "use crate::{\n    api::{auth::me, encoding::Posted},\n    error::ApiError,\n    model::accounts::{MeResponse, SignedIn},\n};\nlet x = crate::dates::utc(1);";
    let expected: BTreeSet<String> = ["api", "dates", "error", "model"].map(String::from).into();
    assert_eq!(named_modules(source), expected);
}

#[test]
fn the_modules_have_no_cycle() {
    let graph = graph();
    assert!(
        graph.contains_key("pages") && graph.contains_key("server"),
        "{graph:?}"
    );
    assert_eq!(cycle(&graph), None, "{graph:#?}");
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let graph = graph();
    let may_use: &[(&str, &[&str])] = &[
        ("error", &[]),
        ("dates", &[]),
        ("model", &["error"]),
        ("server", &["model", "error", "dates"]),
        ("api", &["server", "model", "error"]),
        ("bridge_client", &["api", "model"]),
        ("browser", &["bridge_client"]),
        (
            "pages",
            &["api", "model", "error", "dates", "bridge_client", "browser"],
        ),
    ];
    for (module, allowed) in may_use {
        let uses = graph.get(*module).cloned().unwrap_or_default();
        let beyond: Vec<&String> = uses
            .iter()
            .filter(|m| !allowed.contains(&m.as_str()))
            .collect();
        assert!(beyond.is_empty(), "{module} uses {beyond:?}: {graph:#?}");
    }
}
