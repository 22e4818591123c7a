//! Retry with exponential backoff and jitter, and a circuit breaker, each
//! written once as a coroutine and driven by whatever clock you like.
//!
//! Both are *policies*: they decide, the caller acts.
//!
//! * [`retry`] yields how long to wait before the next attempt and is
//!   resumed with how that attempt went. It returns the value of the first
//!   attempt that worked, or gives up after `max_attempts` with the last
//!   error. The jitter comes from [`SplitMix64`], a tiny seeded PRNG, so a
//!   policy with a given seed always waits the same amounts: tests can
//!   assert them exactly.
//! * [`breaker`] is a circuit breaker whose state (closed / open /
//!   half-open) is simply *where the coroutine is suspended*: each state is
//!   a loop in the body, a transition is leaving one loop for the next. It
//!   is resumed with [`Event`]s (`Ask` before a call, `Report` after it) and
//!   answers each. [`CircuitBreaker`] wraps it in a struct you keep between
//!   calls.
//!
//! Neither reads a clock or sleeps. Time comes in through the [`Clock`]
//! trait: [`TokioClock`] in `main`, [`FakeClock`] (sleeping advances it at
//! once) in the tests, which therefore run in microseconds.
//!
//! As with every cogen generator, the argument of the *first* resume is
//! dropped; the drivers pass a placeholder there (`None`, and an `Ask` at
//! time zero).
//!
//! Run it with `cargo run -p cogen-tests --example retry`.

use cogen::{Generator, GeneratorState, generator, yield_};
use std::cell::Cell;
use std::convert::Infallible;
use std::future::Future;
use std::pin::{Pin, pin};
use std::time::Duration;

// ---------------------------------------------------------------------------
// Deterministic jitter.
// ---------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea, Flood 2014): a seeded 64-bit PRNG in four lines.
/// Good enough for jitter, not for secrets.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..=max` (the tiny modulo bias does not matter here).
    pub fn up_to(&mut self, max: u64) -> u64 {
        self.next_u64() % (max + 1)
    }
}

// ---------------------------------------------------------------------------
// Retry.
// ---------------------------------------------------------------------------

/// How to retry.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// The ceiling of the first wait; each later ceiling is `factor` times
    /// the previous one, up to `max_delay`.
    pub first_delay: Duration,
    pub factor: u32,
    pub max_delay: Duration,
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// Seed of the jitter.
    pub seed: u64,
}

/// The retry policy gave up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaveUp<E> {
    pub attempts: u32,
    pub last_error: E,
}

/// The retry policy as a coroutine.
///
/// Each yield means "wait this long, then make an attempt" (the first is
/// `Duration::ZERO`: the first attempt goes at once). Resume it with
/// `Some(outcome)` of that attempt. Waits use "equal jitter": half the
/// current ceiling, plus a random part of the other half, so retries of
/// many clients spread out but never come back too soon.
#[generator]
pub fn retry<T, E>(
    policy: Backoff,
) -> impl Generator<Option<Result<T, E>>, Yield = Duration, Return = Result<T, GaveUp<E>>> {
    let mut rng = SplitMix64::new(policy.seed);
    let mut ceiling = policy.first_delay;
    let mut attempts = 1;
    let mut outcome = yield_!(Duration::ZERO);
    loop {
        match outcome.expect("resume the retry policy with Some(outcome of the attempt)") {
            Ok(value) => return Ok(value),
            Err(last_error) if attempts >= policy.max_attempts => {
                return Err(GaveUp {
                    attempts,
                    last_error,
                });
            }
            Err(_) => {}
        }
        let half = ceiling.as_millis() as u64 / 2;
        let wait = Duration::from_millis(half + rng.up_to(ceiling.as_millis() as u64 - half));
        ceiling = (ceiling * policy.factor).min(policy.max_delay);
        attempts += 1;
        outcome = yield_!(wait);
    }
}

/// Where time comes from.
pub trait Clock {
    /// Time since the clock started.
    fn now(&self) -> Duration;
    fn sleep(&self, d: Duration) -> impl Future<Output = ()>;
}

/// Real time, on tokio.
pub struct TokioClock(tokio::time::Instant);

