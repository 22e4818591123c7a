//! Recursive generators, made linear by `yield_from!`.
//!
//! A recursive generator that re-yields its child's items level by level
//! costs O(depth) per item: each item climbs through every frame on the way
//! out, and each frame is native stack. `yield_from!` instead hands the
//! child to the outermost generator's driver, which resumes the innermost
//! active delegate directly. A chain of depth d then yields n items in O(n)
//! time, and its depth costs heap (one generator per level), not stack.
//!
//! * [`countdown`] delegates to itself with `n - 1`: a chain as deep as `n`.
//!   `main` times it at 10k, 100k and 1M: the cost per item stays flat.
//! * [`countdown_sum`] is the same chain in the `impl Generator` form, whose
//!   `yield_from!` evaluates to the child's return value (here: the sum of
//!   the rest). A recursive `impl Generator` needs `Box::pin` around the
//!   recursive call, as a recursive `async fn` does; the `impl Iterator`
//!   form is boxed already and needs nothing.
//! * [`paths`] and [`du`] walk a file tree: `paths` lists every path
//!   (pre-order); `du` yields every entry with its size *after* its
//!   contents, like `du -a`, and a directory's size is the sum of what its
//!   children's walks *returned*.
//!
//! Run it with `cargo run -p cogen-tests --example recursion`.

use cogen::{Generator, GeneratorState, generator, yield_, yield_from};
use std::pin::pin;
use std::time::Instant;

/// `n, n-1, ..., 0`, each level delegating the rest to a child generator.
#[generator]
pub fn countdown(n: u64) -> impl Iterator<Item = u64> {
    yield_!(n);
    if n > 0 {
        yield_from!(countdown(n - 1));
    }
}

/// The same chain, returning the sum of what it yielded.
#[generator]
pub fn countdown_sum(n: u64) -> impl Generator<Yield = u64, Return = u64> {
    yield_!(n);
    if n == 0 {
        return 0;
    }
    n + yield_from!(Box::pin(countdown_sum(n - 1)))
}

/// Runs a generator to completion: its items and its return value.
pub fn drain<G: Generator<Yield = Y, Return = T>, Y, T>(g: G) -> (Vec<Y>, T) {
    let mut g = pin!(g);
    let mut items = Vec::new();
    loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(y) => items.push(y),
            GeneratorState::Complete(t) => return (items, t),
        }
    }
}

/// A file tree.
#[derive(Debug)]
pub enum Node {
    File { name: String, size: u64 },
    Dir { name: String, children: Vec<Node> },
}

impl Node {
    pub fn name(&self) -> &str {
        match self {
            Node::File { name, .. } | Node::Dir { name, .. } => name,
        }
    }
}

pub fn file(name: &str, size: u64) -> Node {
    Node::File {
        name: name.into(),
        size,
    }
}

pub fn dir(name: &str, children: Vec<Node>) -> Node {
    Node::Dir {
        name: name.into(),
        children,
    }
}

/// Every path in the tree, parents before their children.
#[generator]
pub fn paths(node: &Node, parent: String) -> impl Iterator<Item = String> + '_ {
    let path = format!("{parent}/{}", node.name());
    yield_!(path.clone());
    if let Node::Dir { children, .. } = node {
        for child in children {
            yield_from!(paths(child, path.clone()));
        }
    }
}

/// Every entry with its size, contents before their directory; returns the
/// size of `node`.
#[generator]
pub fn du(node: &Node, parent: String) -> impl Generator<Yield = (String, u64), Return = u64> + '_ {
    let path = format!("{parent}/{}", node.name());
    let size = match node {
        Node::File { size, .. } => *size,
        Node::Dir { children, .. } => {
            let mut total = 0;
            for child in children {
                total += yield_from!(Box::pin(du(child, path.clone())));
            }
            total
        }
    };
    yield_!((path, size));
    size
}

pub fn sample_tree() -> Node {
    dir(
        "project",
        vec![
            file("README.md", 1_200),
            dir("src", vec![file("lib.rs", 8_000), file("main.rs", 300)]),
            dir(
                "tests",
                vec![
                    dir("data", vec![file("big.bin", 50_000)]),
                    file("it.rs", 2_500),
                ],
            ),
        ],
    )
}

fn main() {
    println!("countdown(n) through an n-deep yield_from! chain:");
    for n in [10_000u64, 100_000, 1_000_000] {
        let start = Instant::now();
        let (count, last) = countdown(n).fold((0u64, n), |(count, _), x| (count + 1, x));
        let took = start.elapsed();
        let per_item = took.as_nanos() as f64 / count as f64;
        println!(
            "   n = {n:>9}: {count} items, last {last}, in {took:>10.2?} ({per_item:.0} ns/item)"
        );
    }

    let start = Instant::now();
    let (items, sum) = drain(countdown_sum(1_000_000));
    println!(
        "countdown_sum(1_000_000): {} items, returned {sum} (= n(n+1)/2), in {:.2?}",
        items.len(),
        start.elapsed()
    );

    let tree = sample_tree();
    println!("paths(tree):");
    for p in paths(&tree, String::new()) {
        println!("   {p}");
    }
    println!("du(tree):");
    let (entries, total) = drain(du(&tree, String::new()));
    for (path, size) in entries {
        println!("   {size:>7}  {path}");
    }
    println!("   total returned by the root walk: {total}");
}
