//! Prints, as a markdown table, the size in bytes of each bench column's
//! generator value (see `benches/sync.rs` and `benches/async.rs`), for the
//! very bodies the benches time (`benches/common/`).
//!
//! ```text
//! cargo run -p cogen-tests --release --example state_size
//! cargo +nightly run -p cogen-tests --release --example state_size --features nightly
//! ```
//!
//! Where a value is a handle to state kept elsewhere, the state is listed
//! too, as `handle + state`:
//!
//! * cogen's `impl Iterator` form is a `Box` of the machine that the
//!   `impl Generator` form returns unboxed, so its state is measured as the
//!   same body in the `impl Generator` form.
//! * genawaiter's stack generator is a `&mut Gen` to a `Gen` and its
//!   `Shelf` on the caller's stack (state = both); its rc generator boxes
//!   the body's future (and shares an `Rc` airlock with it, not counted).
//! * next-gen's `mk_gen!` pins the `GeneratorFn` on the caller's stack and
//!   hands out a `Pin<&mut _>`.
//!
//! Nightly `gen` blocks are not here: they need the nightly toolchain (see
//! the `sync` bench's nightly columns).
#![cfg_attr(feature = "nightly", feature(coroutines, proc_macro_hygiene))]

use std::mem::size_of_val;

#[path = "../benches/common/sync_bodies.rs"]
mod sync_bodies;

#[path = "../benches/common/async_bodies.rs"]
mod async_bodies;

use sync_bodies::N;

/// Sizes of genawaiter's generators, which only exist inside a macro's or a
/// closure's scope.
mod ga_size {
    use genawaiter::{rc, stack};
    use std::mem::size_of;

