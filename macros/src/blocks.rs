//! Generator blocks: `iter! { .. }`, `stream! { .. }`, `try_iter! { .. }`,
//! `try_stream! { .. }`, `gen_block! { .. }` and `async_gen_block! { .. }`.
//!
//! A block is parsed into the same model as a generator function (with its
//! types left to inference), analysed and lowered by the same steps, and
//! emitted as an expression (`emit::emit_block`). A block written inside a
//! generator body (function or block) is a generator of its own: the
//! enclosing one leaves its tokens alone, recognising it by these names.

use proc_macro2::{Delimiter, Ident, Spacing, Span, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::{Block, ItemFn, Path, Type};

use crate::parse::{Args, Form, GenFn, Kind};

/// The block macros, as users name them (the last segment of the path).
const NAMES: [&str; 6] = [
    "iter",
    "stream",
    "try_iter",
    "try_stream",
    "gen_block",
    "async_gen_block",
];

/// Whether a macro path names a generator block (`iter!`, `cogen::iter!`).
pub fn is_block(path: &Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.arguments.is_none() && is_block_ident(&s.ident))
}

/// Same, for a bare name in a token stream.
pub fn is_block_ident(ident: &Ident) -> bool {
    NAMES.iter().any(|n| ident == n)
}

/// `tokens` without the generator blocks called in them (`iter! { .. }`),
/// for reading the rest: what is inside a block belongs to that block.
pub fn without_blocks(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        if let TokenTree::Ident(i) = &tt {
            if is_block_ident(i) && is_bang(iter.peek()) {
                let bang = iter.next().expect("peeked");
                if let Some(TokenTree::Group(_)) = iter.peek() {
                    iter.next();
                    continue;
                }
                out.push(tt);
                out.push(bang);
                continue;
            }
        }
        out.push(tt);
    }
    out.into_iter().collect()
}

/// Whether a token is the `!` of a macro call (not the one of `!=`).
pub fn is_bang(t: Option<&TokenTree>) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == '!' && p.spacing() == Spacing::Alone)
}

/// The block's kind, flavour and form, from the macro's name.
fn kind_of(name: &Ident) -> syn::Result<(Kind, bool, bool)> {
    // (kind, try, coroutine)
    Ok(match name.to_string().as_str() {
        "iter" => (Kind::Sync, false, false),
        "try_iter" => (Kind::Sync, true, false),
        "gen_block" => (Kind::Sync, false, true),
        "stream" => (Kind::Async, false, false),
        "try_stream" => (Kind::Async, true, false),
        "async_gen_block" => (Kind::Async, false, true),
        _ => return Err(syn::Error::new(name.span(), "unknown generator block")),
    })
}

/// Parses `name (krate) body..`, as the runtime's `macro_rules!` wrappers
/// pass it: the block's name, the path of the runtime (`$crate`), and the
/// user's tokens, `{ .. }` or the statements themselves.
pub fn parse(input: TokenStream) -> syn::Result<GenFn> {
    let mut iter = input.into_iter();
    let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(krate))) = (iter.next(), iter.next())
    else {
        return Err(syn::Error::new(
            Span::call_site(),
            "internal: malformed generator block",
        ));
    };
    let (kind, try_, coroutine) = kind_of(&name)?;
    let krate: Path = syn::parse2(krate.stream())?;
    let body: TokenStream = iter.collect();
    // `iter!({ .. })` (the spelling rustfmt formats) passes one `{ .. }`.
    let mut single = body.clone().into_iter();
    let body = match (single.next(), single.next()) {
        (Some(TokenTree::Group(g)), None) if g.delimiter() == Delimiter::Brace => g.stream(),
        _ => body,
    };
    // An enclosing generator that did not recognise the block by its name
    // (a renamed import) took the block's `yield_!`s as its own: they come
    // here as calls of its hidden `__cogen_*` macros, which fail to compile
    // inside the block's `async` body. Say why, instead of rustc's
    // "unreachable label".
    if rewritten_by_outer(body.clone()) {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "this `{name}!` block is inside a generator that did not recognise it, and \
                 took its `yield_!`s: call the block by its own name (`{name}!` or \
                 `cogen::{name}!`), not through a renamed import"
            ),
        ));
    }
    let stmts = Block::parse_within.parse2(body)?;
    let infer = || {
        Type::Infer(syn::TypeInfer {
            underscore_token: Default::default(),
        })
    };
    let form = if coroutine {
        Form::Coroutine {
            resume_ty: infer(),
            yield_ty: infer(),
            return_ty: None,
        }
    } else {
        Form::Items { yield_ty: infer() }
    };
    let mut item: ItemFn = syn::parse_quote!(
        fn block() {}
    );
    item.block.stmts = stmts;
    Ok(GenFn {
        kind,
        args: Args {
            try_: try_.then(|| name.span()),
            krate,
            boxed: None,
        },
        item,
        form,
        block: Some(name),
        boxed: None,
    })
}

/// Whether `tokens` call a macro an enclosing generator's lowering made
/// (`__cogen_yield_1!(..)`): a `__cogen_` name followed by `!`.
fn rewritten_by_outer(tokens: TokenStream) -> bool {
    let mut iter = tokens.into_iter().peekable();
    while let Some(t) = iter.next() {
        match t {
            TokenTree::Ident(i) if i.to_string().starts_with("__cogen_") => {
                if matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!') {
                    return true;
                }
            }
            TokenTree::Group(g) if rewritten_by_outer(g.stream()) => return true,
            _ => {}
        }
    }
    false
}
