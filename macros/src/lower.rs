//! Step 3: rewrite the body into the code of an `async` block driven by the
//! runtime's `Machine`: every `yield_!` becomes a write to the generator's
//! slot followed by an `.await` that suspends until the next resume.
//!
//! The analysis has already rejected cogen macros in closures, nested `async`
//! blocks and nested items, so this pass does not descend into those.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{quote_spanned, ToTokens};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Macro, Stmt, Type};

use crate::analyse::{Facts, Ours};
use crate::parse::{GenFn, Kind};

/// The names and paths the lowered body refers to.
pub struct Ctx<'a> {
    pub gen: &'a GenFn,
    pub facts: &'a Facts,
    /// The hygienic name of the body's `Co` handle: user code cannot see it.
    pub co: Ident,
    /// A hygienic label on the body's block. Every yield point names it in a
    /// `break` that never runs, and a label cannot be reached from inside a
    /// closure or a nested `async` block (E0767): so even when another
    /// macro wraps a `yield_!` we rewrote in an `async` block, compilation
    /// fails instead of producing a yield future that could be polled by
    /// someone other than its own generator. The runtime relies on this.
    pub label: syn::Lifetime,
    /// Whether any yield point was emitted (the label is unused otherwise).
    pub label_used: std::cell::Cell<bool>,
}

