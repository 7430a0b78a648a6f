//! Tests: the repository documents itself. Every relative link in README.md,
//! ARCHITECTURE.md and the Markdown files under docs/ reaches a file of the repository (and, for
//! a link into a Markdown file with `#anchor`, one of its headings), and none
//! of them points at a document that lives outside it.
//!
//! Nothing here touches a database: the same on SQLite and PostgreSQL.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, ARCHITECTURE.md and every Markdown file under docs/ (and
/// under its folders: the benchmark's rounds in docs/performance/).
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![repo().join("README.md"), repo().join("ARCHITECTURE.md")];
    let mut folders = vec![repo().join("docs")];
    let mut more: Vec<PathBuf> = Vec::new();
    while let Some(folder) = folders.pop() {
        for e in std::fs::read_dir(&folder).expect("a docs/ folder") {
            let p = e.expect("a docs/ entry").path();
            if p.is_dir() {
                folders.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                more.push(p);
            }
        }
    }
    more.sort();
    docs.extend(more);
    docs
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text outside fenced code blocks and inline code spans: where a
/// Markdown link can be. Code keeps its line breaks, so line numbers hold.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match fence {
            Some(f) => {
                if trimmed.starts_with(f) {
                    fence = None;
                }
                out.push('\n');
                continue;
            }
            None if trimmed.starts_with("```") || trimmed.starts_with("~~~") => {
                fence = Some(&trimmed[..3]);
                out.push('\n');
                continue;
            }
            None => {}
        }
        // Inline code: a run of backticks up to the same run.
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '`' {
                let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                let close = (i + run..chars.len()).find(|&j| {
                    chars[j..].iter().take_while(|&&c| c == '`').count() == run
                        && (j == 0 || chars[j - 1] != '`')
                });
                match close {
                    Some(j) => {
                        out.push(' ');
                        i = j + run;
                    }
                    None => {
                        out.extend(&chars[i..i + run]);
                        i += run;
                    }
                }
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out.push('\n');
    }
    out
}

/// A link found in a document: its line and its target as written.
#[derive(Debug)]
struct Link {
    line: usize,
    target: String,
}

/// Inline links and images `[text](target "title")` and reference
/// definitions `[label]: target`.
fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for (n, line) in prose(text).lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix('[') {
            if let Some(end) = rest.find("]:") {
                let target = rest[end + 2..].split_whitespace().next().unwrap_or("");
                found.push(Link {
                    line: n + 1,
                    target: target.trim_matches(['<', '>']).to_string(),
                });
                continue;
            }
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            // The target ends at the bracket that closes the link (targets
            // may hold balanced parentheses) or at a title.
            let mut depth = 0;
            let mut end = after.len();
            for (i, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' => depth -= 1,
                    _ => {}
                }
            }
            let inside = &after[..end];
            let target = inside.split_whitespace().next().unwrap_or("");
            found.push(Link {
                line: n + 1,
                target: target.trim_matches(['<', '>']).to_string(),
            });
            rest = &after[end.min(after.len())..];
        }
    }
    found
}

/// A link that leaves the repository's files: a URL or a mail address.
fn is_external(target: &str) -> bool {
    target.contains("://") || target.starts_with("mailto:")
}

/// GitHub's anchor for a heading: lower case, punctuation dropped (letters,
/// digits, `-` and `_` kept, of any script), spaces turned into `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (ATX `#` headings outside
/// code), numbered as GitHub numbers repeats (`x`, `x-1`, `x-2`).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = BTreeSet::new();
    let mut in_fence = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || !t.starts_with('#') {
            continue;
        }
        let heading = t.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        // Inline code and emphasis marks are not part of the text.
        let words: String = heading
            .chars()
            .filter(|c| !matches!(c, '`' | '*'))
            .collect();
        let base = slug(&words);
        let n = seen.entry(base.clone()).or_insert(0);
        let anchor = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        out.insert(anchor);
    }
    out
}

/// Resolves `target` (without its anchor) against the folder of `from`,
/// refusing a path that climbs out of the repository.
fn resolve(from: &Path, target: &str) -> Result<PathBuf, String> {
    let base = from.parent().expect("a document's folder");
    let mut path = base
        .strip_prefix(repo())
        .expect("inside the repository")
        .to_path_buf();
    for part in Path::new(target).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !path.pop() {
                    return Err(format!("{target} climbs out of the repository"));
                }
            }
            Component::Normal(p) => path.push(p),
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("{target} is an absolute path"))
            }
        }
    }
    Ok(repo().join(path))
}

