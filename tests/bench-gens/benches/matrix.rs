//! The benchmark matrix: cogen against hand-written code in every cell of
//! {generator defined in this crate, in another crate} × {drained from one
//! loop, one generator function drained from three call sites}, built in
//! each release profile by `tests/benches/matrix.sh`, which also prints the
//! report (see the README's Performance section).
//!
//! ```text
//! matrix                                   quick check that every column agrees (what `cargo bench` runs)
//! matrix measure PROFILE [OPTIONS]         times every cell, then counts instructions under callgrind;
//!                                          prints one tab-separated line per column and cell
//! matrix one WORKLOAD CRATE CONSUMERS COLUMN REPS [SIZES]
//!                                          drains one column REPS times (what callgrind runs)
//! matrix report FILE...                    the tables and the worst cell per workload
//!
//! OPTIONS  --workloads a,b  --rounds R (15)  --repeats K (3)  --target-ms T (2)  --no-callgrind  --jobs J (2)
//! SIZES    --n N (10000)  --tree-log2 K (20)  --input-kb KB (1536)
//! ```
//!
//! The statistic: per cell, the columns run alternating in one process
//! (the order reversed every other pass), each timing enough drains to take
//! `--target-ms`. A round is `--repeats` such passes and keeps each
//! column's fastest timing (on a shared machine a timing that lost the CPU
//! midway says nothing about the code); its ratio is that time over the
//! hand-written column's. Reported: the median of the per-round ratios
//! and their min–max over `--rounds`.
//! Under callgrind each column runs with 1 and 3 repetitions (smaller
//! sizes: tree 2^16, input 256 KB) and instructions per item are the
//! difference over the difference in items, so start-up cancels.

#![cfg_attr(feature = "nightly", feature(gen_blocks))]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::process::Command;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use cogen::{Generator, GeneratorState};
use cogen_bench_gens::shared::{Key, Tree, balanced, json_input};
use futures::executor::block_on;
use futures::future::ready;
use futures::{Stream, StreamExt};

/// The workloads, defined in this (the consuming) crate: drained from one loop.
#[path = "../src/workloads.rs"]
#[allow(clippy::duplicate_mod)] // deliberately: the same source, two functions each
mod local_one;

/// The same source again, drained from three call sites.
#[path = "../src/workloads.rs"]
#[allow(clippy::duplicate_mod)]
mod local_many;

/// Defined in another crate (`cogen-bench-gens`'s library).
use cogen_bench_gens::many as other_many;
use cogen_bench_gens::one as other_one;

// ---------------------------------------------------------------- consumers

// Three consumers of different shapes (see `drive!` for their call sites).
// The one-loop cells use `c_sum` / `s_sum` only.

/// `for` + sum.
#[inline(always)]
fn c_sum<I: Iterator<Item: Key>>(it: I) -> u64 {
    let mut sum = 0u64;
    for x in it {
        sum = sum.wrapping_add(black_box(x.key()));
    }
    sum
}

/// `filter().count()`.
#[inline(always)]
fn c_filter_count<I: Iterator<Item: Key>>(it: I) -> u64 {
    it.filter(|x| black_box(x.key()) % 3 == 0).count() as u64
}

/// `max()`.
#[inline(always)]
fn c_max<I: Iterator<Item: Key>>(it: I) -> u64 {
    it.map(|x| black_box(x.key())).max().unwrap_or(0)
}

/// `while let Some(x) = s.next().await` + sum, on `block_on`.
#[inline(always)]
fn s_sum<S: Stream<Item: Key>>(s: S) -> u64 {
    block_on(async {
        let mut s = pin!(s);
        let mut sum = 0u64;
        while let Some(x) = s.next().await {
            sum = sum.wrapping_add(black_box(x.key()));
        }
        sum
    })
}

