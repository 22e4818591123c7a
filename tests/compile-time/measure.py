#!/usr/bin/env python3
"""Compile-time cost of cogen's expansion, against its peers and against
hand-written iterators (issue 15 §4).

Generates small crates under `target/compile-time/` (outside the workspace,
each its own workspace, all sharing one target directory so dependencies
are built once), then times, median of `--runs` (default 3), with
`CARGO_INCREMENTAL=0` and the dependencies already built:

* `check300`: `cargo check` of 300 generator functions of one shape, for
  cogen `#[generator]`, cogen `#[async_generator]`, async-stream `stream!`
  and next-gen `#[generator]`.
* `fifty`: 50 moderate generators (7 yields each, loops and branches) as
  cogen `#[generator]` against the same 50 written as hand-written
  iterators: `cargo check`, debug build and release build, and the size of
  the expansion (`-Zunpretty=expanded`, bytes and tokens; needs nightly).
* `clean`: `cargo build --release` of a one-generator crate from an empty
  target directory, dependencies included, cogen against async-stream.

    python3 tests/compile-time/measure.py            # everything
    python3 tests/compile-time/measure.py check300   # one part

The machine is shared and noisy: compare figures from one run only.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "target", "compile-time")
TARGET = os.path.join(OUT, "target")
RUNTIME = os.path.join(ROOT, "runtime")
RUNS = 3

MANIFEST = """[package]
name = "{name}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
{deps}

[workspace]
"""

DEPS = {
    "cogen": 'cogen = {{ path = "{}" }}'.format(RUNTIME),
    "async-stream": 'async-stream = "=0.3.6"\nfutures-core = "0.3"',
    "next-gen": 'next-gen = "=0.1.1"',
    "none": "",
}


def crate(name, dep, source):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.join(path, "src"), exist_ok=True)
    with open(os.path.join(path, "Cargo.toml"), "w") as f:
        f.write(MANIFEST.format(name=name, deps=DEPS[dep]))
    with open(os.path.join(path, "src", "lib.rs"), "w") as f:
        f.write(source)
    return path


def cargo(path, *args, target=TARGET, toolchain=None):
    env = dict(os.environ, CARGO_INCREMENTAL="0", CARGO_TARGET_DIR=target)
    cmd = ["cargo"] + ([toolchain] if toolchain else []) + list(args)
    start = time.monotonic()
    done = subprocess.run(cmd, cwd=path, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        sys.exit("failed in {}: {}\n{}".format(path, " ".join(cmd), done.stderr[-3000:]))
    return elapsed, done.stdout


def timed(path, *args):
    """Median time of rebuilding only this crate (dependencies built once)."""
    cargo(path, *args)  # builds the dependencies
    times = []
    for _ in range(RUNS):
        os.utime(os.path.join(path, "src", "lib.rs"))
        times.append(cargo(path, *args)[0])
    return statistics.median(times), min(times), max(times)


def fmt(t):
    return "{:.2f} s ({:.2f}-{:.2f})".format(*t)


# ---------------------------------------------------------------- sources

def three_hundred(header, item, body):
    """`header`, then 300 functions `item` (with `{i}` and `{body}`) whose
    bodies differ a little (`{k}` in `body`), so none is a copy of another."""
    return header + "".join(
        item.format(i=i, body=body.format(k=i % 3)) for i in range(300))


def check300_sources():
    body = "    for x in 0..n {{\n        if x % 3 == {k} {{\n            yield_!(x);\n        }}\n    }}\n    yield_!(n);\n"
    body_as = "    async_stream::stream! {{\n        for x in 0..n {{\n            if x % 3 == {k} {{\n                yield x;\n            }}\n        }}\n        yield n;\n    }}\n"
    return [
        ("check300-cogen-sync", "cogen", three_hundred(
            "use cogen::{generator, yield_};\n\n",
            "#[generator]\npub fn g{i}(n: u64) -> impl Iterator<Item = u64> {{\n{body}}}\n\n", body)),
        ("check300-cogen-async", "cogen", three_hundred(
            "use cogen::{async_generator, yield_, Stream};\n\n",
            "#[async_generator]\npub fn g{i}(n: u64) -> impl Stream<Item = u64> {{\n{body}}}\n\n", body)),
        ("check300-async-stream", "async-stream", three_hundred(
            "use futures_core::Stream;\n\n",
            "pub fn g{i}(n: u64) -> impl Stream<Item = u64> {{\n{body}}}\n\n", body_as)),
        ("check300-next-gen", "next-gen", three_hundred(
            "use next_gen::prelude::*;\n\n",
            "#[generator(yield(u64))]\npub fn g{i}(n: u64) {{\n{body}}}\n\n", body)),
    ]


FIFTY_GEN = """#[generator]
pub fn g{i}(v: &[u64]) -> impl Iterator<Item = u64> + '_ {{
    yield_!({i});
    for &x in v {{
        if x > {i} {{
            yield_!(x);
        }} else {{
            yield_!(x + 1);
        }}
    }}
    let mut k = 0;
    while k < 3 {{
        yield_!(k);
        k += 1;
    }}
    for &x in v.iter().rev() {{
        yield_!(x * 2);
    }}
    yield_!(v.len() as u64);
    yield_!(k);
}}

