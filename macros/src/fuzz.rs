//! Generated-input test of the whole expansion (issue 13 §6, "the macro
//! never panics"): `expand` runs in-process on `proc_macro2` token streams,
//! over random but well-formed generator functions and over token-level
//! mutations of the repository's own generator functions.
//!
//! For every input:
//!
//! 1. `expand` does not panic;
//! 2. its output parses as Rust items (`syn::File`);
//! 3. every `compile_error!` in the output is spanned inside the input: not
//!    at `Span::call_site()` (which, in a real expansion, is the attribute,
//!    not the user's offending token), nor anywhere else;
//! 4. an input the generator knows to be wrong (a `yield_!` in a closure, an
//!    `.await` in a `#[generator]`, a `?` in a `defer!` body, a return type
//!    that is not one of the four forms, ...) gets at least one error;
//! 5. an input it knows to be right as far as the macro can tell (no such
//!    misuse, nothing in another macro's tokens where cogen may see code or
//!    tokens) gets none, when syn reads it as a function.
//!
//! Spans are checked with proc-macro2's `span-locations` (a dev-dependency
//! feature): each input is parsed from one string that starts with a line
//! break, so every token of the input is on line 2 or later, while the
//! fallback implementation's `call_site()` / `mixed_site()` spans (what the
//! macro creates when it runs outside a compiler) are at line 1, column 0
//! of an empty file of their own (`located_at(s)` gives `s`'s location, as
//! in a compiler). Each case starts a fresh source map
//! (`invalidate_current_thread_spans`), so memory stays flat over any number
//! of cases.
//!
//! Seeded and reproducible. `COGEN_FUZZ_SEED` is the base seed (default
//! fixed) and `COGEN_FUZZ_CASES` the number of cases (default
//! `DEFAULT_CASES`: 10,000, 7 s in a debug build on two idle cores, 13 s at
//! a load average of 7). Case
//! `i` runs with seed `base + i`; a failure prints that seed, and
//! `COGEN_FUZZ_SEED=<seed> COGEN_FUZZ_CASES=1 cargo test -p cogen-macros --lib fuzz`
//! replays it alone. A longer run for local use:
//!
//! ```text
//! COGEN_FUZZ_CASES=200000 cargo test -p cogen-macros --release --lib fuzz
//! ```
//!
//! Inputs that once broke the macro are pinned in `fixed()` and run first,
//! every time.

use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use proc_macro2::{
    Delimiter, Group, Ident, LineColumn, Punct, Spacing, Span, TokenStream, TokenTree,
};

use crate::parse::Kind;

const DEFAULT_SEED: u64 = 0xC06E_2026;
const DEFAULT_CASES: u64 = 10000;

// ---------------------------------------------------------------------------
// The check of one input.

/// One input of the macro: which attribute, its arguments, the item, and
/// whether the generator knows the input is wrong (and why).
#[derive(Clone)]
struct Case {
    kind: Kind,
    attr: String,
    item: String,
    must_fail: Option<String>,
    /// The generator knows the input is right as far as the macro can tell:
    /// when syn reads it as a function, the macro must not reject it.
    must_pass: bool,
}

impl Case {
    fn show(&self) -> String {
        let attr = match self.kind {
            Kind::Sync => "generator",
            Kind::Async => "async_generator",
        };
        let mut s = format!("#[{attr}({})]\n{}", self.attr, self.item);
        if let Some(why) = &self.must_fail {
            let _ = write!(s, "\n(must be rejected: {why})");
        }
        if self.must_pass {
            s += "\n(must be accepted)";
        }
        s
    }
}

/// Runs `expand` on `case` and checks the properties; `Err` says which one
/// failed. `expand` is a parameter so that the self-tests can hand it a
/// broken macro.
fn check(
    case: &Case,
    expand: impl Fn(Kind, TokenStream, TokenStream) -> TokenStream,
) -> Result<(), String> {
    // Spans from earlier cases are not used again: the source map of this
    // thread starts afresh, so it does not grow with the number of cases.
    proc_macro2::extra::invalidate_current_thread_spans();
    // One source text for both streams: every token is located, after the
    // first line (where `call_site()` is).
    let text = format!("\n({})\n{{{}}}", case.attr, case.item);
    let whole: TokenStream = text
        .parse()
        .map_err(|e| format!("the test's input does not tokenize: {e}"))?;
    let groups: Vec<Group> = whole
        .into_iter()
        .filter_map(|t| match t {
            TokenTree::Group(g) => Some(g),
            _ => None,
        })
        .collect();
    let [attr, item] = &groups[..] else {
        return Err("the test's input is not two groups".into());
    };
    let (lo, hi) = (attr.span().start(), item.span().end());
    let output = catch_unwind(AssertUnwindSafe(|| {
        expand(case.kind, attr.stream(), item.stream())
    }))
    .map_err(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the macro panicked: {msg}")
    })?;
    // An input that is no function at all is echoed after its error (for
    // editors, see `expand`): then only the error part must parse.
    let echoed = syn::parse2::<syn::ItemFn>(item.stream()).is_err();
    let checked = if echoed {
        let (out, input) = (output.to_string(), item.stream().to_string());
        let Some(error) = out.strip_suffix(&input) else {
            return Err(format!(
                "an input that is not a function must come back after its error\n--- expansion:\n{output}"
            ));
        };
        error
            .parse()
            .map_err(|e| format!("the error part does not tokenize: {e}"))?
    } else {
        output.clone()
    };
    if let Err(e) = syn::parse2::<syn::File>(checked) {
        return Err(format!(
            "the expansion is not Rust items: {e} at {:?}\n--- expansion:\n{output}",
            e.span().start()
        ));
    }
    let mut errors = Vec::new();
    compile_errors(output.clone(), &mut errors);
    for (what, span) in &errors {
        let (start, end) = (span.start(), span.end());
        let inside = |p: LineColumn| {
            (p.line, p.column) >= (lo.line, lo.column) && (p.line, p.column) <= (hi.line, hi.column)
        };
        if !inside(start) || !inside(end) {
            let at = if (start.line, start.column) == (1, 0) {
                "at call_site()".to_string()
            } else {
                format!(
                    "at {}:{}..{}:{}",
                    start.line, start.column, end.line, end.column
                )
            };
            return Err(format!(
                "an error is spanned outside the input ({at}, the input is {}:{}..{}:{}): {what}\n--- expansion:\n{output}",
                lo.line, lo.column, hi.line, hi.column
            ));
        }
    }
    if case.must_pass && !errors.is_empty() && syn::parse_str::<syn::ItemFn>(&case.item).is_ok() {
        return Err(format!(
            "a right input is rejected: {}\n--- expansion:\n{output}",
            errors[0].0
        ));
    }
    if let (Some(why), true) = (&case.must_fail, errors.is_empty()) {
        return Err(format!(
            "a wrong input is accepted without an error ({why})\n--- expansion:\n{output}"
        ));
    }
    Ok(())
}

/// Every `compile_error!` invocation in `tokens`: its message and the spans
/// of its name and of its argument group.
fn compile_errors(tokens: TokenStream, out: &mut Vec<(String, Span)>) {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tt) in tts.iter().enumerate() {
        match tt {
            TokenTree::Ident(id) if id == "compile_error" => {
                if let (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(g))) =
                    (tts.get(i + 1), tts.get(i + 2))
                {
                    if bang.as_char() == '!' {
                        let msg = g.stream().to_string();
                        out.push((msg.clone(), id.span()));
                        out.push((msg.clone(), bang.span()));
                        out.push((msg.clone(), g.span()));
                        for inner in g.stream() {
                            out.push((msg.clone(), inner.span()));
                        }
                    }
                }
            }
            TokenTree::Group(g) => compile_errors(g.stream(), out),
            _ => {}
        }
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        }
        Err(_) => default,
    }
}

