//! `cogen::__private`: used by the code the macros generate; not a public
//! API. The top layer below `lib.rs` (see "How the runtime is laid out" in
//! the crate docs): it names what every other file exports.
#[cfg(feature = "alloc")]
pub use crate::boxed::{Boxed, LazyBoxed};
pub use crate::co::Co;
pub use crate::generator::LastItem;
pub use crate::machine::Machine;
pub use crate::pick::{
    ViaAsyncGen, ViaForeignAsyncGen, ViaForeignGen, ViaGen, ViaIter, ViaStream, Wrap,
};
pub use crate::pooled::Pooled;
#[cfg(feature = "alloc")]
pub use crate::pooled::Recurse;
pub use core::future::Future;
pub use core::ops::ControlFlow;
pub use core::option::Option::{self, None, Some};
pub use core::result::Result::{Err, Ok};

/// The error type of a `try` generator's `Result` items.
pub trait TryItem {
    type Error;
}

impl<T, E> TryItem for Result<T, E> {
    type Error = E;
}

pub use cogen_macros::__block as block;

// Generator blocks are given an opaque type, as generator functions
// are: it names only the traits of their form (a `Machine` implements
// the sync and the async ones alike, whose `resume` would clash, and a
// sync `yield_from!` would accept an async block), and `yield_from!`
// of a block still takes the direct path (`Delegable`).

// Their type parameters are named for the error a block whose types
// cannot be inferred gets: "cannot infer the type parameter `Item`
// declared on the function `iter`", at the user's `iter!`.

/// `iter!`.
#[cfg(feature = "alloc")]
#[inline(always)]
pub fn iter<I, Item>(
    i: I,
) -> impl core::iter::FusedIterator<Item = Item> + crate::Delegable<Item> + core::fmt::Debug
where
    I: core::iter::FusedIterator<Item = Item> + crate::Delegable<Item> + core::fmt::Debug,
{
    i
}

/// `try_iter!`: its `Result` ending is not a generator's return.
#[cfg(feature = "alloc")]
#[inline(always)]
pub fn try_iter<I, Item>(i: I) -> impl core::iter::FusedIterator<Item = Item> + core::fmt::Debug
where
    I: core::iter::FusedIterator<Item = Item> + core::fmt::Debug,
{
    i
}

/// `stream!`.
#[inline(always)]
pub fn stream<S, Item>(
    s: S,
) -> impl crate::FusedStream<Item = Item> + crate::AsyncDelegable<Item> + core::fmt::Debug
where
    S: crate::FusedStream<Item = Item> + crate::AsyncDelegable<Item> + core::fmt::Debug,
{
    s
}

/// `try_stream!`.
#[inline(always)]
pub fn try_stream<S, Item>(s: S) -> impl crate::FusedStream<Item = Item> + core::fmt::Debug
where
    S: crate::FusedStream<Item = Item> + core::fmt::Debug,
{
    s
}

/// `gen_block!`.
#[inline(always)]
pub fn gen_block<G, Resume, Yield, Return>(
    g: G,
) -> impl crate::Generator<Resume, Yield = Yield, Return = Return>
       + crate::Delegable<Yield, Resume, Return>
       + core::fmt::Debug
where
    G: crate::Generator<Resume, Yield = Yield, Return = Return>
        + crate::Delegable<Yield, Resume, Return>
        + core::fmt::Debug,
{
    g
}

/// `async_gen_block!`.
#[inline(always)]
pub fn async_gen_block<G, Resume, Yield, Return>(
    g: G,
) -> impl crate::AsyncGenerator<Resume, Yield = Yield, Return = Return>
       + crate::AsyncDelegable<Yield, Resume, Return>
       + core::fmt::Debug
where
    G: crate::AsyncGenerator<Resume, Yield = Yield, Return = Return>
        + crate::AsyncDelegable<Yield, Resume, Return>
        + core::fmt::Debug,
{
    g
}

/// The ending of a `try` generator block, `Result<(), E>` with `E` the
/// error type of its items: fixes the type its `?` converts to. Never
/// called.
#[inline(always)]
pub fn try_end<T, E, R>(_: &Co<Result<T, E>, R>) -> Result<(), E> {
    unreachable!()
}