impl TokioClock {
    /// A clock starting now.
    pub fn new() -> Self {
        TokioClock(tokio::time::Instant::now())
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
    fn sleep(&self, d: Duration) -> impl Future<Output = ()> {
        tokio::time::sleep(d)
    }
}

/// Test time: it only moves when someone sleeps, and then at once.
#[derive(Default)]
pub struct FakeClock {
    now: Cell<Duration>,
    /// Every sleep, in order.
    pub sleeps: std::cell::RefCell<Vec<Duration>>,
}

impl FakeClock {
    pub fn advance(&self, d: Duration) {
        self.now.set(self.now.get() + d);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        self.now.get()
    }
    fn sleep(&self, d: Duration) -> impl Future<Output = ()> {
        self.sleeps.borrow_mut().push(d);
        self.advance(d);
        std::future::ready(())
    }
}

/// Runs `op` (given the attempt number, from 1) under `policy`.
pub async fn with_retry<T, E, Fut>(
    policy: Backoff,
    clock: &impl Clock,
    mut op: impl FnMut(u32) -> Fut,
) -> Result<T, GaveUp<E>>
where
    Fut: Future<Output = Result<T, E>>,
{
    let mut policy = pin!(retry(policy));
    let mut report = None;
    let mut attempt = 0;
    loop {
        match policy.as_mut().resume(report.take()) {
            GeneratorState::Yielded(wait) => {
                clock.sleep(wait).await;
                attempt += 1;
                report = Some(op(attempt).await);
            }
            GeneratorState::Complete(result) => return result,
        }
    }
}

// ---------------------------------------------------------------------------
// Circuit breaker.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through; consecutive failures are counted.
    Closed,
    /// Calls are refused until the cool-down has passed.
    Open,
    /// One trial call is in flight; others are refused.
    HalfOpen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// May I make a call now?
    Ask { now: Duration },
    /// The call I was allowed to make has finished.
    Report { now: Duration, ok: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Reject {
        retry_in: Duration,
    },
    /// The answer to a `Report`.
    Noted,
}

/// The breaker's answer to an event, and the state it is in afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    pub verdict: Verdict,
    pub state: BreakerState,
}

#[derive(Clone, Copy, Debug)]
pub struct BreakerConfig {
    /// Consecutive failures that open the circuit.
    pub failure_threshold: u32,
    /// How long it stays open before a trial call is let through.
    pub cool_down: Duration,
}

fn answer(verdict: Verdict, state: BreakerState) -> Answer {
    Answer { verdict, state }
}

/// The circuit breaker as a coroutine: it never ends, and its state is the
/// loop it is suspended in.
#[generator]
pub fn breaker(cfg: BreakerConfig) -> impl Generator<Event, Yield = Answer, Return = Infallible> {
    use BreakerState::*;
    use Verdict::*;
    let mut event = yield_!(answer(Noted, Closed));
    loop {
        // CLOSED: let calls through until `failure_threshold` fail in a row.
        let mut failures = 0;
        let mut opened_at = loop {
            event = match event {
                Event::Ask { .. } => yield_!(answer(Allow, Closed)),
                Event::Report { ok: true, .. } => {
                    failures = 0;
                    yield_!(answer(Noted, Closed))
                }
                Event::Report { ok: false, now } => {
                    failures += 1;
                    if failures >= cfg.failure_threshold {
                        break now;
                    }
                    yield_!(answer(Noted, Closed))
                }
            };
        };
        event = yield_!(answer(Noted, Open));
        loop {
            // OPEN: refuse until the cool-down has passed.
            match event {
                Event::Ask { now } if now < opened_at + cfg.cool_down => {
                    let retry_in = opened_at + cfg.cool_down - now;
                    event = yield_!(answer(Reject { retry_in }, Open));
                }
                // A late report of a call allowed before the circuit opened.
                Event::Report { .. } => event = yield_!(answer(Noted, Open)),
                Event::Ask { .. } => {
                    // HALF-OPEN: this caller makes the trial call; everyone
                    // else waits for its report.
                    event = yield_!(answer(Allow, HalfOpen));
                    let (now, ok) = loop {
                        match event {
                            Event::Ask { .. } => {
                                let retry_in = Duration::ZERO;
                                event = yield_!(answer(Reject { retry_in }, HalfOpen));
                            }
                            Event::Report { now, ok } => break (now, ok),
                        }
                    };
                    if ok {
                        break; // back to CLOSED
                    }
                    opened_at = now;
                    event = yield_!(answer(Noted, Open));
                }
            }
        }
        event = yield_!(answer(Noted, Closed));
    }
}

/// Why a call through the breaker failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError<E> {
    /// Refused without calling.
    Open { retry_in: Duration },
    /// Called, and it failed.
    Failed(E),
}

/// A circuit breaker to keep between calls: a [`breaker`] coroutine in a box.
pub struct CircuitBreaker {
    machine: Pin<Box<dyn Generator<Event, Yield = Answer, Return = Infallible> + Send>>,
    state: BreakerState,
    transitions: Vec<(Duration, BreakerState)>,
}