/// Checks `case`, and on a failure says how to replay it and fails.
fn run(seed: Option<u64>, case: &Case) {
    if let Err(why) = check(case, crate::expand) {
        let replay = match seed {
            Some(seed) => format!(
                "replay: COGEN_FUZZ_SEED={seed:#x} COGEN_FUZZ_CASES=1 cargo test -p cogen-macros --lib fuzz"
            ),
            None => "a pinned input, in fixed()".to_string(),
        };
        panic!("{why}\n--- input ({replay}):\n{}\n", case.show());
    }
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn fuzz_expand() {
    for case in fixed() {
        run(None, &case);
    }
    let corpus = corpus();
    let base = env_u64("COGEN_FUZZ_SEED", DEFAULT_SEED);
    let cases = env_u64("COGEN_FUZZ_CASES", DEFAULT_CASES);
    let started = std::time::Instant::now();
    let (mut generated, mut mutated, mut parsed_fns) = (0u64, 0u64, 0u64);
    let (mut rejected, mut accepted) = (0u64, 0u64);
    for i in 0..cases {
        let seed = base.wrapping_add(i);
        let mut rng = Rng::new(seed);
        let case = if rng.below(10) < 7 || corpus.is_empty() {
            generated += 1;
            Gen::new(&mut rng).case()
        } else {
            mutated += 1;
            let (kind, attr, item) = &corpus[rng.below(corpus.len())];
            let Some(item) = mutate(&mut rng, item) else {
                continue;
            };
            Case {
                kind: *kind,
                attr: attr.clone(),
                item,
                must_fail: None,
                must_pass: false,
            }
        };
        if syn::parse_str::<syn::ItemFn>(&case.item).is_ok() {
            parsed_fns += 1;
        }
        rejected += case.must_fail.is_some() as u64;
        accepted += case.must_pass as u64;
        run(Some(seed), &case);
    }
    eprintln!(
        "fuzz: {cases} cases from seed {base:#x} in {:.1?}: {generated} generated, {mutated} \
         mutated ({} functions read from the tests), {parsed_fns} parse as a function, \
         {rejected} known to be wrong, {accepted} known to be right",
        started.elapsed(),
        corpus.len()
    );
    // The generator must mostly produce functions syn reads, or the test
    // only exercises the "not a function" path.
    if cases >= 100 {
        assert!(
            parsed_fns * 10 >= cases * 6,
            "only {parsed_fns} of {cases} inputs parse as functions: the generator is broken"
        );
    }
}

/// The harness can fail: a panicking macro is caught and reported.
#[test]
fn fuzz_self_check_catches_a_panic() {
    const BOOM: &str = "cogen fuzz self-check: a deliberate panic";
    // Keep the deliberate panic out of the test output, and only it (the
    // hook is the process's: other tests' panics still print).
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&BOOM) {
                previous(info);
            }
        }));
    });
    let case = Gen::new(&mut Rng::new(1)).case();
    let err = check(&case, |_, _, _| std::panic::panic_any(BOOM)).unwrap_err();
    assert!(err.contains(&format!("panicked: {BOOM}")), "{err}");
}

/// The harness can fail: malformed output, and errors spanned at the call
/// site or outside the input, are caught; a known-wrong input that gets no
/// error is caught.
#[test]
fn fuzz_self_check_catches_bad_output() {
    let case = Case {
        kind: Kind::Sync,
        attr: String::new(),
        item: "fn f() -> impl Iterator<Item = u8> { yield_!(1); }".into(),
        must_fail: None,
        must_pass: false,
    };
    check(&case, crate::expand).unwrap();
    let err = check(&case, |_, _, _| "fn ;".parse().unwrap()).unwrap_err();
    assert!(err.contains("not Rust items"), "{err}");
    let err = check(&case, |_, _, _| {
        syn::Error::new(Span::call_site(), "x").to_compile_error()
    })
    .unwrap_err();
    assert!(err.contains("at call_site()"), "{err}");
    // A span from another source text (parsed after the input).
    let err = check(&case, |_, _, _| {
        let elsewhere: TokenStream = "\n\n\n\n   far away".parse().unwrap();
        let span = elsewhere.into_iter().last().unwrap().span();
        syn::Error::new(span, "x").to_compile_error()
    })
    .unwrap_err();
    assert!(err.contains("outside the input"), "{err}");
    // Spanned on the input's own tokens: accepted.
    check(&case, |_, _, item| {
        syn::Error::new_spanned(item, "x").to_compile_error()
    })
    .unwrap();
    let wrong = Case {
        must_fail: Some("test".into()),
        must_pass: false,
        ..case.clone()
    };
    let err = check(&wrong, crate::expand).unwrap_err();
    assert!(err.contains("accepted without an error"), "{err}");
    let right = Case {
        item: "fn f() -> impl Iterator<Item = u8> { || yield_!(1); }".into(),
        must_pass: true,
        ..case
    };
    let err = check(&right, crate::expand).unwrap_err();
    assert!(err.contains("a right input is rejected"), "{err}");
}

/// The corpus is read: a change of layout must not empty it silently.
#[test]
fn fuzz_corpus_is_found() {
    let n = corpus().len();
    assert!(n >= 100, "only {n} generator functions found in the tests");
}

/// Inputs that once broke the macro, run first every time.
fn fixed() -> Vec<Case> {
    let case = |kind, attr: &str, item: &str, must_fail: Option<&str>| Case {
        kind,
        attr: attr.into(),
        item: item.into(),
        must_pass: must_fail.is_none(),
        must_fail: must_fail.map(Into::into),
    };
    vec![
        // `break 'generator_body ::cogen::..` (every yield's guard): syn
        // reads `'label ::` as `'label:` and could not parse the expansion.
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { yield_!(1); }",
            None,
        ),
        // The same for `break 'defer_scope ::cogen::..Exit::..`.
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { loop { defer! { x(); } yield_!(1); \
             if c { return; } break; } }",
            None,
        ),
        // `yield_!` arguments that are not one expression were pasted where
        // an expression goes: a malformed expansion.
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { yield_!(1, 2); yield_!(String::from(defer!{} \"x\")); }",
            Some("`yield_!` of no expression"),
        ),
        case(
            Kind::Async,
            "",
            "fn f() -> impl Stream<Item = u8> { m!(yield_!(1 +)); }",
            Some("`yield_!` of no expression"),
        ),
        // An error at the end of the attribute's arguments was at call_site.
        case(
            Kind::Async,
            "crate =",
            "fn f() -> impl Stream<Item = u8> {}",
            Some("bad attribute arguments"),
        ),
        // A crate path with generic arguments made `cogen::<u8>::__private`.
        case(
            Kind::Sync,
            "crate = cogen::<u8>",
            "fn f() -> impl Iterator<Item = u8> { yield_!(1); }",
            Some("bad attribute arguments"),
        ),
        // cogen macros in a closure / `async` block inside another macro's
        // (or `yield_!`'s) arguments were replaced by `unreachable!()`
        // without an error.
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { let v = vec![|| yield_!(1)]; }",
            Some("a yield in a closure in `vec!`"),
        ),
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { let g = || m!(a => yield_!(1); @ ?); }",
            Some("a yield in another macro in a closure"),
        ),
        case(
            Kind::Async,
            "",
            "fn f() -> impl Stream<Item = u8> { yield_!(async { #[for_await] for x in s {} }); }",
            Some("`#[for_await]` in an `async` block in `yield_!`"),
        ),
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { fn g() { macro_rules! m { () => { yield_!(1) } } } }",
            Some("a yield in a nested item's macro"),
        ),
        // A `break` in a loop's head leaves the enclosing loop: here, the
        // cleanup (not reported), or a block with `defer!` (not rewritten,
        // so E0695 on valid code); tests/tests/fuzz_regressions.rs runs it.
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { defer!({ for a in (break x) {} }); (return,) }",
            Some("a `break` in a loop head in a `defer!` body"),
        ),
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { defer! { while { continue } {} } }",
            Some("a `continue` in a loop head in a `defer!` body"),
        ),
        // The error replacing a macro (a `return` in its tokens, after a
        // `defer!`) as a `break` value: `break 'l ::core::compile_error!..`.
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Iterator<Item = u8> { defer! {} 'l: { break 'l m![a return]; } }",
            Some("a `return` in another macro's tokens after `defer!`"),
        ),
        // A lowered macro starting a larger expression was printed as a
        // block statement followed by the rest.
        case(
            Kind::Sync,
            "",
            "fn f() -> impl Generator<String, Yield = u8> { yield_!(1).len(); \
             match 0 { _ => yield_!(2)[0], } yield_!(3) + 1; }",
            None,
        ),
        case(
            Kind::Async,
            "",
            "fn f() -> impl Stream<Item = u8> { defer! { x(); } s.next().await.unwrap(); \
             g()?.h(); }",
            Some("`?` where the generator cannot end with an error"),
        ),
    ]
}

