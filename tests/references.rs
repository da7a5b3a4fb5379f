//! Every citation tag used in the source resolves in docs/references.md (STYLE: "A test fails if
//! a tag used in the source is missing from that file").

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_citation_tag_is_in_references() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let references =
        std::fs::read_to_string(root.join("docs/references.md")).expect("docs/references.md");
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut tags = std::collections::BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source file");
        // Tags look like `[DPT Eq. 4.6]`: an upper-case word followed by Eq./Sec./App./Fig.
        for (i, _) in text.match_indices('[') {
            let rest = &text[i + 1..];
            let tag: String = rest.chars().take_while(char::is_ascii_uppercase).collect();
            let after = &rest[tag.len()..];
            if tag.len() >= 2
                && ["Eq.", "Sec.", "App.", "Fig."]
                    .iter()
                    .any(|k| after.trim_start().starts_with(k))
            {
                tags.insert(tag);
            }
        }
    }
    assert!(tags.contains("DPT"), "the scan found no tags at all");
    for tag in tags {
        assert!(
            references.contains(&format!("### {tag}")),
            "tag [{tag} ...] is used in src/ but has no '### {tag}' entry in docs/references.md"
        );
    }
}