    /// `handle + shelf` of a stack generator built from `producer`.
    /// (`let_gen_using!` keeps both the `Gen` and its `Shelf` on the stack.)
    pub fn stack<'s, F: std::future::Future<Output = ()> + 's>(
        producer: impl FnOnce(stack::Co<'s, u64>) -> F,
    ) -> String {
        let handle = size_of::<&mut stack::Gen<'s, u64, (), F>>();
        let generator = size_of::<stack::Gen<'s, u64, (), F>>();
        let shelf = size_of::<stack::Shelf<u64, (), F>>();
        drop(producer);
        format!("{handle} + {}", generator + shelf)
    }

    /// `handle + boxed future` of an rc generator built from `producer`.
    pub fn rc<F: std::future::Future<Output = ()>>(
        producer: impl FnOnce(rc::Co<u64>) -> F,
    ) -> String {
        let handle = size_of::<rc::Gen<u64, (), F>>();
        let future = size_of::<F>();
        drop(producer);
        format!("{handle} + {future}")
    }
}

/// `handle + pinned state` of each next-gen body.
fn next_gen_sizes(xs: &[u64]) -> [String; 3] {
    use next_gen::prelude::*;
    use sync_bodies::ng::{count, double, own_vec};
    // (`mk_gen!` takes a single token for the generator, not a path.)
    mk_gen!(let a = count(N));
    mk_gen!(let b = double(xs));
    mk_gen!(let c = own_vec(N));
    let size = |handle: usize, state: usize| format!("{handle} + {state}");
    [
        size(size_of_val(&a), size_of_val(&*a)),
        size(size_of_val(&b), size_of_val(&*b)),
        size(size_of_val(&c), size_of_val(&*c)),
    ]
}

// The `async` bench's module; `yield` is gated at parse time, hence out of line.
#[cfg(feature = "nightly")]
#[path = "../benches/nightly/futures_async_stream.rs"]
mod fas;
#[cfg(feature = "nightly")]
use async_bodies::tick; // what `fas` expects beside it

fn main() {
    use async_bodies as a;
    use sync_bodies as s;
    let data: Vec<u64> = (0..N).collect();
    let xs = &data[..];
    let plus = |handle: usize, state: usize| format!("{handle} + {state}");

    println!("State size in bytes (`handle + state` where the state lives elsewhere).\n");
    println!("| column | count | map_slice | self_borrow |");
    println!("|---|---|---|---|");
    let sync_rows: Vec<(&str, [String; 3])> = vec![
        (
            "hand-written",
            [
                size_of_val(&s::hand::count(N)).to_string(),
                size_of_val(&s::hand::double(xs)).to_string(),
                size_of_val(&s::hand::own_vec(N)).to_string(),
            ],
        ),
        (
            "cogen Iterator (Box + machine)",
            [
                plus(
                    size_of_val(&s::cogen_iter::count(N)),
                    size_of_val(&s::cogen_gen::count(N)),
                ),
                plus(
                    size_of_val(&s::cogen_iter::double(xs)),
                    size_of_val(&s::cogen_gen::double(xs)),
                ),
                plus(
                    size_of_val(&s::cogen_iter::own_vec(N)),
                    size_of_val(&s::cogen_gen::own_vec(N)),
                ),
            ],
        ),
        (
            "cogen Generator",
            [
                size_of_val(&s::cogen_gen::count(N)).to_string(),
                size_of_val(&s::cogen_gen::double(xs)).to_string(),
                size_of_val(&s::cogen_gen::own_vec(N)).to_string(),
            ],
        ),
        (
            "genawaiter stack (&mut Gen + Shelf)",
            [
                ga_size::stack(|co| s::ga::count(co, N)),
                ga_size::stack(|co| s::ga::double(co, xs)),
                ga_size::stack(|co| s::ga::own_vec(co, N)),
            ],
        ),
        (
            "genawaiter rc (Gen + boxed future)",
            [
                ga_size::rc(|co| s::ga::count_rc(co, N)),
                ga_size::rc(|co| s::ga::double_rc(co, xs)),
                ga_size::rc(|co| s::ga::own_vec_rc(co, N)),
            ],
        ),
        ("next-gen (Pin<&mut> + GeneratorFn)", next_gen_sizes(xs)),
        (
            "async-stream",
            [
                size_of_val(&s::as_::count(N)).to_string(),
                size_of_val(&s::as_::double(xs)).to_string(),
                size_of_val(&s::as_::own_vec(N)).to_string(),
            ],
        ),
    ];
    for (name, [c, m, b]) in &sync_rows {
        println!("| {name} | {c} | {m} | {b} |");
    }

    println!("\n| column | async_count | suspend |");
    println!("|---|---|---|");
    let async_rows: Vec<(&str, [String; 2])> = vec![
        (
            "hand-written",
            [
                size_of_val(&a::hand::count(N)).to_string(),
                size_of_val(&a::hand::suspend(N)).to_string(),
            ],
        ),
        (
            "futures unfold",
            [
                size_of_val(&a::unfold::count(N)).to_string(),
                size_of_val(&a::unfold::suspend(N)).to_string(),
            ],
        ),
        (
            "cogen Stream",
            [
                size_of_val(&a::cogen_stream::count(N)).to_string(),
                size_of_val(&a::cogen_stream::suspend(N)).to_string(),
            ],
        ),
        (
            "async-stream",
            [
                size_of_val(&a::as_::count(N)).to_string(),
                size_of_val(&a::as_::suspend(N)).to_string(),
            ],
        ),
        (
            "genawaiter stack (&mut Gen + Shelf)",
            [
                ga_size::stack(|co| a::ga::count(co, N)),
                ga_size::stack(|co| a::ga::suspend(co, N)),
            ],
        ),
        (
            "genawaiter rc (Gen + boxed future)",
            [
                ga_size::rc(|co| a::ga::count_rc(co, N)),
                ga_size::rc(|co| a::ga::suspend_rc(co, N)),
            ],
        ),
        #[cfg(feature = "nightly")]
        (
            "futures-async-stream",
            [
                size_of_val(&fas::count(N)).to_string(),
                size_of_val(&fas::suspend(N)).to_string(),
            ],
        ),
    ];
    for (name, [c, s]) in &async_rows {
        println!("| {name} | {c} | {s} |");
    }
}