/// Every problem with the links of `doc` (whose text is `text`), as
/// `file:line: what`.
fn broken_links(doc: &Path, text: &str) -> Vec<String> {
    let name = doc
        .strip_prefix(repo())
        .unwrap_or(doc)
        .display()
        .to_string();
    let mut problems = Vec::new();
    for link in links(text) {
        let at = format!("{name}:{}", link.line);
        if link.target.is_empty() {
            problems.push(format!("{at}: an empty link"));
            continue;
        }
        if is_external(&link.target) {
            continue;
        }
        let (path, anchor) = match link.target.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (link.target.as_str(), None),
        };
        let file = if path.is_empty() {
            doc.to_path_buf()
        } else {
            match resolve(doc, path) {
                Ok(f) => f,
                Err(e) => {
                    problems.push(format!("{at}: {e}"));
                    continue;
                }
            }
        };
        if !path.is_empty() && !file.exists() {
            problems.push(format!("{at}: {} does not exist", link.target));
            continue;
        }
        if let (Some(anchor), true) = (anchor, file.extension().is_some_and(|x| x == "md")) {
            let headings = if path.is_empty() {
                anchors(text)
            } else {
                anchors(&read(&file))
            };
            if !headings.contains(anchor) {
                problems.push(format!(
                    "{at}: {} has no heading with the anchor #{anchor}",
                    file.strip_prefix(repo()).unwrap_or(&file).display()
                ));
            }
        }
    }
    problems
}

#[test]
fn the_documents_exist() {
    for doc in documents() {
        assert!(doc.is_file(), "{} is missing", doc.display());
    }
    for name in [
        "README.md",
        "commands.md",
        "errors.md",
        "rules.md",
        "operations.md",
        "design.md",
        "performance.md",
        "security.md",
    ] {
        assert!(
            repo().join("docs").join(name).is_file(),
            "docs/{name} is missing"
        );
    }
}

#[test]
fn every_relative_link_reaches_a_file_of_the_repository() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let text = read(&doc);
        checked += links(&text).len();
        problems.extend(broken_links(&doc, &text));
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the scanner broken?"
    );
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

/// The names of the product's notes outside the repository, put together
/// here so that this file does not cite them itself.
fn outside_words() -> [String; 2] {
    [["SP", "EC"].concat(), ["..", "/shared"].concat()]
}

/// How a source file would cite them (`SPECIALTY` is a word of ours).
fn outside_citations() -> [String; 3] {
    let spec = ["SP", "EC"].concat();
    [
        format!("{spec} §"),
        format!("{spec}.md"),
        ["..", "/shared"].concat(),
    ]
}

#[test]
fn no_document_points_outside_the_repository() {
    // The product's own notes are not in the repository: whoever clones it
    // cannot read them, so the docs say everything themselves.
    let mut problems = Vec::new();
    for doc in documents() {
        let name = doc
            .strip_prefix(repo())
            .unwrap_or(&doc)
            .display()
            .to_string();
        for (n, line) in read(&doc).lines().enumerate() {
            for word in outside_words() {
                if line.contains(word.as_str()) {
                    problems.push(format!("{name}:{}: mentions {word}: {line}", n + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_source_comment_cites_a_document_outside_the_repository() {
    // Comments and test names cite docs/, which whoever clones the
    // repository can read; never the product's notes outside it.
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path
                .extension()
                .is_some_and(|x| x == "rs" || x == "sql" || x == "sh")
            {
                out.push(path);
            }
        }
    }
    let mut files = vec![repo().join("build.rs")];
    for dir in ["src", "tests", "benches", "examples"] {
        walk(&repo().join(dir), &mut files);
    }
    let mut problems = Vec::new();
    for file in files {
        let text = read(&file);
        for (n, line) in text.lines().enumerate() {
            for word in outside_citations() {
                if line.contains(word.as_str()) {
                    problems.push(format!("{}:{}: {line}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_link_checker_finds_what_is_broken() {
    // The checker itself: a link it must accept, and each kind it must refuse.
    let text = "# Title\n\nSee [rules](docs/rules.md) and [x](#title), \
                `[not](a-link.md)`, ![img](docs/gone.png).\n\n```\n[code](nowhere.md)\n```\n\
                [ref]: ARCHITECTURE.md\n";
    let found: Vec<String> = links(text).into_iter().map(|l| l.target).collect();
    assert_eq!(
        found,
        [
            "docs/rules.md",
            "#title",
            "docs/gone.png",
            "ARCHITECTURE.md"
        ]
    );
    assert_eq!(slug("Output that fails"), "output-that-fails");
    assert_eq!(slug("`book --json`: the answer"), "book---json-the-answer");
    assert_eq!(slug("Señal y ruido"), "señal-y-ruido");
    let heads = anchors("# A\n## A\n```\n# not a heading\n```\n## `b` c\n");
    assert_eq!(
        heads,
        ["a", "a-1", "b-c"].iter().map(|s| s.to_string()).collect()
    );
    let doc = repo().join("docs/probe.md");
    let text = "# Probe\n\n[ok](../README.md) [ok](#probe) [ok](../src/main.rs)\n\
                [gone](../nowhere.md) [anchor](#nowhere) [out](../../etc/passwd) []()\n";
    let problems = broken_links(&doc, text);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    for (problem, says) in problems.iter().zip([
        "../nowhere.md does not exist",
        "no heading with the anchor #nowhere",
        "climbs out of the repository",
        "an empty link",
    ]) {
        assert!(problem.starts_with("docs/probe.md:4: "), "{problem}");
        assert!(problem.contains(says), "{problem} should say {says}");
    }
    assert!(resolve(&repo().join("docs/x.md"), "../../etc/passwd").is_err());
    assert_eq!(
        resolve(&repo().join("docs/x.md"), "../src/main.rs").unwrap(),
        repo().join("src/main.rs")
    );
}
