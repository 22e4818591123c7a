//! Step 2: read the body, find cogen's own macros and the constructs that
//! cannot work inside a generator, and report each misuse with a span on the
//! user's tokens. Nothing is rewritten here.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprMacro, ItemFn, Macro, Path, Stmt};

use crate::parse::{GenFn, Kind};
use crate::plan::{Ending, Plan};

/// One of the macros the attribute rewrites.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ours {
    Yield,
    YieldFrom,
    Defer,
}

impl Ours {
    pub fn of(path: &Path) -> Option<Ours> {
        let last = path.segments.last()?;
        if !last.arguments.is_none() {
            return None;
        }
        match last.ident.to_string().as_str() {
            "yield_" => Some(Ours::Yield),
            "yield_from" => Some(Ours::YieldFrom),
            "defer" => Some(Ours::Defer),
            _ => None,
        }
    }

    /// Same, for a bare `name !` in a token stream.
    pub fn of_ident(ident: &proc_macro2::Ident) -> Option<Ours> {
        Ours::of(&Path::from(ident.clone()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Ours::Yield => "yield_!",
            Ours::YieldFrom => "yield_from!",
            Ours::Defer => "defer!",
        }
    }
}

/// The plan of the expansion (see `plan.rs`), and the misuses found (all
/// of them, combined), if any. `body` is `gen`'s body, taken out of it for
/// the lowering; it is only read (see the `VisitMut` impl below).
pub fn analyse(gen: &GenFn, body: &mut Block) -> (Plan, Option<syn::Error>) {
    let mut v = Analyser {
        defer: None,
        gen,
        plan: Plan::new(gen),
        scope: Scope::Body,
        foreign: 0,
        defer_scopes: 0,
        errors: Vec::new(),
        instrumented: None,
        has_cleanup: false,
        has_yield_from: false,
        calls_itself: false,
    };
    v.visit_block_mut(body);
    // An instrumented body is not the user's as written: whatever else the
    // analysis finds in it is noise (tracing's own `return`s, its guard).
    let errors = match v.instrumented {
        Some(error) => Some(error),
        None => v.errors.into_iter().reduce(|mut all, e| {
            all.combine(e);
            all
        }),
    };
    let mut plan = v.plan;
    plan.read_body(&gen.form, v.has_yield_from, v.has_cleanup, v.calls_itself);
    (plan, errors)
}

/// Where the visitor is: code that belongs to the generator's state machine,
/// or code nested inside the body that runs on its own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Body,
    Closure,
    AsyncBlock,
    Item,
}

struct Analyser<'a> {
    gen: &'a GenFn,
    /// The plan of the signature: what the body may do.
    plan: Plan,
    scope: Scope,
    /// How many other macros' arguments the code being read is in.
    foreign: usize,
    /// How many `defer!` scopes (the rest of a block after a `defer!` the
    /// lowering splits it at) the code being read is in.
    defer_scopes: usize,
    errors: Vec<syn::Error>,
    /// `#[tracing::instrument]` above the generator: then the only error.
    instrumented: Option<syn::Error>,
    has_cleanup: bool,
    has_yield_from: bool,
    /// A `yield_from!` in the body delegates to a call of this function
    /// itself (see `call_of_itself`).
    calls_itself: bool,
    /// Inside a `defer!` body: the loops and labels entered in it, so that
    /// jumps that would leave it can be told apart.
    defer: Option<Nesting>,
}

/// The loops and labels entered since a scope began (a `defer!` body, or
/// the code a `defer!` guards): whether a `break` / `continue` stays inside.
#[derive(Default)]
pub struct Nesting {
    /// Loops entered: an unlabelled `break` / `continue` in them stays inside.
    loops: usize,
    /// Labels defined: jumps to them stay inside.
    labels: Vec<String>,
}

impl Nesting {
    /// Enters a loop, with its label if it has one.
    pub fn enter_loop(&mut self, label: Option<&syn::Label>) {
        self.loops += 1;
        self.add_label(label);
    }

    pub fn leave_loop(&mut self) {
        self.loops -= 1;
    }

