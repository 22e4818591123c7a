//! Generator functions for stable Rust.
//!
//! `#[generator]` turns a function body into a resumable state machine that
//! yields values with [`yield_!`], delegates with [`yield_from!`] and cleans
//! up with [`defer!`]; `#[async_generator]` does the same for a body that also
//! `.await`s, producing a [`Stream`].
//!
//! ```
//! use cogen::{generator, yield_};
//!
//! #[generator]
//! fn fib() -> impl Iterator<Item = u64> {
//!     let (mut a, mut b) = (0, 1);
//!     loop {
//!         yield_!(a);
//!         (a, b) = (b, a + b);
//!     }
//! }
//!
//! assert_eq!(fib().take(6).collect::<Vec<_>>(), [0, 1, 1, 2, 3, 5]);
//!
//! // Signatures mean what they mean without the attribute: elided lifetimes work.
//! #[generator]
//! fn tokens(input: &str) -> impl Iterator<Item = &str> + '_ {
//!     for t in input.split_whitespace() {
//!         yield_!(t);
//!     }
//! }
//!
//! assert_eq!(tokens("let x = 1;").collect::<Vec<_>>(), ["let", "x", "=", "1;"]);
//! ```
//!
//! # The model
//!
//! * **Forms.** The return type says what you get: `impl Iterator<Item = Y>`
//!   and `impl Generator<R, Yield = Y, Return = T>` for `#[generator]`;
//!   `impl Stream<Item = Y>` and `impl AsyncGenerator<R, Yield = Y, Return = T>`
//!   for `#[async_generator]`. The signature means what it means without
//!   the attribute: lifetime elision applies, in every position
//!   (`fn items(&self) -> impl Iterator<Item = &T> + '_`, `Yield = &str`,
//!   `Return = &str`, a `&str` resume type), where it would without the
//!   attribute (a resume type `&[u8]` of a function with no reference
//!   among its arguments is E0106 either way: `fn parser<'a>() -> impl
//!   Generator<&'a [u8], ..>`). Extra bounds (`+ Send`, `+ 'a`,
//!   `+ use<..>`) are kept as written. `FusedIterator` / `FusedStream` may be named
//!   instead of `Iterator` / `Stream` or beside them (`impl Iterator<Item =
//!   Y> + FusedIterator`), and `impl Stream<Item = Y> +
//!   AsyncGenerator<Yield = Y, Return = ()>` is a stream that can also be
//!   [closed](AsyncGenerator::close). The macro adds a [`Delegable`] bound to
//!   the return type, which lets [`yield_from!`] resume the generator
//!   directly.
//! * **Lazy.** Calling a generator function runs nothing; the body starts on
//!   the first `next` / `resume` / `poll_next`.
//! * **Resume arguments.** `yield_!(v)` evaluates to the argument of the
//!   next `resume`. The first resume's argument is dropped: no `yield_!` has
//!   run yet to receive it (JavaScript's rule; Python insists on `None`).
//!   Prime a coroutine that needs input with a first `yield_!`.
//! * **Return values.** A `Generator` / `AsyncGenerator` body ends with its
//!   `Return` value (`return` and `?` work as in any function); an
//!   `Iterator` / `Stream` body ends with `()`.
//! * **Borrows across yields** of the body's own locals and arguments work:
//!   the body is compiled by rustc as an `async` block, a self-referential
//!   state machine.
//! * **Fused.** After completion, `next` returns `None` and `poll_next`
//!   `Ready(None)` forever; `resume` panics, as `core::ops::Coroutine`'s does,
//!   and the panic points at the line that called `resume` (or awaited it).
//! * **Panics** propagate to the caller of `next` / `resume` / `poll_next`;
//!   the generator is finished afterwards (`None` from then on), never
//!   resumed in a torn state. [`defer!`] blocks do not run on panic (the
//!   body's destructors do, as the panic unwinds). A panic in a
//!   [`yield_from!`] delegate, at any depth, unwinds through every
//!   generator of the chain as through nested calls: each is finished, its
//!   locals (pinned ones included) are dropped as the panic passes, and
//!   none of its `defer!` blocks runs. So does a panic in a `defer!` or a
//!   destructor while a chain is closed or dropped, for the generators not
//!   closed yet: every pinned value is dropped before its memory is freed.
//!   (A destructor that panics while a panic unwinds aborts, as in any
//!   Rust code.)
//! * **Send.** A generator is `Send` exactly when what it holds across
//!   `yield_!` (and `.await`) is; it is always `Sync`, since it has no `&self`
//!   methods that could observe its state.
//! * **Allocation.** The `impl Generator`, `impl AsyncGenerator` and
//!   `impl Stream` forms allocate nothing. The `impl Iterator` form boxes its
//!   state once, because `Iterator::next` takes `&mut self` and the state
//!   may borrow from itself: at creation, or, if the body uses `yield_from!`,
//!   on its first resume (as a delegate: when `yield_from!` takes it), so
//!   that a recursive generator's delegates can
//!   reuse the boxes of those that completed (the outermost generator keeps
//!   up to 64 of them). It needs the `alloc` feature (default).
//!
//! # Generator blocks
//!
//! A generator is often wanted right where it is used: an axum handler
//! building an SSE stream over its state, a `flat_map` step. The block
//! macros give each form as an expression, capturing their environment by
//! move (like `async move`), with the whole body language of a generator
//! function (`yield_!`, `yield_from!`, `defer!`, and `?`, `.await`,
//! `#[for_await]` where the form allows):
//!
//! | block | is | like |
//! |---|---|---|
//! | [`iter!`] | `impl Iterator` (boxed; needs `alloc`) | `#[generator] -> impl Iterator` |
//! | [`try_iter!`] | `impl Iterator<Item = Result<T, E>>` | `#[generator(try)]` |
//! | [`stream!`] | `impl Stream` (inline, `!Unpin`) | `#[async_generator] -> impl Stream` |
//! | [`try_stream!`] | `impl Stream<Item = Result<T, E>>` | `#[async_generator(try)]` |
//! | [`gen_block!`] | `impl Generator<R, Yield = Y, Return = T>` | `#[generator] -> impl Generator` |
//! | [`async_gen_block!`] | `impl AsyncGenerator<R, Yield = Y, Return = T>` | `#[async_generator] -> impl AsyncGenerator` |
//!
//! ```
//! use cogen::{generator, iter, yield_};
//!
//! #[generator]
//! fn pairs(n: u32) -> impl Iterator<Item = (u32, u32)> {
//!     for i in 0..n {
//!         // A block inside a generator is a generator of its own: these
//!         // `yield_!`s are the block's, the one after it the function's.
//!         let below = iter!({
//!             for j in 0..i {
//!                 yield_!(j);
//!             }
//!         });
//!         for j in below {
//!             yield_!((i, j));
//!         }
//!     }
//! }
//! assert_eq!(pairs(3).collect::<Vec<_>>(), [(1, 0), (2, 0), (2, 1)]);
//!
//! // Where it is used: a `flat_map` step, capturing `scale` by move.
//! let scale = 10;
//! let v: Vec<u32> = (1..3)
//!     .flat_map(|i| {
//!         iter!({
//!             yield_!(i);
//!             yield_!(i * scale);
//!         })
//!     })
//!     .collect();
//! assert_eq!(v, [1, 10, 2, 20]);
//! ```
//!
//! * **Spelling.** `iter! { .. }` and `iter!({ .. })` are the same; rustfmt
//!   formats the body of the second only, so prefer it.
//! * **Capture** is by move, as with `async move`: to borrow, capture a
//!   reference (`let r = &v; iter!({ for x in r { .. } })`).
//! * **In a library**, mark a function that returns a block `#[inline]`, as
//!   the attributes do for generator functions: the block's state machine
//!   lives in that function, and without the hint a caller in another crate
//!   drives it through an out-of-line call per item (a counting `iter!`:
//!   2.71x hand-written without it, 1.00x with it; the benchmark matrix,
//!   `tests/benches/matrix.sh`).
//! * **Nesting.** A `yield_!` belongs to the innermost generator, function
//!   or block, that contains it. A generator function (or block) leaves a
//!   block written in its body alone, recognising it by its name: `iter`,
//!   `stream`, `try_iter`, `try_stream`, `gen_block`, `async_gen_block`,
//!   with or without a path (`cogen::iter!`). A block macro imported under
//!   another name (`use cogen::iter as gen_iter;`) is not recognised inside
//!   a generator's body (the enclosing generator takes its `yield_!`s, and
//!   a compile error asks for the block's own name); outside one, any name
//!   works. Another crate's macro of one of these names (async-stream's
//!   `stream!`) is left alone too, so a cogen `yield_!` in it is an error.
//! * **Send.** A stream block is `Send` exactly when what it holds across
//!   `yield_!` and `.await` is: one that holds only `Send` data works with
//!   `tokio::spawn` and as an axum response body.
//! * **Types are inferred**, from the values yielded and from how the block
//!   is used. When they cannot be, rustc says "type annotations needed"
//!   (E0282 / E0283 / E0284) at the expression it could not type, or at the
//!   block when nothing constrains its items (a block that never yields).
//!   The fix is to name the type where the value is made or where the items
//!   are used:
//!
//! ```
//! use cogen::{gen_block, iter, yield_, Generator};
//!
//! let inputs = ["1", "2"];
//! // `yield_!(s.parse().unwrap())` alone: "cannot infer type of the type
//! // parameter `F` declared on the method `parse`". Name it:
//! let numbers = iter!({
//!     for s in inputs {
//!         yield_!(s.parse::<u32>().unwrap());
//!     }
//! });
//! // ... or say where the items go:
//! let none = iter!({
//!     if false {
//!         yield_!(Default::default());
//!     }
//! });
//! let v: Vec<u32> = none.collect();
//! assert!(v.is_empty());
//! assert_eq!(numbers.sum::<u32>(), 3);
//!
//! // A resume argument used before rustc has seen a `resume` call: name
//! // its type at the `yield_!`.
//! let mut g = std::pin::pin!(gen_block!({
//!     let line: &str = yield_!(0);
//!     line.len()
//! }));
//! g.as_mut().resume("");
//! assert_eq!(g.as_mut().resume("four"), cogen::GeneratorState::Complete(4));
//! ```
//!
//! # Delegation and recursion
//!
//! [`yield_from!`] yields every item of another generator, iterator or
//! stream and evaluates to its return value. A delegate that is itself a
//! cogen generator is resumed directly by the outermost generator's driver,
//! so a recursion of any depth costs O(1) per item and no native stack (a
//! chain 1,000,000 deep runs on a small thread stack). The `impl Iterator`
//! form recurses as is; in the inline forms (`impl Generator`,
//! `impl Stream`, `impl AsyncGenerator`), whose state cannot contain itself,
//! the macro boxes a direct recursive call (`yield_from!(walk(child))`,
//! recognised by the function's own name: `walk(..)`, `Self::walk(..)`, or
//! `x.walk(..)` in a method), as you would box a recursive `async fn`: its
//! arguments are evaluated in place, and the call is made when the
//! `yield_from!` links it, in a box from the outermost generator's free
//! list (every generator whose body delegates carries one, a word), which
//! it goes back to when the call completes, as in the `impl Iterator`
//! form. Mutual recursion needs a `Box::pin` of your own; without `alloc`,
//! a recursive call is a compile error that says so.
//!
//! # Cleanup and cancellation
//!
//! [`defer!`] registers cleanup for the rest of its block: it runs exactly
//! once when the block is left, whatever the way (its end, `return`, `?`,
//! `break` / `continue`, completion), and also when the generator is stopped
//! early: dropping a suspended generator, or calling
//! [`Generator::close`] / [`AsyncGenerator::close`], resumes it in a closing
//! mode where every yield point leaves its block instead of suspending, so
//! the pending cleanups run innermost first (active delegates before their
//! delegator), then the locals drop.
//!
//! ```
//! use cogen::{defer, generator, yield_};
//! use std::cell::RefCell;
//!
//! #[generator]
//! fn rows<'a>(log: &'a RefCell<Vec<&'static str>>) -> impl Iterator<Item = u32> + 'a {
//!     log.borrow_mut().push("open");
//!     defer! { log.borrow_mut().push("close"); }
//!     for i in 0.. {
//!         yield_!(i);
//!     }
//! }
//!
//! let log = RefCell::new(vec![]);
//! for r in rows(&log) {
//!     if r == 2 {
//!         break; // the generator is dropped here, suspended: "close" runs
//!     }
//! }
//! assert_eq!(*log.borrow(), ["open", "close"]);
//! ```
//!
//! In an `#[async_generator]` the cleanup may `.await`;
//! `close().await` runs it to completion. Drop cannot wait: when an async
//! generator is dropped, its cleanup runs until its first `.await` that is
//! not ready, and the rest is abandoned (its locals are dropped). Close
//! explicitly when the cleanup must finish.
//!
//! A dropped generator's cleanup runs inside `Drop`, wherever the value
//! happens to be dropped: possibly outside any executor (a stream dropped
//! after `block_on` returned, or by a runtime shutting down), where a call
//! that needs one panics (tokio: "there is no reactor running"). Keep
//! such calls out of `defer!` in code that may be dropped anywhere, or
//! end the generator with `close().await` inside the runtime:
//!
//! ```
//! use cogen::{async_generator, defer, yield_, AsyncGenerator, Stream};
//! use futures::StreamExt;
//!
//! #[async_generator]
//! fn feed() -> impl Stream<Item = u32> + AsyncGenerator<Yield = u32, Return = ()> {
//!     defer! {
//!         // e.g. `conn.shutdown().await`: needs the runtime that runs it
//!         std::future::ready(()).await;
//!     }
//!     for i in 0.. {
//!         yield_!(i);
//!     }
//! }
//!
//! futures::executor::block_on(async {
//!     let mut s = Box::pin(feed());
//!     assert_eq!(s.next().await, Some(0));
//!     s.as_mut().close().await; // the cleanup runs here, in this executor
//! });
//! ```
//!
//! # Driving a generator
//!
//! The generators keep their state inline and may borrow from it across a
//! yield, so they must not move once started: they are `!Unpin`, and the
//! methods that drive them take `Pin<&mut Self>`. Pin them first, on the
//! stack with [`core::pin::pin!`] or on the heap with `Box::pin`:
//!
//! * `impl Generator`: `let mut g = pin!(gen()); g.as_mut().resume(arg)`.
//! * `impl Stream` with `StreamExt::next` (which needs `Unpin`): `let mut s
//!   = pin!(stream()); s.next().await`. Without the pin, rustc reports that
//!   the stream "cannot be unpinned" and may suggest removing the `.await`;
//!   the fix is the `pin!`. Adapters that take the stream by value
//!   (`collect`, `map`, `for_each`) need no pin.
//! * `impl Iterator` is boxed and needs nothing: use it as any iterator.
//! * Without `alloc`, [`GeneratorIter`] turns a pinned `impl Generator<Yield
//!   = Y, Return = ()>` into an iterator for a `for` loop.
//!
//! `#[generator(boxed)]` and `#[async_generator(boxed)]` return a box of a
//! trait object instead, which is `Unpin` and has a name a struct field or
//! an associated type can use: `Box<dyn Iterator<Item = Y> + ..>` for the
//! Iterator form, `Pin<Box<dyn .. + ..>>` for the others, with the bounds
//! you wrote (`+ Send + 'a` gives futures' `BoxStream<'a, Y>`). Like every
//! `Box<dyn ..>`, it is `'static` unless its type says otherwise, so a
//! generator that borrows writes `+ '_`. It costs an allocation (two for
//! the Iterator form, whose state is boxed already) and a dynamic call per
//! item.
//!
//! ```
//! use cogen::{async_generator, generator, yield_, Stream};
//! use futures::{stream::BoxStream, StreamExt};
//!
//! struct Words<'a>(&'a str);
//!
//! impl<'a> IntoIterator for Words<'a> {
//!     type Item = &'a str;
//!     type IntoIter = Box<dyn Iterator<Item = &'a str> + 'a>;
//!     fn into_iter(self) -> Self::IntoIter {
//!         words(self.0)
//!     }
//! }
//!
//! #[generator(boxed)]
//! fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
//!     for w in text.split_whitespace() {
//!         yield_!(w);
//!     }
//! }
//!
//! #[async_generator(boxed)]
//! fn ticks(n: u32) -> impl Stream<Item = u32> + Send {
//!     for i in 0..n {
//!         yield_!(i);
//!     }
//! }
//!
//! assert_eq!(Words("a b").into_iter().count(), 2);
//! let mut events: BoxStream<'static, u32> = ticks(2);
//! futures::executor::block_on(async {
//!     assert_eq!(events.next().await, Some(0)); // no `pin!`: the box is `Unpin`
//! });
//! ```
//!
//! The first `resume`'s argument reaches no `yield_!` (none has run yet):
//! it is dropped. A resume-fed generator (a parser fed frames by its
//! caller) therefore starts with a priming `yield_!` whose resume argument
//! is the first real input, and its caller's first `resume` passes a
//! placeholder:
//!
//! ```
//! use cogen::{generator, yield_, Generator, GeneratorState};
//! use core::pin::pin;
//!
//! /// Sums the frames sent in until an empty one; yields the running total.
//! #[generator]
//! fn frames() -> impl Generator<Vec<u8>, Yield = usize, Return = usize> {
//!     let mut frame = yield_!(0); // priming: receives the first real frame
//!     let mut total = 0;
//!     while !frame.is_empty() {
//!         total += frame.len();
//!         frame = yield_!(total);
//!     }
//!     total
//! }
//!
//! let mut p = pin!(frames());
//! assert_eq!(p.as_mut().resume(vec![]), GeneratorState::Yielded(0)); // placeholder, dropped
//! assert_eq!(p.as_mut().resume(vec![1, 2]), GeneratorState::Yielded(2));
//! assert_eq!(p.as_mut().resume(vec![3]), GeneratorState::Yielded(3));
//! assert_eq!(p.as_mut().resume(vec![]), GeneratorState::Complete(3));
//! ```
//!
//! # Coming from elsewhere
//!
//! | you wrote | in cogen |
//! |---|---|
//! | async-stream: `stream! { yield x; }` | `stream!({ yield_!(x); })`, or `#[async_generator] fn s() -> impl Stream<Item = T> { yield_!(x); }` |
//! | async-stream: `try_stream! { ..? }` | `try_stream!({ ..? })`, or `#[async_generator(try)]` |
//! | async-stream: `for await x in s` | `#[for_await] for x in s` |
//! | genawaiter: `Gen::new(\|co\| async move { co.yield_(x).await; })` | `#[generator] fn g() -> impl Generator<..> { yield_!(x); }` |
//! | genawaiter: `gen.resume_with(v)` | `g.as_mut().resume(v)` |
//! | Python: `x = yield v`, `gen.send(x)` | `let x = yield_!(v);`, `g.as_mut().resume(x)` |
//! | Python: `r = yield from sub()` | `let r = yield_from!(sub());` |
//! | Python: `try: .. finally: ..`, `gen.close()` | `defer! { .. }`, `g.as_mut().close()` |
//! | Python: `async for` / `aclose()` | `#[for_await] for`, `close().await` |
//! | JavaScript: `function*`, `yield* inner()` | `#[generator]`, `yield_from!(inner())` |
//! | JavaScript: `gen.return()` runs `finally` | dropping or closing runs `defer!` |
//! | C#: `yield return x` / `finally` on `Dispose` | `yield_!(x)` / `defer!` on drop |
//!
//! # What the macro expands to
//!
//! Four generators and what the macro makes of them. Each pair below is
//! printed by the macro itself, in a test of `cogen-macros`
//! (`macros/src/expansion.rs`) that fails when the macro's output differs
//! from it, and both halves run here as doc tests (hidden lines import and
//! check): the pages cannot drift from the macro. Printed, the names the
//! macro makes (`__co`, `__cogen_*`, `'generator_body`) look plain; in the
//! real expansion they are hygienic, so the user's names neither see nor
//! shadow them, and every path is absolute (`::cogen::..`, or the
//! `crate = path` given to the attribute).
//!
//! ## A generator function
#![doc = include_str!("../doc/expansion/count.md")]
//! - `#[inline]`, unless the function has an `inline` attribute of its
//!   own: without it rustc compiles the state machine only in the defining
//!   crate, and a caller elsewhere pays an out-of-line call per item (19
//!   instructions per item against 5, the `count_other_crate` callgrind
//!   column).
//! - `+ Delegable<u64>`: a `yield_from!` of this generator in another one
//!   can then resume it directly from the outermost driver.
//! - The body is an `async move` block in a closure given the `Co` handle,
//!   passed through `__private::body`, whose turbofish names the yield and
//!   resume types where an elided lifetime (`&str`) is inferred to be the
//!   signature's. Written as the closure's parameter type it would be a
//!   fresh higher-ranked lifetime, and a body yielding borrowed data would
//!   not compile (E0521).
//! - The never-taken `if false { .. return .. }` fixes the body's output
//!   type before rustc reads the body: a `return` of the wrong type is then
//!   a plain mismatch at the user's expression.
//! - `let _ = &n;` moves each argument in whole, as `async fn` does; the
//!   closure would otherwise capture only the fields it uses and drop the
//!   rest (an unused guard, at once) when the function returns.
//! - Each `yield_!` is two `.await`s: `put` hands the value to the driver
//!   (the runtime's `Machine`) through the polling `Context`'s waker;
//!   `suspend` stays pending until the next resume, and evaluates to its
//!   argument. `yield_!(@__cogen_used)` expands to nothing: it makes the
//!   user's `use cogen::yield_` count as used.
//! - `boxed` keeps the `impl Iterator` form's state on the heap;
//!   `Delegates::<D>` (the body delegates) and `Cleanup::<C>` (it has
//!   cleanup that closing must run) compile out of the driver what the body
//!   does not need. It is
//!   `unsafe` because the `Co`'s futures may be awaited only directly in the
//!   body, which the lowering guarantees; the closure is bound outside the
//!   `unsafe` block, so the user's code is not in an unsafe context.
//!
//! ## `defer!` and `yield_from!`
#![doc = include_str!("../doc/expansion/defer.md")]
//! - The code after a `defer!` runs in a labelled block that every exit
//!   (its end, `return`, `?`, `break`, a yield that is closed) leaves with
//!   an `Exit` value; the cleanup runs, then the exit is replayed. When the
//!   generator is closed, `suspend_or_close` gives `None`: the yield leaves
//!   with `Exit::Close`, and after the cleanup the body parks, done.
//! - `yield_from!` chooses at compile time how to drive its argument (a
//!   cogen generator directly, another generator through its trait, a
//!   stream in an async generator, else an iterator) by autoref over `Wrap`
//!   (the `&&&&&&` and the `Via*` traits);
//!   `Co::yield_from` suspends until the delegate completes and evaluates
//!   to its return value.
//! - A body that delegates is `lazy_boxed`: boxed on its first resume, or
//!   when it is linked as a delegate, so that recursion reuses its blocks.
//!
//! ## A yield inside another macro's arguments
#![doc = include_str!("../doc/expansion/shield.md")]
//! The `Co`'s futures must be polled by their own generator and no other:
//! the driver finds the frame a value goes to through the waker. Given
//! `yield_!(1)`, `vec!` would receive the code that uses `__co`, and a
//! macro could move it into an `async` block that a different generator
//! polls. So the other macro gets only the call of a hidden `macro_rules!`
//! defined before the statement, whose body it never sees; that body
//! carries a never-taken `break 'generator_body`, and a label cannot be
//! reached from a closure, an `async` block or a fn, so wherever a macro
//! moves the call, it fails to compile there (E0767 / E0434). An attribute
//! macro written below `#[generator]` is moved above it, so that it too
//! sees the body as written, never the expansion.
//!
//! ## A generator block
#![doc = include_str!("../doc/expansion/block.md")]
//! The same closure and helper, with `_` for the types, in a call of an
//! identity function of the block's form (`__private::iter`) whose opaque
//! return type names only the form's traits, as a generator function's
//! `impl Trait` does.
//!
//! # How the runtime is laid out
//!
//! For contributors: the files of `runtime/src`, lowest first. Each one
//! imports (and adds methods to types) only from the files listed before
//! it, so each can be read knowing only those. The measurements behind
//! their hot paths are in runtime/DESIGN.md.
//!
//! - `pool.rs`: the free list of heap blocks that a root lends its boxed
//!   delegates. Needs nothing.
//! - `chain.rs`: the delegate chain as data: `Link` (a delegate and its
//!   type-erased resume function), the root's `Head` (its phase and its
//!   innermost link in one word), `Mode` and `Raw` (what a resume is asked
//!   and what it reports), `Source` (what `yield_from!` can link), and
//!   pushing, popping and splicing links. Links are type-erased, so it
//!   knows no machine.
//! - `frame.rs`: one resume's exchange area (`Slot`, `Frame`) and the waker
//!   that carries it to the body. A slot can hand over a chain: after
//!   `chain.rs`.
//! - `co.rs`: the body's side of that exchange: `Co` and every future the
//!   lowered body awaits (`Put`, `Suspend`, `SuspendOrClose`,
//!   `UntilClosed`, `Park`, `YieldFrom`).
//! - `machine.rs`: `Machine`, the driver's side: the body's future and
//!   phase, `step`, `poll_close`, and closing and unwinding a chain. It
//!   resumes links through `chain.rs` only, never knowing what drives them.
//!   Also `Root`, how a delegating root resumes its own body: `Plain`, or
//!   `Recursive` (a body that delegates to a call of itself, resumed
//!   through its delegates' resume function, `step_linked`).
//! - `boxed.rs`: `Boxed` and `LazyBoxed`, the heap forms behind `impl
//!   Iterator`, and their blocks (`alloc` only).
//! - `generator.rs`: the public `Generator` trait, with its impl for
//!   `Machine` and the `Iterator` impls of the boxed forms; `LastItem`.
//! - `async_generator.rs`: the public `AsyncGenerator` trait, with its and
//!   `Stream`'s impls for `Machine`.
//! - `iter.rs`: `GeneratorIter`.
//! - `delegate.rs`: driving a chain: the resume functions behind the links
//!   (`drive`), `Delegable` and `AsyncDelegable`, the adapters for
//!   iterators, streams and foreign generators, and the `impl Iterator`
//!   form's `Iterator` impl for `LazyBoxed`, which names `resume_lazy` for
//!   a `Recursive` root. Above the public traits,
//!   because those adapters drive any generator through them; the traits'
//!   impls for cogen's own types sit with the traits, below.
//! - `pooled.rs`: the inline forms' free list: `Pooled` (a delegating
//!   root and its pool, with the public traits' impls), `Recurse` (a
//!   direct recursive call, built in a block from that pool when linked).
//!   Above `delegate.rs`, whose traits and `resume_machine` it uses.
//! - `pick.rs`: how `yield_from!` picks an adapter for its argument at
//!   compile time (`Wrap`, the `Via*` traits), and `YieldFromArgument`,
//!   its error when there is none.
//! - `private.rs`: `__private`, every path the generated code names: the
//!   constructors the expansion calls, the generator blocks' wrappers, `?`
//!   support for `try` bodies, and the stand-ins that turn a missing `alloc`
//!   feature into one plain error.
//! - `lib.rs`: the public paths and the macros.
#![no_std]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

