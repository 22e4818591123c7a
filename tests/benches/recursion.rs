//! Recursion: delegation chains and a tree walk, cogen against a
//! hand-written iterator and peer crates.
//!
//! ```text
//! cargo bench -p cogen-tests --bench recursion
//! cargo +nightly bench -p cogen-tests --bench recursion --features nightly   # adds `gen` blocks
//! COGEN_RECURSION_DEEP_PEERS=1 cargo bench -p cogen-tests --bench recursion  # + one peer drain at 10^5
//! ```
//!
//! Three groups, each with all its columns in one criterion run:
//!
//! - `chain`: `chain(d)` delegates to `chain(d - 1)` and then yields `d`, so
//!   it yields `0..=d` and its first item comes out through d levels. Timed
//!   from creation to the last item (creating the levels is part of the
//!   cost: one box per level for the `impl Iterator` form); per item is per
//!   each of the d + 1 items.
//! - `chain drained`: the same chain, created and its first item taken
//!   outside the timing (so all d levels exist), then drained: per item is
//!   per each of the d remaining items.
//! - `tree`: in-order walk of a balanced tree of 2^20 nodes, built once
//!   outside the timing; the walk's generators are created inside it.
//!
//! The hand-written column is the honest equivalent without recursion: a
//! counter for the chain, an explicit `Vec` stack for the tree. The peers
//! have no delegation: each level re-yields its child's items, so an item
//! costs O(d) and a chain O(d²), and every level is a native stack frame
//! while an item passes through. They are benched up to [`PEER_MAX_DEPTH`];
//! the deeper points are skipped with a note (see there for why), and the
//! whole bench runs on a thread with a 1 GiB stack.
//!
//! Every column's result is checked (outside the timings) before it is timed.
//! Points that take long per iteration get fewer, flat samples. At the end
//! the bench prints the run's results as markdown tables (from criterion's
//! `estimates.json`: per item is criterion's estimate divided by the items).
//!
//! This bench target is built as edition 2024 (see `tests/Cargo.toml`): `gen`
//! blocks are only parsed in that edition.
#![cfg_attr(feature = "nightly", feature(gen_blocks))]

use std::path::PathBuf;
use std::pin::pin;
use std::time::{Duration, Instant, SystemTime};

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};

#[path = "recursion/columns.rs"]
mod columns;
use columns::*;

// The module is out of line: `gen` and `yield` are feature-gated while
// parsing, so they may not appear in this file even behind a `cfg`.
#[cfg(feature = "nightly")]
#[path = "recursion/gen_blocks.rs"]
mod gen_blocks;

/// The chain depths.
const DEPTHS: [u64; 5] = [100, 1_000, 10_000, 100_000, 1_000_000];

/// The deepest chain the re-yielding peers are benched at.
///
/// Not for the stack: each level of a peer is a native stack frame while an
/// item passes through, and on the bench's 1 GiB stack every peer survives
/// depth 1,000,000. (On a 2 MiB stack, a spawned thread's default, they all
/// overflow between depth 10,000 and 30,000; on 8 MiB, the main thread's,
/// genawaiter, next-gen and async-stream overflow between 30,000 and 100,000.
/// Probed with `COGEN_RECURSION_PROBE`, below.) For the time: a drain costs
/// d²/2 level-steps, so one drain at depth 100,000 takes 25 to 100 s per
/// peer, too long for criterion's ten samples, and one at 1,000,000 would
/// take hours. Set `COGEN_RECURSION_DEEP_PEERS=1` to also time one drain
/// (created and drained) per peer at [`PEER_ONE_SHOT_DEPTH`], a few minutes
/// in all; the tables mark it.
const PEER_MAX_DEPTH: u64 = 10_000;

/// The depth of the peers' single timed drain (`COGEN_RECURSION_DEEP_PEERS`).
const PEER_ONE_SHOT_DEPTH: u64 = 100_000;

/// Nodes of the walked tree.
const TREE_NODES: u32 = 1 << 20;

/// The stack of the thread the bench runs on (reserved, touched only as used).
const STACK: usize = 1 << 30;

// ---------------------------------------------------------------- columns

/// A chain column: `full(d)` creates and drains `chain(d)`, returning the
/// sum; `prepared(d)` creates it and takes its first item, and returns the
/// drain of the rest.
struct ChainColumn {
    name: &'static str,
    max_depth: u64,
    full: fn(u64) -> u64,
    prepared: fn(u64) -> Box<dyn FnOnce() -> u64>,
}