    /// A label defined inside (a loop's, or a labelled block's).
    pub fn add_label(&mut self, label: Option<&syn::Label>) {
        if let Some(l) = label {
            self.labels.push(l.name.ident.to_string());
        }
    }

    /// Whether a jump to `label` (or to the nearest loop) stays inside.
    pub fn contains(&self, label: Option<&syn::Lifetime>) -> bool {
        match label {
            Some(l) => self.labels.contains(&l.ident.to_string()),
            None => self.loops > 0,
        }
    }
}

impl Analyser<'_> {
    fn error(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, msg));
    }

    fn nested(&mut self, scope: Scope, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.scope, scope);
        // Its `return`, `?` and jumps are its own: no `defer!` scope.
        let scopes = std::mem::take(&mut self.defer_scopes);
        f(self);
        self.defer_scopes = scopes;
        self.scope = outer;
    }

    /// One of cogen's macros, `statement` (of its block, spanned `at`) or
    /// not; `false` if it is someone else's.
    fn our_macro(&mut self, mac: &Macro, statement: Option<Span>) -> bool {
        let Some(ours) = Ours::of(&mac.path) else {
            return false;
        };
        let span = mac.path.span();
        let name = ours.name();
        // Where the lowering would have put `defer!`'s cleanup: in the block
        // whose statement it is, directly in the body.
        if ours == Ours::Defer && self.scope == Scope::Body {
            let at = mac.path.segments.last().map_or(span, |s| s.ident.span());
            match statement {
                None => self.error(
                    at,
                    "`defer!` must be a statement of its own in a block of the generator body, \
                     e.g. `defer! { cleanup(); }`: it runs when that block is left",
                ),
                // Its close path and exits would have to be handed to that
                // macro.
                Some(stmt) if self.foreign > 0 => self.error(
                    stmt,
                    "`defer!` cannot be used inside another macro's arguments: write the block \
                     with the `defer!` outside the macro call",
                ),
                Some(_) => {}
            }
        }
        // One expression, or nothing (`yield_!()`): anything else would be
        // pasted where an expression goes.
        if ours != Ours::Defer && self.scope == Scope::Body && !mac.tokens.is_empty() {
            if let Err(error) = mac.parse_body::<Expr>() {
                self.errors.push(error);
            }
        }
        match self.scope {
            Scope::Body if self.defer.is_some() && ours != Ours::Defer => self.error(
                span,
                format_args!(
                    "`{name}` cannot be used inside `defer!`: cleanup runs while the generator is \
                     finishing or being closed, and cannot suspend it"
                ),
            ),
            Scope::Body => {}
            Scope::Closure => self.error(
                span,
                format_args!(
                    "`{name}` cannot be used inside a closure: the closure runs on its own, outside \
                     the generator's state machine; {}",
                    match ours {
                        Ours::Defer => "register the cleanup in the generator body instead",
                        _ => "use a loop in the generator body instead",
                    }
                ),
            ),
            Scope::AsyncBlock => self.error(
                span,
                format_args!(
                    "`{name}` cannot be used inside a nested `async` block: that block is a separate \
                     future, not part of the generator; write the code directly in the generator body"
                ),
            ),
            Scope::Item => self.error(
                span,
                format_args!(
                    "`{name}` cannot be used inside a nested function: only the body of the \
                     {} itself can {}",
                    self.gen.body_name(),
                    match ours {
                        Ours::Defer => "register cleanup",
                        _ => "yield",
                    }
                ),
            ),
        }
        if ours == Ours::Defer {
            self.has_cleanup = true;
        }
        self.has_yield_from |= ours == Ours::YieldFrom;
        if ours == Ours::YieldFrom && self.scope == Scope::Body && !self.calls_itself {
            self.calls_itself = call_of_itself(self.gen, &mac.tokens).is_some();
        }
        if ours == Ours::Defer && self.scope == Scope::Body {
            match cleanup_block(mac) {
                Ok(mut body) => {
                    let outer = self.defer.replace(Nesting::default());
                    self.visit_block_mut(&mut body);
                    self.defer = outer;
                }
                Err(e) => self.errors.push(e),
            }
            return true;
        }
        self.macro_args(mac.tokens.clone());
        true
    }

    /// The error for `?` where the plan rejects it.
    fn question_rejected_message(&self) -> String {
        let gen = self.gen;
        if let Ending::Returned { .. } = self.plan.ending {
            return format!(
                "`?` cannot be used in a generator whose `Return` is `()`: it has no way to end \
                 with an error; declare `Return = Result<(), E>` (and end the body with \
                 `Ok(())`) or `Return = Option<()>` in its `impl {}<..>`, or handle the error \
                 here (`match`, `if let`, `.ok()`)",
                match gen.kind {
                    Kind::Sync => "Generator",
                    Kind::Async => "AsyncGenerator",
                }
            );
        }
        let (what, fix) =
            match (gen.kind, gen.block_name()) {
                (Kind::Sync, None) => (
                    "an `impl Iterator` #[generator]".to_string(),
                    "write `#[generator(try)]` and `-> impl Iterator<Item = Result<T, E>>`: \
                 `yield_!(x)` then yields `Ok(x)`, and `?` ends the iterator with the error \
                 as its last item"
                        .to_string(),
                ),
                (Kind::Async, None) => (
                    "an `impl Stream` #[async_generator]".to_string(),
                    "write `#[async_generator(try)]` and `-> impl Stream<Item = Result<T, E>>`: \
                 `yield_!(x)` then yields `Ok(x)`, and `?` ends the stream with the error as \
                 its last item"
                        .to_string(),
                ),
                (kind, Some(name)) => (
                    format!("`{name}!`"),
                    format!(
                    "use `{}!` instead: `yield_!(x)` then yields `Ok(x)`, and `?` ends it with \
                     the error as its last item",
                    if kind == Kind::Sync { "try_iter" } else { "try_stream" }
                ),
                ),
            };
        format!("`?` cannot be used in {what}: it has no way to end with an error; {fix}; or handle the error here (`match`, `if let`, `.ok()`)")
    }

    fn in_defer_error(&mut self, span: Span, what: &str) {
        if self.scope == Scope::Body && self.defer.is_some() {
            self.error(
                span,
                format_args!(
                    "{what} cannot be used inside `defer!`: the cleanup runs while its block is \
                     already being left, and must run to its end"
                ),
            );
        }
    }

    fn jump_in_defer(&mut self, span: Span, label: Option<&syn::Lifetime>, what: &str) {
        let Some(body) = &self.defer else { return };
        if !body.contains(label) {
            self.in_defer_error(span, &format!("a `{what}` that leaves the cleanup"));
        }
    }

    fn in_loop(&mut self, label: Option<&syn::Label>, f: impl FnOnce(&mut Self)) {
        if let Some(body) = &mut self.defer {
            body.enter_loop(label);
        }
        f(self);
        if let Some(body) = &mut self.defer {
            body.leave_loop();
        }
    }

    /// Looks inside a macro's arguments the way the lowering does (see
    /// `Lowerer::macro_args`): as comma-separated expressions when they
    /// parse so, and then as code (a closure there is a closure), else as
    /// tokens. cogen's macros there are rewritten too, so misuse there is
    /// reported too, in any scope.
    fn macro_args(&mut self, tokens: TokenStream) {
        use syn::parse::Parser;
        use syn::punctuated::Punctuated;
        if !tokens.is_empty() {
            if let Ok(mut args) =
                Punctuated::<Expr, syn::Token![,]>::parse_terminated.parse2(tokens.clone())
            {
                for arg in &mut args {
                    self.visit_expr_mut(arg);
                }
                return;
            }
        }
        // The lowering cannot see a `?` or `return` in tokens, to run the
        // cleanup first.
        if self.defer_scopes > 0 {
            if let Some(span) = early_exit_token(tokens.clone()) {
                self.errors.push(exit_skips_cleanup(span));
            }
        }
        self.tokens(tokens);
    }

    /// Another macro's arguments (see `macro_args`).
    fn foreign_args(&mut self, tokens: TokenStream) {
        self.foreign += 1;
        self.macro_args(tokens);
        self.foreign -= 1;
    }

    /// Another macro's arguments that stay tokens: `name ! (..)` of cogen's
    /// macros anywhere in them, and `.await`.
    fn tokens(&mut self, tokens: TokenStream) {
        let mut prev_dot = false;
        // A generator block in the tokens is a generator of its own.
        let mut iter = crate::blocks::without_blocks(tokens).into_iter().peekable();
        while let Some(tt) = iter.next() {
            match &tt {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(i) if i == "await" && prev_dot => self.await_in_sync(i.span()),
                TokenTree::Ident(i) if Ours::of_ident(i).is_some() => {
                    let bang = match iter.peek() {
                        Some(TokenTree::Punct(p)) if p.as_char() == '!' => p.clone(),
                        _ => continue,
                    };
                    iter.next();
                    if let Some(TokenTree::Group(g)) = iter.peek() {
                        let mac = Macro {
                            path: i.clone().into(),
                            bang_token: syn::Token![!](bang.span()),
                            delimiter: syn::MacroDelimiter::Paren(syn::token::Paren {
                                span: g.delim_span(),
                            }),
                            tokens: g.stream(),
                        };
                        iter.next();
                        self.our_macro(&mac, None);
                    }
                }
                _ => {}
            }
            prev_dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.');
        }
    }

    fn await_in_sync(&mut self, span: Span) {
        if self.gen.kind == Kind::Sync && self.scope == Scope::Body {
            let msg =
                match self.gen.block_name() {
                    Some(name) => {
                        format!(
                    "`.await` is not allowed in `{name}!`: its body is synchronous; use `{}!` \
                     to await",
                    if name == "gen_block" { "async_gen_block" } else { "stream" }
                )
                    }
                    None => "`.await` is not allowed in a #[generator]: its body is synchronous; \
                         use #[async_generator] (which returns a Stream) to await"
                        .into(),
                };
            self.error(span, msg);
        }
    }
}