/// `filter().count()`, on `block_on`.
#[inline(always)]
fn s_filter_count<S: Stream<Item: Key>>(s: S) -> u64 {
    block_on(s.filter(|x| ready(black_box(x.key()) % 3 == 0)).count()) as u64
}

/// The maximum (`fold` with `max`), on `block_on`.
#[inline(always)]
fn s_max<S: Stream<Item: Key>>(s: S) -> u64 {
    block_on(
        s.map(|x| black_box(x.key()))
            .fold(0, |a, b| ready(a.max(b))),
    )
}

/// An `impl Generator` driven by `resume`, as an iterator.
struct GenIter<'a, G>(Pin<&'a mut G>);

impl<G: Generator<Return = ()>> Iterator for GenIter<'_, G> {
    type Item = G::Yield;

    #[inline]
    fn next(&mut self) -> Option<G::Yield> {
        match self.0.as_mut().resume(()) {
            GeneratorState::Yielded(x) => Some(x),
            GeneratorState::Complete(()) => None,
        }
    }
}

/// A stream that never waits, polled with a no-op waker, as an iterator
/// (the async-stream peer of the sync workloads).
struct StreamIter<'a, S>(Pin<&'a mut S>);

impl<S: Stream> Iterator for StreamIter<'_, S> {
    type Item = S::Item;

    #[inline]
    fn next(&mut self) -> Option<S::Item> {
        match self
            .0
            .as_mut()
            .poll_next(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(x) => x,
            Poll::Pending => unreachable!("a sync stream waited"),
        }
    }
}

/// `consume!(SHAPE, KIND, make)`: one consumer of what `make` creates, the
/// generator pinned in place where its kind needs it.
macro_rules! consume {
    ($f:ident, iter, $e:expr) => {
        $f($e)
    };
    ($f:ident, gen, $e:expr) => {
        $f(GenIter(pin!($e)))
    };
    ($f:ident, stream_iter, $e:expr) => {
        $f(StreamIter(pin!($e)))
    };
    ($f:ident, stream, $e:expr) => {
        $f($e)
    };
}

/// `drive!(CONSUMERS, KIND, c, make)`: drains what `make` creates from one
/// call site, or from three. Each call site is a function of its own that
/// creates the generator and drains it (`for x in gen(n) { .. }`,
/// `gen(n).filter(..).count()`, `gen(n).max()`), as in a program that uses
/// one generator in several places.
macro_rules! drive {
    (one, iter, $c:ident, $e:expr) => {
        drive!(@one, c_sum, iter, $c, $e)
    };
    (one, gen, $c:ident, $e:expr) => {
        drive!(@one, c_sum, gen, $c, $e)
    };
    (one, stream_iter, $c:ident, $e:expr) => {
        drive!(@one, c_sum, stream_iter, $c, $e)
    };
    (one, stream, $c:ident, $e:expr) => {
        drive!(@one, s_sum, stream, $c, $e)
    };
    (many, stream, $c:ident, $e:expr) => {
        drive!(@many, [s_sum, s_filter_count, s_max], stream, $c, $e)
    };
    (many, $kind:ident, $c:ident, $e:expr) => {
        drive!(@many, [c_sum, c_filter_count, c_max], $kind, $c, $e)
    };
    (@one, $f:ident, $kind:ident, $c:ident, $e:expr) => {{
        #[inline(never)]
        fn site($c: &Ctx) -> u64 {
            consume!($f, $kind, $e)
        }
        site($c)
    }};
    (@many, [$f1:ident, $f2:ident, $f3:ident], $kind:ident, $c:ident, $e:expr) => {{
        #[inline(never)]
        fn site1($c: &Ctx) -> u64 {
            consume!($f1, $kind, $e)
        }
        #[inline(never)]
        fn site2($c: &Ctx) -> u64 {
            consume!($f2, $kind, $e)
        }
        #[inline(never)]
        fn site3($c: &Ctx) -> u64 {
            consume!($f3, $kind, $e)
        }
        site1($c).wrapping_add(site2($c)).wrapping_add(site3($c))
    }};
}

