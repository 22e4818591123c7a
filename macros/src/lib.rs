//! The procedural macros of [cogen](https://docs.rs/cogen): `#[generator]`
//! and `#[async_generator]`. Use them through the `cogen` crate, which
//! re-exports them with the runtime they expand to.
//!
//! The expansion is a one-way pipeline, one file a step:
//! `parse.rs` reads the attribute and the function into a typed model →
//! `analyse.rs` reads the body (finds yields, delegation, defers, misuse)
//! and decides the expansion once, in a `plan.rs` `Plan` →
//! `lower.rs` rewrites the body into an `async` block's code →
//! `emit.rs` puts the function back together around it. Every user-facing
//! error comes from the first two; the last two read the plan and cannot
//! fail.
//!
//! Generator blocks (`iter! { .. }` and its kin, `blocks.rs`) take the same
//! path: `blocks.rs` parses the block into the same model, with its types
//! left to inference, and `emit.rs` makes an expression of it.

mod analyse;
mod blocks;
mod emit;
#[cfg(test)]
mod expansion;
#[cfg(test)]
mod fuzz;
mod lower;
mod parse;
mod plan;

use proc_macro::TokenStream;
use proc_macro2::{Ident, Span};

use crate::parse::Kind;

/// Turns a function into a synchronous generator: an `impl Iterator` or an
/// `impl Generator`. See the `cogen` crate for the full documentation.
///
/// The body yields with `yield_!`, delegates with `yield_from!` and cleans
/// up with `defer!`. `#[generator(try)]` on an `impl Iterator<Item =
/// Result<T, E>>` makes `yield_!(x)` yield `Ok(x)` and `?` end the iterator
/// with the error as its last item; `#[generator(boxed)]` returns it as a
/// `Box<dyn Iterator<..>>` (`Pin<Box<dyn Generator<..>>>`), a type you can
/// name; `#[generator(crate = path)]` names the runtime crate if you renamed
/// it.
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
/// `#[async_generator(boxed)]` returns a `Pin<Box<dyn Stream<..> + ..>>`
/// (futures' `BoxStream` when `+ Send`), which is `Unpin` and nameable.
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
    let (attr, reordered) = strip_reordered_marker(attr);
    // Read once: `expand_last` and `parse` both take the parsed function.
    let func = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(func) => func,
        // Input that is not a function at all: rustc parses an item before
        // it calls the attribute, so a body syn cannot read only comes from
        // an editor (rust-analyzer sends half-typed code, `let z = ;`).
        // The item goes out beside the error (the arguments' error first,
        // if they have one), as written, so that the editor still sees the
        // body for completion and hover.
        Err(_) => {
            let err = match parse::parse_args(attr) {
                Err(err) => err,
                Ok(_) => parse::not_a_function(kind, item.clone()),
            };
            let mut tokens = err.to_compile_error();
            tokens.extend(item);
            return tokens;
        }
    };
    match expand_last(kind, &attr, &func, reordered) {
        Ok(None) => {}
        Ok(Some(tokens)) => return tokens,
        Err(err) => return refused(err, item),
    }
    match parse::parse(kind, attr, func) {
        Ok(gen) => generate(gen),
        Err(err) => refused(err, item),
    }
}