impl Ctx<'_> {
    fn krate(&self) -> &syn::Path {
        &self.gen.args.krate
    }

    /// `yield_!(value)` as an expression, spanned on the user's macro call.
    pub fn yield_expr(&self, span: Span, value: TokenStream) -> TokenStream {
        let krate = self.krate();
        let co = Ident::new(&self.co.to_string(), self.co.span().located_at(span));
        self.label_used.set(true);
        // Located at the user's `yield_!`, so that E0767 points there.
        let label = syn::Lifetime {
            apostrophe: self.label.apostrophe.located_at(span),
            ident: Ident::new(
                &self.label.ident.to_string(),
                self.label.ident.span().located_at(span),
            ),
        };
        let pin = quote_spanned!(span=> if false { break #label #krate::__private::never() });
        let value = if self.gen.args.try_.is_some() {
            quote_spanned!(span=> #krate::__private::Ok(#value))
        } else if let Some(ty) = nameable(self.gen.form.yield_ty()) {
            // A typed binding makes a wrong yield type an ordinary mismatch
            // on the user's expression, explained by their own return type.
            let v = Ident::new("__cogen_yielded", Span::mixed_site().located_at(span));
            quote_spanned!(span=> { let #v: #ty = #value; #v })
        } else {
            value
        };
        if self.facts.has_cleanup {
            let exit = self.close_exit(span);
            quote_spanned! {span=>
                #pin
                match #krate::__private::Co::yield_or_close(&#co, #value).await {
                    #krate::__private::Some(resumed) => resumed,
                    #krate::__private::None => #exit,
                }
            }
        } else {
            quote_spanned!(span=> #pin #krate::__private::Co::yield_(&#co, #value).await)
        }
    }

    /// What a yield point does when the generator is closed: the body is
    /// done, so it parks (an expression of type `!`).
    fn close_exit(&self, span: Span) -> TokenStream {
        let krate = self.krate();
        let co = Ident::new(&self.co.to_string(), self.co.span().located_at(span));
        quote_spanned!(span=> match #krate::__private::Co::park(&#co).await {})
    }

    /// `#[for_await] for pat in stream body`.
    fn for_await(&self, f: &syn::ExprForLoop) -> TokenStream {
        let krate = self.krate();
        let attrs = f.attrs.iter().filter(|a| !a.path().is_ident("for_await"));
        let label = &f.label;
        let pat = &f.pat;
        let expr = &f.expr;
        let body = &f.body;
        let span = f.for_token.span;
        let stream = Ident::new("__cogen_stream", Span::mixed_site().located_at(span));
        quote_spanned! {span=>
            #(#attrs)*
            {
                let mut #stream = ::core::pin::pin!(#expr);
                #label while let #krate::__private::Some(#pat) =
                    #krate::__private::next(#stream.as_mut()).await #body
            }
        }
    }
}

/// The type, if it can be written in a `let` (no `impl Trait` inside).
fn nameable(ty: &Type) -> Option<&Type> {
    fn has_impl(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            TokenTree::Ident(i) => i == "impl",
            TokenTree::Group(g) => has_impl(g.stream()),
            _ => false,
        })
    }
    (!has_impl(ty.to_token_stream())).then_some(ty)
}

pub fn lower(ctx: &Ctx, body: &mut Block) {
    Lowerer { ctx, nested: false }.visit_block_mut(body);
}

struct Lowerer<'a, 'b> {
    ctx: &'a Ctx<'b>,
    /// Inside a closure, nested `async` block or item: cogen macros there
    /// were reported by the analysis and are replaced by `unreachable!()`
    /// so that no second, confusing error follows.
    nested: bool,
}

impl Lowerer<'_, '_> {
    /// Our macro as an expression, or `None` if it is someone else's.
    fn our_macro(&self, mac: &Macro) -> Option<TokenStream> {
        let ours = Ours::of(&mac.path)?;
        let span = mac
            .path
            .segments
            .last()
            .map_or_else(Span::call_site, |s| s.ident.span());
        if self.nested {
            // Reported by the analysis. Naming the user's path still keeps
            // their import used: no `unused import` warning after the error.
            let path = &mac.path;
            return Some(quote_spanned! {span=>
                { #path!(@__cogen_used); ::core::unreachable!() }
            });
        }
        let tokens = self.tokens(mac.tokens.clone());
        // Naming the user's path once more keeps their import of it used.
        let path = &mac.path;
        let used = quote_spanned!(span=> #path!(@__cogen_used););
        Some(match ours {
            Ours::Yield => {
                let value = if tokens.is_empty() {
                    quote_spanned!(span=> ())
                } else {
                    tokens
                };
                let expr = self.ctx.yield_expr(span, value);
                quote_spanned!(span=> { #used #expr })
            }
            Ours::YieldFrom | Ours::Defer => {
                let msg = format!("`{}` is not implemented yet", ours.name());
                quote_spanned!(span=> ::core::compile_error!(#msg))
            }
        })
    }

    /// Rewrites cogen macros inside another macro's tokens, where syn cannot
    /// parse: `name ! (..)` anywhere in the token tree.
    fn tokens(&self, tokens: TokenStream) -> TokenStream {
        let mut out = Vec::new();
        let mut iter = tokens.into_iter().peekable();
        while let Some(tt) = iter.next() {
            match tt {
                TokenTree::Ident(ident) if Ours::of_ident(&ident).is_some() => {
                    let is_call =
                        matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                    // `path::yield_!` keeps its path prefix; only the call matters.
                    if is_call {
                        let bang = iter.next().expect("peeked");
                        if let Some(TokenTree::Group(g)) = iter.peek() {
                            let g = g.clone();
                            iter.next();
                            let mac = Macro {
                                path: ident.clone().into(),
                                bang_token: syn::Token![!](bang.span()),
                                delimiter: match g.delimiter() {
                                    Delimiter::Brace => {
                                        syn::MacroDelimiter::Brace(Default::default())
                                    }
                                    Delimiter::Bracket => {
                                        syn::MacroDelimiter::Bracket(Default::default())
                                    }
                                    _ => syn::MacroDelimiter::Paren(Default::default()),
                                },
                                tokens: g.stream(),
                            };
                            let expr = self.our_macro(&mac).expect("ours");
                            drop_path_prefix(&mut out);
                            out.push(TokenTree::Group(Group::new(Delimiter::Parenthesis, expr)));
                            continue;
                        }
                        out.push(TokenTree::Ident(ident));
                        out.push(bang);
                        continue;
                    }
                    out.push(TokenTree::Ident(ident));
                }
                TokenTree::Group(g) => {
                    let mut new = Group::new(g.delimiter(), self.tokens(g.stream()));
                    new.set_span(g.span());
                    out.push(TokenTree::Group(new));
                }
                tt => out.push(tt),
            }
        }
        out.into_iter().collect()
    }
}

impl VisitMut for Lowerer<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Macro(m) => {
                if let Some(tokens) = self.our_macro(&m.mac) {
                    *e = Expr::Verbatim(tokens);
                } else {
                    m.mac.tokens = self.tokens(m.mac.tokens.clone());
                }
            }
            // Their own state machines; the analysis rejected our macros there.
            Expr::Closure(_) | Expr::Async(_) => self.nested(|v| visit_mut::visit_expr_mut(v, e)),
            Expr::ForLoop(f)
                if self.ctx.gen.kind == Kind::Async
                    && f.attrs.iter().any(|a| a.path().is_ident("for_await")) =>
            {
                visit_mut::visit_expr_for_loop_mut(self, f);
                *e = Expr::Verbatim(self.ctx.for_await(f));
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_stmt_mut(&mut self, s: &mut Stmt) {
        if let Stmt::Macro(m) = s {
            if let Some(tokens) = self.our_macro(&m.mac) {
                let semi = m.semi_token;
                *s = Stmt::Expr(Expr::Verbatim(tokens), semi);
            } else {
                m.mac.tokens = self.tokens(m.mac.tokens.clone());
            }
            return;
        }
        visit_mut::visit_stmt_mut(self, s);
    }

    fn visit_macro_mut(&mut self, m: &mut Macro) {
        // Macros in pattern or type position: only other macros' tokens.
        m.tokens = self.tokens(m.tokens.clone());
    }

    fn visit_item_mut(&mut self, i: &mut syn::Item) {
        self.nested(|v| visit_mut::visit_item_mut(v, i));
    }
}

impl Lowerer<'_, '_> {
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.nested, true);
        f(self);
        self.nested = outer;
    }
}

/// Removes an already emitted `cogen::` / `::cogen::` in front of a cogen
/// macro found in raw tokens, since the macro call is replaced whole.
fn drop_path_prefix(out: &mut Vec<TokenTree>) {
    let is_colon =
        |t: Option<&TokenTree>| matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == ':');
    let n = out.len();
    if n >= 3 && is_colon(out.get(n - 1)) && is_colon(out.get(n - 2)) {
        if let Some(TokenTree::Ident(i)) = out.get(n - 3) {
            if i == "cogen" || i == "crate" {
                out.truncate(n - 3);
                let n = out.len();
                if n >= 2 && is_colon(out.get(n - 1)) && is_colon(out.get(n - 2)) {
                    out.truncate(n - 2);
                }
            }
        }
    }
}
