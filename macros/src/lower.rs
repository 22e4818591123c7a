//! Step 3: rewrite the body into the code of an `async` block driven by the
//! runtime's `Machine`:
//!
//! * `yield_!(v)` becomes an `.await` on a future that hands `v` to the
//!   driver and evaluates to the next resume argument (or, in a generator
//!   with cleanup, takes the close path when the generator is being closed);
//! * `yield_from!(x)` picks, at compile time, how to delegate to `x`, and
//!   awaits the delegate's completion;
//! * `defer! { .. }` splits its block: the rest of the block runs in a
//!   labelled block whose every exit (`return`, `?`, `break`, `continue`,
//!   the close path) leaves it first; the cleanup runs; the exit replays;
//! * in an async generator with cleanup, every other `.await` gives up when
//!   the generator is closed, so that its cleanup runs at once;
//! * `#[for_await] for` becomes a loop over a pinned stream.
//!
//! Soundness rests on one rule: the code that awaits the body's `Co` handle
//! (`__co`) runs only as part of this generator's own `async` block, since
//! the runtime finds the frame a value goes to through the waker of whoever
//! polls it. Where this pass writes the code itself, it keeps the rule (and
//! the analysis has reported cogen macros written in closures, `async`
//! blocks and nested fns, which are not lowered). Inside another macro's
//! arguments it cannot: that macro gets the tokens and may rewrite them,
//! strip any guard it can see, and move the rest into an `async` block that
//! another generator polls. So no such macro is ever handed `__co`: it gets
//! a call of a hygienic `macro_rules!` defined before the statement, whose
//! body it never sees (see `Lowerer::shield`); an attribute macro below
//! `#[generator]` is moved above it (`expand_last` in `lib.rs`).

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Macro, Stmt};

use crate::analyse::{early_exit_token, Nesting, Ours};
use crate::parse::{GenFn, Kind};
use crate::plan::{Constructor, Ending, Plan, Yielded};

/// The names and paths the lowered body refers to.
pub struct Ctx<'a> {
    pub gen: &'a GenFn,
    pub plan: &'a Plan,
    /// The hygienic name of the body's `Co` handle: user code cannot see it.
    pub co: Ident,
    /// A hygienic label on the body's block. Every suspension point written
    /// inside another macro's arguments names it in a `break` that never
    /// runs (see `Lowerer::shield`), and a label cannot be reached from a
    /// closure, a nested `async` block or a nested fn (E0767 / E0434).
    pub label: syn::Lifetime,
    /// Whether any guard was emitted (the label is unused otherwise).
    pub label_used: std::cell::Cell<bool>,
}

