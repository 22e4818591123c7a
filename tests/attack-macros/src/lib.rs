//! Attribute macros an adversarial user could write below `#[generator]`,
//! for cogen's tests (issue 13 §1). cogen moves every attribute macro of the
//! function above itself, so that these see the body as the user wrote it,
//! never cogen's expansion.

use proc_macro::TokenStream;
use proc_macro2::{Delimiter, Group, TokenStream as Tokens, TokenTree};
use quote::quote;

/// The item's tokens with its last brace group (a function's body) replaced.
fn with_body(item: Tokens, f: impl FnOnce(Tokens) -> Tokens) -> Tokens {
    let mut tts: Vec<TokenTree> = item.into_iter().collect();
    if let Some(TokenTree::Group(g)) = tts.last() {
        if g.delimiter() == Delimiter::Brace {
            let mut body = Group::new(Delimiter::Brace, f(g.stream()));
            body.set_span(g.span());
            *tts.last_mut().unwrap() = TokenTree::Group(body);
        }
    }
    tts.into_iter().collect()
}

/// Drops every `if false { .. }` (a guard) from the tokens, at any depth.
fn strip_guards(tokens: Tokens) -> Tokens {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        match &tt {
            TokenTree::Ident(i) if i == "if" => {
                let mut ahead = iter.clone();
                if matches!(ahead.next(), Some(TokenTree::Ident(f)) if f == "false")
                    && matches!(ahead.next(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
                {
                    iter = ahead;
                    continue;
                }
                out.push(tt);
            }
            TokenTree::Group(g) => {
                let mut new = Group::new(g.delimiter(), strip_guards(g.stream()));
                new.set_span(g.span());
                out.push(TokenTree::Group(new));
            }
            _ => out.push(tt),
        }
    }
    out.into_iter().collect()
}

/// Strips any guard, and moves the whole body into an `async` block that is
/// boxed and dropped: were it given cogen's lowered body, its awaits on the
/// generator's handle would be in a future anyone could poll.
#[proc_macro_attribute]
pub fn smuggle_into_async(_attr: TokenStream, item: TokenStream) -> TokenStream {
    with_body(item.into(), |body| {
        let body = strip_guards(body);
        quote! {
            let smuggled = ::std::boxed::Box::pin(async move { #body });
            ::core::mem::drop(smuggled);
        }
    })
    .into()
}

/// Puts any attribute it finds on the item (cogen's) above itself, and
/// itself, as `smuggle_into_async`, below it again: an attribute that
/// insists on seeing cogen's expansion.
#[proc_macro_attribute]
pub fn below_again(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut tts = Tokens::from(item).into_iter().peekable();
    let mut attrs = Vec::new();
    while matches!(tts.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        attrs.extend(tts.next());
        attrs.extend(tts.next());
    }
    let rest: Tokens = tts.collect();
    quote!(#(#attrs)* #[::attack_macros::smuggle_into_async] #rest).into()
}

/// Wraps the body the way `#[tracing::instrument]` 0.1 does for a plain
/// fn: the span and its guard, then a never-taken `return` of a value that
/// fixes the return type, then the body (here with a stand-in span), to
/// check that cogen refuses it when it runs first, with that one error.
#[proc_macro_attribute]
pub fn instrument_like(_attr: TokenStream, item: TokenStream) -> TokenStream {
    with_body(item.into(), |body| {
        quote! {
            let __tracing_attr_span = ();
            let __tracing_attr_guard;
            __tracing_attr_guard = &__tracing_attr_span;
            #[allow(unreachable_code)]
            if false {
                let __tracing_attr_fake_return: _ = loop {};
                return __tracing_attr_fake_return;
            }
            #body
        }
    })
    .into()
}

/// Passes the item through, after checking that it is not cogen's expansion
/// (which names its hidden `__private` module).
#[proc_macro_attribute]
pub fn assert_unlowered(_attr: TokenStream, item: TokenStream) -> TokenStream {
    fn lowered(tokens: Tokens) -> bool {
        tokens.into_iter().any(|t| match t {
            TokenTree::Ident(i) => i == "__private" || i == "__co",
            TokenTree::Group(g) => lowered(g.stream()),
            _ => false,
        })
    }
    let item: Tokens = item.into();
    if lowered(item.clone()) {
        return quote!(::core::compile_error!("received cogen's expansion");).into();
    }
    item.into()
}

/// Makes, from every identifier it is handed that starts with `__` (names
/// cogen writes), an identifier `__co` of the same hygiene, and borrows it:
/// had cogen handed it one of its own hygienic names, this would reach the
/// generator's handle.
#[proc_macro]
pub fn forge_co(input: TokenStream) -> TokenStream {
    fn collect(tokens: Tokens, out: &mut Vec<Tokens>) {
        for t in tokens {
            match t {
                TokenTree::Ident(i) if i.to_string().starts_with("__") => {
                    let co = proc_macro2::Ident::new("__co", i.span());
                    out.push(quote!(let _ = &#co;));
                }
                TokenTree::Group(g) => collect(g.stream(), out),
                _ => {}
            }
        }
    }
    let mut lets = Vec::new();
    collect(input.into(), &mut lets);
    quote!({ #(#lets)* }).into()
}