/// The call, if `source` (a `yield_from!` argument) calls the generator
/// function `gen` itself: `name(..)`, `Self::name(..)`, or
/// `receiver.name(..)` in a method (parentheses around it removed).
/// Recognised by the name alone, so mutual recursion is not (documented).
/// The plan reads it (the `_recursive` constructors), and the lowering
/// makes such a call through the free list in the inline forms.
pub fn call_of_itself(gen: &GenFn, source: &TokenStream) -> Option<Expr> {
    let name = &gen.item.sig.ident;
    let has_receiver = gen.item.sig.receiver().is_some();
    let mut expr = syn::parse2::<Expr>(source.clone()).ok()?;
    loop {
        expr = match expr {
            Expr::Paren(p) => *p.expr,
            Expr::Group(g) => *g.expr,
            Expr::Call(c) => {
                let ours = match &*c.func {
                    Expr::Path(p) if p.qself.is_none() => {
                        let segs: Vec<_> = p.path.segments.iter().collect();
                        match segs.as_slice() {
                            [f] => f.ident == *name && p.path.leading_colon.is_none(),
                            [ty, f] => ty.ident == "Self" && f.ident == *name,
                            _ => false,
                        }
                    }
                    _ => false,
                };
                return ours.then_some(Expr::Call(c));
            }
            Expr::MethodCall(m) => {
                return (has_receiver && m.method == *name).then_some(Expr::MethodCall(m))
            }
            _ => return None,
        }
    }
}