impl Ctx<'_> {
    fn krate(&self) -> &syn::Path {
        &self.gen.args.krate
    }

    /// The call, if `source` (a `yield_from!` argument) calls this
    /// generator function itself and its state is inline (the `Pooled`
    /// forms): it is then made through the free list (`recurse`).
    fn recursive_call(&self, source: &TokenStream) -> Option<Expr> {
        match self.plan.constructor {
            Constructor::Pooled { .. } => crate::analyse::call_of_itself(self.gen, source),
            _ => None,
        }
    }

    /// A recursive call (see [`Ctx::recursive_call`]) as its generator is to
    /// be made: `recurse((a, b), |(a, b)| f(a, b))`, the arguments evaluated
    /// here, in order, and the call made when the delegate is linked, in a
    /// block from the root's pool. A method's receiver, if a plain path
    /// (`self`), is captured by the closure as the call would use it;
    /// another receiver is evaluated first, as written, and the call boxed
    /// (`recurse_boxed`).
    fn recurse(&self, span: Span, expr: Expr) -> TokenStream {
        // Each argument is evaluated here, in order, into the tuple the
        // closure takes, except a closure or a literal: making one has no
        // effect to reorder, and written in the call it keeps the type the
        // parameter expects (a closure's argument types are inferred from
        // it).
        let split = |args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>| {
            let mut values = Vec::new();
            let mut names = Vec::new();
            let mut call_args = Vec::new();
            for (i, arg) in args.iter().enumerate() {
                if matches!(arg, Expr::Closure(_) | Expr::Lit(_)) {
                    call_args.push(arg.to_token_stream());
                } else {
                    let name = Ident::new(
                        &format!("__cogen_arg{i}"),
                        Span::mixed_site().located_at(span),
                    );
                    values.push(arg.to_token_stream());
                    call_args.push(name.to_token_stream());
                    names.push(name);
                }
            }
            (values, names, call_args)
        };
        let (values, closure) = match &expr {
            Expr::Call(c) => {
                let (values, names, args) = split(&c.args);
                let func = &c.func;
                let closure = quote_spanned!(span=> |(#(#names,)*)| #func(#(#args),*));
                (values, closure)
            }
            Expr::MethodCall(m) if is_plain_path(&m.receiver) => {
                let (values, names, args) = split(&m.args);
                let (receiver, method, turbofish) = (&m.receiver, &m.method, &m.turbofish);
                let closure = quote_spanned!(span=>
                    |(#(#names,)*)| #receiver.#method #turbofish(#(#args),*)
                );
                (values, closure)
            }
            _ => {
                let krate_at = respan(self.krate().to_token_stream(), span);
                return quote_spanned!(span=> #krate_at::__private::recurse_boxed(#expr));
            }
        };
        // Located at the user's call, where the error for a missing `alloc`
        // (the bound of `recurse` without it) is then reported.
        let at = syn::spanned::Spanned::span(&expr).resolved_at(span);
        let krate_at = respan(self.krate().to_token_stream(), at);
        quote_spanned!(at=> #krate_at::__private::recurse((#(#values,)*), #closure))
    }

    /// The body's `Co` handle, located at the user's macro call.
    fn co_at(&self, span: Span) -> Ident {
        Ident::new(&self.co.to_string(), self.co.span().located_at(span))
    }

    /// The never-taken `break` to the body's label that every shielded
    /// suspension point carries (see `label`), located at the user's macro
    /// call so that E0767 points there.
    fn guard(&self, span: Span) -> TokenStream {
        let krate = self.krate();
        self.label_used.set(true);
        let label = located_at(&self.label, span);
        let never = paren(span, quote_spanned!(span=> #krate::__private::never()));
        quote_spanned!(span=> if false { break #label #never })
    }

    /// The argument of a `yield_from!`, with a direct recursive call in the
    /// inline forms (`impl Generator`, `impl Stream`, `impl AsyncGenerator`)
    /// made through the free list: as written it would make the state
    /// contain itself (E0733, as for a recursive `async fn`). The `impl
    /// Iterator` form and a `boxed` generator are boxed already. Applied to
    /// the user's tokens before any shielding: inside another macro's
    /// arguments the delegation code only sees the shield's placeholder.
    fn delegate_source(&self, span: Span, source: TokenStream) -> TokenStream {
        match self.recursive_call(&source) {
            Some(call) => self.recurse(span, call),
            None => source,
        }
    }

    /// `yield_from!(source)`: picks how to delegate at compile time (a
    /// cogen generator directly, else a stream in async generators, else an
    /// iterator) and suspends until the delegate completes.
    pub fn yield_from_expr(
        &self,
        span: Span,
        source: TokenStream,
        close_exit: TokenStream,
    ) -> TokenStream {
        let krate = self.krate();
        let co = self.co_at(span);
        // Spanned like the user's call, context included: rustc reports an
        // unsuitable delegate on this binding (the pick's receiver), and a
        // binding from another (mixed-site) context would be reported on the
        // whole `#[generator]` attribute instead. Only our code, in the block
        // below, is in its scope.
        let from = Ident::new("__cogen_from", span);
        // The same for the call that takes the delegate, so that a delegate
        // of the wrong type is a bound "introduced by" the user's call.
        let krate_at = respan(krate.to_token_stream(), span);
        // Only an async generator can delegate to async generators and to
        // streams: only it can wait for them.
        let via_async = (self.gen.kind == Kind::Async).then(
            || quote_spanned!(span=> ViaAsyncGen as _, ViaForeignAsyncGen as _, ViaStream as _,),
        );
        quote_spanned! {span=>
            #[allow(unused_imports)]
            use #krate::__private::{#via_async ViaGen as _, ViaForeignGen as _, ViaIter as _};
            // In a block of its own: a local borrowed (by the pick) stays in
            // the body's state across the `.await` until its scope ends,
            // and this one is moved out right away.
            let #from = {
                let #from = #krate::__private::Wrap(#source);
                (&&&&&&#from).__cogen_pick().wrap(#from)
            };
            let mut #from = ::core::pin::pin!(#from);
            match #krate_at::__private::Co::yield_from(&#co, #from.as_mut()).await {
                #krate::__private::Some(returned) => returned,
                #krate::__private::None => #close_exit,
            }
        }
    }

    /// `yield_!(value)` as an expression, spanned on the user's macro call.
    pub fn yield_expr(
        &self,
        span: Span,
        value: TokenStream,
        close_exit: TokenStream,
    ) -> TokenStream {
        let krate = self.krate();
        let co = self.co_at(span);
        let value = match &self.plan.yielded {
            Yielded::Ok => quote_spanned!(span=> #krate::__private::Ok(#value)),
            // A typed binding makes a wrong yield type an ordinary mismatch
            // on the user's expression, explained by their own return type.
            Yielded::Typed(ty) => {
                let v = Ident::new("__cogen_yielded", Span::mixed_site().located_at(span));
                quote_spanned!(span=> { let #v: #ty = #value; #v })
            }
            Yielded::AsIs => value,
        };
        // Two awaits: the value goes out, then the body suspends (see `Put`
        // in the runtime for why not one).
        let co_ty = quote_spanned!(span=> #krate::__private::Co);
        // With a resume type of `()`, a resume without an argument (the
        // first of a generator that had started when a `yield_from!` took
        // it over) resumes it too (see `Co::suspend_unit`).
        let unit = if self.plan.resume_ty.is_unit() {
            "_unit"
        } else {
            ""
        };
        let suspend = Ident::new(&format!("suspend{unit}"), span);
        let suspend_or_close = Ident::new(&format!("suspend_or_close{unit}"), span);
        if self.plan.cleanup {
            let exit = close_exit;
            quote_spanned! {span=>
                match if #co_ty::put(&#co, #value).await {
                    #co_ty::#suspend_or_close(&#co).await
                } else {
                    #krate::__private::None
                } {
                    #krate::__private::Some(resumed) => resumed,
                    #krate::__private::None => #exit,
                }
            }
        } else {
            quote_spanned! {span=>
                #co_ty::put(&#co, #value).await;
                #co_ty::#suspend(&#co).await
            }
        }
    }

    /// What a yield point does when the generator is closed, outside any
    /// `defer!` scope: the body is done, so it parks (an expression of type
    /// `!`).
    fn park(&self, span: Span) -> TokenStream {
        let krate = self.krate();
        let co = self.co_at(span);
        quote_spanned!(span=> match #krate::__private::Co::park(&#co).await {})
    }

    /// `fut.await` in an async generator with cleanup: gives up when the
    /// generator is being closed, so that its cleanup runs at once.
    fn cancellable_await(
        &self,
        span: Span,
        fut: TokenStream,
        close_exit: TokenStream,
    ) -> TokenStream {
        let krate = self.krate();
        let co = self.co_at(span);
        quote_spanned! {span=>
            {
                match #krate::__private::Co::until_closed(&#co, #fut).await {
                    #krate::__private::Some(output) => output,
                    #krate::__private::None => #close_exit,
                }
            }
        }
    }
}

pub fn lower(ctx: &Ctx, body: &mut Block) {
    Lowerer {
        ctx,
        nested: false,
        scopes: Vec::new(),
        scope_count: 0,
        in_cleanup: false,
        foreign: 0,
        shields: Vec::new(),
        shield_count: 0,
    }
    .visit_block_mut(body);
}

/// The code after a `defer!` in its block, while it is being lowered: every
/// way out of it becomes `break 'label Exit::..`, so that the cleanup runs
/// first, and is then replayed after the cleanup.
struct DeferScope {
    label: syn::Lifetime,
    /// The loops and labels inside the scope: jumps to them stay inside.
    inside: Nesting,
    /// Jumps that leave the scope: the label (`None` for the nearest loop)
    /// and whether it is a `continue`.
    jumps: Vec<(Option<syn::Lifetime>, bool)>,
    /// Whether some `break` leaving the scope carries a value.
    valued_break: bool,
}

struct Lowerer<'a, 'b> {
    ctx: &'a Ctx<'b>,
    /// Inside a closure, nested `async` block or item: cogen macros there
    /// were reported by the analysis and are replaced by `unreachable!()`
    /// so that no second, confusing error follows.
    nested: bool,
    /// The `defer!` scopes around the code being lowered, innermost last.
    scopes: Vec<DeferScope>,
    scope_count: usize,
    /// Lowering a `defer!` body: its awaits run to completion.
    in_cleanup: bool,
    /// How many other macros' argument tokens the code being lowered is in.
    foreign: usize,
    /// The `macro_rules!` definitions of the shielded suspension points
    /// found in the statement being lowered (see `shield`), waiting to be
    /// put before that statement.
    shields: Vec<TokenStream>,
    shield_count: usize,
}

impl Lowerer<'_, '_> {
    /// Our macro as an expression, or `None` if it is someone else's.
    fn our_macro(&mut self, mac: &Macro) -> Option<TokenStream> {
        let ours = Ours::of(&mac.path)?;
        let span = mac
            .path
            .segments
            .last()
            .map_or_else(Span::call_site, |s| s.ident.span());
        if self.nested {
            // Reported by the analysis. Naming the user's path still keeps
            // their import used: no `unused import` warning after the error.
            // A plain value argument is kept, borrowed and never evaluated,
            // so that the variables it names are not reported unused (a
            // closure's parameter, say); one that could add errors of its
            // own (`.await`, `?`, control flow, a macro) is dropped.
            let path = &mac.path;
            let kept = match ours {
                Ours::Yield | Ours::YieldFrom if inert(mac.tokens.clone()) => {
                    syn::parse2::<Expr>(mac.tokens.clone())
                        .ok()
                        .map(|value| quote_spanned!(span=> let _ = || { let _ = &(#value); };))
                }
                _ => None,
            };
            return Some(quote_spanned! {span=>
                { #path!(@__cogen_used); #kept ::core::unreachable!() }
            });
        }
        // Naming the user's path once more keeps their import of it used.
        let path = &mac.path;
        let used = quote_spanned!(span=> #path!(@__cogen_used););
        // A misplaced `defer!` is reported by the analysis; its body is not
        // lowered.
        let args = match ours {
            Ours::Defer => Ok(TokenStream::new()),
            // One expression, or nothing (`yield_!()`): anything else
            // would be pasted where an expression goes, and make the whole
            // expansion unparsable (the analysis reports the parse error).
            _ if !mac.tokens.is_empty() => match mac.parse_body::<Expr>() {
                Ok(_) => self
                    .macro_args(mac.tokens.clone())
                    .map_err(|(at, _)| crate::analyse::exit_skips_cleanup(at)),
                Err(error) => Err(error),
            },
            _ => Ok(TokenStream::new()),
        };
        let tokens = match (args, ours) {
            (Ok(tokens), _) => tokens,
            // A yield of no value: the value `yield_!` gives back keeps its
            // type, so that nothing else is reported.
            (Err(_), Ours::Yield) => {
                let krate = self.ctx.krate();
                quote_spanned!(span=> #krate::__private::never())
            }
            // What a delegation gives back has no type to keep: rustc's error
            // type, the analysis's error again (rustc shows it once).
            (Err(error), _) => {
                let error = error.to_compile_error();
                return Some(quote_spanned!(span=> { #used #error }));
            }
        };
        Some(match ours {
            Ours::Yield => {
                let value = if tokens.is_empty() {
                    quote_spanned!(span=> ())
                } else {
                    tokens
                };
                let close = self.close_exit(span);
                self.shield(span, "yield", used, value, |ctx, v| {
                    ctx.yield_expr(span, v, close)
                })
            }
            Ours::YieldFrom => {
                let close = self.close_exit(span);
                let tokens = self.ctx.delegate_source(span, tokens);
                self.shield(span, "yield_from", used, tokens, |ctx, v| {
                    ctx.yield_from_expr(span, v, close)
                })
            }
            // A `defer!` that is a statement of a block is lowered with its
            // block (`visit_block_mut`); anywhere else it has no block to
            // guard (reported by the analysis), and stands for `()`.
            Ours::Defer => quote_spanned!(span=> { #used }),
        })
    }

    /// Code that uses the body's `Co` handle, for a suspension point whose
    /// operand is `arg`. Directly in the body it is written in place: only
    /// this lowering places it, and the analysis rejected our macros in
    /// closures, `async` blocks and nested fns. Inside another macro's
    /// arguments it is not: that macro receives the tokens and may move them
    /// anywhere, into an `async` block that a different generator polls (the
    /// runtime would then hand a value to the wrong frame: a transmute), and
    /// may strip any guard it can see. So the macro gets only a call
    /// `__cogen_yield_N!(arg)`, and the code using `__co` is the body of a
    /// `macro_rules!` defined before the statement (`visit_stmts`), with a
    /// never-taken `break` to the body's label: wherever the call is moved,
    /// it expands there, and in a closure, `async` block or fn that label
    /// (and `__co`) cannot be reached, so it fails to compile. Hygiene keeps
    /// the name, `__co` and the label out of the user's reach.
    ///
    /// `used` (the user's macro named once more, so that its import counts
    /// as used) goes beside the code, or beside the definition: another
    /// macro, a `#[generator]` it writes say, would take it for a call.
    fn shield(
        &mut self,
        span: Span,
        what: &str,
        used: TokenStream,
        arg: TokenStream,
        code: impl FnOnce(&Ctx, TokenStream) -> TokenStream,
    ) -> TokenStream {
        if self.foreign == 0 {
            let code = code(self.ctx, arg);
            if used.is_empty() {
                return code;
            }
            return quote_spanned!(span=> { #used #code });
        }
        self.shield_count += 1;
        // Resolved like the user's own tokens, not like cogen's hygienic
        // names: a procedural macro handed the call could otherwise make an
        // identifier `__co` of the same hygiene from it. Naming this macro
        // gains the user nothing: it holds its guard wherever it expands.
        let name = Ident::new(&format!("__cogen_{what}_{}", self.shield_count), span);
        let guard = self.ctx.guard(span);
        let body = code(self.ctx, shield_arg(span));
        let d = proc_macro2::Punct::new('$', proc_macro2::Spacing::Alone);
        let v = Ident::new("v", Span::mixed_site());
        self.shields.push(quote_spanned! {span=>
            #used
            #[allow(unused_macros)]
            macro_rules! #name {
                (#d(#d #v:tt)*) => {{ #guard #body }};
            }
        });
        quote_spanned!(span=> #name!(#arg))
    }

    /// An exit of a `defer!` scope (`break 'scope Exit::..`) carrying
    /// `value`, shielded inside other macros' arguments like the suspension
    /// points: the scope's label is one of cogen's hygienic names.
    fn shield_exit(
        &mut self,
        span: Span,
        value: Option<TokenStream>,
        exit: impl FnOnce(&mut Self, Option<TokenStream>) -> TokenStream,
    ) -> TokenStream {
        if self.foreign == 0 {
            return exit(self, value);
        }
        let code = exit(self, value.as_ref().map(|_| shield_arg(span)));
        self.shield(
            span,
            "exit",
            TokenStream::new(),
            value.unwrap_or_default(),
            |_, _| code,
        )
    }

    /// `#[for_await] for pat in stream body`.
    fn for_await(&mut self, f: &syn::ExprForLoop, close_exit: TokenStream) -> TokenStream {
        let krate = self.ctx.krate().clone();
        let attrs = f.attrs.iter().filter(|a| !a.path().is_ident("for_await"));
        let label = &f.label;
        let pat = &f.pat;
        let expr = &f.expr;
        let body = &f.body;
        let span = f.for_token.span;
        // Inside another macro's arguments, no hygienic name of cogen's (see
        // `shield`).
        let stream = if self.foreign == 0 {
            Ident::new("__cogen_stream", Span::mixed_site().located_at(span))
        } else {
            Ident::new("__cogen_stream", span)
        };
        let next = quote_spanned!(span=> #krate::__private::next(#stream.as_mut()));
        let next = if self.ctx.plan.cleanup {
            self.cancellable_await(span, next, close_exit)
        } else {
            quote_spanned!(span=> #next.await)
        };
        quote_spanned! {span=>
            #(#attrs)*
            {
                let mut #stream = ::core::pin::pin!(#expr);
                #label while let #krate::__private::Some(#pat) = #next #body
            }
        }
    }

    /// `fut.await` in an async generator with cleanup, shielded.
    fn cancellable_await(
        &mut self,
        span: Span,
        fut: TokenStream,
        close_exit: TokenStream,
    ) -> TokenStream {
        self.shield(span, "await", TokenStream::new(), fut, |ctx, f| {
            ctx.cancellable_await(span, f, close_exit)
        })
    }

    /// Lowers the statements of a block. Shields made for a statement (see
    /// `shield`) are defined right before it, in the innermost block outside
    /// every other macro's arguments: there no other macro sees them, and
    /// the body's label and any `defer!` scope around the statement are in
    /// scope. The statement itself is left where it is, unwrapped: a
    /// statement macro may define `let` bindings or items used later.
    fn visit_stmts(&mut self, stmts: &mut Vec<Stmt>) {
        if self.foreign > 0 {
            for stmt in stmts {
                self.visit_stmt_mut(stmt);
            }
            return;
        }
        for mut stmt in std::mem::take(stmts) {
            let mark = self.shields.len();
            self.visit_stmt_mut(&mut stmt);
            for def in self.shields.drain(mark..) {
                stmts.push(Stmt::Item(syn::Item::Verbatim(def)));
            }
            stmts.push(stmt);
        }
    }

    /// Runs `f` on another macro's argument tokens.
    fn in_foreign<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.foreign += 1;
        let out = f(self);
        self.foreign -= 1;
        out
    }

    /// The close path of a yield point: leave the innermost `defer!` scope
    /// (its cleanup runs, then the close continues outwards), or park.
    fn close_exit(&self, span: Span) -> TokenStream {
        let krate = &self.ctx.gen.args.krate;
        match self.scopes.last() {
            Some(scope) => {
                // Located at the user's call: if another macro moved it where
                // the label cannot be reached, the error points there.
                let label = located_at(&scope.label, span);
                let close = paren(span, quote_spanned!(span=> #krate::__private::Exit::Close));
                quote_spanned!(span=> break #label #close)
            }
            None => self.ctx.park(span),
        }
    }

    /// `return value`, from where the lowering is now.
    fn return_exit(&mut self, span: Span, value: TokenStream) -> TokenStream {
        let krate = &self.ctx.gen.args.krate;
        match self.scopes.last() {
            Some(scope) => {
                let label = &scope.label;
                let exit = paren(
                    span,
                    quote_spanned!(span=> #krate::__private::Exit::Return(#value)),
                );
                quote_spanned!(span=> break #label #exit)
            }
            None => quote_spanned!(span=> return #value),
        }
    }

    /// A `break` / `continue` to `label` (or the nearest loop): rewritten if
    /// it leaves the innermost `defer!` scope, `None` if it stays inside.
    fn jump_exit(
        &mut self,
        span: Span,
        label: Option<&syn::Lifetime>,
        is_continue: bool,
        value: Option<TokenStream>,
    ) -> Option<TokenStream> {
        let krate = self.ctx.gen.args.krate.clone();
        let scope = self.scopes.last_mut()?;
        if scope.inside.contains(label) {
            return None;
        }
        let index = match scope
            .jumps
            .iter()
            .position(|(l, c)| l.as_ref() == label && *c == is_continue)
        {
            Some(i) => i,
            None => {
                scope.jumps.push((label.cloned(), is_continue));
                scope.jumps.len() - 1
            }
        };
        let index = index as u8;
        let scope_label = &scope.label;
        Some(if is_continue {
            let exit = paren(
                span,
                quote_spanned!(span=> #krate::__private::Exit::Continue(#index)),
            );
            quote_spanned!(span=> break #scope_label #exit)
        } else {
            let value = match value {
                Some(v) => {
                    scope.valued_break = true;
                    quote_spanned!(span=> #krate::__private::Some(#v))
                }
                None => quote_spanned!(span=> #krate::__private::None),
            };
            let exit = paren(
                span,
                quote_spanned!(span=> #krate::__private::Exit::Break(#index, #value)),
            );
            quote_spanned!(span=> break #scope_label #exit)
        })
    }

    /// Lowers a block whose statement `at` is a `defer!`:
    ///
    /// ```text
    /// before; defer! { cleanup } after
    /// ```
    /// becomes
    /// ```text
    /// before;
    /// let exit = 'scope: { Exit::Normal({ after }) };   // exits: break 'scope Exit::..
    /// let () = { cleanup };
    /// match exit { Exit::Normal(v) => v, Exit::Return(r) => return r, .. }
    /// ```
    fn lower_defer(&mut self, block: &mut Block, at: usize) {
        let krate = self.ctx.gen.args.krate.clone();
        let after = block.stmts.split_off(at + 1);
        let Some(Stmt::Macro(defer)) = block.stmts.pop() else {
            unreachable!()
        };
        self.visit_stmts(&mut block.stmts);
        let span = defer
            .mac
            .path
            .segments
            .last()
            .map_or_else(Span::call_site, |s| s.ident.span());
        let path = &defer.mac.path;
        let defer_attrs = &defer.attrs;
        let used = quote_spanned!(span=> #path!(@__cogen_used););
        let tokens = defer.mac.tokens.clone();
        let mut cleanup: Block = match syn::parse2(quote_spanned!(span=> { #tokens })) {
            Ok(b) => b,
            // Reported by the analysis: the rest of the block is lowered as
            // if the `defer!` were not there.
            Err(_) => {
                let mut rest = Block {
                    brace_token: Default::default(),
                    stmts: after,
                };
                self.visit_block_mut(&mut rest);
                block.stmts.push(Stmt::Item(syn::Item::Verbatim(used)));
                block.stmts.extend(rest.stmts);
                return;
            }
        };

        self.scope_count += 1;
        let label = syn::Lifetime::new(
            &format!("'__cogen_defer_{}", self.scope_count),
            Span::mixed_site(),
        );
        self.scopes.push(DeferScope {
            label,
            inside: Nesting::default(),
            jumps: Vec::new(),
            valued_break: false,
        });
        let mut after = Block {
            brace_token: Default::default(),
            stmts: after,
        };
        self.visit_block_mut(&mut after);
        let scope = self.scopes.pop().expect("pushed above");
        // The cleanup runs outside the scope it guards, and to its end.
        let outer = std::mem::replace(&mut self.in_cleanup, true);
        self.visit_block_mut(&mut cleanup);
        self.in_cleanup = outer;

        let exit = Ident::new(
            &format!("__cogen_exit_{}", self.scope_count),
            Span::mixed_site(),
        );
        let value = Ident::new("__cogen_value", Span::mixed_site());
        let ret = self.return_exit(span, quote!(#value));
        let close = self.close_exit(span);
        let mut arms = Vec::new();
        let mut breaks = Vec::new();
        let mut continues = Vec::new();
        for (i, (target, is_continue)) in scope.jumps.iter().enumerate() {
            let i = i as u8;
            if *is_continue {
                let jump = self
                    .jump_exit(span, target.as_ref(), true, None)
                    .unwrap_or_else(|| quote_spanned!(span=> continue #target));
                continues.push(quote_spanned!(span=> #i => #jump,));
            } else {
                let v = quote_spanned!(span=> #krate::__private::Option::unwrap(#value));
                let carried = scope.valued_break.then(|| paren(span, v));
                let jump = self
                    .jump_exit(span, target.as_ref(), false, carried.clone())
                    .unwrap_or_else(|| quote_spanned!(span=> break #target #carried));
                breaks.push(quote_spanned!(span=> #i => #jump,));
            }
        }
        if !breaks.is_empty() {
            arms.push(quote_spanned! {span=>
                #krate::__private::Exit::Break(index, #value) => match index {
                    #(#breaks)*
                    _ => ::core::unreachable!(),
                },
            });
        }
        if !continues.is_empty() {
            arms.push(quote_spanned! {span=>
                #krate::__private::Exit::Continue(index) => match index {
                    #(#continues)*
                    _ => ::core::unreachable!(),
                },
            });
        }
        let break_ty = if scope.valued_break {
            quote!(_)
        } else {
            quote!(())
        };
        let scope_label = &scope.label;
        let lowered: TokenStream = quote_spanned! {span=>
            #used
            #[allow(unreachable_code, clippy::diverging_sub_expression)]
            let #exit: #krate::__private::Exit<_, _, #break_ty> =
                #scope_label: { #krate::__private::Exit::Normal(#after) };
            // The `defer!`'s own attributes go on its cleanup: a configured
            // out `defer!` registers nothing, and the rest of its block
            // runs all the same.
            #(#defer_attrs)*
            #[allow(unreachable_code)]
            let () = #cleanup;
            #[allow(unreachable_code)]
            match #exit {
                #krate::__private::Exit::Normal(#value) => #value,
                #krate::__private::Exit::Return(#value) => #ret,
                #krate::__private::Exit::Close => #close,
                #(#arms)*
                #[allow(unreachable_patterns)]
                _ => ::core::unreachable!(),
            }
        };
        // Already lowered: kept as tokens, so no later pass rewrites it again.
        block.stmts.push(Stmt::Expr(Expr::Verbatim(lowered), None));
    }

    /// Runs `f` with a loop (and its label) entered, for `defer!` scopes.
    fn in_loop(&mut self, label: Option<&syn::Label>, f: impl FnOnce(&mut Self)) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.inside.enter_loop(label);
        }
        f(self);
        if let Some(scope) = self.scopes.last_mut() {
            scope.inside.leave_loop();
        }
    }

    /// Lowers a macro's arguments. When they parse as comma-separated
    /// expressions (`vec![..]`, `format!(..)`, `yield_!(..)`), they are
    /// lowered as code, so that `?` and `return` in them leave a `defer!`
    /// scope properly; otherwise only cogen's macros in them are rewritten,
    /// and inside a `defer!` scope a `?` or `return` there (reported by the
    /// analysis: it would skip the cleanup) makes them `Err`: the caller
    /// replaces the whole macro call where it can, or that macro would
    /// report its own arguments, which are no longer the user's.
    fn macro_args(&mut self, tokens: TokenStream) -> Result<TokenStream, (Span, TokenStream)> {
        use syn::parse::Parser;
        use syn::punctuated::Punctuated;
        if !tokens.is_empty() {
            if let Ok(mut args) =
                Punctuated::<Expr, syn::Token![,]>::parse_terminated.parse2(tokens.clone())
            {
                for arg in args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
                return Ok(args.to_token_stream());
            }
        }
        let exit = early_exit_token(tokens.clone()).filter(|_| !self.scopes.is_empty());
        let tokens = self.tokens(tokens);
        match exit {
            Some(span) => Err((span, tokens)),
            None => Ok(tokens),
        }
    }

    /// Rewrites cogen macros inside another macro's tokens, where syn cannot
    /// parse: `name ! (..)` anywhere in the token tree.
    fn tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let mut out = Vec::new();
        let mut iter = tokens.into_iter().peekable();
        while let Some(tt) = iter.next() {
            match tt {
                // A generator block, as written: it lowers its own body.
                TokenTree::Ident(ident)
                    if crate::blocks::is_block_ident(&ident)
                        && crate::blocks::is_bang(iter.peek()) =>
                {
                    out.push(TokenTree::Ident(ident));
                    out.push(iter.next().expect("peeked"));
                    if let Some(TokenTree::Group(_)) = iter.peek() {
                        out.push(iter.next().expect("peeked"));
                    }
                }
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
                                // With the group's spans: a parse error at
                                // the end of the arguments points there.
                                delimiter: match g.delimiter() {
                                    Delimiter::Brace => {
                                        syn::MacroDelimiter::Brace(syn::token::Brace {
                                            span: g.delim_span(),
                                        })
                                    }
                                    Delimiter::Bracket => {
                                        syn::MacroDelimiter::Bracket(syn::token::Bracket {
                                            span: g.delim_span(),
                                        })
                                    }
                                    _ => syn::MacroDelimiter::Paren(syn::token::Paren {
                                        span: g.delim_span(),
                                    }),
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
        // `return value` in an Iterator / Stream form: the analysis has
        // reported it at `value` (see `visit_expr_return` there). The value
        // is still evaluated and checked, but returned as `()`, so that
        // rustc does not report it again as a mismatch with `()`.
        if let Expr::Return(syn::ExprReturn {
            expr: Some(value), ..
        }) = e
        {
            if !self.nested && self.foreign == 0 && self.ends_with_unit() {
                let span = value.span();
                **value = syn::parse_quote_spanned!(span=> { let _ = #value; });
            }
        }
        match e {
            // A generator block lowers its own body.
            Expr::Macro(m) if crate::blocks::is_block(&m.mac.path) => {}
            Expr::Macro(m) => {
                if let Some(tokens) = self.our_macro(&m.mac) {
                    let attrs = &m.attrs;
                    *e = Expr::Verbatim(quote!(#(#attrs)* #tokens));
                } else {
                    match self.in_foreign(|v| v.macro_args(m.mac.tokens.clone())) {
                        Ok(tokens) => m.mac.tokens = tokens,
                        // In a block: `break 'label ::core::..` would not
                        // parse (see `paren`).
                        Err((span, _)) => *e = Expr::Verbatim(skipping_cleanup(span)),
                    }
                }
            }
            // Their own state machines; the analysis rejected our macros there.
            Expr::Closure(_) | Expr::Async(_) => self.nested(|v| visit_mut::visit_expr_mut(v, e)),
            Expr::ForLoop(f)
                if self.ctx.plan.kind == Kind::Async
                    && !self.nested
                    && f.attrs.iter().any(|a| a.path().is_ident("for_await")) =>
            {
                let label = f.label.clone();
                self.visit_pat_mut(&mut f.pat);
                self.visit_expr_mut(&mut f.expr);
                self.in_loop(label.as_ref(), |v| v.visit_block_mut(&mut f.body));
                let close_exit = self.close_exit(f.for_token.span);
                *e = Expr::Verbatim(self.for_await(f, close_exit));
            }
            Expr::Loop(l) => {
                let label = l.label.clone();
                self.in_loop(label.as_ref(), |v| visit_mut::visit_expr_loop_mut(v, l));
            }
            // A loop's head runs outside the loop: a `break` there leaves
            // the enclosing one.
            Expr::While(w) => {
                let label = w.label.clone();
                self.visit_expr_mut(&mut w.cond);
                self.in_loop(label.as_ref(), |v| v.visit_block_mut(&mut w.body));
            }
            Expr::ForLoop(f) => {
                // A `#[for_await]` that cannot be lowered (in a sync
                // generator, or in a closure, `async` block or item nested
                // in the body): the analysis has reported it, and left in
                // place it would only add rustc's "attributes on expressions
                // are experimental" and "cannot find attribute `for_await`"
                // to the real error.
                f.attrs.retain(|a| !a.path().is_ident("for_await"));
                let label = f.label.clone();
                self.visit_pat_mut(&mut f.pat);
                self.visit_expr_mut(&mut f.expr);
                self.in_loop(label.as_ref(), |v| v.visit_block_mut(&mut f.body));
            }
            Expr::Block(b) => {
                if let Some(scope) = self.scopes.last_mut() {
                    scope.inside.add_label(b.label.as_ref());
                }
                visit_mut::visit_expr_block_mut(self, b);
            }
            // Inside a `defer!` scope every way out is rewritten to run the
            // cleanup first.
            // Awaits give up when the generator is closed, so that the
            // cleanup runs even if the body was waiting, not at a yield.
            // Not in the cleanup itself, which runs to its end.
            Expr::Await(a)
                if self.ctx.plan.kind == Kind::Async
                    && self.ctx.plan.cleanup
                    && !self.in_cleanup =>
            {
                visit_mut::visit_expr_await_mut(self, a);
                let span = a.await_token.span;
                let fut = a.base.to_token_stream();
                let close_exit = self.close_exit(span);
                *e = Expr::Verbatim(self.cancellable_await(span, fut, close_exit));
            }
            // In the `try` flavour the body ends with a `Result<(), E>`: a
            // plain `return;` ends the iterator / stream normally.
            Expr::Return(r)
                if !self.scopes.is_empty() || (r.expr.is_none() && self.ends_with_ok()) =>
            {
                visit_mut::visit_expr_return_mut(self, r);
                let span = r.return_token.span;
                let krate = self.ctx.gen.args.krate.clone();
                let value = match &r.expr {
                    Some(v) => v.to_token_stream(),
                    None if self.ends_with_ok() => quote_spanned!(span=> #krate::__private::Ok(())),
                    None => quote_spanned!(span=> ()),
                };
                *e = Expr::Verbatim(self.shield_exit(span, Some(value), |v, value| {
                    v.return_exit(span, value.unwrap_or_default())
                }));
            }
            // `?` in a body that cannot end with an error (an Iterator /
            // Stream form, not `try`): the analysis has reported it. The
            // value it stands for keeps the type `?` gives it (`Result` /
            // `Option`), so that nothing else is reported.
            Expr::Try(t) if !self.nested && !self.in_cleanup && self.question_rejected() => {
                visit_mut::visit_expr_try_mut(self, t);
                let span = t.question_token.span;
                let krate = self.ctx.gen.args.krate.clone();
                let inner = &t.expr;
                *e = Expr::Verbatim(quote_spanned! {span=>
                    {
                        match #krate::__private::branch(#inner) {
                            #krate::__private::ControlFlow::Continue(value) => value,
                            #krate::__private::ControlFlow::Break(_) => #krate::__private::never(),
                        }
                    }
                });
            }
            Expr::Try(t) if !self.scopes.is_empty() => {
                visit_mut::visit_expr_try_mut(self, t);
                let span = t.question_token.span;
                let krate = self.ctx.gen.args.krate.clone();
                let inner = t.expr.to_token_stream();
                let residual = Ident::new("__cogen_residual", Span::mixed_site());
                let ret = self.return_exit(
                    span,
                    quote_spanned!(span=> #krate::__private::from_residual(#residual)),
                );
                let code = move |_: &Ctx, inner: TokenStream| {
                    quote_spanned! {span=>
                        match #krate::__private::branch(#inner) {
                            #krate::__private::ControlFlow::Continue(value) => value,
                            #krate::__private::ControlFlow::Break(#residual) => #ret,
                        }
                    }
                };
                *e = Expr::Verbatim(self.shield(span, "try", TokenStream::new(), inner, code));
            }
            Expr::Break(b) if !self.scopes.is_empty() => {
                visit_mut::visit_expr_break_mut(self, b);
                let value = b.expr.as_ref().map(|v| v.to_token_stream());
                let (span, label) = (b.break_token.span, b.label.clone());
                let leaves = self.jump_exit(span, label.as_ref(), false, None).is_some();
                if leaves {
                    *e = Expr::Verbatim(self.shield_exit(span, value, |v, value| {
                        let jump = v.jump_exit(span, label.as_ref(), false, value);
                        jump.expect("leaves the scope")
                    }));
                }
            }
            Expr::Continue(c) if !self.scopes.is_empty() => {
                let (span, label) = (c.continue_token.span, c.label.clone());
                if let Some(jump) = self.jump_exit(span, label.as_ref(), true, None) {
                    *e = Expr::Verbatim(self.shield_exit(span, None, |_, _| jump));
                }
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
        paren_leftmost(e);
    }

    fn visit_block_mut(&mut self, b: &mut Block) {
        let is_defer =
            |s: &Stmt| matches!(s, Stmt::Macro(m) if Ours::of(&m.mac.path) == Some(Ours::Defer));
        match b.stmts.iter().position(is_defer) {
            // Its close path and exits would have to be handed to that
            // macro (reported by the analysis): it is left out.
            Some(at) if !self.nested && self.foreign > 0 => {
                let span = b.stmts[at].span();
                let used = match &b.stmts[at] {
                    Stmt::Macro(m) => {
                        let path = &m.mac.path;
                        quote_spanned!(span=> #path!(@__cogen_used);)
                    }
                    _ => TokenStream::new(),
                };
                b.stmts[at] = Stmt::Expr(Expr::Verbatim(used), None);
                self.visit_stmts(&mut b.stmts);
            }
            Some(at) if !self.nested => self.lower_defer(b, at),
            _ => self.visit_stmts(&mut b.stmts),
        }
    }

    fn visit_stmt_mut(&mut self, s: &mut Stmt) {
        if let Stmt::Macro(m) = s {
            if crate::blocks::is_block(&m.mac.path) {
                return;
            }
            if let Some(tokens) = self.our_macro(&m.mac) {
                // Its attributes stay: `#[cfg(..)] yield_!(x);` configured
                // out must not yield.
                // Clippy would take the lowered block for an operation
                // whose value is unused.
                let semi = m.semi_token;
                let attrs = &m.attrs;
                *s = Stmt::Expr(
                    Expr::Verbatim(quote! {
                        #(#attrs)*
                        #[allow(clippy::unnecessary_operation)]
                        #tokens
                    }),
                    semi,
                );
            } else {
                match self.in_foreign(|v| v.macro_args(m.mac.tokens.clone())) {
                    Ok(tokens) => m.mac.tokens = tokens,
                    Err((span, _)) => {
                        let semi = m.semi_token;
                        *s = Stmt::Expr(Expr::Verbatim(skipping_cleanup(span)), semi);
                    }
                }
            }
            return;
        }
        visit_mut::visit_stmt_mut(self, s);
        // `fut.await;` lowered: the same. (Not a lone `;`, which syn keeps
        // as an empty verbatim expression: an attribute cannot go there.)
        if let Stmt::Expr(e @ Expr::Verbatim(_), Some(_)) = s {
            if matches!(e, Expr::Verbatim(t) if t.is_empty()) {
                return;
            }
            *e = Expr::Verbatim(quote! {
                #[allow(clippy::unnecessary_operation)]
                #e
            });
        }
    }

    fn visit_macro_mut(&mut self, m: &mut Macro) {
        if crate::blocks::is_block(&m.path) {
            return;
        }
        // Macros in pattern or type position: only other macros' tokens.
        // A pattern or type cannot be replaced by an expression.
        m.tokens = self
            .in_foreign(|v| v.macro_args(m.tokens.clone()))
            .unwrap_or_else(|(_, tokens)| tokens);
    }

    fn visit_item_mut(&mut self, i: &mut syn::Item) {
        self.nested(|v| visit_mut::visit_item_mut(v, i));
    }
}

impl Lowerer<'_, '_> {
    /// Whether the body ends with `()` (an Iterator / Stream form that is
    /// not `try`): a `return` with a value is an error there.
    fn ends_with_unit(&self) -> bool {
        self.ctx.plan.ending == Ending::Unit
    }

    /// Whether `?` can only be an error here (see `Ending`).
    fn question_rejected(&self) -> bool {
        self.ctx.plan.ending.rejects_question()
    }

    /// Code of the generator body itself, in the `try` flavour.
    fn ends_with_ok(&self) -> bool {
        !self.nested && self.ctx.plan.ending == Ending::TryOk
    }

    /// Runs `f` inside a closure, nested `async` block or item: its
    /// `return`, `?` and jumps are its own, not exits of a `defer!` scope.
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.nested, true);
        let scopes = std::mem::take(&mut self.scopes);
        f(self);
        self.scopes = scopes;
        self.nested = outer;
    }
}

/// Puts a lowered operand (a block, or a `match`, as raw tokens) in
/// parentheses where it starts a larger expression: printed as is,
/// `yield_!(x).f();` would become the block statement `{ .. }` followed by
/// `.f();`, and `=> yield_!(x)(y),` a match arm `{ .. }` followed by junk.
fn paren_leftmost(e: &mut Expr) {
    let first = match e {
        Expr::Call(c) => &mut *c.func,
        Expr::MethodCall(m) => &mut *m.receiver,
        Expr::Field(f) => &mut *f.base,
        Expr::Index(i) => &mut *i.expr,
        Expr::Try(t) => &mut *t.expr,
        Expr::Await(a) => &mut *a.base,
        Expr::Cast(c) => &mut *c.expr,
        Expr::Binary(b) => &mut *b.left,
        Expr::Assign(a) => &mut *a.left,
        Expr::Range(syn::ExprRange {
            start: Some(start), ..
        }) => &mut **start,
        _ => return,
    };
    if let Expr::Verbatim(tokens) = first {
        let tokens = std::mem::take(tokens);
        *first =
            Expr::Verbatim(TokenTree::Group(Group::new(Delimiter::Parenthesis, tokens)).into());
    }
}

/// `(value)`, for a `break 'label value` whose value may start with `::`
/// (the runtime's path, `::cogen` by default): syn reads `break 'label ::x`
/// as the start of `break 'label: loop {}` and fails, so an attribute macro
/// applied after this one could not parse the expansion. The parentheses
/// come from the macro (mixed-site), located at `span`.
fn paren(span: Span, value: TokenStream) -> TokenStream {
    let mut group = Group::new(Delimiter::Parenthesis, value);
    group.set_span(Span::mixed_site().located_at(span));
    TokenTree::Group(group).into()
}

/// What a shield's `macro_rules!` body names its argument: `($($v)*)`.
fn shield_arg(span: Span) -> TokenStream {
    let d = proc_macro2::Punct::new('$', proc_macro2::Spacing::Alone);
    let v = Ident::new("v", Span::mixed_site());
    quote_spanned!(span=> (#d(#d #v)*))
}

/// `label`, resolved where it was made but located at `span`.
fn located_at(label: &syn::Lifetime, span: Span) -> syn::Lifetime {
    syn::Lifetime {
        apostrophe: label.apostrophe.located_at(span),
        ident: Ident::new(
            &label.ident.to_string(),
            label.ident.span().located_at(span),
        ),
    }
}

/// `tokens`, every one located and resolved at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(g) = &tt {
                tt = TokenTree::Group(Group::new(g.delimiter(), respan(g.stream(), span)));
            }
            match &tt {
                // `$crate` (a generator block's path to the runtime) resolves
                // by its own span: only its location moves.
                TokenTree::Ident(i) if i == "$crate" => tt.set_span(i.span().located_at(span)),
                _ => tt.set_span(span),
            }
            tt
        })
        .collect()
}

/// What replaces a macro call whose arguments hold a `?` or `return` (at
/// `span`) that would skip a cleanup: its value has no type to keep, so it
/// is rustc's error type, the analysis's error again (rustc shows it once).
fn skipping_cleanup(span: Span) -> TokenStream {
    let error = crate::analyse::exit_skips_cleanup(span).to_compile_error();
    quote!({ #error })
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

/// Tokens that, as an expression, can add no error of their own beyond
/// their types: no `.await`, `?`, control flow, closure or macro call.
fn inert(tokens: TokenStream) -> bool {
    tokens.into_iter().all(|tt| match tt {
        TokenTree::Group(g) => inert(g.stream()),
        TokenTree::Ident(i) => !matches!(
            i.to_string().as_str(),
            "await" | "return" | "break" | "continue" | "yield" | "async" | "move" | "loop"
        ),
        TokenTree::Punct(p) => !matches!(p.as_char(), '?' | '!' | '|' | '\''),
        TokenTree::Literal(_) => true,
    })
}

/// A receiver the closure of a recursive method call may capture as is: a
/// single name (`self`, a local).
fn is_plain_path(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some())
}
