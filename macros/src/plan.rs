//! What the expansion will be, decided once from the parsed generator and
//! what the analysis found in its body: the runtime constructor, the types
//! it is given, how the body ends, how a yielded value is written. Lowering
//! and emitting only read it; `try` is read here and nowhere after.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::Type;

use crate::parse::{is_nameable, Form, GenFn, Kind};

/// A type as the runtime's helpers are given it: one the signature names,
/// or one left to inference (a generator block's, or one with `impl Trait`
/// inside, as in `Item = impl Display`).
pub enum Ty {
    Named(Box<Type>),
    Inferred,
}

impl Ty {
    fn of(ty: &Type) -> Ty {
        if is_nameable(ty) {
            Ty::Named(Box::new(ty.clone()))
        } else {
            Ty::Inferred
        }
    }

    fn unit() -> Ty {
        Ty::Named(Box::new(syn::parse_quote!(())))
    }

    /// Whether this is `()`, as written.
    pub fn is_unit(&self) -> bool {
        matches!(self, Ty::Named(t) if matches!(&**t, Type::Tuple(u) if u.elems.is_empty()))
    }
}

impl ToTokens for Ty {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Ty::Named(ty) => ty.to_tokens(tokens),
            Ty::Inferred => tokens.extend(quote!(_)),
        }
    }
}

/// What is made: a function's body, or a generator block wrapped in the
/// runtime's helper that gives it its opaque type (`iter`, `try_stream`, ..).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Function,
    Block { wrapper: &'static str },
}

/// The runtime constructor that makes the generator.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Constructor {
    /// `new`: the state inline (every form but the sync `impl Iterator`).
    New,
    /// `boxed`: the `impl Iterator` form, its state on the heap.
    Boxed,
    /// `lazy_boxed`: the `impl Iterator` form of a delegating body, boxed on
    /// its first resume so that recursion reuses its blocks.
    LazyBoxed { recursive: bool },
    /// `pooled`: an inline form of a delegating function (not a block, not
    /// `boxed`): its state inline, beside a free list for its delegates'
    /// blocks (recursive calls), as the `impl Iterator` form's.
    Pooled { recursive: bool },
}

// `recursive` (the `_recursive` constructors): a `yield_from!` of the body
// delegates to a call of its own function (`analyse::call_of_itself`), so
// the root resumes its own body through the function that resumes its
// delegates, one caller for the body in every build (runtime/DESIGN.md, "One
// caller for a recursive body"). Only then: for other delegating bodies it
// costs an out-of-line call per item.

/// How the body ends, and what `return` and `?` may do in it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// An `impl Iterator` / `impl Stream` (or block) that is not `try`: it
    /// ends with `()`, so `return value` and `?` are errors.
    Unit,
    /// The `try` flavour: the body ends with `Ok(())`, a bare `return;` is
    /// `return Ok(())`, and `?` ends it with the error as its last item.
    TryOk,
    /// An `impl Generator` / `impl AsyncGenerator`: it ends with what the
    /// body returns; `?` is an error where it declares `Return = ()`.
    Returned { unit_declared: bool },
}

impl Ending {
    /// Whether `?` can only be an error in the body.
    pub fn rejects_question(self) -> bool {
        matches!(
            self,
            Ending::Unit
                | Ending::Returned {
                    unit_declared: true
                }
        )
    }
}

/// How `yield_!(value)` hands its value out.
pub enum Yielded {
    /// The `try` flavour: as `Ok(value)`.
    Ok,
    /// Through a binding of the item type, so that a wrong type is an
    /// ordinary mismatch on the user's expression.
    Typed(Box<Type>),
    /// As written (the item type cannot be named).
    AsIs,
}

/// What fixes the body's output type before rustc reads the body.
pub enum Tie {
    /// `let out: T = never(); return out;`, `T` the return type.
    Typed,
    /// A `try` block's `Result<(), E>`, `E` its inferred items' error type:
    /// `return try_end(&co);`.
    TryEnd,
    /// Nothing: the output is inferred from the body.
    Free,
}

/// The expansion, decided.
pub struct Plan {
    pub kind: Kind,
    pub site: Site,
    pub constructor: Constructor,
    /// The types the runtime's helpers are given.
    pub yield_ty: Ty,
    pub resume_ty: Ty,
    pub return_ty: Ty,
    pub ending: Ending,
    pub tie: Tie,
    pub yielded: Yielded,
    /// The body delegates with `yield_from!`.
    pub delegates: bool,
    /// The body has code that must run when the generator is closed early
    /// (`defer!`). A body that only delegates is closed by closing its
    /// delegates and dropping its state (the runtime's
    /// `Machine::poll_close`), which keeps its `poll` to one caller.
    pub cleanup: bool,
    /// The `Delegable` bound added to a function's return type, saying that
    /// it is a cogen generator (so that `yield_from!` of it, through the
    /// opaque type, resumes it directly). Not for the `try` flavour (its
    /// `Result` ending is not a generator's return), nor where a type is
    /// not nameable, nor for blocks, nor for a `boxed` generator, whose
    /// trait object can carry no such bound.
    pub delegable: Option<DelegableBound>,
    /// `boxed`: the function returns its generator in a box.
    pub boxed: Option<BoxedReturn>,
}

