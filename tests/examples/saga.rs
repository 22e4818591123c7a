//! A tiny saga runtime, after redux-saga: long-running workflows written as
//! straight-line coroutines that react to a store's actions.
//!
//! A saga is a `#[generator]` that yields [`Effect`]s and is resumed with
//! their results ([`Input`]):
//!
//! * `Take(kinds)`: suspend until an action of one of these kinds is
//!   dispatched; resumed with that action;
//! * `Put(action)`: dispatch an action to the store;
//! * `Select`: read the store's state; resumed with a snapshot;
//! * `Call(request)`: call a service (here a fake auth server).
//!
//! The [`Store`] holds the state, a reducer, a log of every action, and the
//! suspended saga. `dispatch` reduces the action and, if the saga is waiting
//! in a `Take` for that kind, resumes it until it waits again (or ends).
//! Nothing in the saga knows about the store: it only yields data, so its
//! whole conversation is visible in [`Store::effects`].
//!
//! [`login_flow`] reads like the specification of the login feature: take a
//! login request, authorize, put success or failure; when logged in, take a
//! logout, revoke the token, put "logged out"; after too many failures, lock
//! the account and stop listening. The state the flow is in ("waiting for a
//! login" / "logged in, waiting for a logout") is where it is suspended, so
//! a login request that arrives while logged in is simply not taken.
//!
//! As with every cogen generator, the argument of the *first* resume is
//! dropped; the store passes [`Input::Start`] there.
//!
//! Run it with `cargo run -p cogen-tests --example saga`.

use cogen::{Generator, GeneratorState, generator, yield_};
use std::pin::Pin;

// ---------------------------------------------------------------------------
// Actions, state, reducer: the usual store.
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    LoginRequest { user: String, password: String },
    LoginSuccess { user: String, token: String },
    LoginFailure { error: String },
    AccountLocked { user: String },
    Logout,
    LoggedOut,
}

/// An action's kind: what `Take` waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    LoginRequest,
    LoginSuccess,
    LoginFailure,
    AccountLocked,
    Logout,
    LoggedOut,
}