// ---------------------------------------------------------------- the columns

/// What the columns need, built once per process.
struct Ctx {
    n: u64,
    tree: Option<Box<Tree>>,
    tree_nodes: u64,
    input: Vec<u8>,
    tokens: u64,
    /// `n` items in chunks of 8 (the flatten workload).
    chunks: Vec<Vec<u64>>,
}

impl Ctx {
    fn tree(&self) -> &Tree {
        self.tree.as_deref().expect("the tree was built")
    }

    /// Items of one drain.
    fn items(&self, workload: &str) -> u64 {
        match workload {
            "tree" | "tree_stream" => self.tree_nodes,
            "tokenizer" => self.tokens,
            _ => self.n,
        }
    }
}

/// One column of one cell.
struct Entry {
    workload: &'static str,
    krate: &'static str,
    consumers: &'static str,
    column: &'static str,
    run: fn(&Ctx) -> u64,
}

macro_rules! entry {
    ($v:ident, $w:literal, $krate:literal, $cons:ident, $col:literal, $kind:ident, |$c:ident| $e:expr) => {{
        fn run($c: &Ctx) -> u64 {
            drive!($cons, $kind, $c, $e)
        }
        $v.push(Entry {
            workload: $w,
            krate: $krate,
            consumers: stringify!($cons),
            column: $col,
            run,
        });
    }};
}