/// `Delegable<Y, ..>` (or `AsyncDelegable`): the trait's path, and its
/// type arguments, the user's own types with their own spans (an error
/// about one of them, such as a missing lifetime, points where the user
/// wrote it, once).
pub struct DelegableBound {
    pub path: TokenStream,
    pub args: Vec<Type>,
}

/// The return type of a `boxed` generator, and how the value goes in.
pub struct BoxedReturn {
    /// `Box<dyn ..>` or `Pin<Box<dyn ..>>` (see `parse::boxed_type`).
    pub ty: Type,
    /// `Box::pin` (the inline forms) rather than `Box::new` (the Iterator
    /// form, whose machine is boxed already: boxing that costs a second,
    /// small allocation per generator, and keeps the free list of its
    /// delegates).
    pub pinned: bool,
}

impl Plan {
    /// The plan of `gen`'s signature: what its body may do. The constructor
    /// is chosen once the body has been read ([`Plan::read_body`]).
    pub fn new(gen: &GenFn) -> Plan {
        let krate = &gen.args.krate;
        let try_ = gen.args.try_.is_some();
        let yield_ty = Ty::of(gen.form.yield_ty());
        let (resume_ty, return_ty) = match &gen.form {
            // A block's item type is inferred: its `Result<(), E>` ending is
            // tied to it in the body (`Tie::TryEnd`).
            Form::Items { .. } if try_ => (
                Ty::unit(),
                match &yield_ty {
                    Ty::Named(y) => Ty::Named(Box::new(syn::parse_quote!(
                        ::core::result::Result<(), <#y as #krate::__private::TryItem>::Error>
                    ))),
                    Ty::Inferred => Ty::Inferred,
                },
            ),
            Form::Items { .. } => (Ty::unit(), Ty::unit()),
            Form::Coroutine {
                resume_ty,
                return_ty,
                ..
            } => (
                Ty::of(resume_ty),
                return_ty.as_ref().map_or(Ty::Inferred, Ty::of),
            ),
        };
        let ending = match &gen.form {
            _ if try_ => Ending::TryOk,
            Form::Items { .. } => Ending::Unit,
            Form::Coroutine { return_ty, .. } => Ending::Returned {
                unit_declared: matches!(
                    return_ty,
                    Some(Type::Tuple(unit)) if unit.elems.is_empty()
                ),
            },
        };
        let tie = match (&return_ty, ending) {
            (Ty::Named(_), _) => Tie::Typed,
            (Ty::Inferred, Ending::TryOk) => Tie::TryEnd,
            (Ty::Inferred, _) => Tie::Free,
        };
        let yielded = match (&yield_ty, ending) {
            (_, Ending::TryOk) => Yielded::Ok,
            (Ty::Named(y), _) => Yielded::Typed(y.clone()),
            (Ty::Inferred, _) => Yielded::AsIs,
        };
        let site = match (&gen.block, gen.kind, &gen.form) {
            (None, ..) => Site::Function,
            (Some(_), kind, form) => Site::Block {
                wrapper: match (kind, form) {
                    (Kind::Sync, Form::Items { .. }) if try_ => "try_iter",
                    (Kind::Sync, Form::Items { .. }) => "iter",
                    (Kind::Sync, Form::Coroutine { .. }) => "gen_block",
                    (Kind::Async, Form::Coroutine { .. }) => "async_gen_block",
                    (Kind::Async, Form::Items { .. }) if try_ => "try_stream",
                    (Kind::Async, Form::Items { .. }) => "stream",
                },
            },
        };
        let boxed = gen.boxed.as_ref().map(|ty| BoxedReturn {
            ty: ty.clone(),
            pinned: !matches!((gen.kind, &gen.form), (Kind::Sync, Form::Items { .. })),
        });
        let delegable = match (&site, ending, &yield_ty, &resume_ty, &return_ty) {
            _ if boxed.is_some() => None,
            (
                Site::Function,
                Ending::Unit | Ending::Returned { .. },
                Ty::Named(y),
                Ty::Named(r),
                Ty::Named(t),
            ) => {
                let path = match gen.kind {
                    Kind::Sync => quote!(#krate::Delegable),
                    Kind::Async => quote!(#krate::AsyncDelegable),
                };
                let args = match gen.form {
                    Form::Items { .. } => vec![(**y).clone()],
                    Form::Coroutine { .. } => vec![(**y).clone(), (**r).clone(), (**t).clone()],
                };
                Some(DelegableBound { path, args })
            }
            _ => None,
        };
        Plan {
            kind: gen.kind,
            site,
            constructor: Constructor::New,
            yield_ty,
            resume_ty,
            return_ty,
            ending,
            tie,
            yielded,
            delegates: false,
            cleanup: false,
            delegable,
            boxed,
        }
    }

    /// What the analysis found in the body, and the constructor it needs.
    pub fn read_body(&mut self, form: &Form, delegates: bool, cleanup: bool, calls_itself: bool) {
        self.delegates = delegates;
        self.cleanup = cleanup;
        let recursive = calls_itself && self.site == Site::Function && self.boxed.is_none();
        self.constructor = match (self.kind, form) {
            (Kind::Sync, Form::Items { .. }) if delegates => Constructor::LazyBoxed { recursive },
            (Kind::Sync, Form::Items { .. }) => Constructor::Boxed,
            _ if delegates && self.site == Site::Function && self.boxed.is_none() => {
                Constructor::Pooled { recursive }
            }
            _ => Constructor::New,
        };
    }
}
