//! The runtime's files import one way: each only from the files listed
//! before it in the crate docs' "How the runtime is laid out" (issue 16).
//! Checked here so that the list and the code cannot drift apart.

use std::collections::HashMap;
use std::path::Path;

#[test]
#[cfg_attr(miri, ignore)] // reads the sources from disk
fn every_import_points_down_the_documented_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let section = &lib[lib
        .find("//! # How the runtime is laid out")
        .expect("the layer list in the crate docs")..];
    let order: Vec<&str> = section
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .filter_map(|l| {
            l.strip_prefix("//! - `")?
                .split_once(".rs`")
                .map(|(n, _)| n)
        })
        .collect();
    let rank: HashMap<&str, usize> = order.iter().enumerate().map(|(i, n)| (*n, i)).collect();

    let mut files = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let Some(&own) = rank.get(name.as_str()) else {
            panic!("{name}.rs is not in the crate docs' layer list {order:?}");
        };
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("use crate::") else {
                continue;
            };
            let module: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if let Some(&theirs) = rank.get(module.as_str()) {
                assert!(
                    theirs < own,
                    "{name}.rs imports from {module}.rs, which is not below it in the layer list"
                );
            }
        }
    }
    assert_eq!(files, order.len(), "every listed file exists: {order:?}");
}
