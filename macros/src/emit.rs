//! Step 4: put the function back together around the lowered body.
//!
//! The signature is kept as written (so rustdoc, rust-analyzer and the
//! `impl Trait` capture rules see the user's own), except that parameters
//! bound by patterns get plain names; the body becomes a closure that builds
//! an `async` block, handed to the runtime's `Machine`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, Pat, PatIdent, ReturnType, Type};

use crate::parse::{Form, GenFn};
use crate::plan::{Constructor, Ending, Plan, Tie};

pub fn emit(gen: GenFn, plan: &Plan, co: Ident, label: Option<syn::Lifetime>) -> TokenStream {
    let GenFn {
        args,
        mut item,
        form,
        ..
    } = gen;
    let krate = &args.krate;

    // Move every argument into the body, whole, as `async fn` does: a
    // closure would otherwise capture only the fields it uses and drop the
    // rest (and any unused guard argument) when the function returns.
    let mut captures = Vec::new();
    for (i, input) in item.sig.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(r) => {
                let self_ = &r.self_token;
                captures.push(quote!(let _ = &#self_;));
            }
            FnArg::Typed(pt) => match &mut *pt.pat {
                Pat::Ident(PatIdent {
                    by_ref: None,
                    ident,
                    subpat: None,
                    ..
                }) => {
                    // Mentioning the whole binding makes the body capture it
                    // whole, without a second copy in the state.
                    captures.push(quote!(let _ = &#ident;));
                }
                pat => {
                    let name = Ident::new(&format!("__cogen_arg{i}"), Span::mixed_site());
                    let pattern = std::mem::replace(
                        pat,
                        Pat::Ident(PatIdent {
                            attrs: Vec::new(),
                            by_ref: None,
                            mutability: None,
                            ident: name.clone(),
                            subpat: None,
                        }),
                    );
                    captures.push(quote!(let #pattern = #name;));
                }
            },
        }
    }

    let ret_span = match (&form, &item.sig.output) {
        (
            Form::Coroutine {
                return_ty: Some(t), ..
            },
            _,
        ) => t.span(),
        (_, ReturnType::Type(_, t)) => t.span(),
        (_, ReturnType::Default) => Span::call_site(),
    };
    let value = machine(
        plan,
        krate,
        &item.block.stmts,
        &co,
        label,
        &captures,
        ret_span,
        item.block.brace_token.span.join(),
    );

    // Say in the return type that this is a cogen generator, so that a
    // `yield_from!` of it (through the opaque type) can resume it directly
    // (see `Plan::delegable`).
    if let (Some(bound), ReturnType::Type(_, ty)) = (&plan.delegable, &mut item.sig.output) {
        if let Type::ImplTrait(imp) = strip_parens_mut(ty) {
            // Spanned like the user's return type: rustc reports the
            // opaque type (E0700, a missing `+ '_`) at its span, and
            // puts its `+ use<..>` suggestion after it; with the call
            // site's span both went to the attribute.
            // At its last token: the opaque type is `impl` to there.
            let span = imp
                .to_token_stream()
                .into_iter()
                .last()
                .map_or_else(|| imp.span(), |tt| tt.span());
            if !imp.bounds.empty_or_trailing() {
                imp.bounds.push_punct(syn::Token![+](span));
            }
            // The trait's path and punctuation there; the type arguments
            // where the user wrote them (an error about one, such as a
            // missing lifetime, is then reported once, where it is). All
            // of it resolved as the macro's, so that lints on the user's
            // own code (clippy's `type_complexity`) do not count it.
            let path = located_at(bound.path.clone(), span);
            let args = bound
                .args
                .iter()
                .map(|ty| respan(ty.to_token_stream(), &|at| Span::call_site().located_at(at)));
            let at = Span::call_site().located_at(span);
            imp.bounds
                .push_value(syn::parse_quote_spanned!(at=> #path < #(#args),* >));
        }
    }

    // The body's state machine is a closure's `async` block inside this
    // function; without an inline hint, rustc compiles it only in this
    // crate (and codegen unit), so a caller elsewhere drives it through an
    // out-of-line call per item with the state in memory (measured:
    // runtime/DESIGN.md, "Inline hint for other crates"). The hint reaches
    // the closure and its `async` block. A user's own `#[inline]`
    // attribute, of any kind, wins.
    let inline =
        (!item.attrs.iter().any(|a| a.path().is_ident("inline"))).then(|| quote!(#[inline]));
    // `boxed`: the generator goes into the box the signature now names
    // (see `parse::boxed_type`). The Iterator form's machine is boxed
    // already (`Iterator::next` takes `&mut self`), and is one pointer:
    // boxing that costs a second, small allocation per generator, and keeps
    // the free list of its delegates; the others are pinned in their box.
    let value = match &plan.boxed {
        Some(boxed) => {
            let wrap = if boxed.pinned {
                quote!(pin)
            } else {
                quote!(new)
            };
            // Located at the user's return type, where rustc then reports
            // what the coercion to the trait object needs (a `+ '_`, `Send`).
            let at = Span::call_site().located_at(boxed.ty.span());
            let krate_at = located_at(krate.to_token_stream(), at);
            if let ReturnType::Type(_, output) = &mut item.sig.output {
                **output = boxed.ty.clone();
            }
            quote_spanned!(at=> #krate_at::__private::Box::#wrap({ #value }))
        }
        None => value,
    };
    let attrs = &item.attrs;
    let vis = &item.vis;
    let sig = &item.sig;
    // The body's braces keep the user's spans: an item whose last token
    // comes from the expansion counts as macro-made, and rustc then skips
    // lints on it, `dead_code` among them (an unused generator function
    // went unreported).
    let mut body = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, value);
    body.set_span(item.block.brace_token.span.join());
    quote! {
        #inline
        #(#attrs)*
        #vis #sig #body
    }
}

/// Builds the body's closure and the generator around it, for a function
/// (`captures`: its arguments, moved in whole) or a block (none; its types
/// are `_`): the statements that build the machine, the body's closure then
/// the call of the runtime constructor that makes the generator.
/// `ret_span`: where a mismatched return value is reported.
#[allow(clippy::too_many_arguments)]
fn machine(
    plan: &Plan,
    krate: &syn::Path,
    stmts: &[syn::Stmt],
    co: &Ident,
    label: Option<syn::Lifetime>,
    captures: &[TokenStream],
    ret_span: Span,
    body_span: Span,
) -> TokenStream {
    let Plan {
        yield_ty,
        resume_ty,
        return_ty,
        ..
    } = plan;

    // Fix the body's output type before rustc reads the body: a `return`
    // or tail of the wrong type is then a plain mismatch on the user's
    // expression, instead of an unsatisfied bound of the runtime's,
    // reported on the attribute. Spanned on the user's return type.
    let output = match plan.tie {
        Tie::Typed => {
            let out = Ident::new("__cogen_output", Span::mixed_site().located_at(ret_span));
            Some(quote! {
                if false {
                    let #out: #return_ty = #krate::__private::never();
                    return #out;
                }
            })
        }
        // A `try` block: `Result<(), E>`, with `E` the items' error type,
        // so that `?` converts to it.
        Tie::TryEnd => Some(quote! {
            if false {
                return #krate::__private::try_end(&#co);
            }
        }),
        Tie::Free => None,
    };

    let label = label.map(|l| quote!(#l:));
    let body = if plan.ending == Ending::TryOk {
        let ok = quote_spanned!(Span::mixed_site()=> #krate::__private::Ok(()));
        quote! {
            #output
            #(#captures)*
            let () = #label { #(#stmts)* };
            #[allow(unreachable_code)]
            return #ok;
        }
    } else {
        quote! { #output #(#captures)* #label { #(#stmts)* } }
    };
    let cleanup = plan.cleanup;
    let delegates = plan.delegates;
    // The closure is bound outside the `unsafe` block, so that the user's
    // body is not in an unsafe context.
    let make = Ident::new("__cogen_body", Span::mixed_site());
    let flags = quote! {
        #krate::__private::Delegates::<#delegates>,
        #krate::__private::Cleanup::<#cleanup>
    };
    let build = match plan.constructor {
        Constructor::LazyBoxed { recursive: true } => {
            quote!(#krate::__private::lazy_boxed_recursive(#make, #flags))
        }
        Constructor::LazyBoxed { recursive: false } => {
            quote!(#krate::__private::lazy_boxed(#make, #flags))
        }
        Constructor::Boxed => quote!(#krate::__private::boxed(#make, #flags)),
        Constructor::New => quote!(#krate::__private::new(#make, #flags)),
        Constructor::Pooled { recursive: true } => {
            quote!(#krate::__private::pooled_recursive(#make, #flags))
        }
        Constructor::Pooled { recursive: false } => {
            quote!(#krate::__private::pooled(#make, #flags))
        }
    };
    // The body's `async` block is located at the user's body: rustc names
    // its type after where it is (`{async block@src/lib.rs:5:40}`), and
    // reports there what it says of the whole state.
    let at = Span::call_site().located_at(body_span);
    let mut block = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, body);
    block.set_span(at);
    let body = quote_spanned!(at=> async move #block);
    // The function's value, located at the user's return type: rustc
    // reports what it says of the hidden type there (E0700, a missing
    // `+ '_`), not at the attribute.
    let tail = Ident::new("__cogen_generator", Span::call_site().located_at(ret_span));
    quote! {
        // The closure's parameter type comes from `body`'s bound, not from
        // an annotation here: an elided lifetime in the yield or resume
        // type is then inferred instead of higher-ranked (see `body`).
        let #make = #krate::__private::body::<#yield_ty, #resume_ty, _, _>(
            move |#co| #body,
        );
        // SAFETY: the lowering awaits the `Co`'s futures only directly in
        // this body, and inside other macros' arguments only through macros
        // that fail to compile anywhere else (see `lower.rs`), which is what
        // `new` and `boxed` ask.
        let __cogen_generator = unsafe { #build };
        #tail
    }
}

/// A generator block (`iter! { .. }`): the machine as an expression. Its
/// closure and `async` block are `move`, so the block captures its
/// environment by move, as `async move` does.
pub fn emit_block(
    gen: GenFn,
    plan: &Plan,
    wrapper: &str,
    co: Ident,
    label: Option<syn::Lifetime>,
) -> TokenStream {
    let span = gen
        .block
        .as_ref()
        .map_or_else(Span::call_site, |b| b.span());
    let krate = &gen.args.krate;
    // The opaque type of the block's form (see the runtime's helpers).
    let wrap = Ident::new(wrapper, Span::call_site());
    let value = machine(
        plan,
        krate,
        &gen.item.block.stmts,
        &co,
        label,
        &[],
        span,
        gen.item.block.brace_token.span.join(),
    );
    quote!(#krate::__private::#wrap({ #value }))
}

/// The tokens, each resolved as before, located at `span`.
fn located_at(tokens: TokenStream, span: Span) -> TokenStream {
    respan(tokens, &|own| own.located_at(span))
}

/// The tokens, groups included, each given the span `f` makes of its own.
fn respan(tokens: TokenStream, f: &dyn Fn(Span) -> Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut new = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), f));
                new.set_span(f(g.span()));
                tt = proc_macro2::TokenTree::Group(new);
            } else {
                tt.set_span(f(tt.span()));
            }
            tt
        })
        .collect()
}

fn strip_parens_mut(ty: &mut Type) -> &mut Type {
    match ty {
        Type::Paren(p) => strip_parens_mut(&mut p.elem),
        Type::Group(g) => strip_parens_mut(&mut g.elem),
        ty => ty,
    }
}
