//! The bench columns as a plain program, for instruction counts under
//! callgrind (repeatable where wall-clock time on a shared machine is not).
//!
//! ```text
//! cargo bench -p cogen-tests --bench callgrind --no-run      # prints the binary's path
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null BINARY nested count cogen-iterator 100
//! ```
//!
//! `BINARY MODE GROUP COLUMN REPS` drains REPS generators of that column, N
//! items each. Instructions per item are the difference between two runs
//! with different REPS divided by the difference in items, so start-up cost
//! cancels. MODE is how the drain is compiled:
//!
//! * `nested`: inlined into the REPS loop, the shape of criterion's
//!   `Bencher::iter` (what the `sync` and `async` benches time);
//! * `standalone`: a function of its own, called once per generator.
//!
//! The optimizer does not always treat the two alike, so both are reported.
//! Without arguments (as `cargo bench` runs it) it drains every column once
//! in both modes and checks that they agree.

#[path = "common/async_bodies.rs"]
mod async_bodies;
#[path = "common/sync_bodies.rs"]
mod sync_bodies;

use std::hint::black_box;
use std::pin::pin;

use async_bodies as a;
use sync_bodies as s;
use sync_bodies::N;

/// The drain inlined into the loop.
#[inline(never)]
fn nested<F: Fn() -> u64>(reps: u64, f: F) -> u64 {
    let mut total = 0u64;
    for _ in 0..reps {
        total = total.wrapping_add(black_box(f()));
    }
    total
}

/// The drain in a function of its own.
#[inline(never)]
fn standalone<F: Fn() -> u64>(reps: u64, f: F) -> u64 {
    #[inline(never)]
    fn call<F: Fn() -> u64>(f: &F) -> u64 {
        f()
    }
    let mut total = 0u64;
    for _ in 0..reps {
        total = total.wrapping_add(black_box(call(&f)));
    }
    total
}

/// `columns!(mode, group, column, reps; "group" "column" => drain, ...)`:
/// runs the named column, or with `None` every column once, checked.
macro_rules! columns {
    ($mode:expr, $selected:expr, $reps:expr; $( $group:literal $column:literal => $run:expr ),* $(,)?) => {{
        let mut known = Vec::new();
        $(
            known.push(concat!($group, " ", $column));
            // One closure per column, passed to both modes: each body is then
            // compiled into one drain, as in the criterion benches (with a
            // copy per mode, LLVM saw two call sites of a body's `poll` and
            // stopped inlining large ones, which the benches never see).
            let run = || $run;
            match $selected {
                Some((g, c)) if g == $group && c == $column => {
                    return match $mode {
                        "nested" => nested($reps, &run),
                        "standalone" => standalone($reps, &run),
                        other => panic!("MODE is `nested` or `standalone`, not `{other}`"),
                    };
                }
                Some(_) => {}
                None => {
                    let want: u64 = (0..N).sum();
                    assert_eq!(nested(1, &run), want, concat!($group, "/", $column));
                    assert_eq!(standalone(1, &run), want, concat!($group, "/", $column));
                }
            }
        )*
        if let Some((g, c)) = $selected {
            panic!("no column `{g} {c}`; there are:\n{}", known.join("\n"));
        }
        known.len() as u64
    }};
}

/// Runs one column REPS times (returns the sum), or checks them all (returns
/// how many there are).
fn run(mode: &str, selected: Option<(&str, &str)>, reps: u64) -> u64 {
    columns!(mode, selected, reps;
        "count" "hand-written" => s::sum_iter(s::hand::count(black_box(N))),
        "count" "cogen-iterator" => s::sum_iter(s::cogen_iter::count(black_box(N))),
        "count" "cogen-boxed-iterator" => s::sum_iter(s::cogen_boxed::count(black_box(N))),
        "count" "cogen-generator" => s::sum_cogen(pin!(s::cogen_gen::count(black_box(N)))),
        "count" "genawaiter-stack" => {
            let n = black_box(N);
            genawaiter::stack::let_gen_using!(g, |co| s::ga::count(co, n));
            s::sum_iter(g)
        },
        "count" "genawaiter-rc" => {
            let n = black_box(N);
            s::sum_iter(genawaiter::rc::Gen::new(|co| s::ga::count_rc(co, n)))
        },
        "count" "next-gen" => s::ng::sum_count(black_box(N)),
        "count" "async-stream" => s::sum_stream(pin!(s::as_::count(black_box(N)))),
        "count_other_crate" "hand-written" => {
            s::sum_iter(cogen_tests::other_crate::hand_count(black_box(N)))
        },
        "count_other_crate" "cogen-iterator" => {
            s::sum_iter(cogen_tests::other_crate::count(black_box(N)))
        },
        "self_borrow" "hand-written" => s::sum_iter(s::hand::own_vec(black_box(N))),
        "self_borrow" "cogen-iterator" => s::sum_iter(s::cogen_iter::own_vec(black_box(N))),
        "self_borrow" "cogen-boxed-iterator" => s::sum_iter(s::cogen_boxed::own_vec(black_box(N))),
        "self_borrow" "cogen-generator" => {
            s::sum_cogen(pin!(s::cogen_gen::own_vec(black_box(N))))
        },
        "async_count" "hand-written" => a::drain(a::hand::count(black_box(N))),
        "async_count" "futures-unfold" => a::drain(a::unfold::count(black_box(N))),
        "async_count" "cogen-stream" => a::drain(a::cogen_stream::count(black_box(N))),
        "async_count" "cogen-boxed-stream" => a::drain(a::cogen_boxed::count(black_box(N))),
        "async_count" "async-stream" => a::drain(a::as_::count(black_box(N))),
        "suspend" "hand-written" => a::drain(a::hand::suspend(black_box(N))),
        "suspend" "futures-unfold" => a::drain(a::unfold::suspend(black_box(N))),
        "suspend" "cogen-stream" => a::drain(a::cogen_stream::suspend(black_box(N))),
        "suspend" "cogen-boxed-stream" => a::drain(a::cogen_boxed::suspend(black_box(N))),
        "suspend" "async-stream" => a::drain(a::as_::suspend(black_box(N))),
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match &args[..] {
        [] => println!("callgrind: {} columns agree", run("", None, 1)),
        [mode, group, column, reps] => {
            let reps = reps.parse().expect("REPS is a number");
            black_box(run(mode, Some((group, column)), reps));
        }
        _ => panic!("usage: callgrind [MODE GROUP COLUMN REPS]"),
    }
}