// Layered: each file imports only from the files listed before it in "How
// the runtime is laid out", in the crate docs above.
mod async_generator;
#[cfg(feature = "alloc")]
mod boxed;
mod chain;
mod co;
mod delegate;
mod frame;
mod generator;
mod iter;
mod machine;
mod pick;
mod pool;
mod pooled;

pub use async_generator::{AsyncGenerator, Close, Resume};
pub use cogen_macros::{async_generator, generator};
pub use delegate::{AsyncDelegable, Delegable};
pub use futures_core::{FusedStream, Stream};
pub use generator::{Generator, GeneratorState};
pub use iter::GeneratorIter;
pub use pick::YieldFromArgument;

/// Suspends the generator, handing a value out; evaluates to the next resume
/// argument (`()` for `Iterator` and `Stream` forms).
///
/// Only meaningful directly inside a `#[generator]` or `#[async_generator]`
/// body, or a generator block's ([`iter!`] and its kin; also inside other
/// macros' arguments there); anywhere else it is a compile error. It
/// belongs to the innermost generator, function or block, around it.
///
/// The attribute rewrites the `yield_!`s it can see in the body's tokens,
/// including inside other macros' arguments. A `yield_!` written in the
/// *definition* of a `macro_rules!` (defined outside the generator, or as
/// an item inside it) is not in those tokens: it expands later, where no
/// generator takes it, and is this compile error. Write the yield at the
/// call site instead (`yield_!(frame!(x))`, or a helper macro that expands
/// to the value), so the generator sees it.
///
/// ```
/// use cogen::{generator, yield_};
///
/// #[generator]
/// fn twice(x: u32) -> impl Iterator<Item = u32> {
///     yield_!(x);
///     yield_!(x);
/// }
/// assert_eq!(twice(7).collect::<Vec<_>>(), [7, 7]);
/// ```
#[macro_export]
macro_rules! yield_ {
    // Emitted by the attribute beside each rewritten call, so that the
    // user's `use cogen::yield_` counts as used. Expands to nothing.
    (@__cogen_used) => {};
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`yield_!` can only be used inside the body of a `#[generator]` or `#[async_generator]` function, or of a generator block (`iter!`, `stream!`, ..)"
        }
    };
}