impl Action {
    pub fn kind(&self) -> Kind {
        match self {
            Action::LoginRequest { .. } => Kind::LoginRequest,
            Action::LoginSuccess { .. } => Kind::LoginSuccess,
            Action::LoginFailure { .. } => Kind::LoginFailure,
            Action::AccountLocked { .. } => Kind::AccountLocked,
            Action::Logout => Kind::Logout,
            Action::LoggedOut => Kind::LoggedOut,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub user: Option<String>,
    pub token: Option<String>,
    pub pending: bool,
    pub error: Option<String>,
    pub failed_attempts: u32,
    pub locked: bool,
}

pub fn reduce(state: &mut State, action: &Action) {
    match action {
        Action::LoginRequest { .. } if state.user.is_none() && !state.locked => {
            state.pending = true;
        }
        Action::LoginRequest { .. } => {}
        Action::LoginSuccess { user, token } => {
            state.user = Some(user.clone());
            state.token = Some(token.clone());
            state.pending = false;
            state.error = None;
            state.failed_attempts = 0;
        }
        Action::LoginFailure { error } => {
            state.pending = false;
            state.error = Some(error.clone());
            state.failed_attempts += 1;
        }
        Action::AccountLocked { .. } => state.locked = true,
        Action::Logout => {}
        Action::LoggedOut => {
            state.user = None;
            state.token = None;
        }
    }
}

// ---------------------------------------------------------------------------
// Effects: what a saga asks of the runtime.
// ---------------------------------------------------------------------------

/// A request to the (fake) auth service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Authorize { user: String, password: String },
    Revoke { token: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Take(Vec<Kind>),
    Put(Action),
    Select,
    Call(Request),
}

/// The runtime's answer to the saga's last effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The first resume's argument, which the saga never sees.
    Start,
    /// The action a `Take` waited for.
    Taken(Action),
    /// A `Put` was dispatched.
    Done,
    /// The state, for a `Select`.
    Selected(State),
    /// The service's reply to a `Call`.
    Replied(Result<String, String>),
}

impl Input {
    fn taken(self) -> Action {
        match self {
            Input::Taken(a) => a,
            other => panic!("expected the action of a Take, got {other:?}"),
        }
    }
    fn selected(self) -> State {
        match self {
            Input::Selected(s) => s,
            other => panic!("expected the state for a Select, got {other:?}"),
        }
    }
    fn replied(self) -> Result<String, String> {
        match self {
            Input::Replied(r) => r,
            other => panic!("expected the reply to a Call, got {other:?}"),
        }
    }
}

pub fn take(kind: Kind) -> Effect {
    Effect::Take(vec![kind])
}

// ---------------------------------------------------------------------------
// The saga.
// ---------------------------------------------------------------------------

/// Failed logins in a row that lock the account.
pub const MAX_FAILED_LOGINS: u32 = 3;

/// The login feature, from request to logout.
#[generator]
pub fn login_flow() -> impl Generator<Input, Yield = Effect, Return = ()> {
    loop {
        // Logged out: wait for a login request.
        let Action::LoginRequest { user, password } = yield_!(take(Kind::LoginRequest)).taken()
        else {
            unreachable!("took a LoginRequest")
        };
        let authorize = Request::Authorize {
            user: user.clone(),
            password,
        };
        match yield_!(Effect::Call(authorize)).replied() {
            Ok(token) => {
                yield_!(Effect::Put(Action::LoginSuccess { user, token }));
                // Logged in: wait for a logout, then revoke the token we hold.
                yield_!(take(Kind::Logout));
                if let Some(token) = yield_!(Effect::Select).selected().token {
                    yield_!(Effect::Call(Request::Revoke { token }));
                }
                yield_!(Effect::Put(Action::LoggedOut));
            }
            Err(error) => {
                yield_!(Effect::Put(Action::LoginFailure { error }));
                if yield_!(Effect::Select).selected().failed_attempts >= MAX_FAILED_LOGINS {
                    yield_!(Effect::Put(Action::AccountLocked { user }));
                    return; // the saga ends: no more logins are taken
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The store: reducer, log, and the runtime that drives a saga.
// ---------------------------------------------------------------------------

type Saga = Pin<Box<dyn Generator<Input, Yield = Effect, Return = ()>>>;
type Service = Box<dyn FnMut(&Request) -> Result<String, String>>;

pub struct Store {
    pub state: State,
    /// Every action, dispatched from outside or put by the saga, in order.
    pub log: Vec<Action>,
    /// Every effect the saga yielded, in order.
    pub effects: Vec<Effect>,
    saga: Option<Saga>,
    /// What the saga's pending `Take` waits for.
    waiting_for: Vec<Kind>,
    service: Service,
}

impl Store {
    /// A store running `saga`, which starts at once and runs to its first `Take`.
    pub fn new(
        saga: impl Generator<Input, Yield = Effect, Return = ()> + 'static,
        service: impl FnMut(&Request) -> Result<String, String> + 'static,
    ) -> Self {
        let mut store = Store {
            state: State::default(),
            log: Vec::new(),
            effects: Vec::new(),
            saga: Some(Box::pin(saga)),
            waiting_for: Vec::new(),
            service: Box::new(service),
        };
        store.advance(Input::Start);
        store
    }

    /// Whether the saga is still running (it has not returned).
    pub fn saga_running(&self) -> bool {
        self.saga.is_some()
    }

    /// Dispatches an action: reduce it, log it, and hand it to the saga if
    /// the saga is waiting for its kind.
    pub fn dispatch(&mut self, action: Action) {
        self.apply(&action);
        if self.waiting_for.contains(&action.kind()) {
            self.waiting_for.clear();
            self.advance(Input::Taken(action));
        }
    }

    fn apply(&mut self, action: &Action) {
        reduce(&mut self.state, action);
        self.log.push(action.clone());
    }

    /// Resumes the saga with `input` and performs its effects until it
    /// waits for an action or ends.
    fn advance(&mut self, mut input: Input) {
        let Some(mut saga) = self.saga.take() else {
            return;
        };
        loop {
            let effect = match saga.as_mut().resume(input) {
                GeneratorState::Yielded(effect) => effect,
                GeneratorState::Complete(()) => return, // the saga is dropped
            };
            self.effects.push(effect.clone());
            input = match effect {
                Effect::Take(kinds) => {
                    self.waiting_for = kinds;
                    break;
                }
                Effect::Put(action) => {
                    self.apply(&action);
                    Input::Done
                }
                Effect::Select => Input::Selected(self.state.clone()),
                Effect::Call(request) => Input::Replied((self.service)(&request)),
            };
        }
        self.saga = Some(saga);
    }
}

/// A fake auth service: ada's password is "lovelace"; tokens are numbered.
pub fn fake_auth() -> impl FnMut(&Request) -> Result<String, String> {
    let mut issued = 0;
    move |request| match request {
        Request::Authorize { user, password } if user == "ada" && password == "lovelace" => {
            issued += 1;
            Ok(format!("token-{issued}"))
        }
        Request::Authorize { .. } => Err("wrong user or password".into()),
        Request::Revoke { token } => Ok(format!("{token} revoked")),
    }
}

pub fn login(user: &str, password: &str) -> Action {
    Action::LoginRequest {
        user: user.into(),
        password: password.into(),
    }
}

fn main() {
    let mut store = Store::new(login_flow(), fake_auth());
    println!("== start: the saga runs to its first effect that waits");
    println!("      saga  {:?}", store.effects[0]);
    let steps = [
        ("logout while logged out (no saga takes it)", Action::Logout),
        ("log in with a wrong password", login("ada", "babbage")),
        ("log in", login("ada", "lovelace")),
        (
            "log in again while logged in (not taken)",
            login("ada", "lovelace"),
        ),
        ("log out", Action::Logout),
        ("wrong password, 1 of 3", login("ada", "x")),
        ("wrong password, 2 of 3", login("ada", "y")),
        ("wrong password, 3 of 3", login("ada", "z")),
        ("the right password, too late", login("ada", "lovelace")),
    ];
    for (title, action) in steps {
        println!("== {title}");
        println!("  dispatch  {action:?}");
        let seen = store.effects.len();
        store.dispatch(action);
        for effect in &store.effects[seen..] {
            println!("      saga  {effect:?}");
        }
        let s = &store.state;
        println!(
            "     state  user={:?} token={:?} failed={} locked={}{}",
            s.user,
            s.token,
            s.failed_attempts,
            s.locked,
            if store.saga_running() {
                ""
            } else {
                "  (saga ended)"
            }
        );
    }
    println!("== the action log ({} actions)", store.log.len());
    for action in &store.log {
        println!("   {action:?}");
    }
}