/// Takes the first item of an iterator (which must be 0) and returns the
/// drain of the rest.
fn rest_of_iter(mut it: impl Iterator<Item = u64> + 'static) -> Box<dyn FnOnce() -> u64> {
    assert_eq!(it.next(), Some(0));
    Box::new(move || sum_iter(it))
}

/// As [`rest_of_iter`], for a stream.
fn rest_of_stream(
    mut s: std::pin::Pin<Box<impl futures::Stream<Item = u64> + 'static>>,
) -> Box<dyn FnOnce() -> u64> {
    assert_eq!(first_of_stream(s.as_mut()), Some(0));
    Box::new(move || sum_stream(s.as_mut()))
}

fn chain_columns() -> Vec<ChainColumn> {
    let all = u64::MAX;
    vec![
        ChainColumn {
            name: "hand-written",
            max_depth: all,
            full: |d| sum_iter(hand::chain(d)),
            prepared: |d| rest_of_iter(hand::chain(d)),
        },
        ChainColumn {
            name: "cogen Iterator",
            max_depth: all,
            full: |d| sum_iter(cogen_iter::chain(d)),
            prepared: |d| rest_of_iter(cogen_iter::chain(d)),
        },
        ChainColumn {
            name: "cogen Stream",
            max_depth: all,
            full: |d| sum_stream(pin!(cogen_stream::chain(d))),
            prepared: |d| rest_of_stream(Box::pin(cogen_stream::chain(d))),
        },
        ChainColumn {
            name: "genawaiter rc",
            max_depth: PEER_MAX_DEPTH,
            full: |d| sum_iter(ga::chain(d)),
            prepared: |d| rest_of_iter(ga::chain(d).into_iter()),
        },
        ChainColumn {
            name: "next-gen",
            max_depth: PEER_MAX_DEPTH,
            full: |d| sum_iter(ng::chain(d)),
            prepared: |d| rest_of_iter(ng::chain(d)),
        },
        ChainColumn {
            name: "async-stream",
            max_depth: PEER_MAX_DEPTH,
            full: |d| sum_stream(as_::chain(d).as_mut()),
            prepared: |d| rest_of_stream(Box::pin(as_::chain(d))),
        },
        #[cfg(feature = "nightly")]
        ChainColumn {
            name: "gen block (nightly)",
            max_depth: PEER_MAX_DEPTH,
            full: |d| sum_iter(gen_blocks::chain(d)),
            prepared: |d| rest_of_iter(gen_blocks::chain(d)),
        },
    ]
}

/// A tree column: its name, and a walk of the tree that sums its values.
type TreeColumn = (&'static str, fn(&Tree) -> u64);

fn tree_columns() -> Vec<TreeColumn> {
    vec![
        ("hand-written", |t| sum_iter(hand::walk(t))),
        ("cogen Iterator", |t| sum_iter(cogen_iter::walk(t))),
        ("cogen Stream", |t| sum_stream(pin!(cogen_stream::walk(t)))),
        ("genawaiter rc", |t| sum_iter(ga::walk(t))),
        ("next-gen", |t| sum_iter(ng::walk(t))),
        ("async-stream", |t| sum_stream(as_::walk(t).as_mut())),
        #[cfg(feature = "nightly")]
        ("gen block (nightly)", |t| sum_iter(gen_blocks::walk(t))),
    ]
}

// ---------------------------------------------------------------- timing

/// A benchmark whose estimate goes into the printed tables.
struct Row {
    group: &'static str,
    column: &'static str,
    param: String,
    elements: u64,
}

/// Sets the group's sampling for one point from the time of one run: the
/// usual linear sampling when an iteration is quick, else a few flat samples
/// with a measurement time that fits them.
fn sampling(g: &mut BenchmarkGroup<'_, WallTime>, once: Duration) {
    if once < Duration::from_micros(200) {
        g.sampling_mode(SamplingMode::Linear)
            .sample_size(50)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
    } else {
        let samples = if once < Duration::from_millis(20) {
            50
        } else {
            10
        };
        let fit = once.mul_f64(samples as f64 * 1.3);
        g.sampling_mode(SamplingMode::Flat)
            .sample_size(samples)
            .warm_up_time(
                once.mul_f64(2.0)
                    .clamp(Duration::from_millis(200), Duration::from_secs(1)),
            )
            .measurement_time(fit.max(Duration::from_secs(1)));
    }
}

/// Runs `f` once, timed.
fn once<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let got = f();
    (got, start.elapsed())
}