/// Registers cleanup for the rest of the enclosing block of a generator body.
///
/// The cleanup runs exactly once when the block is left, however it is left:
/// falling off its end, `return`, `?`, `break` / `continue`, completion,
/// the generator being dropped while suspended, or
/// [`Generator::close`] / [`AsyncGenerator::close`]. Several run last
/// registered first. It is not a closure: it may use the block's locals
/// freely, and in an `#[async_generator]` it may `.await`.
///
/// ```
/// use cogen::{defer, generator, yield_};
/// use std::cell::RefCell;
///
/// #[generator]
/// fn lines<'a>(log: &'a RefCell<Vec<String>>) -> impl Iterator<Item = u32> + 'a {
///     let conn = "db";
///     log.borrow_mut().push(format!("open {conn}"));
///     defer! { log.borrow_mut().push(format!("close {conn}")); }
///     for i in 0.. {
///         yield_!(i);
///     }
/// }
///
/// let log = RefCell::new(Vec::new());
/// let first: Vec<_> = lines(&log).take(2).collect(); // dropped after 2 items
/// assert_eq!(first, [0, 1]);
/// assert_eq!(*log.borrow(), ["open db", "close db"]);
/// ```
///
/// Because the cleanup runs after the rest of the block, the code after the
/// `defer!` cannot move out a local the cleanup still uses (E0382 at the
/// cleanup): clone it, or move it after the block.
///
/// It does **not** run when the body panics (as a `finally` would not run
/// on `abort`), nor when a panic in a [`yield_from!`] delegate unwinds
/// through the generator: use a `Drop` guard for cleanup that must survive
/// a panic.
/// It cannot contain `yield_!`, `return`, `?`, or a `break` / `continue`
/// that leaves it.
///
/// **Cost.** A generator with a `defer!` is closed by resuming it (the
/// cleanup is the body's own code), so its body has two callers, the
/// resume and the close, and in a build with `codegen-units = 1` LLVM no
/// longer inlines a large body into the loop that drains it: a generator
/// over its own `Vec` took 58 instructions per item with a `defer!`
/// against 12 without (8 hand-written; 25 against 14 in cargo's default
/// `release`; the `cleanup` workload of `tests/benches/matrix.sh`). A
/// cleanup that needs none of the body's locals costs nothing as a `Drop`
/// guard, a local of the body dropped with it (and, unlike `defer!`, also
/// run on panic):
///
/// ```
/// use cogen::{generator, yield_};
///
/// struct Closed;
/// impl Drop for Closed {
///     fn drop(&mut self) {
///         println!("closed");
///     }
/// }
///
/// #[generator]
/// fn items(n: u64) -> impl Iterator<Item = u64> {
///     let _closed = Closed; // dropped however the generator ends
///     let v: Vec<u64> = (0..n).collect();
///     for x in v.iter().copied() {
///         yield_!(x);
///     }
/// }
///
/// assert_eq!(items(5).take(2).sum::<u64>(), 1);
/// ```
///
/// rustfmt leaves the body of `defer! { .. }` as written (it does not
/// format macro calls in braces); `defer!({ .. })` means the same and has
/// its body formatted.
#[macro_export]
macro_rules! defer {
    (@__cogen_used) => {};
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`defer!` can only be used inside the body of a `#[generator]` or `#[async_generator]` function, or of a generator block (`iter!`, `stream!`, ..)"
        }
    };
}

