//! The procedural macros of [cogen](https://docs.rs/cogen): `#[generator]`
//! and `#[async_generator]`. Use them through the `cogen` crate, which
//! re-exports them with the runtime they expand to.
//!
//! The expansion is a one-way pipeline, one file a step:
//! `parse.rs` reads the attribute and the function into a typed model →
//! `analyse.rs` reads the body (finds yields, delegation, defers, misuse) →
//! `lower.rs` rewrites the body into an `async` block's code →
//! `emit.rs` puts the function back together around it.
//!
//! Generator blocks (`iter! { .. }` and its kin, `blocks.rs`) take the same
//! path: `blocks.rs` parses the block into the same model, with its types
//! left to inference, and `emit.rs` makes an expression of it.

mod analyse;
mod blocks;
mod emit;
#[cfg(test)]
mod fuzz;
mod lower;
mod parse;

use proc_macro::TokenStream;
use proc_macro2::{Ident, Span};

use crate::parse::Kind;

/// Turns a function into a synchronous generator: an `impl Iterator` or an
/// `impl Generator`. See the `cogen` crate for the full documentation.
///
/// The body yields with `yield_!`, delegates with `yield_from!` and cleans
/// up with `defer!`. `#[generator(try)]` on an `impl Iterator<Item =
/// Result<T, E>>` makes `yield_!(x)` yield `Ok(x)` and `?` end the iterator
/// with the error as its last item; `#[generator(crate = path)]` names the
/// runtime crate if you renamed it.
///
/// ```
/// use cogen::{generator, yield_, Generator, GeneratorState};
///
/// #[generator]
/// fn evens(limit: u32) -> impl Iterator<Item = u32> {
///     for i in (0..limit).step_by(2) {
///         yield_!(i);
///     }
/// }
/// assert_eq!(evens(7).collect::<Vec<_>>(), [0, 2, 4, 6]);
///
/// #[generator(try)]
/// fn numbers<'a>(words: &'a [&'a str]) -> impl Iterator<Item = Result<u8, std::num::ParseIntError>> + 'a {
///     for w in words {
///         yield_!(w.parse::<u8>()?);
///     }
/// }
/// let got: Vec<_> = numbers(&["1", "x", "3"]).collect();
/// assert_eq!(got.len(), 2);
/// assert!(got[1].is_err());
///
/// #[generator]
/// fn doubler() -> impl Generator<u32, Yield = u32, Return = &'static str> {
///     let mut x = yield_!(0);
///     while x != 0 {
///         x = yield_!(x * 2);
///     }
///     "stopped"
/// }
/// let mut g = std::pin::pin!(doubler());
/// assert_eq!(g.as_mut().resume(0), GeneratorState::Yielded(0));
/// assert_eq!(g.as_mut().resume(21), GeneratorState::Yielded(42));
/// assert_eq!(g.as_mut().resume(0), GeneratorState::Complete("stopped"));
/// ```
#[proc_macro_attribute]
pub fn generator(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Sync, attr.into(), item.into()).into()
}

/// Turns a function into an asynchronous generator: an `impl Stream` or an
/// `impl AsyncGenerator`. See the `cogen` crate for the full documentation.
///
/// Everything `#[generator]` allows, plus `.await` in the body and
/// `#[for_await] for x in stream { .. }` to consume another stream.
///
/// ```
/// use cogen::{async_generator, yield_, Stream};
/// use futures::StreamExt;
///
/// #[async_generator]
/// fn squares<S: Stream<Item = u32>>(input: S) -> impl Stream<Item = u32> {
///     #[for_await]
///     for x in input {
///         std::future::ready(()).await; // any future
///         yield_!(x * x);
///     }
/// }
///
/// let out: Vec<u32> = futures::executor::block_on(squares(futures::stream::iter(1..4)).collect());
/// assert_eq!(out, [1, 4, 9]);
/// ```
///
/// # `#[for_await]`
///
/// `#[for_await] for pat in stream { body }` consumes any `Stream` (it
/// need not be `Unpin`: the loop pins it in place) item by item, awaiting
/// each. The stream is dropped when the loop ends; `break` (with a label
/// too), `continue`, `?`, `yield_!` and `.await` work in the body as in any
/// loop. It is an attribute of the `#[async_generator]` body, not an item
/// of its own: it works directly in the body (not in a closure or `async`
/// block inside it, nor in a `#[generator]`, which cannot wait). If the
/// generator is closed while the loop waits for the next item, the wait is
/// given up and the pending `defer!` cleanup runs.
///
/// ```
/// use cogen::{async_generator, yield_, Stream};
/// use futures::StreamExt;
///
/// #[async_generator]
/// fn running_total<S: Stream<Item = u32>>(input: S) -> impl Stream<Item = u32> {
///     let mut total = 0;
///     #[for_await]
///     for x in input {
///         if x == 0 {
///             break;
///         }
///         total += x;
///         yield_!(total);
///     }
/// }
///
/// let input = futures::stream::iter([1, 2, 3, 0, 5]);
/// let out: Vec<u32> = futures::executor::block_on(running_total(input).collect());
/// assert_eq!(out, [1, 3, 6]);
/// ```
#[proc_macro_attribute]
pub fn async_generator(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Async, attr.into(), item.into()).into()
}

