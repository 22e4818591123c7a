//! Step 4: put the function back together around the lowered body.
//!
//! The signature is kept as written (so rustdoc, rust-analyzer and the
//! `impl Trait` capture rules see the user's own), except that parameters
//! bound by patterns get plain names; the body becomes a closure that builds
//! an `async` block, handed to the runtime's `Machine`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Pat, PatIdent, ReturnType, Type};

use crate::analyse::Facts;
use crate::parse::{is_nameable, Form, GenFn, Kind};

pub fn emit(gen: GenFn, facts: &Facts, co: Ident, label: Option<syn::Lifetime>) -> TokenStream {
    let GenFn {
        kind,
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

    let yield_ty = typed_or_infer(form.yield_ty());
    let (resume_ty, return_ty) = match &form {
        Form::Items { .. } if args.try_.is_some() => (
            quote!(()),
            quote!(::core::result::Result<(), <#yield_ty as #krate::__private::TryItem>::Error>),
        ),
        Form::Items { .. } => (quote!(()), quote!(())),
        Form::Coroutine {
            resume_ty,
            return_ty,
            ..
        } => (
            typed_or_infer(resume_ty),
            return_ty.as_ref().map_or_else(|| quote!(_), typed_or_infer),
        ),
    };

    // Fix the body's output type before rustc reads the body: a `return`
    // or tail of the wrong type is then a plain mismatch on the user's
    // expression, instead of an unsatisfied bound of the runtime's,
    // reported on the attribute. Spanned on the user's return type.
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
    let output = (return_ty.to_string() != "_").then(|| {
        let out = Ident::new("__cogen_output", Span::mixed_site().located_at(ret_span));
        quote! {
            if false {
                let #out: #return_ty = #krate::__private::never();
                return #out;
            }
        }
    });

    let stmts = &item.block.stmts;
    let label = label.map(|l| quote!(#l:));
    let body = if args.try_.is_some() {
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
    let cleanup = facts.has_cleanup;
    let delegates = facts.has_yield_from;
    // The closure is bound outside the `unsafe` block, so that the user's
    // body is not in an unsafe context.
    let make = Ident::new("__cogen_body", Span::mixed_site());
    let co_ty = quote!(#krate::__private::Co<#yield_ty, #resume_ty>);
    let build = match (kind, &form) {
        // A delegating body is boxed on its first resume, so that recursion
        // reuses its blocks (see `LazyBoxed`); any other, when made.
        (Kind::Sync, Form::Items { .. }) if delegates => quote! {
            #krate::__private::lazy_boxed::<#yield_ty, #return_ty, #cleanup, _, _>(#make)
        },
        (Kind::Sync, Form::Items { .. }) => quote! {
            #krate::__private::boxed::<#yield_ty, #return_ty, #delegates, #cleanup, _, _>(#make)
        },
        _ => quote! {
            #krate::__private::new::<#yield_ty, #resume_ty, #return_ty, #delegates, #cleanup, _, _>(#make)
        },
    };
    let value = quote! {
        let #make = move |#co: #co_ty| async move { #body };
        // SAFETY: the lowering awaits the `Co`'s futures only directly in
        // this body, and inside other macros' arguments only through macros
        // that fail to compile anywhere else (see `lower.rs`), which is what
        // `new` and `boxed` ask.
        unsafe { #build }
    };

    // Say in the return type that this is a cogen generator, so that a
    // `yield_from!` of it (through the opaque type) can resume it directly.
    // Not for the `try` flavour (its `Result` ending is not a generator's
    // return), nor where a type is not nameable.
    let nameable = |t: &TokenStream| t.to_string() != "_";
    if args.try_.is_none()
        && [&yield_ty, &resume_ty, &return_ty]
            .into_iter()
            .all(nameable)
    {
        if let ReturnType::Type(_, ty) = &mut item.sig.output {
            if let Type::ImplTrait(imp) = strip_parens_mut(ty) {
                let delegable = match kind {
                    Kind::Sync => quote!(#krate::Delegable),
                    Kind::Async => quote!(#krate::AsyncDelegable),
                };
                let bound = match form {
                    Form::Items { .. } => quote!(#delegable<#yield_ty>),
                    Form::Coroutine { .. } => quote!(#delegable<#yield_ty, #resume_ty, #return_ty>),
                };
                imp.bounds.push(syn::parse_quote!(#bound));
            }
        }
    }

    // The body's state machine is a closure's `async` block inside this
    // function; without an inline hint, rustc compiles it only in this
    // crate (and codegen unit), so a caller elsewhere drives it through an
    // out-of-line call per item with the state in memory (a counter used
    // from another crate: 19 instructions per item against 5, the
    // `count_other_crate` callgrind column). The hint reaches the closure
    // and its `async` block. A user's own `#[inline]` attribute, of any
    // kind, wins.
    let inline =
        (!item.attrs.iter().any(|a| a.path().is_ident("inline"))).then(|| quote!(#[inline]));
    let attrs = &item.attrs;
    let vis = &item.vis;
    let sig = &item.sig;
    quote! {
        #inline
        #(#attrs)*
        #vis #sig {
            #value
        }
    }
}

fn strip_parens_mut(ty: &mut Type) -> &mut Type {
    match ty {
        Type::Paren(p) => strip_parens_mut(&mut p.elem),
        Type::Group(g) => strip_parens_mut(&mut g.elem),
        ty => ty,
    }
}

/// The type, or `_` where it cannot be named (`impl Trait` inside).
fn typed_or_infer(ty: &Type) -> TokenStream {
    if is_nameable(ty) {
        quote!(#ty)
    } else {
        quote!(_)
    }
}
