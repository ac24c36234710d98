//! The core's modules form a DAG: no module reaches itself through `crate::…`, `super::…`
//! or `self::…` paths (in `use` items and in code).
//!
//! Run it alone with `cargo test -p quantlab-core --test module_dag -- --nocapture`: it
//! prints every module with the modules it uses, and fails naming a cycle if there is one.
//!
//! Granularity: one node per file module (`foo.rs` or `foo/mod.rs` is `foo`,
//! `foo/bar.rs` is `foo::bar`). An edge `a → b` is a path in `a`'s file that resolves to
//! `b` or an item in `b` (the longest module prefix of the path). A child naming its parent
//! through `super::` is an edge like any other; a `mod` declaration is not (so a parent
//! that re-exports from a child and a child that uses its parent form a cycle). The crate
//! root (`lib.rs`: declarations and the compatibility re-exports) is not a node, and the
//! `#[cfg(test)]` unit-test modules at the end of files are not read: tests are consumers,
//! not part of the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` → `["a", "b"]`, `src/a/mod.rs` → `["a"]`, `src/lib.rs` → `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_string();
        if stem != "mod" && stem != "lib" {
            parts.push(stem);
        }
    }
    parts
}

/// The code of a file without comments, string literals and `#[cfg(test)]` items (the
/// unit-test modules).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let t = line.trim();
        if t == "#[cfg(test)]" {
            // Skip the item it guards (after any further attributes) to its end.
            let mut depth = 0i32;
            let mut opened = false;
            for l in lines.by_ref() {
                let lt = l.trim();
                if !opened && lt.starts_with("#[") {
                    continue;
                }
                depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
                opened |= l.contains('{');
                if (opened && depth <= 0) || (!opened && lt.ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        if t.starts_with("//") {
            continue;
        }
        out.push_str(&strip_strings(line));
        out.push('\n');
    }
    out
}

/// A line without its string literals and trailing comment, crudely but enough for paths.
fn strip_strings(line: &str) -> String {
    let mut cleaned = String::new();
    let mut in_str = false;
    let mut prev = ' ';
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !in_str && c == '/' && chars.get(i + 1) == Some(&'/') {
            break;
        }
        let char_literal = prev == '\'' && chars.get(i + 1) == Some(&'\'');
        if c == '"' && prev != '\\' && !char_literal {
            in_str = !in_str;
        } else if !in_str {
            cleaned.push(c);
        }
        prev = c;
    }
    cleaned
}

/// Expands the tree of a `use` item into its full paths: `a::{b, c::{d, e}}` →
/// `a::b`, `a::c::d`, `a::c::e`.
fn expand_use(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            expand_use(p)
                .into_iter()
                .map(move |q| format!("{prefix}{q}"))
        })
        .collect()
}

/// Every path of a `use` item in `code` (absolute from `crate::`, or relative:
/// `super::`, `self::`, `child::`), and every `crate::…` or `super::…` path in code.
fn paths_in(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    // `use` items, with their braces.
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = after.find(';') else { break };
        let tree = &after[..end];
        let t = tree.trim_start();
        if t.contains("::") && !t.starts_with("::") {
            out.extend(expand_use(tree));
        }
    }
    // Paths in code.
    let bytes = code.as_bytes();
    for head in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(head) {
            let at = from + i;
            from = at + head.len();
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':')
            {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            out.push(code[at..end].trim_end_matches(':').to_string());
        }
    }
    out
}