/// The generator blocks (`iter! { .. }` and its kin), called by the
/// runtime's `macro_rules!` wrappers of those names: `name ($crate) body`.
#[doc(hidden)]
#[proc_macro]
pub fn __block(input: TokenStream) -> TokenStream {
    match blocks::parse(input.into()) {
        Ok(gen) => generate(gen).into(),
        Err(err) => err.to_compile_error().into(),
    }
}

fn expand(
    kind: Kind,
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    match parse::parse(kind, attr, item) {
        Ok(gen) => generate(gen),
        Err(err) => err.to_compile_error(),
    }
}

/// Analyses, lowers and emits a parsed generator function or block.
fn generate(mut gen: parse::GenFn) -> proc_macro2::TokenStream {
    let kind = gen.kind;
    // A misuse in the body is reported, and the function is still emitted
    // (with the misplaced macros neutralised) so that its callers keep
    // type-checking and only the real error shows.
    let (facts, errors) = analyse::analyse(&gen);
    let co = Ident::new("__co", Span::mixed_site());
    let mut body = std::mem::replace(&mut gen.item.block, Box::new(syn::parse_quote!({})));
    strip_misplaced_for_await(kind, &mut body);
    let label = syn::Lifetime::new("'generator_body", Span::mixed_site());
    let ctx = lower::Ctx {
        gen: &gen,
        facts: &facts,
        co,
        label,
        label_used: Default::default(),
    };
    lower::lower(&ctx, &mut body);
    let lower::Ctx {
        co,
        label,
        label_used,
        ..
    } = ctx;
    let label = label_used.get().then_some(label);
    gen.item.block = body;
    let errors = errors.map(|e| e.to_compile_error()).unwrap_or_default();
    if gen.block.is_some() {
        // An expression: the errors go in as statements.
        let block = emit::emit_block(gen, &facts, co, label);
        return quote::quote!({ #errors #block });
    }
    let mut tokens = errors;
    tokens.extend(emit::emit(gen, &facts, co, label));
    tokens
}

/// Removes the `#[for_await]` attributes that cannot be lowered (in a sync
/// generator, or in a closure, `async` block or item nested in the body):
/// the analysis has reported them, and left in place they would only add
/// rustc's "attributes on expressions are experimental" and "cannot find
/// attribute `for_await`" to the real error.
fn strip_misplaced_for_await(kind: Kind, body: &mut syn::Block) {
    use syn::visit_mut::{self, VisitMut};
    struct Strip {
        kind: Kind,
        nested: bool,
    }
    impl Strip {
        fn nested(&mut self, f: impl FnOnce(&mut Self)) {
            let outer = std::mem::replace(&mut self.nested, true);
            f(self);
            self.nested = outer;
        }
    }
    impl VisitMut for Strip {
        fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
            match e {
                syn::Expr::Closure(_) | syn::Expr::Async(_) => {
                    self.nested(|v| visit_mut::visit_expr_mut(v, e))
                }
                syn::Expr::ForLoop(f) => {
                    if self.kind == Kind::Sync || self.nested {
                        f.attrs.retain(|a| !a.path().is_ident("for_await"));
                    }
                    visit_mut::visit_expr_for_loop_mut(self, f);
                }
                _ => visit_mut::visit_expr_mut(self, e),
            }
        }
        fn visit_item_mut(&mut self, i: &mut syn::Item) {
            self.nested(|v| visit_mut::visit_item_mut(v, i));
        }
    }
    Strip {
        kind,
        nested: false,
    }
    .visit_block_mut(body);
}