/// Gives the body's closure its parameter type `Co<Y, R>` through a
/// bound, with `Y` and `R` named in an expression-position turbofish:
/// there an elided lifetime (`&str`, `&'_ T`) is inferred, the lifetime
/// the function's signature gives it. Written as the closure's own
/// parameter annotation, it would be a fresh higher-ranked lifetime
/// instead, and a body yielding borrowed data would not compile (E0521).
#[inline(always)]
pub fn body<Y, R, F, Fut>(body: F) -> F
where
    F: FnOnce(Co<Y, R>) -> Fut,
    Fut: Future,
{
    body
}

/// Whether the body delegates with `yield_from!`: a constructor's
/// argument, so that it cannot be swapped with [`Cleanup`] unnoticed.
pub struct Delegates<const D: bool>;

/// Whether the body has cleanup (`defer!`) that closing must run by
/// resuming it: a constructor's argument, like [`Delegates`].
pub struct Cleanup<const C: bool>;

/// Builds a generator whose body yields `Y`, receives `R` and ends with
/// `T` (all read off `body`, typed by [`body`]). What a body does not
/// need, as [`Delegates`] and [`Cleanup`] say, is compiled out of its
/// driver.
///
/// # Safety
/// `body` may await the futures of the [`Co`] it is given (and of the
/// delegation helpers that take it) only directly in the future it
/// returns, never in another future nor after moving the `Co` out:
/// they find their generator through the polling `Context`, and would
/// misread any other. The macros' lowering guarantees this.
#[inline(always)]
pub unsafe fn new<Y, R, T, const D: bool, const C: bool, F, Fut>(
    body: F,
    _: Delegates<D>,
    _: Cleanup<C>,
) -> Machine<Fut, Y, R, D, C>
where
    F: FnOnce(Co<Y, R>) -> Fut,
    Fut: Future<Output = T>,
{
    Machine::new(body(Co::new()))
}

/// [`new`] for a function whose body delegates (`yield_from!`) in an
/// inline form: the machine and a free list for its delegates' blocks
/// (recursive calls, `impl Iterator` delegates) while it is the root.
///
/// # Safety
/// As for [`new`].
#[inline(always)]
pub unsafe fn pooled<Y, R, T, const C: bool, F, Fut>(
    body: F,
    _: Delegates<true>,
    _: Cleanup<C>,
) -> Pooled<Machine<Fut, Y, R, true, C>>
where
    F: FnOnce(Co<Y, R>) -> Fut,
    Fut: Future<Output = T>,
{
    Pooled::new(Machine::new(body(Co::new())))
}

/// [`pooled`] for a body that delegates to a call of itself: it resumes its
/// own body as it resumes its delegates (see `machine::Root`).
///
/// # Safety
/// As for [`new`].
#[inline(always)]
pub unsafe fn pooled_recursive<Y, R, T, const C: bool, F, Fut>(
    body: F,
    _: Delegates<true>,
    _: Cleanup<C>,
) -> Pooled<Machine<Fut, Y, R, true, C>, crate::machine::Recursive>
where
    F: FnOnce(Co<Y, R>) -> Fut,
    Fut: Future<Output = T>,
{
    Pooled::new(Machine::new(body(Co::new())))
}

/// `#[for_await]`: the next item of a pinned stream.
#[inline(always)]
pub fn next<S: crate::Stream + ?Sized>(stream: core::pin::Pin<&mut S>) -> Next<'_, S> {
    Next(stream)
}

/// Future returned by [`next`].
pub struct Next<'a, S: ?Sized>(core::pin::Pin<&'a mut S>);

impl<S: crate::Stream + ?Sized> Future for Next<'_, S> {
    type Output = Option<S::Item>;

    #[inline(always)]
    fn poll(
        mut self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<Self::Output> {
        self.0.as_mut().poll_next(cx)
    }
}

/// How the code after a `defer!` left its block; replayed after the
/// cleanup has run.
pub enum Exit<T, R, B> {
    /// It ran to its end with this value.
    Normal(T),
    /// `return` (or `?`) with this value.
    Return(R),
    /// The generator is being closed.
    Close,
    /// `break` to the n-th outer target, with its value.
    Break(u8, Option<B>),
    /// `continue` to the n-th outer target.
    Continue(u8),
}

/// `?` inside a `defer!` scope, for the types `?` works on: split into
/// the value and what an early `return` carries.
pub trait Branch {
    /// What `?` evaluates to.
    type Output;
    /// What `?` returns with.
    type Residual;
    /// Continue with the output, or break with the residual.
    fn branch(self) -> ControlFlow<Self::Residual, Self::Output>;
}