impl CircuitBreaker {
    pub fn new(cfg: BreakerConfig) -> Self {
        let mut machine = Box::pin(breaker(cfg));
        // Run the body to its first yield; this first argument is dropped.
        let placeholder = Event::Ask {
            now: Duration::ZERO,
        };
        let GeneratorState::Yielded(first) = machine.as_mut().resume(placeholder);
        CircuitBreaker {
            machine,
            state: first.state,
            transitions: Vec::new(),
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Every change of state so far, with the time of the event that caused it.
    pub fn transitions(&self) -> &[(Duration, BreakerState)] {
        &self.transitions
    }

    /// Sends one event to the breaker.
    pub fn send(&mut self, event: Event) -> Answer {
        let (Event::Ask { now } | Event::Report { now, .. }) = event;
        let GeneratorState::Yielded(answer) = self.machine.as_mut().resume(event);
        if answer.state != self.state {
            self.transitions.push((now, answer.state));
        }
        self.state = answer.state;
        answer
    }

    /// Calls `op` if the breaker allows it, and reports how it went.
    pub async fn call<T, E, Fut>(
        &mut self,
        clock: &impl Clock,
        op: impl FnOnce() -> Fut,
    ) -> Result<T, CallError<E>>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        match self.send(Event::Ask { now: clock.now() }).verdict {
            Verdict::Allow => {}
            Verdict::Reject { retry_in } => return Err(CallError::Open { retry_in }),
            Verdict::Noted => unreachable!("an Ask is answered with Allow or Reject"),
        }
        let result = op().await;
        self.send(Event::Report {
            now: clock.now(),
            ok: result.is_ok(),
        });
        result.map_err(CallError::Failed)
    }
}

// ---------------------------------------------------------------------------
// A demonstration against a flaky fake service.
// ---------------------------------------------------------------------------

/// A service that fails its first `failures` calls, then works.
pub struct Flaky {
    pub failures: Cell<u32>,
    pub calls: Cell<u32>,
}

impl Flaky {
    pub fn new(failures: u32) -> Self {
        Flaky {
            failures: Cell::new(failures),
            calls: Cell::new(0),
        }
    }

    pub async fn get(&self) -> Result<&'static str, &'static str> {
        self.calls.set(self.calls.get() + 1);
        match self.failures.get() {
            0 => Ok("200 OK"),
            n => {
                self.failures.set(n - 1);
                Err("503 Service Unavailable")
            }
        }
    }
}

pub const DEMO_BACKOFF: Backoff = Backoff {
    first_delay: Duration::from_millis(20),
    factor: 2,
    max_delay: Duration::from_millis(200),
    max_attempts: 5,
    seed: 7,
};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    for failures in [3, 9] {
        println!("== retry: a service that fails {failures} times");
        let service = Flaky::new(failures);
        let clock = TokioClock::new();
        let result = with_retry(DEMO_BACKOFF, &clock, |attempt| {
            let at = clock.now().as_millis();
            let service = &service;
            async move {
                let r = service.get().await;
                println!("   {at:>4}ms  attempt {attempt}: {r:?}");
                r
            }
        })
        .await;
        println!("   result: {result:?}");
    }

    println!("== circuit breaker: a service down for its first 4 calls, a call every 10ms");
    let cfg = BreakerConfig {
        failure_threshold: 2,
        cool_down: Duration::from_millis(35),
    };
    let mut breaker = CircuitBreaker::new(cfg);
    let service = Flaky::new(4);
    let clock = TokioClock::new();
    let mut ticks = tokio::time::interval(Duration::from_millis(10));
    for _ in 0..16 {
        ticks.tick().await;
        let at = clock.now().as_millis();
        let seen = breaker.transitions().len();
        let result = match breaker.call(&clock, || service.get()).await {
            Err(CallError::Open { retry_in }) => {
                format!("refused, retry in {}ms", retry_in.as_millis())
            }
            other => format!("{other:?}"),
        };
        let moves: Vec<_> = breaker.transitions()[seen..]
            .iter()
            .map(|(_, s)| format!("{s:?}"))
            .collect();
        let moves = if moves.is_empty() {
            String::new()
        } else {
            format!("-> {}", moves.join(" -> "))
        };
        let line = format!("   {at:>4}ms  {result:<40} {moves}");
        println!("{}", line.trim_end());
    }
    println!("   the service saw {} calls out of 16", service.calls.get());
}