/// Every column of the cell whose workloads are module `$m`.
macro_rules! cell {
    ($v:ident, $krate:literal, $cons:ident, $m:ident) => {
        entry!($v, "count", $krate, $cons, "hand-written", iter, |c| {
            $m::count::hand(black_box(c.n))
        });
        entry!($v, "count", $krate, $cons, "cogen Iterator", iter, |c| {
            $m::count::cogen_iter(black_box(c.n))
        });
        entry!($v, "count", $krate, $cons, "cogen Generator", gen, |c| {
            $m::count::cogen_gen(black_box(c.n))
        });
        entry!($v, "count", $krate, $cons, "cogen iter! block", iter, |c| {
            $m::count::cogen_block(black_box(c.n))
        });
        #[cfg(feature = "nightly")]
        entry!($v, "count", $krate, $cons, "nightly gen block", iter, |c| {
            $m::nightly::count(black_box(c.n))
        });
        entry!(
            $v,
            "count",
            $krate,
            $cons,
            "async-stream",
            stream_iter,
            |c| $m::count::async_stream(black_box(c.n))
        );

        entry!(
            $v,
            "self_borrow",
            $krate,
            $cons,
            "hand-written",
            iter,
            |c| $m::self_borrow::hand(black_box(c.n))
        );
        entry!(
            $v,
            "self_borrow",
            $krate,
            $cons,
            "cogen Iterator",
            iter,
            |c| $m::self_borrow::cogen_iter(black_box(c.n))
        );
        entry!(
            $v,
            "self_borrow",
            $krate,
            $cons,
            "cogen Generator",
            gen,
            |c| $m::self_borrow::cogen_gen(black_box(c.n))
        );
        entry!(
            $v,
            "self_borrow",
            $krate,
            $cons,
            "cogen iter! block",
            iter,
            |c| $m::self_borrow::cogen_block(black_box(c.n))
        );
        entry!(
            $v,
            "self_borrow",
            $krate,
            $cons,
            "async-stream",
            stream_iter,
            |c| $m::self_borrow::async_stream(black_box(c.n))
        );

        entry!($v, "cleanup", $krate, $cons, "hand-written", iter, |c| {
            $m::cleanup::hand(black_box(c.n))
        });
        entry!($v, "cleanup", $krate, $cons, "cogen Iterator", iter, |c| {
            $m::cleanup::cogen_iter(black_box(c.n))
        });
        entry!($v, "cleanup", $krate, $cons, "cogen Generator", gen, |c| {
            $m::cleanup::cogen_gen(black_box(c.n))
        });
        entry!(
            $v,
            "cleanup",
            $krate,
            $cons,
            "cogen Iterator, Drop guard",
            iter,
            |c| $m::cleanup::cogen_guard(black_box(c.n))
        );
        entry!(
            $v,
            "cleanup",
            $krate,
            $cons,
            "async-stream",
            stream_iter,
            |c| $m::cleanup::async_stream(black_box(c.n))
        );

        entry!($v, "flatten", $krate, $cons, "hand-written", iter, |c| {
            $m::flatten::hand(black_box(&c.chunks))
        });
        entry!($v, "flatten", $krate, $cons, "cogen Iterator", iter, |c| {
            $m::flatten::cogen_iter(black_box(&c.chunks))
        });
        entry!(
            $v,
            "flatten",
            $krate,
            $cons,
            "cogen Iterator, for loop",
            iter,
            |c| { $m::flatten::cogen_loop(black_box(&c.chunks)) }
        );

        entry!(
            $v,
            "async_count",
            $krate,
            $cons,
            "hand-written",
            stream,
            |c| $m::async_count::hand(black_box(c.n))
        );
        entry!(
            $v,
            "async_count",
            $krate,
            $cons,
            "cogen Stream",
            stream,
            |c| $m::async_count::cogen_stream(black_box(c.n))
        );
        entry!(
            $v,
            "async_count",
            $krate,
            $cons,
            "cogen stream! block",
            stream,
            |c| $m::async_count::cogen_block(black_box(c.n))
        );
        entry!(
            $v,
            "async_count",
            $krate,
            $cons,
            "async-stream",
            stream,
            |c| $m::async_count::async_stream(black_box(c.n))
        );
        #[cfg(feature = "nightly")]
        entry!(
            $v,
            "async_count",
            $krate,
            $cons,
            "nightly async gen",
            stream,
            |c| $m::nightly::async_count(black_box(c.n))
        );

        entry!($v, "suspend", $krate, $cons, "hand-written", stream, |c| {
            $m::suspend::hand(black_box(c.n))
        });
        entry!($v, "suspend", $krate, $cons, "cogen Stream", stream, |c| {
            $m::suspend::cogen_stream(black_box(c.n))
        });
        entry!($v, "suspend", $krate, $cons, "async-stream", stream, |c| {
            $m::suspend::async_stream(black_box(c.n))
        });
        #[cfg(feature = "nightly")]
        entry!(
            $v,
            "suspend",
            $krate,
            $cons,
            "nightly async gen",
            stream,
            |c| $m::nightly::suspend(black_box(c.n))
        );

        entry!($v, "tree", $krate, $cons, "hand-written", iter, |c| {
            $m::tree::hand(black_box(c.tree()))
        });
        entry!($v, "tree", $krate, $cons, "cogen Iterator", iter, |c| {
            $m::tree::cogen_iter(black_box(c.tree()))
        });

        entry!($v, "tree", $krate, $cons, "cogen Generator", gen, |c| {
            $m::tree_gen::cogen_gen(black_box(c.tree()))
        });
        entry!(
            $v,
            "tree_stream",
            $krate,
            $cons,
            "hand-written",
            stream,
            |c| $m::tree_stream::hand(black_box(c.tree()))
        );
        entry!(
            $v,
            "tree_stream",
            $krate,
            $cons,
            "cogen Stream",
            stream,
            |c| $m::tree_stream::cogen_stream(black_box(c.tree()))
        );

        entry!($v, "tokenizer", $krate, $cons, "hand-written", iter, |c| {
            $m::tokenizer::hand(black_box(&c.input[..]))
        });
        entry!(
            $v,
            "tokenizer",
            $krate,
            $cons,
            "cogen Iterator",
            iter,
            |c| $m::tokenizer::cogen_iter(black_box(&c.input[..]))
        );
    };
}