/// `#[tracing::instrument]` on a generator function (see `lib.rs`): it wraps
/// the body in `let __tracing_attr_guard = span.enter();`, which for a
/// generator enters the span when the body first runs and keeps it entered
/// on the thread while the generator is suspended (and makes an async
/// generator `!Send`): wrong, not merely imprecise.
pub fn refuse_instrument(kind: Kind, at: impl quote::ToTokens) -> syn::Error {
    syn::Error::new_spanned(
        at,
        format!(
            "`#[instrument]` cannot instrument a {} function: it would enter its span when the \
             body first runs and keep it entered on the thread while the generator is suspended. \
             Enter a span inside the body around the work between yields \
             (`let _e = span.enter();` in a block), or {}",
            kind.attr_name(),
            match kind {
                Kind::Sync =>
                    "enter the span where the generator is driven, around the loop \
                               that consumes it",
                Kind::Async =>
                    "instrument the stream where it is used: \
                                `tracing_futures::Instrument::instrument(stream, span)` (crate \
                                `tracing-futures`, feature `futures-03`) polls it inside the span \
                                (tracing's own `Instrument` covers futures, not streams)",
            }
        ),
    )
}

// A `VisitMut` that never writes: syn's `visit` feature would be compiled
// into every clean build of a user's crate only for this, and the lowering
// needs `visit-mut` anyway (syn without `visit` and `derive`: 1.98 -> 1.84 s
// in a clean release build of a one-generator crate, `cargo build
// --timings`, median of 5).
impl VisitMut for Analyser<'_> {
    /// `#[tracing::instrument]` written above the generator has already
    /// wrapped the body: its guard's binding gives it away.
    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        if p.ident == "__tracing_attr_guard"
            && self.scope == Scope::Body
            && self.gen.block.is_none()
        {
            let error = refuse_instrument(self.gen.kind, &self.gen.item.sig.ident);
            self.instrumented.get_or_insert(error);
        }
        visit_mut::visit_pat_ident_mut(self, p);
    }

    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        // An `async` closure is a closure all the same: it runs on its own.
        self.nested(Scope::Closure, |v| visit_mut::visit_expr_closure_mut(v, c));
    }

    fn visit_expr_async_mut(&mut self, a: &mut syn::ExprAsync) {
        self.nested(Scope::AsyncBlock, |v| visit_mut::visit_expr_async_mut(v, a));
    }

    fn visit_item_mut(&mut self, i: &mut syn::Item) {
        self.nested(Scope::Item, |v| visit_mut::visit_item_mut(v, i));
    }

    fn visit_item_fn_mut(&mut self, f: &mut ItemFn) {
        self.nested(Scope::Item, |v| visit_mut::visit_item_fn_mut(v, f));
    }

    fn visit_expr_await_mut(&mut self, a: &mut syn::ExprAwait) {
        self.await_in_sync(a.await_token.span);
        visit_mut::visit_expr_await_mut(self, a);
    }

    fn visit_expr_try_mut(&mut self, t: &mut syn::ExprTry) {
        self.in_defer_error(t.question_token.span, "`?`");
        // `?` in a body that cannot end with an error: rustc's own error
        // would speak of an async block and not of `try`.
        if self.scope == Scope::Body && self.defer.is_none() && self.plan.ending.rejects_question()
        {
            let msg = self.question_rejected_message();
            self.error(t.question_token.span, msg);
        }
        visit_mut::visit_expr_try_mut(self, t);
    }

    fn visit_expr_break_mut(&mut self, b: &mut syn::ExprBreak) {
        self.jump_in_defer(b.break_token.span, b.label.as_ref(), "break");
        visit_mut::visit_expr_break_mut(self, b);
    }

    fn visit_expr_continue_mut(&mut self, c: &mut syn::ExprContinue) {
        self.jump_in_defer(c.continue_token.span, c.label.as_ref(), "continue");
    }

    fn visit_expr_loop_mut(&mut self, l: &mut syn::ExprLoop) {
        let label = l.label.clone();
        self.in_loop(label.as_ref(), |v| visit_mut::visit_expr_loop_mut(v, l));
    }

    // A loop's head runs outside the loop: a `break` there leaves the
    // enclosing one.
    fn visit_expr_while_mut(&mut self, w: &mut syn::ExprWhile) {
        self.visit_expr_mut(&mut w.cond);
        self.in_loop(w.label.as_ref(), |v| v.visit_block_mut(&mut w.body));
    }

    fn visit_expr_for_loop_mut(&mut self, f: &mut syn::ExprForLoop) {
        self.visit_pat_mut(&mut f.pat);
        self.visit_expr_mut(&mut f.expr);
        self.in_loop(f.label.as_ref(), |v| v.visit_block_mut(&mut f.body));
    }

    fn visit_expr_block_mut(&mut self, b: &mut syn::ExprBlock) {
        if let Some(body) = &mut self.defer {
            body.add_label(b.label.as_ref());
        }
        visit_mut::visit_expr_block_mut(self, b);
    }

    fn visit_expr_return_mut(&mut self, r: &mut syn::ExprReturn) {
        self.in_defer_error(r.return_token.span, "`return`");
        if let (Some(value), Ending::Unit, Scope::Body) = (&r.expr, self.plan.ending, self.scope) {
            let (what, other) = match (self.gen.kind, self.gen.block_name()) {
                (Kind::Sync, None) => (
                    "an `impl Iterator` generator".to_string(),
                    "declare `-> impl Generator<Yield = Y, Return = T>`",
                ),
                (Kind::Async, None) => (
                    "an `impl Stream` generator".to_string(),
                    "declare `-> impl AsyncGenerator<Yield = Y, Return = T>`",
                ),
                (Kind::Sync, Some(name)) => (format!("`{name}!`"), "use `gen_block!`"),
                (Kind::Async, Some(name)) => (format!("`{name}!`"), "use `async_gen_block!`"),
            };
            self.error(
                value.span(),
                format_args!(
                    "{what} cannot return a value: end it with `return;`, yield the value with \
                     `yield_!`, or {other} to return one"
                ),
            );
        }
        visit_mut::visit_expr_return_mut(self, r);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::ForLoop(f) = e {
            if let Some(attr) = f.attrs.iter().find(|a| a.path().is_ident("for_await")) {
                // Spanned on the whole `#[for_await]`, not just its `#`.
                if self.gen.kind == Kind::Sync {
                    self.errors.push(syn::Error::new_spanned(
                        attr,
                        match self.gen.block_name() {
                            Some(name) => format!(
                                "`#[for_await]` is only available in the async blocks \
                                 (`stream!`, `try_stream!`, `async_gen_block!`): `{name}!` \
                                 cannot wait for a stream"
                            ),
                            None => "`#[for_await]` is only available in an #[async_generator]: \
                                     a #[generator] cannot wait for a stream"
                                .into(),
                        },
                    ));
                } else if self.scope != Scope::Body {
                    self.errors.push(syn::Error::new_spanned(
                        attr,
                        "`#[for_await]` can only be used in the #[async_generator] body itself, \
                         not inside a closure, nested `async` block or nested function",
                    ));
                }
            }
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_expr_macro_mut(&mut self, m: &mut ExprMacro) {
        // A generator block is a generator of its own: its macros are its.
        if crate::blocks::is_block(&m.mac.path) {
            return;
        }
        if !self.our_macro(&m.mac, None) {
            self.foreign_args(m.mac.tokens.clone());
        }
    }

    fn visit_stmt_mut(&mut self, s: &mut Stmt) {
        if let Stmt::Macro(m) = &*s {
            if crate::blocks::is_block(&m.mac.path) {
                return;
            }
            if !self.our_macro(&m.mac, Some(s.span())) {
                self.foreign_args(m.mac.tokens.clone());
            }
            return;
        }
        visit_mut::visit_stmt_mut(self, s);
    }

    fn visit_macro_mut(&mut self, m: &mut Macro) {
        // Macros in pattern or type position.
        if crate::blocks::is_block(&m.path) {
            return;
        }
        if !self.our_macro(m, None) {
            self.foreign_args(m.tokens.clone());
        }
    }

    fn visit_block_mut(&mut self, b: &mut Block) {
        let outer = self.defer_scopes;
        for stmt in &mut b.stmts {
            self.visit_stmt_mut(stmt);
            // The lowering splits the block here: the rest is in its scope.
            if let Stmt::Macro(m) = stmt {
                if Ours::of(&m.mac.path) == Some(Ours::Defer)
                    && self.scope == Scope::Body
                    && self.foreign == 0
                    && cleanup_block(&m.mac).is_ok()
                {
                    self.defer_scopes += 1;
                }
            }
        }
        self.defer_scopes = outer;
    }
}

/// A `defer!`'s cleanup, as a block.
pub fn cleanup_block(mac: &Macro) -> syn::Result<Block> {
    let span = mac.path.span();
    let tokens = &mac.tokens;
    syn::parse2(quote::quote_spanned!(span=> { #tokens }))
}

/// A `?` or `return` (at `span`) in another macro's arguments, inside a
/// `defer!` scope.
pub fn exit_skips_cleanup(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "inside a block with `defer!`, `?` and `return` cannot be used in this macro's \
         arguments: cogen cannot see them to run the cleanup first; compute the value in a \
         `let` before the macro",
    )
}

/// The first `?` or `return` in raw tokens, if any.
pub fn early_exit_token(tokens: TokenStream) -> Option<Span> {
    tokens.into_iter().find_map(|t| match t {
        TokenTree::Punct(p) if p.as_char() == '?' => Some(p.span()),
        TokenTree::Ident(i) if i == "return" => Some(i.span()),
        TokenTree::Group(g) => early_exit_token(g.stream()),
        _ => None,
    })
}

/// The paths of cogen's macros invoked in `tokens` (as written: `yield_`,
/// `cogen::defer`, ..), each once, for an item the attribute refuses
/// outright: it goes out as an error alone, and marking these paths used
/// (`path!(@__cogen_used);`) keeps rustc from adding "unused import" for
/// the user's `use cogen::yield_` after the real error. An invocation
/// under a block that has a `use` of its own naming one of cogen's macros
/// (or a glob) is left out: that import went with the body.
pub fn invoked_paths(tokens: TokenStream) -> Vec<TokenStream> {
    fn imports_ours(tokens: &[TokenTree]) -> bool {
        let mut in_use = false;
        tokens.iter().any(|tt| match tt {
            TokenTree::Ident(i) if i == "use" => {
                in_use = true;
                false
            }
            TokenTree::Punct(p) if p.as_char() == ';' => {
                in_use = false;
                false
            }
            TokenTree::Punct(p) => in_use && p.as_char() == '*',
            TokenTree::Ident(i) => in_use && Ours::of_ident(i).is_some(),
            TokenTree::Group(g) => {
                in_use && imports_ours(&g.stream().into_iter().collect::<Vec<_>>())
            }
            TokenTree::Literal(_) => false,
        })
    }
    /// An identifier that can be a path segment (not a keyword).
    fn segment(tt: &TokenTree) -> bool {
        match tt {
            TokenTree::Ident(i) => {
                syn::parse2::<syn::Ident>(tt.clone().into()).is_ok()
                    || ["crate", "self", "super", "Self"].contains(&&*i.to_string())
            }
            _ => false,
        }
    }
    fn scan(tokens: Vec<TokenTree>, found: &mut Vec<TokenStream>) {
        let punct = |at: usize, c: char| matches!(tokens.get(at), Some(TokenTree::Punct(p)) if p.as_char() == c);
        let ours =
            |tt: &TokenTree| matches!(tt, TokenTree::Ident(i) if Ours::of_ident(i).is_some());
        for (i, tt) in tokens.iter().enumerate() {
            match tt {
                TokenTree::Group(g) => {
                    // Another macro's arguments are its own tokens: where a
                    // path starts in them cannot be told.
                    let foreign = i >= 2
                        && punct(i - 1, '!')
                        && segment(&tokens[i - 2])
                        && !ours(&tokens[i - 2]);
                    if !foreign {
                        let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                        if !imports_ours(&inner) {
                            scan(inner, found);
                        }
                    }
                }
                TokenTree::Ident(_)
                    if ours(tt)
                        && punct(i + 1, '!')
                        && matches!(tokens.get(i + 2), Some(TokenTree::Group(_))) =>
                {
                    // Back over `segment ::` pairs, and a leading `::`; a
                    // keyword or a label (`'a`) before `::` is not a segment.
                    let mut start = i;
                    while start >= 2 && punct(start - 1, ':') && punct(start - 2, ':') {
                        start -= 2;
                        let labelled = start >= 2 && punct(start - 2, '\'');
                        if start >= 1 && segment(&tokens[start - 1]) && !labelled {
                            start -= 1;
                        } else {
                            break;
                        }
                    }
                    let path: TokenStream = tokens[start..=i].iter().cloned().collect();
                    let new = !found.iter().any(|p| p.to_string() == path.to_string());
                    if new && syn::parse2::<syn::Path>(path.clone()).is_ok() {
                        found.push(path);
                    }
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    scan(tokens.into_iter().collect(), &mut found);
    found
}