impl<T, E> Branch for Result<T, E> {
    type Output = T;
    type Residual = Result<core::convert::Infallible, E>;
    #[inline(always)]
    fn branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Ok(v) => ControlFlow::Continue(v),
            Err(e) => ControlFlow::Break(Err(e)),
        }
    }
}

impl<T> Branch for Option<T> {
    type Output = T;
    type Residual = Option<core::convert::Infallible>;
    #[inline(always)]
    fn branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Some(v) => ControlFlow::Continue(v),
            None => ControlFlow::Break(None),
        }
    }
}

/// `x?` inside a `defer!` scope.
#[inline(always)]
pub fn branch<T: Branch>(x: T) -> ControlFlow<T::Residual, T::Output> {
    x.branch()
}

/// The early return of `?`, converted as `?` converts it.
pub trait FromResidual<R> {
    /// Converts the residual.
    fn from_residual(residual: R) -> Self;
}

impl<T, E, F: From<E>> FromResidual<Result<core::convert::Infallible, E>> for Result<T, F> {
    #[inline(always)]
    fn from_residual(residual: Result<core::convert::Infallible, E>) -> Self {
        match residual {
            Err(e) => Err(From::from(e)),
            Ok(never) => match never {},
        }
    }
}

impl<T> FromResidual<Option<core::convert::Infallible>> for Option<T> {
    #[inline(always)]
    fn from_residual(_: Option<core::convert::Infallible>) -> Self {
        None
    }
}

/// See [`FromResidual`].
#[inline(always)]
pub fn from_residual<T: FromResidual<R>, R>(residual: R) -> T {
    T::from_residual(residual)
}

/// The value of a `break` that never runs (see `lower.rs`).
#[inline(always)]
pub fn never<T>() -> T {
    unreachable!()
}

/// The `impl Iterator` form: [`new`], on the heap.
///
/// # Safety
/// As for [`new`].
#[cfg(feature = "alloc")]
#[inline(always)]
pub unsafe fn boxed<Y, T, const D: bool, const C: bool, F, Fut>(
    body: F,
    _: Delegates<D>,
    _: Cleanup<C>,
) -> Boxed<Machine<Fut, Y, (), D, C>>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future<Output = T>,
{
    Boxed::new_with(|| Machine::new(body(Co::new())))
}

/// The `impl Iterator` form of a body that delegates: boxed on its
/// first resume, or when it is linked as a delegate (see [`LazyBoxed`]).
///
/// # Safety
/// As for [`new`].
#[cfg(feature = "alloc")]
#[inline(always)]
pub unsafe fn lazy_boxed<Y, T, const C: bool, F, Fut>(
    body: F,
    _: Delegates<true>,
    _: Cleanup<C>,
) -> LazyBoxed<F, Machine<Fut, Y, (), true, C>>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future<Output = T>,
{
    LazyBoxed::new(body)
}

/// [`lazy_boxed`] for a body that delegates to a call of itself (see
/// [`pooled_recursive`]).
///
/// # Safety
/// As for [`new`].
#[cfg(feature = "alloc")]
#[inline(always)]
pub unsafe fn lazy_boxed_recursive<Y, T, const C: bool, F, Fut>(
    body: F,
    _: Delegates<true>,
    _: Cleanup<C>,
) -> LazyBoxed<F, Machine<Fut, Y, (), true, C>, crate::machine::Recursive>
where
    F: FnOnce(Co<Y, ()>) -> Fut,
    Fut: Future<Output = T>,
{
    LazyBoxed::new(body)
}

/// Without the `alloc` feature there is no `impl Iterator` form (its
/// state is boxed): these stand in for [`boxed`] and [`lazy_boxed`] so
/// that using the form is one error that says so, at the user's
/// attribute, instead of "cannot find function `boxed`".
#[cfg(not(feature = "alloc"))]
#[diagnostic::on_unimplemented(
    message = "the `impl Iterator` form of #[generator] needs cogen's `alloc` feature",
    label = "its state is boxed, and this crate uses cogen without `alloc`",
    note = "enable the feature (`cogen = {{ version = \"..\", features = [\"alloc\"] }}`), or \
            return `impl Generator<Yield = Y, Return = ()>`, which needs no allocation, \
            and drive it pinned with `resume`"
)]
pub trait IteratorFormNeedsAlloc {}

/// See [`IteratorFormNeedsAlloc`].
///
/// # Safety
/// Never callable: its bound has no implementation.
#[cfg(not(feature = "alloc"))]
pub unsafe fn boxed<Y, T, const D: bool, const C: bool, F, Out>(
    _: F,
    _: Delegates<D>,
    _: Cleanup<C>,
) -> Out
where
    F: IteratorFormNeedsAlloc,
{
    unreachable!()
}