fn chain(
    c: &mut Criterion,
    rows: &mut Vec<Row>,
    one_shot: &mut Vec<(&'static str, u64, f64)>,
    notes: &mut Vec<(&'static str, String)>,
) {
    let deep_peers = std::env::var_os("COGEN_RECURSION_DEEP_PEERS").is_some_and(|v| v != "0");
    let columns = chain_columns();
    let mut g = c.benchmark_group("chain");
    for &d in &DEPTHS {
        let want = d * (d + 1) / 2;
        for col in &columns {
            if d > col.max_depth {
                if d <= PEER_ONE_SHOT_DEPTH && deep_peers {
                    let (got, t) = once(|| (col.full)(d));
                    assert_eq!(got, want, "chain: {} at depth {d}", col.name);
                    let per_item = t.as_nanos() as f64 / (d + 1) as f64;
                    println!(
                        "chain/{}/{d}: one drain in {t:.2?}, {per_item:.0} ns per item",
                        col.name
                    );
                    one_shot.push((col.name, d, per_item));
                } else {
                    let note = skipped(col.name, d);
                    println!("chain/{}/{d}: {note}", col.name);
                    if !notes.iter().any(|(c, _)| *c == col.name) {
                        notes.push((col.name, note));
                    }
                }
                continue;
            }
            let (got, t) = once(|| (col.full)(d));
            assert_eq!(got, want, "chain: {} at depth {d}", col.name);
            sampling(&mut g, t);
            g.throughput(Throughput::Elements(d + 1));
            g.bench_function(BenchmarkId::new(col.name, d), |b| {
                b.iter(|| (col.full)(criterion::black_box(d)))
            });
            rows.push(Row {
                group: "chain",
                column: col.name,
                param: d.to_string(),
                elements: d + 1,
            });
        }
    }
    g.finish();
}

fn chain_drained(c: &mut Criterion, rows: &mut Vec<Row>) {
    let columns = chain_columns();
    let mut g = c.benchmark_group("chain drained");
    for &d in &DEPTHS {
        let want = d * (d + 1) / 2;
        for col in &columns {
            if d > col.max_depth {
                continue; // noted by `chain`
            }
            // The setup counts for the sampling: it runs once per iteration too.
            let (rest, setup) = once(|| (col.prepared)(d));
            let (got, t) = once(rest);
            assert_eq!(got, want, "chain drained: {} at depth {d}", col.name);
            sampling(&mut g, setup + t);
            g.throughput(Throughput::Elements(d));
            g.bench_function(BenchmarkId::new(col.name, d), |b| {
                b.iter_batched(|| (col.prepared)(d), |rest| rest(), BatchSize::LargeInput)
            });
            rows.push(Row {
                group: "chain drained",
                column: col.name,
                param: d.to_string(),
                elements: d,
            });
        }
    }
    g.finish();
}

fn tree(c: &mut Criterion, rows: &mut Vec<Row>) {
    let tree = balanced(0, TREE_NODES).unwrap();
    let want = u64::from(TREE_NODES) * u64::from(TREE_NODES - 1) / 2;
    let mut g = c.benchmark_group("tree");
    for (name, walk) in tree_columns() {
        let (got, t) = once(|| walk(&tree));
        assert_eq!(got, want, "tree: {name}");
        sampling(&mut g, t);
        g.throughput(Throughput::Elements(TREE_NODES.into()));
        g.bench_function(name, |b| b.iter(|| walk(criterion::black_box(&tree))));
        rows.push(Row {
            group: "tree",
            column: name,
            param: String::new(),
            elements: TREE_NODES.into(),
        });
    }
    g.finish();
}

fn skipped(column: &str, d: u64) -> String {
    format!(
        "{column}: not run from depth {d} on: it re-yields each item through every level, \
         so a chain costs O(d²) (see `PEER_MAX_DEPTH` in `benches/recursion.rs`)"
    )
}

// ---------------------------------------------------------------- probe

/// `COGEN_RECURSION_PROBE=column:depth[:stack MiB[:first]]` runs one full
/// chain of that column once on a thread with that stack (default 1024 MiB)
/// and prints its time: how the peers' caps were found. With `first`, it
/// only creates the chain, takes its first item (the deepest native stack
/// a re-yielding peer reaches) and drops the rest. A stack overflow aborts
/// the process, so probe from a shell loop, one point per process.
///
/// `COGEN_RECURSION_PROBE=tree:column` walks the tree once with that column
/// (for callgrind: the tree is built first, then walked once).
fn probe(spec: &str) {
    if let Some(name) = spec.strip_prefix("tree:") {
        let walk = tree_columns()
            .into_iter()
            .find(|c| c.0 == name)
            .unwrap_or_else(|| panic!("no column {name:?}"))
            .1;
        let tree = balanced(0, TREE_NODES).unwrap();
        let (got, t) = once(|| walk(&tree));
        assert_eq!(got, u64::from(TREE_NODES) * u64::from(TREE_NODES - 1) / 2);
        println!("probe tree {name}: {t:?}");
        return;
    }
    let mut parts = spec.split(':');
    let name = parts.next().unwrap_or_default().to_owned();
    let d: u64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .expect("column:depth[:stack MiB[:first]]");
    let mib: usize = parts.next().map_or(1024, |s| s.parse().expect("stack MiB"));
    let first = parts.next() == Some("first");
    let col = chain_columns()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name:?}"));
    let (got, t) = std::thread::Builder::new()
        .stack_size(mib << 20)
        .spawn(move || {
            once(|| {
                if first {
                    drop((col.prepared)(d));
                    0
                } else {
                    (col.full)(d)
                }
            })
        })
        .unwrap()
        .join()
        .unwrap();
    if first {
        println!("probe {name} depth {d} stack {mib} MiB: first item and drop in {t:?}");
    } else {
        assert_eq!(got, d * (d + 1) / 2);
        println!(
            "probe {name} depth {d} stack {mib} MiB: {t:?}, {:.1} ns/item",
            t.as_nanos() as f64 / (d + 1) as f64
        );
    }
}

// ---------------------------------------------------------------- tables

/// Where criterion may have put its results, in its own order of preference
/// (`CRITERION_HOME`, `CARGO_TARGET_DIR`, the target directory `cargo
/// metadata` names, which holds this binary in `<profile>/deps/`, and
/// `target/` when the binary is run by hand).
fn criterion_homes() -> Vec<PathBuf> {
    let mut homes: Vec<PathBuf> = std::env::var_os("CRITERION_HOME")
        .into_iter()
        .map(Into::into)
        .collect();
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        homes.push(PathBuf::from(target).join("criterion"));
    }
    if let Some(target) = std::env::current_exe()
        .ok()
        .as_deref()
        .and_then(|e| e.ancestors().nth(3))
    {
        homes.push(target.join("criterion"));
    }
    homes.push("target/criterion".into());
    homes
}