/// Yields every item of another generator, iterator or stream, and
/// evaluates to its return value (yield-each, Python's `yield from`,
/// JavaScript's `yield*`).
///
/// * A cogen generator (either kind; a direct recursive call in the inline
///   forms is boxed by the macro) is resumed directly by the
///   outermost generator's driver: resume arguments pass through to it,
///   its return value is the value of `yield_from!`, and a recursion of any
///   depth costs O(1) per item and no native stack.
/// * Any other [`Generator`] (and, in an `#[async_generator]`, any other
///   [`AsyncGenerator`]): a hand-written one, or one behind the opaque
///   `impl Generator<..>` of a trait method. It is pinned in place and
///   driven through its trait: resume arguments pass through (its first
///   resume gets `R::default()`: the argument that resumed the delegating
///   body went to that body), its return value is the value of
///   `yield_from!`, and closing or dropping the delegating generator calls
///   its `close` / `poll_close`, then drops it. It is resumed level by
///   level, not directly.
/// * Any other `IntoIterator` (and, in an `#[async_generator]`, any
///   `Stream`) is drained; `yield_from!` then evaluates to `()`. A
///   generator with a resume type may drain one too: an iterator takes no
///   resume arguments, so those received while it is drained (including
///   the one of the resume that finds it exhausted) are dropped, as in
///   JavaScript's `yield*` over an array.
///
/// ```
/// use cogen::{generator, yield_, yield_from};
///
/// struct Tree { value: u32, children: Vec<Tree> }
///
/// #[generator]
/// fn walk(t: &Tree) -> impl Iterator<Item = u32> + '_ {
///     yield_!(t.value);
///     for c in &t.children {
///         yield_from!(walk(c)); // recursive, linear time at any depth
///     }
///     yield_from!([100, 200]); // any IntoIterator
/// }
///
/// let t = Tree { value: 1, children: vec![Tree { value: 2, children: vec![] }] };
/// assert_eq!(walk(&t).collect::<Vec<_>>(), [1, 2, 100, 200, 100, 200]);
/// ```
#[macro_export]
macro_rules! yield_from {
    (@__cogen_used) => {};
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`yield_from!` can only be used inside the body of a `#[generator]` or `#[async_generator]` function, or of a generator block (`iter!`, `stream!`, ..)"
        }
    };
}

