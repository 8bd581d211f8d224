//! The modules form layers, read from the source. In the app, pages use
//! server functions and shared types; server functions use their
//! server-side bodies; the bodies use the shared types and the backend; the
//! shared types (`model`, `error`) use nothing above them. And no source
//! file of the app or the backend depends on itself through others
//! (`crate::`, `super::`, `self::` and child-module paths, followed through
//! re-exports). A cycle would make any of them impossible to change or test
//! alone.

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

/// The modules of a crate, one per source file, by path from the crate
/// root (`lib.rs` is `""`, `a/mod.rs` and `a.rs` are `"a"`, `a/b.rs` is
/// `"a::b"`), with the text each depends through: comments and the
/// trailing `#[cfg(test)] mod tests` left out.
fn crate_modules(src: &Path) -> BTreeMap<String, String> {
    let mut modules = BTreeMap::new();
    for file in sources(src) {
        let relative = file.strip_prefix(src).expect("under src");
        let mut parts: Vec<String> = relative
            .with_extension("")
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        let text = fs::read_to_string(&file).expect("readable source");
        modules.insert(parts.join("::"), code_of(&text));
    }
    modules
}

/// The source without comments and without its trailing test module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            // A URL in a string is cut too; it names no module.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parent(module: &str) -> String {
    module.rsplit_once("::").map_or("", |(p, _)| p).to_owned()
}

fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (_, true) => base.to_owned(),
        _ => format!("{base}::{rest}"),
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path a use-tree starting at `text` names, segments joined by `::`:
/// `a::{b, c::{d, e}}` is `a::b`, `a::c::d`, `a::c::e`.
fn use_tree(text: &str) -> Vec<String> {
    fn tree(chars: &[char], at: &mut usize, prefix: &str, out: &mut Vec<String>) {
        let mut path = prefix.to_owned();
        loop {
            while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
                *at += 1;
            }
            if chars.get(*at) == Some(&'{') {
                *at += 1;
                loop {
                    tree(chars, at, &path, out);
                    while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
                        *at += 1;
                    }
                    match chars.get(*at) {
                        Some(',') => *at += 1,
                        Some('}') => {
                            *at += 1;
                            return;
                        }
                        _ => return,
                    }
                    while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
                        *at += 1;
                    }
                    if chars.get(*at) == Some(&'}') {
                        *at += 1;
                        return;
                    }
                }
            }
            let start = *at;
            while chars.get(*at).is_some_and(|c| is_ident(*c)) {
                *at += 1;
            }
            if *at == start {
                break;
            }
            let ident: String = chars[start..*at].iter().collect();
            // `a::{self, b}`: `self` is `a` itself.
            if ident != "self" {
                path = join(&path, &ident);
            }
            if chars.get(*at) == Some(&':') && chars.get(*at + 1) == Some(&':') {
                *at += 2;
                continue;
            }
            break;
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    tree(&chars, &mut 0, "", &mut out);
    out
}

/// The absolute paths `code` (the code of `module`) names, through
/// `crate::`, `self::`, `super::` or one of its child modules; `reexports`
/// only those of its `pub use` lines (which are not dependencies by
/// themselves).
fn paths_named(module: &str, code: &str, children: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(is_ident(bytes[i - 1]) || bytes[i - 1] == ':');
        if !starts_word || !is_ident(bytes[i]) {
            i += 1;
            continue;
        }
        let rest: String = bytes[i..].iter().take(200).collect();
        let (mut base, mut skip) = (None, 0);
        if let Some(tail) = rest.strip_prefix("crate::") {
            (base, skip) = (Some(String::new()), rest.len() - tail.len());
        } else if let Some(tail) = rest.strip_prefix("self::") {
            (base, skip) = (Some(module.to_owned()), rest.len() - tail.len());
        } else if rest.starts_with("super::") {
            let mut up = module.to_owned();
            let mut tail = rest.as_str();
            while let Some(t) = tail.strip_prefix("super::") {
                up = parent(&up);
                tail = t;
            }
            (base, skip) = (Some(up), rest.len() - tail.len());
        } else {
            let ident: String = rest.chars().take_while(|c| is_ident(*c)).collect();
            if children.contains(&ident) && rest[ident.len()..].starts_with("::") {
                (base, skip) = (Some(module.to_owned()), 0);
            }
        }
        match base {
            Some(base) => {
                let tail: String = bytes[i + skip..].iter().collect();
                found.extend(use_tree(&tail).into_iter().map(|p| join(&base, &p)));
                i += skip.max(1);
            }
            None => i += 1,
        }
    }
    found
}

/// The `pub use` statements of a module's code, and the code without them.
fn split_reexports(code: &str) -> (String, String) {
    let (mut reexports, mut rest) = (String::new(), String::new());
    let mut in_reexport = false;
    for line in code.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("pub use ") || trimmed.starts_with("pub(crate) use ") {
            in_reexport = true;
        }
        if in_reexport {
            reexports.push_str(
                trimmed
                    .trim_start_matches("pub(crate) ")
                    .trim_start_matches("pub "),
            );
            reexports.push('\n');
            in_reexport = !trimmed.ends_with(';');
        } else {
            rest.push_str(line);
            rest.push('\n');
        }
    }
    (reexports, rest)
}