fn entries() -> Vec<Entry> {
    let mut v = Vec::new();
    cell!(v, "this", one, local_one);
    cell!(v, "this", many, local_many);
    cell!(v, "other", one, other_one);
    cell!(v, "other", many, other_many);
    v
}

/// The workloads in report order, with the issue's goal for the `impl
/// Iterator` / `impl Stream` form (worst cell, time ratio), if it has one.
const WORKLOADS: [(&str, Option<f64>); 9] = [
    ("count", Some(1.1)),
    ("self_borrow", Some(1.2)),
    ("cleanup", None),
    ("flatten", None),
    ("async_count", Some(1.3)),
    ("suspend", Some(1.5)),
    ("tree", Some(3.0)),
    ("tree_stream", None),
    ("tokenizer", None),
];

const CELLS: [(&str, &str); 4] = [
    ("this", "one"),
    ("this", "many"),
    ("other", "one"),
    ("other", "many"),
];

// ---------------------------------------------------------------- options

struct Opts {
    workloads: Vec<String>,
    rounds: usize,
    repeats: usize,
    target: Duration,
    callgrind: bool,
    jobs: usize,
    n: u64,
    tree_log2: u32,
    input_kb: usize,
}

impl Opts {
    fn parse(args: &[String]) -> (Opts, Vec<String>) {
        let mut o = Opts {
            workloads: WORKLOADS.iter().map(|w| w.0.to_string()).collect(),
            rounds: 15,
            repeats: 3,
            target: Duration::from_millis(2),
            callgrind: true,
            jobs: 2,
            n: 10_000,
            tree_log2: 20,
            input_kb: 1536,
        };
        let mut rest = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut val = || {
                it.next()
                    .unwrap_or_else(|| panic!("{a} needs a value"))
                    .clone()
            };
            match a.as_str() {
                "--workloads" => {
                    let want = val();
                    o.workloads = want.split(',').map(str::to_string).collect();
                    for w in &o.workloads {
                        assert!(WORKLOADS.iter().any(|k| k.0 == w), "no workload `{w}`");
                    }
                }
                "--rounds" => o.rounds = val().parse().expect("--rounds R"),
                "--repeats" => o.repeats = val().parse().expect("--repeats K"),
                "--target-ms" => {
                    o.target = Duration::from_millis(val().parse().expect("--target-ms T"))
                }
                "--no-callgrind" => o.callgrind = false,
                "--jobs" => o.jobs = val().parse().expect("--jobs J"),
                "--n" => o.n = val().parse().expect("--n N"),
                "--tree-log2" => o.tree_log2 = val().parse().expect("--tree-log2 K"),
                "--input-kb" => o.input_kb = val().parse().expect("--input-kb KB"),
                "--bench" => {}
                _ => rest.push(a.clone()),
            }
        }
        (o, rest)
    }

    fn ctx(&self, workloads: &[String]) -> Ctx {
        let needs = |w: &[&str]| workloads.iter().any(|x| w.contains(&x.as_str()));
        let tree = needs(&["tree", "tree_stream"])
            .then(|| balanced(0, 1 << self.tree_log2).expect("nodes"));
        let (input, tokens) = if needs(&["tokenizer"]) {
            json_input(self.input_kb * 1024)
        } else {
            (Vec::new(), 0)
        };
        let chunks = if needs(&["flatten"]) {
            let n = self.n;
            (0..n.div_ceil(8))
                .map(|c| (c * 8..(c * 8 + 8).min(n)).collect())
                .collect()
        } else {
            Vec::new()
        };
        Ctx {
            n: self.n,
            tree,
            tree_nodes: 1 << self.tree_log2,
            input,
            tokens,
            chunks,
        }
    }
}

// ---------------------------------------------------------------- measure