/// A generator block whose items form an [`Iterator`]: the body of a
/// `#[generator] fn .. -> impl Iterator<Item = _>`, written where it is used.
///
/// The block captures its environment by move, as `async move` does, and
/// its body may use everything a generator function's body may:
/// [`yield_!`], [`yield_from!`], [`defer!`]. Like the `impl Iterator` form,
/// it boxes its state (it needs the `alloc` feature).
///
/// ```
/// use cogen::{iter, yield_};
///
/// let text = String::from("a bb ccc");
/// let lens = iter!({
///     for w in text.split(' ') {
///         yield_!(w.len());
///     }
/// });
/// assert_eq!(lens.collect::<Vec<_>>(), [1, 2, 3]);
/// ```
///
/// Both spellings, `iter! { .. }` and `iter!({ .. })`, are accepted;
/// rustfmt formats the body of the second. See the crate docs on
/// [generator blocks](crate#generator-blocks) for nesting, inference, and
/// the other block forms.
#[cfg(feature = "alloc")]
#[macro_export]
macro_rules! iter {
    ($($body:tt)*) => {
        $crate::__private::block! { iter ($crate) $($body)* }
    };
}

/// A generator block whose items form a [`Stream`]: the body of an
/// `#[async_generator] fn .. -> impl Stream<Item = _>`, written where it is
/// used. `.await` and `#[for_await]` work in it.
///
/// The block captures its environment by move, as `async move` does; the
/// stream is `Send` exactly when what it holds across `yield_!` and
/// `.await` is, and is `!Unpin` (pin it before `StreamExt::next`).
///
/// ```
/// use cogen::{stream, yield_};
/// use futures::StreamExt;
///
/// let names = vec!["ann", "bo"];
/// let greetings = stream!({
///     for n in names {
///         std::future::ready(()).await; // any future
///         yield_!(format!("hello {n}"));
///     }
/// });
/// let got: Vec<String> = futures::executor::block_on(greetings.collect());
/// assert_eq!(got, ["hello ann", "hello bo"]);
/// ```
#[macro_export]
macro_rules! stream {
    ($($body:tt)*) => {
        $crate::__private::block! { stream ($crate) $($body)* }
    };
}