/// A crate's file-level dependency graph: an edge from each module to the
/// module that defines what it names (through re-exports), including what
/// a parent names of its children by a re-exported name.
fn file_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules = crate_modules(src);
    let children_of = |module: &str| -> BTreeSet<String> {
        modules
            .keys()
            .filter(|m| !m.is_empty() && parent(m) == module && *m != module)
            .map(|m| m.rsplit("::").next().unwrap_or(m).to_owned())
            .collect()
    };
    // name → absolute path, per module, from its `pub use` lines.
    let mut reexported: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut own_code = BTreeMap::new();
    for (module, code) in &modules {
        let (reexports, rest) = split_reexports(code);
        let children = children_of(module);
        let table = reexported.entry(module.clone()).or_default();
        for line in reexports.split(';') {
            let line = line.trim().trim_start_matches("use ").trim();
            let rooted = format!(
                "{}{line}",
                if ["crate::", "self::", "super::"]
                    .iter()
                    .any(|p| line.starts_with(p))
                {
                    ""
                } else {
                    "self::"
                }
            );
            for path in paths_named(module, &rooted, &children) {
                let name = path.rsplit("::").next().unwrap_or(&path).to_owned();
                table.insert(name, path);
            }
        }
        own_code.insert(module.clone(), rest);
    }
    // The module a path's item lives in.
    let resolve = |path: &str| -> Option<String> {
        let mut path = path.to_owned();
        for _ in 0..8 {
            let segments: Vec<&str> = path.split("::").collect();
            let (module, item) = (1..=segments.len())
                .rev()
                .map(|n| (segments[..n].join("::"), segments.get(n).copied()))
                .find(|(m, _)| modules.contains_key(m))
                .unwrap_or((String::new(), segments.first().copied()));
            match item.and_then(|i| reexported.get(&module).and_then(|t| t.get(i))) {
                Some(target) if *target != path => path = target.clone(),
                _ => return Some(module),
            }
        }
        None
    };
    let mut graph = BTreeMap::new();
    for (module, code) in &own_code {
        let children = children_of(module);
        let mut uses: BTreeSet<String> = paths_named(module, code, &children)
            .iter()
            .filter_map(|p| resolve(p))
            .collect();
        // A re-exported name used in the module's own code is a use too.
        for (name, target) in reexported.get(module).into_iter().flatten() {
            let used = code.match_indices(name.as_str()).any(|(at, _)| {
                let before = code[..at].chars().next_back();
                let after = code[at + name.len()..].chars().next();
                !before.is_some_and(|c| is_ident(c) || c == ':') && !after.is_some_and(is_ident)
            });
            if used {
                uses.extend(resolve(target));
            }
        }
        uses.remove(module);
        graph.insert(module.clone(), uses);
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

#[test]
fn super_self_child_and_grouped_paths_are_read() {
    let code = "use super::{devices::revoke_in, events::{self, Event}};\nuse crate::bus::Change;\nlet x = token::random_id();\nself::inner::f();";
    let children: BTreeSet<String> = ["token".to_owned()].into();
    let named = paths_named("bridge::rotation", code, &children);
    for expected in [
        "bridge::devices::revoke_in",
        "bridge::events",
        "bridge::events::Event",
        "bus::Change",
        "bridge::rotation::token::random_id",
        "bridge::rotation::inner::f",
    ] {
        assert!(
            named.iter().any(|p| p == expected),
            "{expected} in {named:?}"
        );
    }
}

#[test]
fn no_source_file_depends_on_itself() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for src in ["src", "../backend/src"] {
        let graph = file_graph(&root.join(src));
        assert!(graph.len() > 20, "{src}: {graph:?}");
        if let Some(found) = cycle(&graph) {
            let edges: Vec<String> = found
                .windows(2)
                .map(|pair| format!("{} → {}", pair[0], pair[1]))
                .collect();
            panic!("{src}: a cycle: {}", edges.join(", "));
        }
    }
}

#[test]
fn a_cycle_through_a_parent_is_seen() {
    let dir = std::env::temp_dir().join(format!("module-graph-{}", std::process::id()));
    let stores = dir.join("stores");
    fs::create_dir_all(&stores).expect("dir");
    fs::write(dir.join("lib.rs"), "mod stores;\n").expect("lib");
    fs::write(
        stores.join("mod.rs"),
        "mod sql;\npub use sql::SqlStore;\npub struct StoredId;\nfn open() -> SqlStore { todo!() }\n",
    )
    .expect("mod");
    fs::write(
        stores.join("sql.rs"),
        "use super::StoredId;\npub struct SqlStore;\n",
    )
    .expect("sql");
    let graph = file_graph(&dir);
    let _ = fs::remove_dir_all(&dir);
    assert!(cycle(&graph).is_some(), "{graph:#?}");
}
