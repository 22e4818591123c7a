//! An effect runner: business logic as a coroutine that *describes* what it
//! wants done, and a driver that does it.
//!
//! The flow below ([`login_or_fetch`]) never touches the network or a timer.
//! It yields [`Effect`] values — plain data:
//!
//! * `Call(api)`: perform one backend request;
//! * `All([..])`: perform several at once, resume with every result;
//! * `Race([..])`: perform several at once, resume with the first to finish
//!   (the others are cancelled);
//! * `Delay(d)`: wait.
//!
//! and is resumed with an [`Outcome`] describing what happened. This is the
//! redux-saga / Effect-TS idea, written as a `#[generator]` whose resume
//! argument is the answer to its last yield:
//!
//! ```text
//! #[generator]
//! fn flow() -> impl Generator<Outcome, Yield = Effect, Return = Result<Dashboard, FlowError>>
//! ```
//!
//! Two interpreters run the *same* flow:
//!
//! * [`run`]: the real one, async on tokio: calls the [`Backend`], joins,
//!   races with `select_all`, sleeps with `tokio::time::sleep`;
//! * a test (see `tests/tests/examples.rs`) that resumes the flow by hand
//!   with made-up outcomes and asserts the exact effects it yields: no I/O,
//!   no timers, no runtime.
//!
//! As with every cogen generator, the argument of the *first* resume is
//! dropped (no `yield_!` has run yet to receive it), so the drivers pass
//! [`Outcome::Start`] there.
//!
//! Run it with `cargo run -p cogen-tests --example effects`.

use cogen::{Generator, GeneratorState, generator, yield_};
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

// ---------------------------------------------------------------------------
// The vocabulary: requests, replies, effects, outcomes.
// ---------------------------------------------------------------------------

/// A backend request. Data, not a closure, so a test can compare it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Api {
    Login { user: String, password: String },
    Profile { token: String },
    Feed { token: String },
}

/// A successful backend reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Token(String),
    Name(String),
    Items(Vec<String>),
}

/// A failed backend request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    BadCredentials,
    Unauthorized,
    Unavailable,
}

/// What the coroutine asks its driver to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Call(Api),
    All(Vec<Effect>),
    Race(Vec<Effect>),
    Delay(Duration),
}

/// What the driver answers with: the result of the last effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The argument of the first resume, which the coroutine never sees.
    Start,
    /// A `Call` finished.
    Returned(Result<Reply, ApiError>),
    /// Every effect of an `All`, in order.
    All(Vec<Outcome>),
    /// The index of the `Race` winner, and its outcome.
    Race(usize, Box<Outcome>),
    /// A `Delay` elapsed.
    Slept,
}

/// `Effect::Call`, shorter.
pub fn call(api: Api) -> Effect {
    Effect::Call(api)
}

// ---------------------------------------------------------------------------
// The business flow: pure logic, written top to bottom.
// ---------------------------------------------------------------------------

/// How long a login may take before the flow gives up.
pub const LOGIN_TIMEOUT: Duration = Duration::from_millis(200);
/// How long to wait before asking an unavailable backend again.
pub const RETRY_DELAY: Duration = Duration::from_millis(20);
/// How many times to ask an unavailable backend again.
pub const MAX_RETRIES: u32 = 2;

/// What the flow produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    pub name: String,
    pub feed: Vec<String>,
    /// The token that worked: the caller caches it for next time.
    pub token: String,
}

/// Why the flow failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowError {
    BadCredentials,
    LoginTimedOut,
    Backend(ApiError),
    /// The driver answered with an outcome that does not fit the effect.
    Protocol(Outcome),
}