/// A fallible [`iter!`]: its items are `Result<T, E>`, `yield_!(x)` yields
/// `Ok(x)`, and `?` ends the iterator with the error as its last item (the
/// block form of `#[generator(try)]`).
///
/// ```
/// use cogen::{try_iter, yield_};
///
/// let inputs = ["1", "2", "x", "4"];
/// let numbers = try_iter!({
///     for s in inputs {
///         yield_!(s.parse::<u32>()?);
///     }
/// });
/// let got: Vec<Result<u32, std::num::ParseIntError>> = numbers.collect();
/// assert_eq!(got[..2], [Ok(1), Ok(2)]);
/// assert!(got[2].is_err());
/// assert_eq!(got.len(), 3);
/// ```
///
/// The error type is the items', inferred from how they are used (above,
/// the `Vec`'s type); `?` converts to it with `From`, as in a function.
/// Where nothing names it, rustc asks for "type annotations": name it where
/// an item is used (`let r: Result<u32, ParseIntError> = r;`).
#[cfg(feature = "alloc")]
#[macro_export]
macro_rules! try_iter {
    ($($body:tt)*) => {
        $crate::__private::block! { try_iter ($crate) $($body)* }
    };
}

/// A fallible [`stream!`]: its items are `Result<T, E>`, `yield_!(x)`
/// yields `Ok(x)`, and `?` ends the stream with the error as its last item
/// (the block form of `#[async_generator(try)]`).
///
/// ```
/// use cogen::{try_stream, yield_};
/// use futures::StreamExt;
///
/// async fn fetch(page: u32) -> Result<Vec<u32>, String> {
///     if page < 2 { Ok(vec![page * 10, page * 10 + 1]) } else { Err(format!("page {page}")) }
/// }
///
/// let rows = try_stream!({
///     for page in 0.. {
///         for row in fetch(page).await? {
///             yield_!(row);
///         }
///     }
/// });
/// let got: Vec<Result<u32, String>> = futures::executor::block_on(rows.collect());
/// assert_eq!(got, [Ok(0), Ok(1), Ok(10), Ok(11), Err("page 2".into())]);
/// ```
#[macro_export]
macro_rules! try_stream {
    ($($body:tt)*) => {
        $crate::__private::block! { try_stream ($crate) $($body)* }
    };
}