/// See [`IteratorFormNeedsAlloc`].
///
/// # Safety
/// Never callable: its bound has no implementation.
#[cfg(not(feature = "alloc"))]
pub unsafe fn lazy_boxed<Y, T, const C: bool, F, Out>(
    _: F,
    _: Delegates<true>,
    _: Cleanup<C>,
) -> Out
where
    F: IteratorFormNeedsAlloc,
{
    unreachable!()
}

/// See [`IteratorFormNeedsAlloc`].
///
/// # Safety
/// Never callable: its bound has no implementation.
#[cfg(not(feature = "alloc"))]
pub unsafe fn lazy_boxed_recursive<Y, T, const C: bool, F, Out>(
    _: F,
    _: Delegates<true>,
    _: Cleanup<C>,
) -> Out
where
    F: IteratorFormNeedsAlloc,
{
    unreachable!()
}

/// The box of a `boxed` generator (`#[generator(boxed)]`).
#[cfg(feature = "alloc")]
pub use alloc::boxed::Box;

/// Without `alloc`, a `boxed` generator's return type names this, whose
/// bound says what is missing.
#[cfg(not(feature = "alloc"))]
#[diagnostic::on_unimplemented(
    message = "a `boxed` generator needs cogen's `alloc` feature",
    label = "it returns its state in a `Box`, and this crate uses cogen without `alloc`",
    note = "enable the feature (`cogen = {{ version = \"..\", features = [\"alloc\"] }}`), or \
            remove `boxed` and return the `impl Generator` or `impl Stream` form, which \
            needs no allocation"
)]
pub trait BoxedFormNeedsAlloc {}

/// See [`BoxedFormNeedsAlloc`]. The bound is on the constructors only,
/// so that the error is reported once, at the function's return type.
#[cfg(not(feature = "alloc"))]
pub struct Box<T: ?Sized>(core::convert::Infallible, core::marker::PhantomData<T>);

#[cfg(not(feature = "alloc"))]
impl<T: ?Sized> Box<T> {
    pub fn new<G>(_: G) -> Self
    where
        T: BoxedFormNeedsAlloc,
    {
        unreachable!()
    }
    pub fn pin<G>(_: G) -> core::pin::Pin<Self>
    where
        T: BoxedFormNeedsAlloc,
    {
        unreachable!()
    }
}

/// `yield_from!(f(args))` inside `f` itself, in a form whose state is
/// inline (`impl Generator`, `impl Stream`, `impl AsyncGenerator`): the
/// arguments are evaluated here, and the call made when the delegate
/// is linked, into a heap block from the root's pool (see
/// [`Recurse`]); the state cannot hold the call's generator, or it
/// would contain itself (E0733).
#[cfg(feature = "alloc")]
#[inline(always)]
pub fn recurse<A, F, G>(args: A, call: F) -> Recurse<A, F, G>
where
    F: FnOnce(A) -> G,
{
    Recurse::new(args, call)
}

/// A recursive method call whose receiver is not a plain path (it is
/// evaluated first, as written): boxed with the allocator, as the user
/// would have had to.
#[cfg(feature = "alloc")]
#[inline(always)]
pub fn recurse_boxed<G>(generator: G) -> core::pin::Pin<alloc::boxed::Box<G>> {
    alloc::boxed::Box::pin(generator)
}

/// Without the `alloc` feature a recursive generator cannot box its
/// recursive calls: one error that says so.
#[cfg(not(feature = "alloc"))]
#[diagnostic::on_unimplemented(
    message = "a recursive `yield_from!` needs cogen's `alloc` feature",
    label = "this call of the generator itself is boxed (its state cannot contain itself), \
             and this crate uses cogen without `alloc`",
    note = "enable the feature, or write the recursion as a loop with an explicit stack"
)]
pub trait RecursionNeedsAlloc {}

/// See [`RecursionNeedsAlloc`].
#[cfg(not(feature = "alloc"))]
pub fn recurse<A, F, G: RecursionNeedsAlloc>(args: A, call: F) -> G
where
    F: FnOnce(A) -> G,
{
    call(args)
}

/// See [`RecursionNeedsAlloc`].
#[cfg(not(feature = "alloc"))]
pub fn recurse_boxed<G: RecursionNeedsAlloc>(generator: G) -> G {
    generator
}