/// Show the user's dashboard: use the cached token if there is one, log in
/// (with a timeout) if there is none or it turns out to be stale, fetch the
/// profile and the feed in parallel, and retry a couple of times if the
/// backend is briefly unavailable.
#[generator]
pub fn login_or_fetch(
    user: String,
    password: String,
    cached_token: Option<String>,
) -> impl Generator<Outcome, Yield = Effect, Return = Result<Dashboard, FlowError>> {
    let mut token = cached_token;
    let mut logged_in_now = false;
    let mut retries = 0;
    loop {
        let current = match token.take() {
            Some(t) => t,
            None => {
                // Log in, racing the request against a timer.
                let login = call(Api::Login {
                    user: user.clone(),
                    password: password.clone(),
                });
                let first = yield_!(Effect::Race(vec![login, Effect::Delay(LOGIN_TIMEOUT)]));
                logged_in_now = true;
                match first {
                    Outcome::Race(0, reply) => match *reply {
                        Outcome::Returned(Ok(Reply::Token(t))) => t,
                        Outcome::Returned(Err(ApiError::BadCredentials)) => {
                            return Err(FlowError::BadCredentials);
                        }
                        Outcome::Returned(Err(e)) => return Err(FlowError::Backend(e)),
                        other => return Err(FlowError::Protocol(other)),
                    },
                    Outcome::Race(_, _) => return Err(FlowError::LoginTimedOut),
                    other => return Err(FlowError::Protocol(other)),
                }
            }
        };

        // Profile and feed at the same time.
        let both = yield_!(Effect::All(vec![
            call(Api::Profile {
                token: current.clone()
            }),
            call(Api::Feed {
                token: current.clone()
            }),
        ]));
        let (profile, feed) = match both {
            Outcome::All(v) => match <[Outcome; 2]>::try_from(v) {
                Ok([Outcome::Returned(p), Outcome::Returned(f)]) => (p, f),
                Ok(other) => return Err(FlowError::Protocol(Outcome::All(other.into()))),
                Err(v) => return Err(FlowError::Protocol(Outcome::All(v))),
            },
            other => return Err(FlowError::Protocol(other)),
        };

        match (profile, feed) {
            (Ok(Reply::Name(name)), Ok(Reply::Items(feed))) => {
                return Ok(Dashboard {
                    name,
                    feed,
                    token: current,
                });
            }
            // A stale cached token: log in once, then try again.
            (Err(ApiError::Unauthorized), _) | (_, Err(ApiError::Unauthorized))
                if !logged_in_now => {}
            // A busy backend: wait a little, then try again with the same token.
            (Err(ApiError::Unavailable), _) | (_, Err(ApiError::Unavailable))
                if retries < MAX_RETRIES =>
            {
                retries += 1;
                yield_!(Effect::Delay(RETRY_DELAY));
                token = Some(current);
            }
            (Err(e), _) | (_, Err(e)) => return Err(FlowError::Backend(e)),
            (p, f) => {
                let outcomes = vec![Outcome::Returned(p), Outcome::Returned(f)];
                return Err(FlowError::Protocol(Outcome::All(outcomes)));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The real driver: performs effects on tokio.
// ---------------------------------------------------------------------------

/// Something that can answer [`Api`] requests.
pub trait Backend {
    fn call(&self, api: Api) -> impl Future<Output = Result<Reply, ApiError>>;
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Performs one effect. Recursive (`All` and `Race` hold effects), hence boxed.
pub fn perform<'a, B: Backend>(backend: &'a B, effect: Effect) -> BoxFuture<'a, Outcome> {
    Box::pin(async move {
        match effect {
            Effect::Call(api) => Outcome::Returned(backend.call(api).await),
            Effect::All(effects) => {
                let all = effects.into_iter().map(|e| perform(backend, e));
                Outcome::All(futures::future::join_all(all).await)
            }
            Effect::Race(effects) => {
                let racers: Vec<_> = effects.into_iter().map(|e| perform(backend, e)).collect();
                // The losers are dropped here: cancelled mid-flight.
                let (outcome, index, _losers) = futures::future::select_all(racers).await;
                Outcome::Race(index, Box::new(outcome))
            }
            Effect::Delay(d) => {
                tokio::time::sleep(d).await;
                Outcome::Slept
            }
        }
    })
}

/// Runs a flow to completion against a backend, calling `trace` after each
/// effect with the effect and its outcome.
pub async fn run<B, T>(
    flow: impl Generator<Outcome, Yield = Effect, Return = T>,
    backend: &B,
    mut trace: impl FnMut(&Effect, &Outcome),
) -> T
where
    B: Backend,
{
    let mut flow = pin!(flow);
    let mut answer = Outcome::Start;
    loop {
        match flow.as_mut().resume(answer) {
            GeneratorState::Yielded(effect) => {
                answer = perform(backend, effect.clone()).await;
                trace(&effect, &answer);
            }
            GeneratorState::Complete(result) => return result,
        }
    }
}

/// An in-process backend with real latencies (`tokio::time::sleep`).
pub struct FakeBackend {
    pub password: String,
    pub token: String,
    pub latency: Duration,
    pub login_latency: Duration,
    /// How many feed requests fail with `Unavailable` before one works.
    pub feed_outages: AtomicU32,
    /// Every request received, in order.
    pub requests: Mutex<Vec<Api>>,
}

impl FakeBackend {
    pub fn new(password: &str, token: &str) -> Self {
        FakeBackend {
            password: password.into(),
            token: token.into(),
            latency: Duration::from_millis(5),
            login_latency: Duration::from_millis(10),
            feed_outages: AtomicU32::new(0),
            requests: Mutex::new(Vec::new()),
        }
    }

    pub fn requests(&self) -> Vec<Api> {
        self.requests.lock().unwrap().clone()
    }
}

impl Backend for FakeBackend {
    async fn call(&self, api: Api) -> Result<Reply, ApiError> {
        self.requests.lock().unwrap().push(api.clone());
        match api {
            Api::Login { password, .. } => {
                tokio::time::sleep(self.login_latency).await;
                if password == self.password {
                    Ok(Reply::Token(self.token.clone()))
                } else {
                    Err(ApiError::BadCredentials)
                }
            }
            Api::Profile { token } => {
                tokio::time::sleep(self.latency).await;
                if token != self.token {
                    return Err(ApiError::Unauthorized);
                }
                Ok(Reply::Name("Ada".into()))
            }
            Api::Feed { token } => {
                tokio::time::sleep(self.latency).await;
                if token != self.token {
                    return Err(ApiError::Unauthorized);
                }
                let outage =
                    self.feed_outages
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
                if outage.is_ok() {
                    return Err(ApiError::Unavailable);
                }
                Ok(Reply::Items(vec![
                    "cogen 0.1 released".into(),
                    "rain tomorrow".into(),
                ]))
            }
        }
    }
}

/// A short description of an effect, for printing.
pub fn describe(effect: &Effect) -> String {
    match effect {
        Effect::Call(Api::Login { user, .. }) => format!("login({user})"),
        Effect::Call(Api::Profile { token }) => format!("profile({token})"),
        Effect::Call(Api::Feed { token }) => format!("feed({token})"),
        Effect::All(v) => format!(
            "all[{}]",
            v.iter().map(describe).collect::<Vec<_>>().join(", ")
        ),
        Effect::Race(v) => {
            format!(
                "race[{}]",
                v.iter().map(describe).collect::<Vec<_>>().join(", ")
            )
        }
        Effect::Delay(d) => format!("delay({d:?})"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let scenarios: [(&str, Option<&str>, &str, u32, u64); 5] = [
        ("cached token still valid", Some("t-42"), "secret", 0, 10),
        ("cached token is stale", Some("t-old"), "secret", 0, 10),
        ("no token; feed briefly unavailable", None, "secret", 1, 10),
        ("wrong password", None, "guess", 0, 10),
        ("login server too slow", None, "secret", 0, 1_000),
    ];
    for (title, cached, password, outages, login_ms) in scenarios {
        println!("== {title}");
        let mut backend = FakeBackend::new("secret", "t-42");
        backend.feed_outages = AtomicU32::new(outages);
        backend.login_latency = Duration::from_millis(login_ms);
        let flow = login_or_fetch("ada".into(), password.into(), cached.map(String::from));
        let start = tokio::time::Instant::now();
        let result = run(flow, &backend, |effect, outcome| {
            let at = start.elapsed().as_millis();
            println!("   {at:>4}ms  {:<40} -> {outcome:?}", describe(effect));
        })
        .await;
        println!("   result: {result:?}");
    }
}