/// A generator block with resume arguments and a return value: the body of
/// a `#[generator] fn .. -> impl Generator<_, Yield = _, Return = _>`,
/// written where it is used. Its state is kept inline (pin it to resume).
///
/// The resume type is inferred from how the generator is resumed; where
/// the body calls a method on a resume argument before rustc has seen a
/// `resume`, name the type: `let line: &str = yield_!(..);`.
///
/// ```
/// use cogen::{gen_block, yield_, Generator, GeneratorState};
///
/// let scale = 3;
/// let mut g = std::pin::pin!(gen_block!({
///     let mut total = 0;
///     let mut x: u32 = yield_!(0);
///     while x != 0 {
///         total += x * scale;
///         x = yield_!(total);
///     }
///     total
/// }));
/// assert_eq!(g.as_mut().resume(0), GeneratorState::Yielded(0));
/// assert_eq!(g.as_mut().resume(2), GeneratorState::Yielded(6));
/// assert_eq!(g.as_mut().resume(0), GeneratorState::Complete(6));
/// ```
#[macro_export]
macro_rules! gen_block {
    ($($body:tt)*) => {
        $crate::__private::block! { gen_block ($crate) $($body)* }
    };
}

/// The async [`gen_block!`]: resume arguments, a return value, and `.await`
/// in the body; an [`AsyncGenerator`].
///
/// ```
/// use cogen::{async_gen_block, yield_, AsyncGenerator, GeneratorState};
///
/// futures::executor::block_on(async {
///     let mut g = std::pin::pin!(async_gen_block!({
///         let mut seen = Vec::new();
///         let mut line: String = yield_!(());
///         while !line.is_empty() {
///             std::future::ready(()).await;
///             seen.push(line);
///             line = yield_!(());
///         }
///         seen
///     }));
///     assert_eq!(g.as_mut().resume(String::new()).await, GeneratorState::Yielded(()));
///     assert_eq!(g.as_mut().resume("a".into()).await, GeneratorState::Yielded(()));
///     assert_eq!(g.as_mut().resume(String::new()).await, GeneratorState::Complete(vec!["a".to_string()]));
/// });
/// ```
#[macro_export]
macro_rules! async_gen_block {
    ($($body:tt)*) => {
        $crate::__private::block! { async_gen_block ($crate) $($body)* }
    };
}

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