/// An item refused outright: the error alone, the function dropped (rustc
/// then reports no error at its callers), and cogen's macros that its body
/// invoked marked used, so that their imports do not add a warning.
fn refused(err: syn::Error, item: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut tokens = err.to_compile_error();
    for path in analyse::invoked_paths(item) {
        tokens.extend(quote::quote!(#path!(@__cogen_used);));
    }
    tokens
}

/// Analyses, lowers and emits a parsed generator function or block.
fn generate(mut gen: parse::GenFn) -> proc_macro2::TokenStream {
    // A misuse in the body is reported, and the function is still emitted
    // (with the misplaced macros neutralised) so that its callers keep
    // type-checking and only the real error shows.
    let mut body = std::mem::replace(&mut gen.item.block, Box::new(syn::parse_quote!({})));
    let (plan, errors) = analyse::analyse(&gen, &mut body);
    let co = Ident::new("__co", Span::mixed_site());
    let label = syn::Lifetime::new("'generator_body", Span::mixed_site());
    let ctx = lower::Ctx {
        gen: &gen,
        plan: &plan,
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
    if let plan::Site::Block { wrapper } = plan.site {
        // An expression: the errors go in as statements.
        let block = emit::emit_block(gen, &plan, wrapper, co, label);
        return quote::quote!({ #errors #block });
    }
    let mut tokens = errors;
    tokens.extend(emit::emit(gen, &plan, co, label));
    tokens
}

/// Marks an attribute that `expand_last` has re-emitted: `@reordered`
/// before the user's own arguments.
const REORDERED: &str = "reordered";

fn strip_reordered_marker(attr: proc_macro2::TokenStream) -> (proc_macro2::TokenStream, bool) {
    use proc_macro2::TokenTree;
    let mut tts = attr.clone().into_iter();
    match (tts.next(), tts.next()) {
        (Some(TokenTree::Punct(at)), Some(TokenTree::Ident(name)))
            if at.as_char() == '@' && name == REORDERED =>
        {
            let mut rest = tts.peekable();
            if matches!(rest.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
                rest.next();
            }
            (rest.collect(), true)
        }
        _ => (attr, false),
    }
}

/// An attribute macro written below `#[generator]` would receive cogen's
/// expansion, and could move the code that uses the generator's handle
/// anywhere (into an `async` block another generator polls: undefined
/// behaviour in the runtime). So cogen expands last: if the function carries
/// any attribute that may be a macro, the function is emitted again, those
/// attributes first, then this attribute (marked `@reordered`), over the
/// body as the user wrote it; every such macro then sees that body, and
/// cogen lowers whatever they make of it.
///
/// Only rustc's inert built-in attributes and the `rustfmt::`, `clippy::`
/// and `diagnostic::` tool attributes stay where they are. rustc expands
/// `cfg_attr` before it calls an attribute macro (seen with rustc 1.95: a
/// `#[cfg_attr(all(), m)]` below arrives as `#[m]`), so what it expands to
/// is judged like any other attribute; were one to arrive, it would be
/// moved up (it may expand to a macro). After the move, an attribute that
/// may be a macro and is still there was put below cogen again (by a macro
/// that wants its expansion): that is an error.
fn expand_last(
    kind: Kind,
    attr: &proc_macro2::TokenStream,
    func: &syn::ItemFn,
    reordered: bool,
) -> syn::Result<Option<proc_macro2::TokenStream>> {
    use quote::quote;
    if let Some(error) = instrumented(kind, func) {
        return Err(error);
    }
    let moved: Vec<_> = func.attrs.iter().filter(|a| !is_inert(a)).collect();
    if moved.is_empty() {
        return Ok(None);
    }
    if reordered {
        return Err(syn::Error::new_spanned(
            moved[0],
            format!(
                "an attribute that may be a macro is below {} again, after cogen moved the \
                 function's attribute macros above itself (so that they see the function as \
                 written, never cogen's expansion): cogen must expand after every attribute \
                 macro of the function",
                kind.attr_name()
            ),
        ));
    }
    let mut func = func.clone();
    func.attrs.retain(is_inert);
    let args = parse::parse_args(attr.clone())?;
    let krate = &args.krate;
    let name = match kind {
        Kind::Sync => quote!(generator),
        Kind::Async => quote!(async_generator),
    };
    let marker = Ident::new(REORDERED, Span::call_site());
    let comma = (!attr.is_empty()).then(|| quote!(,));
    Ok(Some(quote! {
        #(#moved)*
        #[#krate::#name(@#marker #comma #attr)]
        #func
    }))
}

/// `#[tracing::instrument]` written below the generator, refused (see
/// `analyse::refuse_instrument`; written above, it has already wrapped the
/// body, and the analysis finds its guard there).
fn instrumented(kind: Kind, func: &syn::ItemFn) -> Option<syn::Error> {
    let attr = func.attrs.iter().find(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "instrument")
    })?;
    Some(analyse::refuse_instrument(kind, attr))
}

/// An attribute that is not a macro: rustc's inert built-ins, and the tool
/// attributes of stable Rust.
fn is_inert(attr: &syn::Attribute) -> bool {
    const BUILT_IN: &[&str] = &[
        "allow",
        "automatically_derived",
        "cfg",
        "cold",
        "deny",
        "deprecated",
        "doc",
        "expect",
        "export_name",
        "forbid",
        "ignore",
        "inline",
        "instruction_set",
        "link_name",
        "link_section",
        "must_use",
        "no_mangle",
        "should_panic",
        "target_feature",
        "track_caller",
        "unsafe",
        "used",
        "warn",
    ];
    const TOOLS: &[&str] = &["clippy", "diagnostic", "rustfmt"];
    let path = attr.path();
    let Some(first) = path.segments.first() else {
        return false;
    };
    let first = first.ident.to_string();
    if path.leading_colon.is_some() {
        return false;
    }
    if path.segments.len() == 1 {
        BUILT_IN.contains(&first.as_str())
    } else {
        TOOLS.contains(&first.as_str())
    }
}

#[cfg(test)]
mod editor_tests {
    use super::*;

    /// What rust-analyzer may send while the user types: a body syn cannot
    /// read. The item must come back beside the error, so the editor keeps
    /// completing inside it.
    #[test]
    fn an_unparsable_body_is_emitted_beside_the_error() {
        let item: proc_macro2::TokenStream =
            "fn tokens(s: &str) -> impl Iterator<Item = u32> { let z = ; yield_!(1); }"
                .parse()
                .unwrap();
        let out = expand(Kind::Sync, proc_macro2::TokenStream::new(), item.clone()).to_string();
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.ends_with(&item.to_string()), "{out}");
        // A readable function is not repeated: its error stands alone.
        let item: proc_macro2::TokenStream = "fn f() -> u32 { 1 }".parse().unwrap();
        let out = expand(Kind::Sync, proc_macro2::TokenStream::new(), item).to_string();
        assert!(
            out.contains("compile_error") && !out.contains("fn f"),
            "{out}"
        );
    }

    /// A refused function goes out as its error alone; the paths of
    /// cogen's macros its body invoked are marked used beside it, once
    /// each, as written, except under a block that imports them itself and
    /// inside another macro's arguments (where a path begins is unknown).
    #[test]
    fn a_refused_function_marks_the_macros_it_invoked() {
        let item: proc_macro2::TokenStream = "fn f() -> impl Iterator { \
             yield_!(1); yield_!(2); cogen::yield_from!(x); ::cogen::defer! { d() } \
             for _ in 0..1 { use cogen::yield_; yield_!(3); } \
             { use cogen::*; defer!(e()); } \
             loop { break ::cogen::yield_from!(y); } \
             m! { Self::new ::cogen::yield_!(4) }; println!(\"{}\", x::yield_!(5)); \
             if !(c) { other!(); } yield_; let yield_ = 1; }"
            .parse()
            .unwrap();
        let out = expand(Kind::Sync, proc_macro2::TokenStream::new(), item).to_string();
        let (_, after_error) = out.split_once('}').unwrap();
        let marks: Vec<&str> = after_error
            .split(';')
            .map(str::trim)
            .filter(|s| s.ends_with("(@ __cogen_used)"))
            .collect();
        assert!(out.starts_with(":: core :: compile_error !"), "{out}");
        assert_eq!(
            marks,
            [
                "yield_ ! (@ __cogen_used)",
                "cogen :: yield_from ! (@ __cogen_used)",
                ":: cogen :: defer ! (@ __cogen_used)",
                ":: cogen :: yield_from ! (@ __cogen_used)",
            ],
            "{out}"
        );
        assert!(!out.contains("fn f"), "{out}");
        // A label before a path is not one of its segments.
        let tokens = "break 'a ::cogen::yield_!(1)".parse().unwrap();
        let paths: Vec<String> = analyse::invoked_paths(tokens)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(paths, [":: cogen :: yield_"]);
    }
}

#[cfg(test)]
mod constructor_tests {
    use super::*;

    /// The runtime constructor named in the expansion of `item`.
    fn constructor(kind: Kind, attr: &str, item: &str) -> String {
        let out = expand(kind, attr.parse().unwrap(), item.parse().unwrap()).to_string();
        assert!(!out.contains("compile_error"), "{out}");
        let names = [
            "lazy_boxed_recursive",
            "lazy_boxed",
            "pooled_recursive",
            "pooled",
            "boxed",
            "new",
        ];
        names
            .into_iter()
            .find(|name| out.contains(&format!("__private :: {name} (")))
            .unwrap_or_else(|| panic!("no constructor in {out}"))
            .to_string()
    }

    /// The plan picks the `_recursive` constructors exactly for a function
    /// whose `yield_from!` delegates to a call of itself (in the forms the
    /// lowering recognises), and nowhere else: they are correct for any
    /// delegating body, but cost the others an out-of-line call per item.
    #[test]
    fn only_a_body_that_calls_itself_gets_a_recursive_root() {
        let iter = "fn walk(t: &T) -> impl Iterator<Item = u32> + '_ { BODY }";
        let gen = "fn walk(t: &T) -> impl Generator<Yield = u32, Return = ()> + '_ { BODY }";
        let method = "fn walk(&self) -> impl Iterator<Item = u32> + '_ { BODY }";
        let cases = [
            (iter, "yield_from!(walk(&t.left));", "lazy_boxed_recursive"),
            (
                iter,
                "yield_from!((Self::walk(&t.left)));",
                "lazy_boxed_recursive",
            ),
            (iter, "yield_from!(other(&t.left));", "lazy_boxed"),
            (iter, "yield_from!(walk);", "lazy_boxed"),
            // A generator block in the body is a generator of its own.
            (
                iter,
                "let b = cogen::iter! { yield_from!(walk(&t.left)); }; yield_from!(b);",
                "lazy_boxed",
            ),
            (iter, "yield_!(1);", "boxed"),
            (gen, "yield_from!(walk(&t.left));", "pooled_recursive"),
            (
                gen,
                "if c { println!(\"{}\", yield_from!(walk(&t.left))); }",
                "pooled_recursive",
            ),
            (gen, "yield_from!(other(&t.left));", "pooled"),
            (gen, "yield_from!(m::walk(&t.left));", "pooled"),
            (gen, "yield_!(1);", "new"),
            (
                method,
                "yield_from!(self.left.walk());",
                "lazy_boxed_recursive",
            ),
            (method, "yield_from!(walk(x));", "lazy_boxed_recursive"),
        ];
        for (sig, body, want) in cases {
            let item = sig.replace("BODY", body);
            assert_eq!(constructor(Kind::Sync, "", &item), want, "{item}");
        }
        // A `boxed` generator keeps its state in its own box: no pool.
        let item = gen.replace("BODY", "yield_from!(walk(&t.left));");
        assert_eq!(constructor(Kind::Sync, "boxed", &item), "new");
        // The async forms read the same plan.
        let item = "fn walk(t: &T) -> impl Stream<Item = u32> + '_ { yield_from!(walk(&t.left)); }";
        assert_eq!(constructor(Kind::Async, "", item), "pooled_recursive");
    }
}