/// Criterion's typical time (ns per iteration) of a benchmark, if this run
/// wrote it: the slope when it has one, else the mean.
fn estimate(homes: &[PathBuf], row: &Row, since: SystemTime) -> Option<f64> {
    homes.iter().find_map(|home| {
        let mut path = home.join(row.group).join(row.column);
        if !row.param.is_empty() {
            path.push(&row.param);
        }
        path.push("new/estimates.json");
        if std::fs::metadata(&path).ok()?.modified().ok()? < since {
            return None; // from an earlier run
        }
        let json = std::fs::read_to_string(path).ok()?;
        point_estimate(&json, "slope").or_else(|| point_estimate(&json, "mean"))
    })
}

/// `point_estimate` of the top-level `key` object of `estimates.json`.
fn point_estimate(json: &str, key: &str) -> Option<f64> {
    let rest = &json[json.find(&format!("\"{key}\":{{"))?..];
    let rest = &rest[rest.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    rest[..rest.find([',', '}'])?].trim().parse().ok()
}

fn ns(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// One cell: ns per item, and whether it is a single timed run rather than
/// a criterion estimate.
type Cell = Option<(f64, bool)>;

/// Prints the chain tables and the tree table, per item and against the
/// hand-written column, or nothing if this run wrote no estimates (a
/// filtered run, or `--test`).
fn print_tables(
    rows: &[Row],
    one_shot: &[(&str, u64, f64)],
    notes: &[(&str, String)],
    since: SystemTime,
) {
    let home = criterion_homes();
    if !rows.iter().any(|r| estimate(&home, r, since).is_some()) {
        return;
    }
    let cell = |group: &str, column: &str, param: &str| -> Cell {
        if let Some(row) = rows
            .iter()
            .find(|r| r.group == group && r.column == column && r.param == param)
        {
            return Some((estimate(&home, row, since)? / row.elements as f64, false));
        }
        let &(_, _, x) = one_shot
            .iter()
            .find(|&&(c, d, _)| group == "chain" && c == column && d.to_string() == param)?;
        Some((x, true))
    };
    let show = |(x, single): (f64, bool)| format!("{}{}", ns(x), if single { "†" } else { "" });
    let mut out = String::new();
    let mut names: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.group == "chain") {
        if !names.contains(&r.column) {
            names.push(r.column);
        }
    }
    for (group, what) in [
        ("chain", "created and drained: per item of d + 1"),
        (
            "chain drained",
            "created outside the timing, drained: per item of d",
        ),
    ] {
        out += &format!(
            "\n`{group}` ({what}); ns per item (× hand-written at that depth)\n\n| column |"
        );
        for d in DEPTHS {
            out += &format!(" d = 10^{} |", d.ilog10());
        }
        out += " growth |\n|---|";
        out += &"---:|".repeat(DEPTHS.len() + 1);
        out += "\n";
        for name in &names {
            out += &format!("| {name} |");
            let mut measured = Vec::new();
            for d in DEPTHS {
                let p = d.to_string();
                match (cell(group, name, &p), cell(group, "hand-written", &p)) {
                    (Some(x), Some((h, _))) if *name != "hand-written" => {
                        out += &format!(" {} (×{:.0}) |", show(x), x.0 / h);
                        measured.push((d, x));
                    }
                    (Some(x), _) => {
                        out += &format!(" {} |", show(x));
                        measured.push((d, x));
                    }
                    (None, _) if rows.iter().any(|r| r.column == *name && r.param == p) => {
                        out += " n/a |"
                    }
                    (None, _) => out += " – |",
                }
            }
            match (measured.first(), measured.last()) {
                (Some(&(d0, (a, _))), Some(&(d1, b))) if d1 != d0 => {
                    out += &format!(
                        " ×{:.2}{} from 10^{} to 10^{} |\n",
                        b.0 / a,
                        if b.1 { "†" } else { "" },
                        d0.ilog10(),
                        d1.ilog10()
                    )
                }
                _ => out += " |\n",
            }
        }
    }
    out += &format!(
        "\n`tree` (in-order walk of a balanced tree of {TREE_NODES} nodes, depth {})\n\n\
         | column | ns per item | × hand-written |\n|---|---:|---:|\n",
        TREE_NODES.ilog2() + 1
    );
    let hand = cell("tree", "hand-written", "");
    for r in rows.iter().filter(|r| r.group == "tree") {
        match (cell("tree", r.column, ""), hand) {
            (Some(x), Some((h, _))) => {
                out += &format!("| {} | {} | ×{:.2} |\n", r.column, show(x), x.0 / h)
            }
            (Some(x), None) => out += &format!("| {} | {} | |\n", r.column, show(x)),
            _ => out += &format!("| {} | n/a | |\n", r.column),
        }
    }
    out += "\n";
    out += &format!("- `chain drained`: the peers are run up to depth {PEER_MAX_DEPTH} only.\n");
    if !one_shot.is_empty() {
        out += "- †: one timed drain (`COGEN_RECURSION_DEEP_PEERS=1`), not a criterion estimate.\n";
    }
    for (_, n) in notes {
        out += &format!("- {n}\n");
    }
    println!("\n---- recursion: this run's results, as markdown ----\n{out}");
}

// ---------------------------------------------------------------- main

fn main() {
    if let Ok(spec) = std::env::var("COGEN_RECURSION_PROBE") {
        probe(&spec);
        return;
    }
    let since = SystemTime::now();
    std::thread::Builder::new()
        .name("recursion bench".into())
        .stack_size(STACK)
        .spawn(move || {
            let mut c = Criterion::default().configure_from_args();
            let mut rows = Vec::new();
            let mut one_shot = Vec::new();
            let mut notes = Vec::new();
            chain(&mut c, &mut rows, &mut one_shot, &mut notes);
            chain_drained(&mut c, &mut rows);
            tree(&mut c, &mut rows);
            c.final_summary();
            print_tables(&rows, &one_shot, &notes, since);
        })
        .unwrap()
        .join()
        .unwrap();
}
