//! Step 1: parse the attribute and the function it is on into a small typed
//! model, rejecting what is not a generator function with a spanned error.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{
    AngleBracketedGenericArguments, GenericArgument, ItemFn, Path, PathArguments, ReturnType,
    Token, Type, TypeParamBound,
};

/// `#[generator]` or `#[async_generator]`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sync,
    Async,
}

impl Kind {
    pub fn attr_name(self) -> &'static str {
        match self {
            Kind::Sync => "#[generator]",
            Kind::Async => "#[async_generator]",
        }
    }
}

/// The attribute's own arguments: `#[generator(try, crate = path)]`.
pub struct Args {
    /// `try`: items are `Result`s, `yield_!(x)` yields `Ok(x)` and `?` ends
    /// the generator with the error as its last item.
    pub try_: Option<Span>,
    /// Where the runtime crate is, for users who renamed it. Default `::cogen`.
    pub krate: Path,
    /// `boxed`: the function returns a nameable, `Unpin` box of a trait
    /// object (`Pin<Box<dyn Stream<..> + ..>>`) instead of an opaque type.
    pub boxed: Option<Span>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args {
            try_: None,
            krate: syn::parse_quote!(::cogen),
            boxed: None,
        };
        let mut krate_seen = false;
        while !input.is_empty() {
            if input.peek(Token![try]) {
                let kw: Token![try] = input.parse()?;
                if args.try_.is_some() {
                    return Err(syn::Error::new(kw.span, "`try` is given twice"));
                }
                args.try_ = Some(kw.span);
            } else if input.peek(Token![crate]) {
                let kw: Token![crate] = input.parse()?;
                if krate_seen {
                    return Err(syn::Error::new(kw.span, "`crate` is given twice"));
                }
                krate_seen = true;
                input.parse::<Token![=]>()?;
                // A module path: generic arguments (`cogen::<u8>`) would
                // be pasted in front of `::__private`, a malformed path.
                args.krate = if input.peek(syn::LitStr) {
                    input
                        .parse::<syn::LitStr>()?
                        .parse_with(Path::parse_mod_style)?
                } else {
                    input.call(Path::parse_mod_style)?
                };
            } else if input.peek(syn::Ident) {
                let word: syn::Ident = input.parse()?;
                if word != "boxed" {
                    return Err(syn::Error::new(
                        word.span(),
                        format!(
                            "unknown argument `{word}`: expected `try`, `boxed` or `crate = path`"
                        ),
                    ));
                }
                if args.boxed.is_some() {
                    return Err(syn::Error::new(word.span(), "`boxed` is given twice"));
                }
                args.boxed = Some(word.span());
            } else {
                return Err(input.error("expected `try`, `boxed` or `crate = path`"));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// What the function returns, read off its `impl Trait` return type.
// One value per macro call, never moved around in bulk: boxing the
// larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Form {
    /// `impl Iterator<Item = Y>` (sync) / `impl Stream<Item = Y>` (async).
    Items { yield_ty: Type },
    /// `impl Generator<R, Yield = Y, Return = T>` / `impl AsyncGenerator<..>`.
    Coroutine {
        resume_ty: Type,
        yield_ty: Type,
        return_ty: Option<Type>,
    },
}

impl Form {
    pub fn yield_ty(&self) -> &Type {
        match self {
            Form::Items { yield_ty } | Form::Coroutine { yield_ty, .. } => yield_ty,
        }
    }
}

/// A generator function, parsed; or a generator block (`iter! { .. }`),
/// parsed as the body of a function whose types are left to inference.
pub struct GenFn {
    pub kind: Kind,
    pub args: Args,
    pub item: ItemFn,
    pub form: Form,
    /// The block macro's name, for a generator block.
    pub block: Option<syn::Ident>,
    /// With `boxed`: the return type the function gets instead of its
    /// `impl Trait` (see [`boxed_type`]).
    pub boxed: Option<Type>,
}

impl GenFn {
    /// The block macro's name (`iter`), for a generator block.
    pub fn block_name(&self) -> Option<String> {
        self.block.as_ref().map(|b| b.to_string())
    }

    /// How messages name the generator's body: "`#[generator]` function"
    /// or "`iter!` block".
    pub fn body_name(&self) -> String {
        match &self.block {
            Some(name) => format!("`{name}!` block"),
            None => format!("`{}` function", self.kind.attr_name()),
        }
    }
}

/// The attribute's arguments and the function (read once, by the caller,
/// which also handles input that is no function: see [`not_a_function`]).
pub fn parse(kind: Kind, attr: TokenStream, item: ItemFn) -> syn::Result<GenFn> {
    let args = parse_args(attr)?;
    if let Some(asyncness) = &item.sig.asyncness {
        let msg = match kind {
            Kind::Sync => {
                "#[generator] goes on a plain `fn`, not an `async fn`: \
                           use #[async_generator] on a plain `fn` for a generator that awaits"
            }
            Kind::Async => {
                "#[async_generator] goes on a plain `fn`, not an `async fn`: \
                            the attribute already makes the body async"
            }
        };
        return Err(syn::Error::new(asyncness.span, msg));
    }
    if let Some(c) = &item.sig.constness {
        return Err(syn::Error::new(
            c.span,
            format!("{} cannot be a `const fn`", kind.attr_name()),
        ));
    }
    if let Some(v) = &item.sig.variadic {
        return Err(syn::Error::new(
            v.span(),
            format!("{} cannot be variadic", kind.attr_name()),
        ));
    }
    let form = parse_form(kind, &item.sig)?;
    if let (Some(span), Form::Coroutine { .. }) = (args.try_, &form) {
        let (name, items) = match kind {
            Kind::Sync => ("Generator", "Iterator"),
            Kind::Async => ("AsyncGenerator", "Stream"),
        };
        return Err(syn::Error::new(
            span,
            format!(
                "`try` is for the `impl {items}<Item = Result<T, E>>` form; an `impl {name}` \
                 ends with its return value: declare `Return = Result<T, E>` and use `?` \
                 without `try`"
            ),
        ));
    }
    let boxed = match args.boxed {
        Some(_) => Some(boxed_type(kind, &form, &item.sig, &args.krate)?),
        None => None,
    };
    Ok(GenFn {
        kind,
        args,
        item,
        form,
        block: None,
        boxed,
    })
}

/// The attribute's arguments. Parsed inside a group spanned like their last
/// token, so that an error at their end (`crate =`) points there, not at
/// `Span::call_site()`, where `syn::parse2` puts it.
pub fn parse_args(attr: TokenStream) -> syn::Result<Args> {
    use syn::parse::Parser;
    let Some(last) = attr.clone().into_iter().last() else {
        return syn::parse2(attr);
    };
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, attr);
    group.set_span(last.span());
    let parser = |input: ParseStream| {
        let content;
        syn::parenthesized!(content in input);
        content.parse::<Args>()
    };
    parser.parse2(proc_macro2::TokenTree::Group(group).into())
}

pub fn not_a_function(kind: Kind, item: TokenStream) -> syn::Error {
    // Point at the item's keyword (`struct`, `impl`, ...) when there is one.
    let span = syn::parse2::<syn::Item>(item.clone())
        .ok()
        .and_then(|it| {
            let tokens: TokenStream = quote::quote!(#it);
            tokens
                .into_iter()
                .find(|t| matches!(t, proc_macro2::TokenTree::Ident(_)))
                .map(|t| t.span())
        })
        .unwrap_or_else(|| item.span());
    syn::Error::new(
        span,
        format!("{} can only be applied to a function", kind.attr_name()),
    )
}

fn accepted_forms(kind: Kind) -> &'static str {
    match kind {
        Kind::Sync => "`impl Iterator<Item = Y>` or `impl Generator<R, Yield = Y, Return = T>`",
        Kind::Async => "`impl Stream<Item = Y>` or `impl AsyncGenerator<R, Yield = Y, Return = T>`",
    }
}

fn parse_form(kind: Kind, sig: &syn::Signature) -> syn::Result<Form> {
    let msg = |what: &str| {
        format!(
            "{} {what}; it must return {}",
            kind.attr_name(),
            accepted_forms(kind)
        )
    };
    let bad = |span: Span, what: &str| syn::Error::new(span, msg(what));
    let ty = match &sig.output {
        // Point at the parameter list, right where `-> ..` belongs.
        ReturnType::Default => {
            return Err(bad(sig.paren_token.span.close(), "has no return type"));
        }
        ReturnType::Type(_, ty) => ty,
    };
    // Spanned on the whole type, not just its first token.
    let bad_type = |what: &str| syn::Error::new_spanned(ty, msg(what));
    let Type::ImplTrait(imp) = strip_parens(ty) else {
        return Err(bad_type("does not return an `impl Trait`"));
    };
    let mut found = None;
    for bound in &imp.bounds {
        let TypeParamBound::Trait(tb) = bound else {
            continue;
        };
        let Some(seg) = tb.path.segments.last() else {
            continue;
        };
        let name = seg.ident.to_string();
        let known = match (kind, name.as_str()) {
            // The fused variants are implemented too; name them to use them.
            (Kind::Sync, "Iterator" | "FusedIterator")
            | (Kind::Async, "Stream" | "FusedStream") => Some(false),
            (Kind::Sync, "Generator") | (Kind::Async, "AsyncGenerator") => Some(true),
            (Kind::Sync, "Stream" | "FusedStream" | "AsyncGenerator") => {
                return Err(syn::Error::new(
                    seg.ident.span(),
                    format!("`{name}` is the async form: use #[async_generator] for it"),
                ))
            }
            (Kind::Async, "Iterator" | "FusedIterator" | "Generator") => {
                return Err(syn::Error::new(
                    seg.ident.span(),
                    format!("`{name}` is the sync form: use #[generator] for it"),
                ))
            }
            _ => None,
        };
        if let Some(coroutine) = known {
            match found {
                None => found = Some((coroutine, seg)),
                // `impl Iterator<Item = Y> + FusedIterator` (and the `Stream`
                // pair): the item type is read off the one that names it.
                Some((false, prev)) if !coroutine => {
                    if prev.arguments.is_none() {
                        found = Some((coroutine, seg));
                    }
                }
                // `impl Stream<Item = Y> + AsyncGenerator<Yield = Y, Return = ()>`:
                // a stream that can also be closed with `close().await`.
                Some((other, _)) if kind == Kind::Async && other != coroutine => {
                    if coroutine {
                        found = Some((coroutine, seg));
                    }
                }
                Some(_) => {
                    return Err(bad(
                        seg.ident.span(),
                        match kind {
                            Kind::Sync => {
                                "names more than one generator trait (only `Iterator + \
                                 FusedIterator` may be combined)"
                            }
                            Kind::Async => {
                                "names more than one generator trait (only `Stream + \
                                 FusedStream` and `Stream + AsyncGenerator` may be combined)"
                            }
                        },
                    ))
                }
            }
        }
    }
    let Some((coroutine, seg)) = found else {
        return Err(bad_type("returns an unsupported type"));
    };
    let span = seg.ident.span();
    let generics = match &seg.arguments {
        PathArguments::AngleBracketed(g) => Some(g),
        PathArguments::None => None,
        PathArguments::Parenthesized(p) => {
            return Err(bad(p.span(), "returns an unsupported type"))
        }
    };
    let form = if coroutine {
        let (resume_ty, yield_ty, return_ty) = coroutine_args(generics, span)?;
        Form::Coroutine {
            resume_ty,
            yield_ty,
            return_ty,
        }
    } else {
        Form::Items {
            yield_ty: item_arg(generics, &seg.ident)?,
        }
    };
    Ok(form)
}

/// The return type of a `boxed` generator: its `impl Trait` as a trait
/// object in a box, `Box<dyn Iterator<..> + ..>` for the Iterator form
/// (a box is `Unpin`, and an Iterator is driven through `&mut`), and
/// `Pin<Box<dyn ..>>` for the others, as futures' `BoxStream` is. The bounds
/// are the user's, spelled as they wrote them; a trait object can only add
/// auto traits and lifetimes to its one trait, so anything else is refused
/// here, at the user's bound. `Unpin` is dropped: the box is `Unpin`
/// whatever it holds, and the state inside is not.
fn boxed_type(kind: Kind, form: &Form, sig: &syn::Signature, krate: &Path) -> syn::Result<Type> {
    let ReturnType::Type(_, ty) = &sig.output else {
        unreachable!("parse_form accepted the return type")
    };
    let Type::ImplTrait(imp) = strip_parens(ty) else {
        unreachable!("parse_form accepted the return type")
    };
    if !is_nameable(form.yield_ty()) {
        return Err(syn::Error::new_spanned(
            form.yield_ty(),
            "a `boxed` generator names its yielded type: a trait object cannot hold `impl Trait`",
        ));
    }
    let generator_trait = |name: &str| match kind {
        Kind::Sync => matches!(name, "Iterator" | "Generator"),
        Kind::Async => matches!(name, "Stream" | "AsyncGenerator"),
    };
    let mut bounds: Vec<&TypeParamBound> = Vec::new();
    let mut main = None;
    for bound in &imp.bounds {
        match bound {
            TypeParamBound::Lifetime(_) => bounds.push(bound),
            TypeParamBound::Trait(tb) => {
                let name = tb
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                if generator_trait(&name) && main.is_none() {
                    main = Some(bound);
                } else if matches!(
                    name.as_str(),
                    "Send" | "Sync" | "UnwindSafe" | "RefUnwindSafe"
                ) {
                    bounds.push(bound);
                } else if name != "Unpin" {
                    return Err(syn::Error::new_spanned(
                        bound,
                        format!(
                            "a `boxed` generator returns a `Box<dyn ..>` of one trait, which can \
                             only add auto traits (`Send`, `Sync`) and lifetimes: `{name}` cannot \
                             be part of it; remove `boxed` to return it as an `impl Trait`"
                        ),
                    ));
                }
            }
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "a `boxed` generator returns a `Box<dyn ..>`, which takes no `use<..>`: \
                     write the lifetimes it borrows as bounds (`+ 'a`, `+ '_`)",
                ))
            }
        }
    }
    let Some(main) = main else {
        // Only the fused trait was named (`impl FusedIterator<Item = T>`).
        return Err(syn::Error::new_spanned(
            ty,
            match kind {
                Kind::Sync => "a `boxed` generator returns `Iterator<Item = T>` or `Generator<..>` as a `Box<dyn ..>`, which cannot promise `FusedIterator`",
                Kind::Async => "a `boxed` generator returns `Stream<Item = T>` or `AsyncGenerator<..>` as a `Pin<Box<dyn ..>>`, which cannot promise `FusedStream`",
            },
        ));
    };
    // Located at the user's return type: errors about the box (a missing
    // `+ '_`) point there.
    let span = ty.span();
    let dyn_ty = quote::quote_spanned!(span=> dyn #main #(+ #bounds)*);
    let boxed = quote::quote_spanned!(span=> #krate::__private::Box<#dyn_ty>);
    Ok(match (kind, form) {
        (Kind::Sync, Form::Items { .. }) => syn::parse_quote_spanned!(span=> #boxed),
        _ => syn::parse_quote_spanned!(span=> ::core::pin::Pin<#boxed>),
    })
}

fn strip_parens(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => strip_parens(&p.elem),
        Type::Group(g) => strip_parens(&g.elem),
        ty => ty,
    }
}

fn item_arg(
    generics: Option<&AngleBracketedGenericArguments>,
    name: &syn::Ident,
) -> syn::Result<Type> {
    for arg in generics.into_iter().flat_map(|g| &g.args) {
        if let GenericArgument::AssocType(a) = arg {
            if a.ident == "Item" {
                return Ok(a.ty.clone());
            }
        }
    }
    Err(syn::Error::new(
        name.span(),
        format!("name the item type: `impl {name}<Item = T>`"),
    ))
}

fn coroutine_args(
    generics: Option<&AngleBracketedGenericArguments>,
    span: Span,
) -> syn::Result<(Type, Type, Option<Type>)> {
    let (mut resume, mut yield_, mut return_) = (None, None, None);
    for arg in generics.into_iter().flat_map(|g| &g.args) {
        match arg {
            GenericArgument::Type(t) if resume.is_none() => resume = Some(t.clone()),
            GenericArgument::AssocType(a) if a.ident == "Yield" => yield_ = Some(a.ty.clone()),
            GenericArgument::AssocType(a) if a.ident == "Return" => return_ = Some(a.ty.clone()),
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "expected the resume type, `Yield = Y` or `Return = T`",
                ))
            }
        }
    }
    let yield_ =
        yield_.ok_or_else(|| syn::Error::new(span, "name the yielded type: `Yield = Y`"))?;
    Ok((
        resume.unwrap_or_else(|| syn::parse_quote!(())),
        yield_,
        return_,
    ))
}

/// Whether `ty` can be written where a type is named (a `let`, a turbofish):
/// not if it contains `impl Trait`, as in `Item = impl Display`, nor if it
/// is left to inference (`_`, a generator block's).
pub fn is_nameable(ty: &Type) -> bool {
    if let Type::Infer(_) = ty {
        return false;
    }
    fn has_impl(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == "impl",
            proc_macro2::TokenTree::Group(g) => has_impl(g.stream()),
            _ => false,
        })
    }
    !has_impl(quote::ToTokens::to_token_stream(ty))
}