/// One line of the output: a column of a cell.
struct Row {
    profile: String,
    workload: String,
    krate: String,
    consumers: String,
    column: String,
    median: f64,
    min: f64,
    max: f64,
    ns_per_item: f64,
    ir_per_item: Option<f64>,
}

impl Row {
    fn tsv(&self) -> String {
        let ir = self
            .ir_per_item
            .map_or("-".to_string(), |x| format!("{x:.2}"));
        format!(
            "{}\t{}\t{}\t{}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.3}\t{}",
            self.profile,
            self.workload,
            self.krate,
            self.consumers,
            self.column,
            self.median,
            self.min,
            self.max,
            self.ns_per_item,
            ir
        )
    }

    fn parse(line: &str) -> Row {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 10, "not a matrix line: {line}");
        Row {
            profile: f[0].into(),
            workload: f[1].into(),
            krate: f[2].into(),
            consumers: f[3].into(),
            column: f[4].into(),
            median: f[5].parse().unwrap(),
            min: f[6].parse().unwrap(),
            max: f[7].parse().unwrap(),
            ns_per_item: f[8].parse().unwrap(),
            ir_per_item: f[9].parse().ok(),
        }
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn time(e: &Entry, ctx: &Ctx, reps: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..reps {
        black_box((e.run)(black_box(ctx)));
    }
    start.elapsed()
}

fn consumers_of(c: &str) -> u64 {
    if c == "many" { 3 } else { 1 }
}

fn measure(profile: &str, o: &Opts) -> Vec<Row> {
    let all = entries();
    let ctx = o.ctx(&o.workloads);
    let mut rows = Vec::new();
    for (w, _) in WORKLOADS
        .iter()
        .filter(|w| o.workloads.iter().any(|x| x == w.0))
    {
        for (krate, cons) in CELLS {
            let cols: Vec<&Entry> = all
                .iter()
                .filter(|e| e.workload == *w && e.krate == krate && e.consumers == cons)
                .collect();
            assert_eq!(cols[0].column, "hand-written");
            let want = (cols[0].run)(&ctx);
            for e in &cols {
                assert_eq!((e.run)(&ctx), want, "{w} {krate} {cons} {}", e.column);
            }
            // Warm up, then enough drains per timing to take the target.
            let one = cols.iter().map(|e| time(e, &ctx, 1)).max().unwrap();
            let reps = (o.target.as_secs_f64() / one.as_secs_f64().max(1e-9))
                .ceil()
                .max(1.0) as u64;
            let mut times = vec![Vec::new(); cols.len()];
            for r in 0..o.rounds {
                let mut best = vec![f64::INFINITY; cols.len()];
                for k in 0..o.repeats {
                    let order: Vec<usize> = if (r + k) % 2 == 0 {
                        (0..cols.len()).collect()
                    } else {
                        (0..cols.len()).rev().collect()
                    };
                    for i in order {
                        best[i] = best[i].min(time(cols[i], &ctx, reps).as_secs_f64());
                    }
                }
                for (t, b) in times.iter_mut().zip(best) {
                    t.push(b);
                }
            }
            let items = (ctx.items(w) * consumers_of(cons) * reps) as f64;
            for (i, e) in cols.iter().enumerate() {
                let mut ratios: Vec<f64> =
                    (0..o.rounds).map(|r| times[i][r] / times[0][r]).collect();
                let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
                let max = ratios.iter().copied().fold(0.0, f64::max);
                let ns = median(&mut times[i].clone()) * 1e9 / items;
                rows.push(Row {
                    profile: profile.into(),
                    workload: w.to_string(),
                    krate: krate.into(),
                    consumers: cons.into(),
                    column: e.column.into(),
                    median: median(&mut ratios),
                    min,
                    max,
                    ns_per_item: ns,
                    ir_per_item: None,
                });
            }
            eprintln!("  timed {profile} {w} {krate} {cons} ({reps} drains a timing)");
        }
    }
    if o.callgrind {
        callgrind(&mut rows, o);
    }
    rows
}

/// Sizes under callgrind: smaller where a drain is long.
const CG_TREE_LOG2: u32 = 16;
const CG_INPUT_KB: usize = 256;

fn callgrind(rows: &mut [Row], o: &Opts) {
    let exe = std::env::current_exe().expect("own path");
    let dir = std::env::temp_dir().join(format!("cogen-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let small = Opts {
        tree_log2: CG_TREE_LOG2,
        input_kb: CG_INPUT_KB,
        ..Opts::parse(&[]).0
    };
    let ctx = small.ctx(&["tokenizer".to_string()]);
    let count = |row: &Row, reps: u64, job: usize| -> u64 {
        let out = dir.join(format!("cg.{job}"));
        let status = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(&exe)
            .args([
                "one",
                &row.workload,
                &row.krate,
                &row.consumers,
                &row.column,
                &reps.to_string(),
            ])
            .args([
                "--n",
                &small.n.to_string(),
                "--tree-log2",
                &small.tree_log2.to_string(),
                "--input-kb",
                &small.input_kb.to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("valgrind runs (is it installed?)");
        assert!(
            status.success(),
            "callgrind run failed: {} {} {} {}",
            row.workload,
            row.krate,
            row.consumers,
            row.column
        );
        let text = std::fs::read_to_string(&out).unwrap();
        text.lines()
            .find_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })
            .and_then(|x| x.split_whitespace().next())
            .and_then(|x| x.parse().ok())
            .expect("callgrind's summary line")
    };
    let next = Mutex::new(0usize);
    let results = Mutex::new(vec![None; rows.len()]);
    std::thread::scope(|s| {
        for job in 0..o.jobs.max(1) {
            let (next, results, rows, count, ctx) = (&next, &results, &*rows, &count, &ctx);
            s.spawn(move || {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(row) = rows.get(i) else { break };
                    let (a, b) = (count(row, 1, job), count(row, 3, job));
                    let items = ctx.items(&row.workload) * consumers_of(&row.consumers) * 2;
                    let per = (b as f64 - a as f64) / items as f64;
                    eprintln!(
                        "  callgrind {} {} {} {} {}: {per:.1} instructions/item",
                        row.profile, row.workload, row.krate, row.consumers, row.column
                    );
                    results.lock().unwrap()[i] = Some(per);
                }
            });
        }
    });
    for (row, ir) in rows.iter_mut().zip(results.into_inner().unwrap()) {
        row.ir_per_item = ir;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- report

fn fmt_ir(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{x:.1}"))
}

fn report(files: &[String]) {
    let mut rows = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        rows.extend(text.lines().filter(|l| !l.is_empty()).map(Row::parse));
    }
    let hand = |r: &Row| -> Option<&Row> {
        rows.iter().find(|h| {
            h.column == "hand-written"
                && h.profile == r.profile
                && h.workload == r.workload
                && h.krate == r.krate
                && h.consumers == r.consumers
        })
    };
    let mut worst_lines = Vec::new();
    for (w, goal) in WORKLOADS {
        let ws: Vec<&Row> = rows.iter().filter(|r| r.workload == w).collect();
        if ws.is_empty() {
            continue;
        }
        println!("\n### {w}\n");
        println!(
            "| profile | generator in | consumers | column | time ratio (median) | min–max | ns/item | Ir/item | hand-written Ir/item | Ir ratio |"
        );
        println!("|---|---|---|---|---:|---:|---:|---:|---:|---:|");
        let mut by_col: BTreeMap<&str, Vec<(&Row, Option<f64>)>> = BTreeMap::new();
        for r in &ws {
            let h = hand(r);
            let h_ir = h.and_then(|h| h.ir_per_item);
            let ir_ratio = r.ir_per_item.zip(h_ir).map(|(a, b)| a / b);
            println!(
                "| {} | {} crate | {} | {} | {:.2} | {:.2}–{:.2} | {:.2} | {} | {} | {} |",
                r.profile,
                r.krate,
                r.consumers,
                r.column,
                r.median,
                r.min,
                r.max,
                r.ns_per_item,
                fmt_ir(r.ir_per_item),
                fmt_ir(h_ir),
                ir_ratio.map_or("-".into(), |x| format!("{x:.2}")),
            );
            if r.column != "hand-written" {
                by_col.entry(&r.column).or_default().push((r, ir_ratio));
            }
        }
        for (col, cells) in by_col {
            let (worst, _) = cells
                .iter()
                .max_by(|a, b| a.0.median.total_cmp(&b.0.median))
                .unwrap();
            let irs: Vec<f64> = cells.iter().filter_map(|c| c.1).collect();
            let ir_part = if irs.is_empty() {
                String::new()
            } else {
                let lo = irs.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = irs.iter().copied().fold(0.0, f64::max);
                let verdict = |x: f64| if x <= 1.3 { "met" } else { "MISSED" };
                if col.starts_with("cogen") {
                    format!(
                        "; instructions per item {lo:.2}–{hi:.2}× hand-written across cells \
                         (≤ 1.30× in every cell: {}; spread {:.2}×, ≤ 1.30×: {})",
                        verdict(hi),
                        hi / lo,
                        verdict(hi / lo)
                    )
                } else {
                    format!("; instructions per item {lo:.2}–{hi:.2}× hand-written across cells")
                }
            };
            let goal_part = match goal {
                Some(g) if col.starts_with("cogen") => format!(
                    " (goal ≤ {g:.1}×: {})",
                    if worst.median <= g { "met" } else { "MISSED" }
                ),
                _ => String::new(),
            };
            worst_lines.push(format!(
                "- {w}, {col}: worst {:.2}× [{:.2}–{:.2}] in {} / {} crate / {}{goal_part}{ir_part}",
                worst.median, worst.min, worst.max, worst.profile, worst.krate, worst.consumers
            ));
        }
    }
    println!("\n### Worst cell per workload\n");
    for l in worst_lines {
        println!("{l}");
    }
}

// ---------------------------------------------------------------- main

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (o, rest) = Opts::parse(&args);
    match rest.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => {
            // `cargo bench`: every column once, small, checked against the
            // hand-written one of its cell.
            let small = Opts {
                tree_log2: 10,
                input_kb: 16,
                ..o
            };
            let ctx = small.ctx(&small.workloads);
            let all = entries();
            for e in &all {
                let h = all
                    .iter()
                    .find(|h| {
                        h.column == "hand-written"
                            && h.workload == e.workload
                            && h.krate == e.krate
                            && h.consumers == e.consumers
                    })
                    .unwrap();
                assert_eq!(
                    (e.run)(&ctx),
                    (h.run)(&ctx),
                    "{} {} {} {}",
                    e.workload,
                    e.krate,
                    e.consumers,
                    e.column
                );
            }
            println!(
                "matrix: {} columns agree (run tests/benches/matrix.sh for the matrix)",
                all.len()
            );
        }
        ["measure", profile] => {
            for r in measure(profile, &o) {
                println!("{}", r.tsv());
            }
        }
        ["one", w, krate, cons, column, reps] => {
            let reps: u64 = reps.parse().expect("REPS");
            let all = entries();
            let e = all
                .iter()
                .find(|e| {
                    e.workload == w && e.krate == krate && e.consumers == cons && e.column == column
                })
                .unwrap_or_else(|| panic!("no column {w} {krate} {cons} {column}"));
            let ctx = o.ctx(&[w.to_string()]);
            let mut total = 0u64;
            for _ in 0..reps {
                total = total.wrapping_add(black_box((e.run)(black_box(&ctx))));
            }
            println!("{total}");
        }
        ["report", ..] => report(&rest[1..]),
        _ => panic!("usage: see the top of tests/bench-gens/benches/matrix.rs"),
    }
}