// ---------------------------------------------------------------------------
// The repository's own generator functions, and their mutations.

/// `(kind, attribute arguments, item without the attribute)` of every
/// `#[generator]` / `#[async_generator]` function in the tests.
fn corpus() -> Vec<(Kind, String, String)> {
    use syn::visit::Visit;
    struct Find(Vec<(Kind, String, String)>);
    impl Find {
        fn take(&mut self, attrs: &[syn::Attribute], item: impl Fn(Vec<syn::Attribute>) -> String) {
            for (i, a) in attrs.iter().enumerate() {
                let Some(last) = a.path().segments.last() else {
                    continue;
                };
                let kind = if last.ident == "generator" {
                    Kind::Sync
                } else if last.ident == "async_generator" {
                    Kind::Async
                } else {
                    continue;
                };
                let args = match &a.meta {
                    syn::Meta::List(l) => l.tokens.to_string(),
                    _ => String::new(),
                };
                let mut rest = attrs.to_vec();
                rest.remove(i);
                self.0.push((kind, args, item(rest)));
                return;
            }
        }
    }
    impl<'ast> Visit<'ast> for Find {
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            self.take(&f.attrs, |attrs| {
                let f = syn::ItemFn { attrs, ..f.clone() };
                quote::quote!(#f).to_string()
            });
            syn::visit::visit_item_fn(self, f);
        }
        fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
            self.take(&f.attrs, |attrs| {
                let f = syn::ImplItemFn { attrs, ..f.clone() };
                quote::quote!(#f).to_string()
            });
            syn::visit::visit_impl_item_fn(self, f);
        }
        fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
            self.take(&f.attrs, |attrs| {
                let f = syn::TraitItemFn { attrs, ..f.clone() };
                quote::quote!(#f).to_string()
            });
            syn::visit::visit_trait_item_fn(self, f);
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    let mut dirs = vec![root.join("tests/tests"), root.join("ui-tests/tests/ui")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                // Only `tests/tests/*.rs`, but all of `ui-tests/tests/ui/**`.
                if p.starts_with(root.join("ui-tests")) {
                    dirs.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut find = Find(Vec::new());
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        // A file syn cannot read (newer syntax) is skipped; the count is
        // checked in `fuzz_corpus_is_found`.
        if let Ok(file) = syn::parse_file(&text) {
            find.visit_file(&file);
        }
    }
    let out = find.0;
    // Spans of the files read are not kept (only strings are).
    proc_macro2::extra::invalidate_current_thread_spans();
    out
}

/// One to four token-level mutations of `item`; `None` if the result does
/// not tokenize again (a lifetime's `'` left without its name).
fn mutate(rng: &mut Rng, item: &str) -> Option<String> {
    let mut tokens: TokenStream = item.parse().ok()?;
    for _ in 0..1 + rng.below(4) {
        tokens = mutate_once(rng, tokens);
    }
    let text = tokens.to_string();
    text.parse::<TokenStream>().ok()?;
    Some(text)
}

fn mutate_once(rng: &mut Rng, tokens: TokenStream) -> TokenStream {
    let mut tts: Vec<TokenTree> = tokens.into_iter().collect();
    // Go down into a group now and then (not always: the outer levels
    // have the signature).
    let groups: Vec<usize> = (0..tts.len())
        .filter(|&i| matches!(tts[i], TokenTree::Group(_)))
        .collect();
    if !groups.is_empty() && rng.below(4) != 0 {
        let i = groups[rng.below(groups.len())];
        if let TokenTree::Group(g) = &tts[i] {
            let mut new = Group::new(g.delimiter(), mutate_once(rng, g.stream()));
            new.set_span(g.span());
            tts[i] = TokenTree::Group(new);
        }
        return tts.into_iter().collect();
    }
    let at = rng.below(tts.len() + 1);
    let insert = |tts: &mut Vec<TokenTree>, s: &str| {
        let new: TokenStream = s.parse().expect("a mutation tokenizes");
        tts.splice(at..at, new);
    };
    match rng.below(14) {
        0 if at < tts.len() => {
            tts.remove(at);
        }
        1 if at < tts.len() => {
            let t = tts[at].clone();
            tts.insert(at, t);
        }
        2 if at + 1 < tts.len() => tts.swap(at, at + 1),
        3 => {
            if let Some(TokenTree::Ident(_)) = tts.get(at) {
                tts[at] = TokenTree::Ident(Ident::new("yield_", Span::call_site()));
            } else {
                insert(&mut tts, "yield_");
            }
        }
        4 => tts.insert(at, TokenTree::Punct(Punct::new('?', Spacing::Alone))),
        5 => insert(&mut tts, ".await"),
        6 => insert(&mut tts, "defer!{}"),
        7 => insert(&mut tts, "defer!({ x; })"),
        8 => insert(
            &mut tts,
            rng.pick(&["yield_!(1)", "yield_!()", "yield_!{x};", "yield_![1, 2]"]),
        ),
        9 => insert(
            &mut tts,
            rng.pick(&["yield_from!(0..3)", "yield_from!()", "yield_from!{a; b}"]),
        ),
        10 => insert(
            &mut tts,
            rng.pick(&[
                "return",
                "return 1;",
                ";",
                "break",
                "continue 'a",
                "'a:",
                "|| ",
                "async move",
                "#[for_await]",
                "m!(yield_!(1) => ?)",
            ]),
        ),
        11 if at < tts.len() => {
            // Another delimiter for a group.
            if let TokenTree::Group(g) = &tts[at] {
                let d = rng.pick(&[
                    Delimiter::Parenthesis,
                    Delimiter::Brace,
                    Delimiter::Bracket,
                    Delimiter::None,
                ]);
                tts[at] = TokenTree::Group(Group::new(d, g.stream()));
            }
        }
        12 if at < tts.len() => {
            // Empty a group.
            if let TokenTree::Group(g) = &tts[at] {
                tts[at] = TokenTree::Group(Group::new(g.delimiter(), TokenStream::new()));
            }
        }
        _ => {
            // Move a token elsewhere.
            if !tts.is_empty() {
                let from = rng.below(tts.len());
                let t = tts.remove(from);
                let to = rng.below(tts.len() + 1);
                tts.insert(to, t);
            }
        }
    }
    tts.into_iter().collect()
}

// ---------------------------------------------------------------------------
// A small PRNG (SplitMix64): no dependency, the same sequence everywhere.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

// ---------------------------------------------------------------------------
// The generator of random, well-formed generator functions.

/// Where generated code is: what a cogen macro there means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The generator's own body.
    Body,
    /// A closure, `async` block or nested item inside it: cogen's macros
    /// are errors there.
    Nested,
}

#[derive(Clone, Copy)]
struct Cx {
    place: Place,
    /// Inside a `defer!` body (of the generator's own body).
    defer: bool,
    /// Loops entered inside the `defer!` body.
    defer_loops: u32,
    /// Inside a `defer!` body, maybe in nested code in it.
    defer_any: bool,
    /// The number of labels made before the `defer!` body: a label after
    /// those is inside it.
    defer_labels: u32,
    /// Inside another macro's arguments that may not parse as expressions:
    /// cogen sees tokens, or code; what it reports there is not known.
    opaque: bool,
    /// Inside another macro's arguments: a `defer!` there is an error (its
    /// scope's labels would be out of reach of cogen's hidden macros).
    foreign: bool,
}

struct Gen<'r> {
    rng: &'r mut Rng,
    kind: Kind,
    /// `impl Iterator` / `impl Stream` without `try`: `return value` is wrong.
    items_form: bool,
    /// `try` is among the attribute's arguments.
    try_: bool,
    /// A coroutine form that declares `Return = ()`: `?` is wrong.
    unit_return: bool,
    /// Size budget: every expression costs one.
    fuel: u32,
    must_fail: Option<String>,
    /// Something was generated whose acceptance the generator cannot tell
    /// (in another macro's tokens, in a `const` block, ...).
    unsure: bool,
    labels: u32,
}

const IDENTS: &[&str] = &["x", "y", "a", "b", "v", "items", "self", "Self", "s", "n"];
const BINOPS: &[&str] = &[
    "+", "-", "*", "/", "%", "&&", "||", "&", "|", "^", "<<", ">>", "==", "!=", "<", "<=", ">",
    ">=",
];
const ASSIGN_OPS: &[&str] = &[
    "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=",
];
const LITERALS: &[&str] = &[
    "1",
    "0u8",
    "2_usize",
    "1.5",
    "1e3f64",
    "\"s\"",
    "r#\"raw\"#",
    "'c'",
    "b'b'",
    "b\"bytes\"",
    "c\"cstr\"",
    "true",
    "false",
    "0xff",
    "()",
    "-1",
];

impl<'r> Gen<'r> {
    fn new(rng: &'r mut Rng) -> Gen<'r> {
        let kind = if rng.one_in(2) {
            Kind::Sync
        } else {
            Kind::Async
        };
        let fuel = 10 + rng.below(120) as u32;
        Gen {
            rng,
            kind,
            items_form: false,
            try_: false,
            unit_return: false,
            fuel,
            must_fail: None,
            unsure: false,
            labels: 0,
        }
    }

    /// `try` is refused on the coroutine forms (it is for items).
    fn try_on_coroutine(&mut self) {
        if self.try_ {
            self.wrong("`try` on a Generator / AsyncGenerator form");
        }
    }

    fn wrong(&mut self, why: &str) {
        if self.must_fail.is_none() {
            self.must_fail = Some(why.to_string());
        }
    }

    fn case(mut self) -> Case {
        let attr = self.attr_args();
        self.try_ = attr.contains("try");
        let item = self.item_fn();
        Case {
            kind: self.kind,
            attr,
            item,
            must_pass: self.must_fail.is_none() && !self.unsure,
            must_fail: self.must_fail,
        }
    }

    fn attr_args(&mut self) -> String {
        let good = [
            "",
            "",
            "",
            "",
            "try",
            "crate = cogen",
            "crate = ::cogen",
            "crate = \"cogen\"",
            "try, crate = my::cogen",
            "crate = crate::rt,",
            "try,",
        ];
        let bad = [
            "foo",
            "try try",
            "try, try",
            "crate",
            "crate =",
            "crate = 1",
            "= =",
            ", ",
            "(x)",
            "crate = \"not a path!\"",
            "crate = \"\"",
            "crate = a, crate = b",
            "try crate = x",
            "yield_!(1)",
            "async",
            "try = 1",
            "'a",
            "crate = cogen::<u8>",
            "crate = \"cogen::<u8>\"",
        ];
        if self.rng.one_in(10) {
            self.wrong("bad attribute arguments");
            self.rng.pick(&bad).to_string()
        } else {
            self.rng.pick(&good).to_string()
        }
    }

    fn item_fn(&mut self) -> String {
        let mut s = String::new();
        if self.rng.one_in(4) {
            s += self.rng.pick(&[
                "/// Docs.\n",
                "#[inline]\n",
                "#[must_use]\n",
                "#[cfg(all())]\n#[allow(unused)]\n",
                "#[doc = \"x\"]\n",
            ]);
        }
        if self.rng.one_in(20) {
            // Not a function at all.
            self.wrong("not a function");
            return self
                .rng
                .pick(&[
                    "struct S;",
                    "impl S { fn f() {} }",
                    "const X: u8 = 1;",
                    "fn f();",
                    "extern { fn f(); }",
                    "mod m {}",
                    "fn",
                    "fn f() -> impl Iterator<Item = u8>",
                ])
                .to_string();
        }
        s += self.rng.pick(&[
            "",
            "",
            "pub ",
            "pub(crate) ",
            "pub(super) ",
            "pub(in crate::a) ",
        ]);
        match self.rng.below(20) {
            0 => {
                self.wrong("async fn");
                s += "async ";
            }
            1 => {
                self.wrong("const fn");
                s += "const ";
            }
            2 => s += "unsafe ",
            3 => s += "extern \"C\" ",
            _ => {}
        }
        s += "fn ";
        s += self.rng.pick(&["f", "gen_items", "r#match", "walk"]);
        s += self.rng.pick(&[
            "",
            "",
            "<T>",
            "<'a>",
            "<'a, T: Clone + 'a, const N: usize>",
            "<T: Iterator<Item = u8>>",
            "<'a, 'b: 'a>",
        ]);
        s += "(";
        let mut params = Vec::new();
        if self.rng.one_in(3) {
            params.push(
                self.rng
                    .pick(&[
                        "self",
                        "&self",
                        "&mut self",
                        "&'a self",
                        "mut self",
                        "self: Box<Self>",
                        "self: Pin<&mut Self>",
                    ])
                    .to_string(),
            );
        }
        for _ in 0..self.rng.below(4) {
            let p = self.pat(2, false);
            let t = self.ty(2);
            params.push(format!("{p}: {t}"));
        }
        if self.rng.one_in(30) {
            self.wrong("variadic");
            params.push("args: ...".into());
        }
        s += &params.join(", ");
        s += ")";
        s += &self.ret();
        if self.rng.one_in(6) {
            s += self.rng.pick(&[
                " where T: Clone",
                " where Self: Sized,",
                " where for<'x> &'x T: IntoIterator",
            ]);
        }
        s += " ";
        let cx = Cx {
            place: Place::Body,
            defer: false,
            defer_loops: 0,
            defer_any: false,
            defer_labels: 0,
            opaque: false,
            foreign: false,
        };
        s += &self.block(cx, 4);
        s
    }

    fn ret(&mut self) -> String {
        let y = self.ty(2);
        let r = self.ty(1);
        let t = self.ty(2);
        let extra = self.rng.pick(&[
            "",
            "",
            "",
            " + Send",
            " + 'a",
            " + use<'a>",
            " + Send + 'static",
            " + Unpin",
        ]);
        // The arguments of the coroutine forms (the async one is given the
        // first three).
        const COROUTINE_ARGS: [&str; 4] = [
            "{r}, Yield = {y}, Return = {t}",
            "Yield = {y}, Return = {t}",
            "Yield = {y}",
            "{r}, Yield = {y}",
        ];
        let with_types = |args: &str| {
            args.replace("{r}", &r)
                .replace("{y}", &y)
                .replace("{t}", &t)
        };
        let (ret, async_form) = match self.rng.below(12) {
            0..=2 => {
                let name = self.rng.pick(&[
                    "Iterator",
                    "FusedIterator",
                    "std::iter::Iterator",
                    "cogen::Iterator",
                ]);
                self.items_form = true;
                (format!(" -> impl {name}<Item = {y}>{extra}"), false)
            }
            3..=4 => {
                self.try_on_coroutine();
                let args = self.rng.pick(&COROUTINE_ARGS);
                self.unit_return = args.contains("{t}") && t == "()";
                let args = with_types(args);
                (format!(" -> impl Generator<{args}>{extra}"), false)
            }
            5..=6 => {
                self.items_form = true;
                let name =
                    self.rng
                        .pick(&["Stream", "FusedStream", "futures::Stream", "cogen::Stream"]);
                (format!(" -> impl {name}<Item = {y}>{extra}"), true)
            }
            7..=8 => {
                self.try_on_coroutine();
                let args = self.rng.pick(&COROUTINE_ARGS[..3]);
                self.unit_return = args.contains("{t}") && t == "()";
                let args = with_types(args);
                (format!(" -> impl AsyncGenerator<{args}>{extra}"), true)
            }
            // A coroutine form for the macro: `return ()` is allowed.
            9 => {
                self.try_on_coroutine();
                self.unit_return = true;
                (
                    format!(
                        " -> impl Stream<Item = {y}> + AsyncGenerator<Yield = {y}, Return = ()>"
                    ),
                    true,
                )
            }
            _ => {
                self.wrong("a return type that is not one of the forms");
                let bad = [
                    "",
                    " -> Vec<u8>",
                    " -> impl Display",
                    " -> impl Iterator",
                    " -> impl Iterator<u8>",
                    " -> impl Generator<Return = u8>",
                    " -> impl Fn() -> u8",
                    " -> impl Iterator(u8)",
                    " -> impl Generator<u8, u16, Yield = u8>",
                    " -> impl Generator<Yield = u8, Foo = 1>",
                    " -> impl 'static",
                    " -> dyn Iterator<Item = u8>",
                    " -> !",
                    " -> impl Generator<Yield = u8> + Iterator<Item = u8>",
                    " -> impl Iterator<Item = u8> + Stream<Item = u8>",
                ];
                let b = self.rng.pick(&bad).to_string();
                return b;
            }
        };
        if (self.kind == Kind::Async) != async_form {
            self.wrong("the return type of the other kind");
        }
        if self.rng.one_in(15) {
            return format!(" -> ({})", &ret[4..]);
        }
        ret
    }

    // --- types and patterns ---

    fn ty(&mut self, d: u32) -> String {
        if d == 0 {
            return self
                .rng
                .pick(&[
                    "u8", "u32", "String", "()", "T", "Self", "&'a str", "_", "bool",
                ])
                .to_string();
        }
        let d = d - 1;
        match self.rng.below(14) {
            0 => format!("Vec<{}>", self.ty(d)),
            1 => format!("&{}", self.ty(d)),
            2 => format!("&'a mut {}", self.ty(d)),
            3 => format!("({}, {})", self.ty(d), self.ty(d)),
            4 => format!("[{}; 3]", self.ty(d)),
            5 => format!("[{}]", self.ty(d)),
            6 => format!("fn({}) -> {}", self.ty(d), self.ty(d)),
            7 => format!("impl Display + {}", self.rng.pick(&["Send", "'a", "Clone"])),
            8 => format!("Box<dyn Fn({}) -> {} + 'a>", self.ty(d), self.ty(d)),
            9 => format!("Result<{}, {}>", self.ty(d), self.ty(d)),
            10 => format!("<{} as Iterator>::Item", self.ty(d)),
            11 => format!("std::collections::HashMap<{}, {}>", self.ty(d), self.ty(d)),
            12 => "*const u8".into(),
            _ => self.ty(0),
        }
    }

    fn pat(&mut self, d: u32, top: bool) -> String {
        if d == 0 {
            return self
                .rng
                .pick(&[
                    "x",
                    "_",
                    "mut y",
                    "ref a",
                    "ref mut b",
                    "1",
                    "None",
                    "..",
                    "'c'",
                    "1..=5",
                    "\"s\"",
                ])
                .to_string();
        }
        let d = d - 1;
        match self.rng.below(12) {
            0 => format!("({}, {})", self.pat(d, false), self.pat(d, false)),
            1 => format!("Some({})", self.pat(d, false)),
            2 => format!("S {{ a, b: {}, .. }}", self.pat(d, false)),
            3 => format!("[{}, .., {}]", self.pat(d, false), self.pat(d, false)),
            4 if top => format!("{} | {}", self.pat(d, false), self.pat(d, false)),
            4 => format!("({} | {})", self.pat(d, false), self.pat(d, false)),
            5 => format!("x @ {}", self.pat(0, false)),
            6 => format!("&{}", self.pat(d, false)),
            7 => format!("E::V({}, ..)", self.pat(d, false)),
            8 => {
                self.unsure = true;
                "m!(yield_!(1))".into()
            }
            9 => format!("({},)", self.pat(d, false)),
            _ => self.pat(0, false),
        }
    }

    // --- statements and blocks ---

    fn block(&mut self, cx: Cx, d: u32) -> String {
        let mut s = String::from("{\n");
        let n = if d == 0 {
            self.rng.below(2)
        } else {
            self.rng.below(5)
        };
        for _ in 0..n {
            s += &self.stmt(cx, d);
            s += "\n";
        }
        if self.rng.one_in(3) {
            s += &self.expr(cx, d.min(2));
        }
        s += "\n}";
        s
    }

    fn stmt(&mut self, cx: Cx, d: u32) -> String {
        let d = d.saturating_sub(1);
        if self.fuel == 0 {
            return ";".into();
        }
        self.fuel -= 1;
        match self.rng.below(24) {
            0..=1 => format!("let {} = {};", self.pat(2, true), self.expr(cx, d)),
            2 => format!(
                "let {}: {} = {};",
                self.pat(1, true),
                self.ty(2),
                self.expr(cx, d)
            ),
            3 => format!("let {};", self.pat(1, true)),
            4 => format!(
                "let {} = {} else {};",
                self.pat(2, false),
                self.expr_no_block(cx, d),
                self.block(cx, d)
            ),
            5..=8 => format!("{};", self.expr(cx, d)),
            9 => self.block_like(cx, d),
            10..=11 => self.cogen_stmt(cx, d),
            12 => self.item(cx, d),
            13 => format!("#[allow(unused)] {}", self.stmt(cx, d)),
            14 => ";".into(),
            15 => format!("{};", self.foreign_macro(cx, d)),
            16 => format!("m!{{ {} }}", self.soup(cx, d)),
            17 => self.for_await(cx, d),
            18 => format!(
                "{} {} {};",
                self.place_expr(cx, d),
                self.rng.pick(ASSIGN_OPS),
                self.expr(cx, d)
            ),
            _ => {
                let e = self.expr(cx, d);
                format!("{e};")
            }
        }
    }

    fn cogen_stmt(&mut self, cx: Cx, d: u32) -> String {
        match self.rng.below(7) {
            0 | 1 => format!("{};", self.cogen_yield(cx, d)),
            2 => format!("{};", self.cogen_yield_from(cx, d)),
            3 => {
                let e = self.expr(cx, d);
                self.parses::<syn::Expr>(&e);
                let delim = self.rng.below(3);
                self.note_cogen(cx);
                self.yield_in_defer(cx);
                match delim {
                    0 => format!("yield_!{{ {e} }}"),
                    1 => format!("yield_![{e}];"),
                    _ => format!("cogen::yield_!({e});"),
                }
            }
            _ => self.defer(cx, d),
        }
    }

    /// A `defer!` statement, in one of its spellings.
    fn defer(&mut self, cx: Cx, d: u32) -> String {
        self.note_cogen(cx);
        if cx.foreign && !cx.opaque && cx.place == Place::Body {
            self.wrong("`defer!` inside another macro's arguments");
        }
        if cx.opaque {
            // An error, unless the tokens parse as expressions after all.
            self.unsure = true;
        }
        let inner = Cx {
            defer: cx.place == Place::Body && !cx.opaque,
            defer_loops: 0,
            defer_any: true,
            defer_labels: self.labels,
            ..cx
        };
        let mut body = String::new();
        for _ in 0..self.rng.below(3) {
            body += &self.stmt(inner, d.min(2));
        }
        self.parses::<syn::Block>(&format!("{{ {body} }}"));
        let path = self
            .rng
            .pick(&["defer", "defer", "cogen::defer", "::cogen::defer"]);
        match self.rng.below(5) {
            0 | 1 => format!("{path}! {{ {body} }}"),
            2 => format!("{path}!({{ {body} }});"),
            3 => {
                // A statement only at the end of a block.
                self.unsure = true;
                format!("{path}!({{ {body} }})")
            }
            _ => {
                // `defer!` where a statement is not: an expression.
                if !cx.opaque {
                    self.wrong("`defer!` used as an expression");
                }
                format!("let _ = {path}! {{ {body} }};")
            }
        }
    }

    /// A cogen macro at `cx`: wrong in nested code (unless inside another
    /// macro's opaque tokens, where cogen cannot tell).
    fn note_cogen(&mut self, cx: Cx) {
        if cx.opaque {
            self.unsure = true;
        } else if cx.place == Place::Nested {
            self.wrong("a cogen macro in a closure, `async` block or nested item");
        }
    }

    /// Text that cogen parses as a `T` (its own macros' arguments): if syn
    /// does not, cogen reports the parse error.
    fn parses<T: syn::parse::Parse>(&mut self, text: &str) {
        if syn::parse_str::<T>(text).is_err() {
            self.unsure = true;
        }
    }

    fn yield_in_defer(&mut self, cx: Cx) {
        if cx.defer && cx.place == Place::Body {
            self.wrong("a yield in a `defer!` body");
        }
    }

    fn cogen_yield(&mut self, cx: Cx, d: u32) -> String {
        self.note_cogen(cx);
        self.yield_in_defer(cx);
        if self.rng.one_in(8) {
            return "yield_!()".into();
        }
        let path = self.rng.pick(&[
            "yield_",
            "yield_",
            "yield_",
            "cogen::yield_",
            "::cogen::yield_",
        ]);
        let e = self.expr(cx, d);
        self.parses::<syn::Expr>(&e);
        format!("{path}!({e})")
    }

    fn cogen_yield_from(&mut self, cx: Cx, d: u32) -> String {
        self.note_cogen(cx);
        self.yield_in_defer(cx);
        let path = self
            .rng
            .pick(&["yield_from", "yield_from", "cogen::yield_from"]);
        let e = self.expr(cx, d);
        self.parses::<syn::Expr>(&e);
        format!("{path}!({e})")
    }

    fn for_await(&mut self, cx: Cx, d: u32) -> String {
        if cx.opaque {
            // Another macro's arguments may still parse as expressions.
            self.unsure = true;
        } else if self.kind == Kind::Sync {
            self.wrong("`#[for_await]` in a sync generator");
        } else if cx.place == Place::Nested {
            self.wrong("`#[for_await]` in nested code");
        }
        let label = self.label();
        let (p, e) = (self.pat(2, true), self.expr_no_block(cx, d));
        let body = self.block(self.looped(cx), d);
        format!("#[for_await]\n{label}for {p} in {e} {body}")
    }

    fn label(&mut self) -> String {
        if self.rng.one_in(3) {
            self.labels += 1;
            format!("'l{}: ", self.labels)
        } else {
            String::new()
        }
    }

    fn looped(&self, cx: Cx) -> Cx {
        Cx {
            defer_loops: cx.defer_loops + 1,
            ..cx
        }
    }

    fn nested(&self, cx: Cx) -> Cx {
        Cx {
            place: Place::Nested,
            defer: false,
            defer_loops: 0,
            ..cx
        }
    }

    fn item(&mut self, cx: Cx, d: u32) -> String {
        let n = self.nested(cx);
        match self.rng.below(10) {
            0..=2 => {
                let ret = self
                    .rng
                    .pick(&["", " -> u8", " -> impl Iterator<Item = u8>"])
                    .to_string();
                format!("fn inner(x: u8){ret} {}", self.block(n, d))
            }
            3 => "struct S { a: u8, b: Vec<u8> }".into(),
            4 => "enum E { V(u8, u8), W { a: u8 } }".into(),
            5 => format!("impl S {{ fn m(&self) -> u8 {} }}", self.block(n, d)),
            6 => format!("const C: u8 = {};", self.expr(n, d)),
            7 => "use std::fmt::Display;".into(),
            8 => format!(
                "macro_rules! m {{ ($($t:tt)*) => {{ {} }}; }}",
                self.soup(n, d)
            ),
            _ => format!("static S: u8 = {};", self.expr(n, d)),
        }
    }

    // --- expressions ---

    fn leaf(&mut self) -> String {
        match self.rng.below(4) {
            0 => self.rng.pick(LITERALS).to_string(),
            1 => format!(
                "{}::{}",
                self.rng.pick(&["std::mem", "Self", "E", "a::b"]),
                self.rng.pick(&["take", "V", "C", "new"])
            ),
            _ => self.rng.pick(IDENTS).to_string(),
        }
    }

    /// An expression that may stand where a block would end it (a `let`'s
    /// initializer before `else`, a loop's head): no struct literal, no
    /// block-like end.
    fn expr_no_block(&mut self, cx: Cx, d: u32) -> String {
        format!("({})", self.expr(cx, d))
    }

    /// An operand: parenthesized unless a leaf.
    fn operand(&mut self, cx: Cx, d: u32) -> String {
        if d == 0 || self.rng.one_in(3) {
            self.leaf()
        } else {
            format!("({})", self.expr(cx, d))
        }
    }

    fn place_expr(&mut self, cx: Cx, d: u32) -> String {
        match self.rng.below(5) {
            0 => format!("{}.f", self.operand(cx, d)),
            1 => format!("{}[{}]", self.operand(cx, d), self.expr(cx, d)),
            2 => format!("*{}", self.operand(cx, d)),
            3 => "_".into(),
            _ => self.rng.pick(IDENTS).to_string(),
        }
    }

    fn exprs(&mut self, cx: Cx, d: u32) -> String {
        let n = self.rng.below(4);
        (0..n)
            .map(|_| self.expr(cx, d))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr(&mut self, cx: Cx, d: u32) -> String {
        if d == 0 || self.fuel == 0 {
            return self.leaf();
        }
        self.fuel -= 1;
        let d = d - 1;
        match self.rng.below(52) {
            0 => format!("[{}]", self.exprs(cx, d)),
            1 => format!("[{}; {}]", self.expr(cx, d), self.rng.below(4)),
            2 => format!("{} = {}", self.place_expr(cx, d), self.expr(cx, d)),
            3..=4 => format!(
                "{} {} {}",
                self.operand(cx, d),
                self.rng.pick(BINOPS),
                self.operand(cx, d)
            ),
            5 => format!("{}{}", self.rng.pick(&["!", "-", "*"]), self.operand(cx, d)),
            6 => format!("{} as {}", self.operand(cx, d), self.ty(1)),
            7 => format!("&{}", self.operand(cx, d)),
            8 => format!("&mut {}", self.operand(cx, d)),
            9 => format!("&raw const {}", self.rng.pick(IDENTS)),
            10 => format!(
                "{}({})",
                self.rng
                    .pick(&["f", "Some", "S", "Box::new", "std::iter::once", "g::<u8>"]),
                self.exprs(cx, d)
            ),
            11..=12 => format!(
                "{}.{}({})",
                self.operand(cx, d),
                self.rng.pick(&[
                    "iter",
                    "map",
                    "clone",
                    "collect::<Vec<_>>",
                    "into_iter",
                    "next",
                    "await_"
                ]),
                self.exprs(cx, d)
            ),
            13 => format!(
                "{}.{}",
                self.operand(cx, d),
                self.rng.pick(&["f", "0", "1", "len"])
            ),
            14 => format!("{}[{}]", self.operand(cx, d), self.expr(cx, d)),
            15 => format!("({}, {})", self.expr(cx, d), self.expr(cx, d)),
            16 => format!("({},)", self.expr(cx, d)),
            17 => {
                // Only what is printed is generated: a discarded operand
                // could have made the case "known wrong".
                match self.rng.below(5) {
                    0 => format!("{}..{}", self.operand(cx, d), self.operand(cx, d)),
                    1 => format!("{}..={}", self.operand(cx, d), self.operand(cx, d)),
                    2 => format!("..{}", self.operand(cx, d)),
                    3 => format!("{}..", self.operand(cx, d)),
                    _ => "..".into(),
                }
            }
            18 => format!(
                "S {{ a: {}, b{} }}",
                self.expr(cx, d),
                if self.rng.one_in(2) {
                    ", ..Default::default()"
                } else {
                    ""
                }
            ),
            19 => self.block(cx, d),
            20 => self.block_like(cx, d),
            21 => format!("unsafe {}", self.block(cx, d)),
            // cogen reads a `const` block as body code (rustc then rejects a
            // yield there): the same expectations as outside.
            22 => format!("const {}", self.block(cx, d)),
            23 => {
                let mv = if self.rng.one_in(2) { "move " } else { "" };
                format!("async {mv}{}", self.block(self.nested(cx), d))
            }
            24..=25 => self.closure(cx, d),
            26 => self.if_expr(cx, d),
            27 => self.match_expr(cx, d),
            28 => {
                let label = self.label();
                format!("{label}loop {}", self.block(self.looped(cx), d))
            }
            29 => {
                let label = self.label();
                let c = if self.rng.one_in(2) {
                    format!("let {} = {}", self.pat(2, true), self.expr_no_block(cx, d))
                } else {
                    self.expr_no_block(cx, d)
                };
                format!("{label}while {c} {}", self.block(self.looped(cx), d))
            }
            30 => {
                let label = self.label();
                let (p, e) = (self.pat(2, true), self.expr_no_block(cx, d));
                format!("{label}for {p} in {e} {}", self.block(self.looped(cx), d))
            }
            31 => self.break_expr(cx, d),
            32 => {
                if self.labels > 0 && self.rng.one_in(2) {
                    let l = 1 + self.rng.below(self.labels as usize) as u32;
                    self.jump(cx, Some(l));
                    format!("continue 'l{l}")
                } else {
                    self.jump(cx, None);
                    "continue".into()
                }
            }
            33 => {
                self.exit(cx, "`return` in a `defer!` body");
                if self.rng.one_in(2) {
                    "return".into()
                } else {
                    if self.items_form && !self.try_ && cx.place == Place::Body && !cx.defer {
                        if cx.opaque {
                            self.unsure = true;
                        } else {
                            self.wrong_return();
                        }
                    }
                    format!("return {}", self.expr(cx, d))
                }
            }
            34..=35 => {
                self.exit(cx, "`?` in a `defer!` body");
                if (self.items_form || self.unit_return)
                    && !self.try_
                    && cx.place == Place::Body
                    && !cx.defer
                {
                    if cx.opaque {
                        self.unsure = true;
                    } else {
                        self.wrong("`?` where the generator cannot end with an error");
                    }
                }
                format!("{}?", self.operand(cx, d))
            }
            36..=37 => {
                if self.kind == Kind::Sync && cx.opaque {
                    // Seen in tokens if the macro is in the body itself.
                    self.unsure = true;
                } else if self.kind == Kind::Sync && cx.place == Place::Body {
                    self.wrong("`.await` in a sync generator");
                }
                format!("{}.await", self.operand(cx, d))
            }
            38..=40 => self.cogen_yield(cx, d),
            41 => self.cogen_yield_from(cx, d),
            42..=44 => self.foreign_macro(cx, d),
            45 => format!("try {}", self.block(cx, d)),
            46 => {
                let label = self.label();
                if label.is_empty() {
                    self.block(cx, d)
                } else {
                    let name = label.trim_end_matches(": ").to_string();
                    let inner = self.expr(cx, d);
                    format!("{label}{{ if c {{ break {name} {inner}; }} 0 }}")
                }
            }
            47 => format!("{}::<{}>::new()", self.rng.pick(&["Vec", "S"]), self.ty(1)),
            48 => format!("({})", self.expr(cx, d)),
            49 => "_".into(),
            50 => format!("yield {}", self.operand(cx, d)),
            _ => self.leaf(),
        }
    }

    fn wrong_return(&mut self) {
        self.wrong("`return value` in an Iterator / Stream form");
    }

    /// A `return` or `?` at `cx`.
    fn exit(&mut self, cx: Cx, why: &str) {
        if cx.opaque {
            // Reported in tokens only after a `defer!` in its block.
            self.unsure = true;
        } else if cx.defer && cx.place == Place::Body {
            self.wrong(why);
        }
    }

    /// A `break` / `continue` at `cx`, to label `'l{label}` or the nearest
    /// loop.
    fn jump(&mut self, cx: Cx, label: Option<u32>) {
        if cx.opaque || (cx.defer_any && !cx.defer) {
            // In tokens, or in nested code in a `defer!` body, where the
            // analysis counts loops and labels its own way.
            self.unsure |= cx.defer_any;
            return;
        }
        if !cx.defer || cx.place != Place::Body {
            return;
        }
        match label {
            Some(l) if l > cx.defer_labels => self.unsure = true,
            Some(_) => self.wrong("a labelled jump out of a `defer!` body"),
            None if cx.defer_loops == 0 => {
                self.wrong("a `break` / `continue` that leaves a `defer!` body")
            }
            None => {}
        }
    }

    fn break_expr(&mut self, cx: Cx, d: u32) -> String {
        if self.labels > 0 && self.rng.one_in(2) {
            let l = 1 + self.rng.below(self.labels as usize) as u32;
            self.jump(cx, Some(l));
            let v = if self.rng.one_in(2) {
                format!(" {}", self.operand(cx, d))
            } else {
                String::new()
            };
            format!("break 'l{l}{v}")
        } else {
            self.jump(cx, None);
            if self.rng.one_in(2) {
                format!("break {}", self.operand(cx, d))
            } else {
                "break".into()
            }
        }
    }

    fn closure(&mut self, cx: Cx, d: u32) -> String {
        let n = self.nested(cx);
        let head = self.rng.pick(&[
            "||",
            "|x|",
            "move |a, b: u8|",
            "|&(a, b)|",
            "async ||",
            "async move |x|",
            "|_| -> u8",
            "move ||",
        ]);
        if head.ends_with("u8") {
            format!("{head} {}", self.block(n, d))
        } else if self.rng.one_in(2) {
            format!("{head} {}", self.expr(n, d))
        } else {
            format!("{head} {}", self.block(n, d))
        }
    }

    fn if_expr(&mut self, cx: Cx, d: u32) -> String {
        let c = match self.rng.below(3) {
            0 => format!("let {} = {}", self.pat(2, true), self.expr_no_block(cx, d)),
            1 => format!(
                "let {} = {} && {}",
                self.pat(1, false),
                self.expr_no_block(cx, d),
                self.expr_no_block(cx, d)
            ),
            _ => self.expr_no_block(cx, d),
        };
        let mut s = format!("if {c} {}", self.block(cx, d));
        match self.rng.below(3) {
            0 => s += &format!(" else {}", self.block(cx, d)),
            1 => s += &format!(" else {}", self.if_expr(cx, d.saturating_sub(1))),
            _ => {}
        }
        s
    }

    fn match_expr(&mut self, cx: Cx, d: u32) -> String {
        let mut s = format!("match {} {{\n", self.expr_no_block(cx, d));
        for _ in 0..1 + self.rng.below(3) {
            let p = self.pat(2, true);
            let guard = if self.rng.one_in(3) {
                format!(" if {}", self.expr(cx, d))
            } else {
                String::new()
            };
            if self.rng.one_in(2) {
                s += &format!("{p}{guard} => {},\n", self.expr(cx, d));
            } else {
                s += &format!("{p}{guard} => {}\n", self.block(cx, d));
            }
        }
        s += "}";
        s
    }

    /// A statement that is a block-like expression (no semicolon needed).
    fn block_like(&mut self, cx: Cx, d: u32) -> String {
        match self.rng.below(6) {
            0 => self.if_expr(cx, d),
            1 => self.match_expr(cx, d),
            2 => {
                let label = self.label();
                format!("{label}loop {}", self.block(self.looped(cx), d))
            }
            3 => format!("unsafe {}", self.block(cx, d)),
            4 => {
                let label = self.label();
                let (p, e) = (self.pat(2, true), self.expr_no_block(cx, d));
                format!("{label}for {p} in {e} {}", self.block(self.looped(cx), d))
            }
            _ => self.block(cx, d),
        }
    }

    // --- other macros ---

    fn foreign_macro(&mut self, cx: Cx, d: u32) -> String {
        let inner = Cx {
            foreign: true,
            ..cx
        };
        // For arguments that need not parse as expressions (`Cx::opaque`).
        let opaque = Cx {
            opaque: true,
            ..inner
        };
        match self.rng.below(10) {
            0 => {
                let args = self.foreign_args(|g| g.exprs(inner, d));
                format!("vec![{args}]")
            }
            // `x; n` is not a list of expressions: cogen sees tokens.
            1 => format!("vec![{}; 3]", self.expr(opaque, d)),
            2 => {
                let args = self.foreign_args(|g| format!("\"{{}} {{x}}\", {}", g.expr(inner, d)));
                format!("format!({args})")
            }
            3 => {
                let args =
                    self.foreign_args(|g| format!("{}, {}", g.expr(inner, d), g.expr(inner, d)));
                format!("assert_eq!({args})")
            }
            // A pattern is not an expression: cogen sees tokens.
            4 => format!("matches!({}, {})", self.expr(opaque, d), self.pat(2, true)),
            5 => {
                let args = self.foreign_args(|g| g.expr(inner, d));
                format!("dbg!{{ {args} }}")
            }
            6 => format!("m!({})", self.soup(opaque, d)),
            7 => format!("m![{}]", self.soup(opaque, d)),
            8 => {
                let (a, b) = (self.expr(opaque, d), self.block(opaque, d));
                format!("tokio::select! {{ v = {a} => {b}, else => {{}} }}")
            }
            _ => {
                let args = self.foreign_args(|g| g.expr(inner, d));
                format!("r#try!({args})")
            }
        }
    }

    /// Arguments of another macro, meant to be expressions. Where syn does
    /// not read them as such (the generator's output is not always syn's
    /// Rust, e.g. `&impl A + B`), cogen sees tokens, and what was known
    /// wrong inside them no longer is.
    fn foreign_args(&mut self, f: impl FnOnce(&mut Self) -> String) -> String {
        use syn::parse::Parser;
        let before = self.must_fail.clone();
        let args = f(self);
        let parses = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated
            .parse_str(&args)
            .is_ok();
        if !parses {
            self.must_fail = before;
            self.unsure = true;
        }
        args
    }

    /// Tokens another macro might accept: well-delimited, not Rust.
    fn soup(&mut self, cx: Cx, d: u32) -> String {
        let cx = Cx { opaque: true, ..cx };
        let mut s = String::new();
        for _ in 0..1 + self.rng.below(5) {
            let piece = match self.rng.below(12) {
                0 => "=>".to_string(),
                1 => "@".into(),
                2 | 5 => {
                    // An exit cogen cannot see: an error after a `defer!`.
                    self.unsure = true;
                    if self.rng.one_in(2) { "?" } else { "return" }.to_string()
                }
                3 => ";".into(),
                4 => "$x".into(),
                6 => self.expr(cx, d.saturating_sub(1)),
                7 => self.cogen_yield(cx, d.saturating_sub(1)),
                8 => {
                    self.unsure |= self.kind == Kind::Sync;
                    format!("{}.await", self.leaf())
                }
                9 => format!("{{ {} }}", self.soup(cx, d.saturating_sub(1))),
                10 => self.defer(cx, d.saturating_sub(1)),
                _ => format!("[{}]", self.leaf()),
            };
            s += &piece;
            s += " ";
        }
        s
    }
}