/// Resolves `path` used in module `from` to a module of `modules` (its longest prefix).
fn resolve(
    path: &str,
    from: &[String],
    is_dir_module: bool,
    modules: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<String>;
    let mut i = 0;
    match segs.first() {
        Some(&"crate") => {
            base = Vec::new();
            i = 1;
        }
        Some(&"self") | Some(&"super") => {
            base = from.to_vec();
            // A file `a/b.rs` is module `a::b`; `super` from it is `a`.
            let _ = is_dir_module;
            while let Some(&s) = segs.get(i) {
                match s {
                    "self" => {}
                    "super" => {
                        base.pop();
                    }
                    _ => break,
                }
                i += 1;
            }
        }
        Some(first) => {
            // A relative path (2018 edition) into a child module: `use child::Item;`.
            let mut child = from.to_vec();
            child.push((*first).to_string());
            if !modules.contains(&child) {
                return None;
            }
            base = from.to_vec();
        }
        None => return None,
    }
    let mut best = base.clone();
    let mut cur = base;
    for s in &segs[i..] {
        cur.push((*s).to_string());
        if modules.contains(&cur) {
            best = cur.clone();
        } else {
            break;
        }
    }
    Some(best)
}

fn show(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// The module graph of the crate whose `src` is `src`.
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut g = BTreeMap::new();
    for f in &files {
        let m = module_of(src, f);
        if m.is_empty() {
            continue; // the crate root
        }
        let is_dir = f.file_name().is_some_and(|n| n == "mod.rs");
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let mut edges = BTreeSet::new();
        for p in paths_in(&code_of(&text)) {
            if let Some(to) = resolve(&p, &m, is_dir, &modules)
                && !to.is_empty()
                && to != m
            {
                edges.insert(to);
            }
        }
        g.insert(m, edges);
    }
    g
}

/// A cycle of `g`, if any, as the list of its modules (first = last).
fn find_cycle(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<Vec<String>>> {
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state: BTreeMap<&Vec<String>, u8> = BTreeMap::new();
    fn dfs<'a>(
        n: &'a Vec<String>,
        g: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<&'a Vec<String>, u8>,
        stack: &mut Vec<&'a Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        state.insert(n, 1);
        stack.push(n);
        for m in g.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|s| *s == m).unwrap_or(0);
                    let mut cycle: Vec<Vec<String>> =
                        stack[start..].iter().map(|s| (*s).clone()).collect();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    let (key, _) = g.get_key_value(m)?;
                    if let Some(c) = dfs(key, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    for n in g.keys() {
        if state.get(n).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = dfs(n, g, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_module_graph_of_the_core_has_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = graph(&src);
    assert!(
        g.len() > 20,
        "read only {} modules from {}",
        g.len(),
        src.display()
    );
    for (m, edges) in &g {
        let e: Vec<String> = edges.iter().map(|x| show(x)).collect();
        println!("{} → {}", show(m), e.join(", "));
    }
    if let Some(cycle) = find_cycle(&g) {
        let names: Vec<String> = cycle.iter().map(|x| show(x)).collect();
        panic!("the module graph has a cycle: {}", names.join(" → "));
    }
}

#[test]
fn the_checker_finds_a_cycle_and_resolves_paths() {
    let modules: BTreeSet<Vec<String>> = [vec!["a"], vec!["a", "b"], vec!["c"]]
        .into_iter()
        .map(|v| v.into_iter().map(String::from).collect())
        .collect();
    let ab: Vec<String> = vec!["a".into(), "b".into()];
    assert_eq!(
        resolve("super::Thing", &ab, false, &modules),
        Some(vec!["a".to_string()])
    );
    assert_eq!(
        resolve("crate::a::b::X", &["c".to_string()], false, &modules),
        Some(ab.clone())
    );
    assert_eq!(
        expand_use("crate::a::{b::{X, Y}, Z}"),
        vec!["crate::a::b::X", "crate::a::b::Y", "crate::a::Z"]
    );
    let mut g = BTreeMap::new();
    g.insert(vec!["a".to_string()], BTreeSet::from([ab.clone()]));
    g.insert(ab.clone(), BTreeSet::from([vec!["a".to_string()]]));
    g.insert(vec!["c".to_string()], BTreeSet::new());
    let cycle = find_cycle(&g).map(|c| c.iter().map(|x| show(x)).collect::<Vec<_>>());
    assert_eq!(cycle, Some(vec!["a".into(), "a::b".into(), "a".into()]));
}