"""

# The same sequence, as the state machine a user would write by hand.
FIFTY_HAND = """pub struct G{i}<'a> {{
    v: &'a [u64],
    state: u8,
    at: usize,
    k: u64,
}}

pub fn g{i}(v: &[u64]) -> G{i}<'_> {{
    G{i} {{ v, state: 0, at: 0, k: 0 }}
}}

impl Iterator for G{i}<'_> {{
    type Item = u64;

    fn next(&mut self) -> Option<u64> {{
        loop {{
            match self.state {{
                0 => {{
                    self.state = 1;
                    return Some({i});
                }}
                1 => {{
                    if let Some(&x) = self.v.get(self.at) {{
                        self.at += 1;
                        return Some(if x > {i} {{ x }} else {{ x + 1 }});
                    }}
                    self.state = 2;
                }}
                2 => {{
                    if self.k < 3 {{
                        self.k += 1;
                        return Some(self.k - 1);
                    }}
                    self.at = self.v.len();
                    self.state = 3;
                }}
                3 => {{
                    if self.at > 0 {{
                        self.at -= 1;
                        return Some(self.v[self.at] * 2);
                    }}
                    self.state = 4;
                }}
                4 => {{
                    self.state = 5;
                    return Some(self.v.len() as u64);
                }}
                5 => {{
                    self.state = 6;
                    return Some(self.k);
                }}
                _ => return None,
            }}
        }}
    }}
}}

"""


def fifty_sources():
    # Each generator is drained once, as a program would: an unused
    # `#[inline]` function (cogen marks every generator so) is never
    # compiled to machine code in its own crate.
    drain = "pub fn drain_all(v: &[u64]) -> u64 {\n    let mut sum = 0u64;\n" + "".join(
        "    sum = sum.wrapping_add(g{}(v).sum::<u64>());\n".format(i) for i in range(50)) + "    sum\n}\n"
    cogen = "use cogen::{generator, yield_};\n\n" + "".join(FIFTY_GEN.format(i=i) for i in range(50)) + drain
    hand = "".join(FIFTY_HAND.format(i=i) for i in range(50)) + drain
    return [("fifty-cogen", "cogen", cogen), ("fifty-hand", "none", hand)]


# ---------------------------------------------------------------- parts

def part_check300():
    print("## cargo check, 300 generator functions (median of {}, min-max)".format(RUNS))
    for name, dep, src in check300_sources():
        path = crate(name, dep, src)
        print("  {:24} {}".format(name, fmt(timed(path, "check"))))


def expanded_size(path):
    try:
        _, out = cargo(path, "rustc", "--profile=check", "--", "-Zunpretty=expanded",
                       toolchain="+nightly", target=os.path.join(OUT, "target-nightly"))
    except SystemExit as e:
        return "(nightly unavailable: {})".format(str(e).splitlines()[0])
    tokens = len(out.split())
    return "{} KB, ~{} whitespace-separated tokens".format(len(out) // 1024, tokens)


def part_fifty():
    print("## 50 generators (7 yields each) against the same 50 hand-written (median of {})".format(RUNS))
    results = {}
    for name, dep, src in fifty_sources():
        path = crate(name, dep, src)
        results[name] = {
            "check": timed(path, "check"),
            "debug": timed(path, "build"),
            "release": timed(path, "build", "--release"),
        }
        print("  {:12} check {}  debug {}  release {}  expansion {}".format(
            name, fmt(results[name]["check"]), fmt(results[name]["debug"]),
            fmt(results[name]["release"]), expanded_size(path)))
    for what in ("check", "debug", "release"):
        ratio = results["fifty-cogen"][what][0] / results["fifty-hand"][what][0]
        print("  cogen / hand-written, {:8} {:.2f}x".format(what, ratio))


def part_clean():
    print("## clean `cargo build --release` of a one-generator crate, dependencies included (median of {})".format(RUNS))
    one = {
        "cogen": "use cogen::{async_generator, yield_, Stream};\n\n#[async_generator]\npub fn g(n: u64) -> impl Stream<Item = u64> {\n    for x in 0..n {\n        yield_!(x);\n    }\n}\n",
        "async-stream": "use futures_core::Stream;\n\npub fn g(n: u64) -> impl Stream<Item = u64> {\n    async_stream::stream! {\n        for x in 0..n {\n            yield x;\n        }\n    }\n}\n",
    }
    for dep, src in one.items():
        path = crate("clean-" + dep, dep, src)
        target = os.path.join(OUT, "target-clean")
        cargo(path, "fetch", target=target)
        times = []
        for _ in range(RUNS):
            shutil.rmtree(target, ignore_errors=True)
            times.append(cargo(path, "build", "--release", "--offline", target=target)[0])
        print("  {:14} {}".format(dep, fmt((statistics.median(times), min(times), max(times)))))


PARTS = {"check300": part_check300, "fifty": part_fifty, "clean": part_clean}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(PARTS)
    for part in chosen:
        if part.startswith("--runs="):
            RUNS = int(part.split("=", 1)[1])
    for part in chosen:
        if not part.startswith("--"):
            PARTS[part]()
