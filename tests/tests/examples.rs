//! Tests of the examples in `examples/`: each example's code is included as a
//! module (an example binary cannot be imported) and its functions tested.

#[path = "../examples/effects.rs"]
#[allow(dead_code)]
mod effects;
#[path = "../examples/fanout.rs"]
#[allow(dead_code)]
mod fanout;
#[path = "../examples/recursion.rs"]
#[allow(dead_code)]
mod recursion;
#[path = "../examples/retry.rs"]
#[allow(dead_code)]
mod retry;
#[path = "../examples/saga.rs"]
#[allow(dead_code)]
mod saga;

use cogen::{Generator, GeneratorState};
use std::pin::pin;
use std::time::Duration;

/// Resumes `g` with each answer in turn: what it yielded, and its return
/// value if it completed.
fn step<G, R, Y, T>(g: G, answers: impl IntoIterator<Item = R>) -> (Vec<Y>, Option<T>)
where
    G: Generator<R, Yield = Y, Return = T>,
{
    let mut g = pin!(g);
    let mut yielded = Vec::new();
    for answer in answers {
        match g.as_mut().resume(answer) {
            GeneratorState::Yielded(y) => yielded.push(y),
            GeneratorState::Complete(t) => return (yielded, Some(t)),
        }
    }
    (yielded, None)
}

// ---------------------------------------------------------------------------
// effects
// ---------------------------------------------------------------------------

mod effects_tests {
    use super::effects::*;
    use super::step;
    use std::sync::atomic::AtomicU32;
    use std::time::Duration;

    fn profile(t: &str) -> Effect {
        call(Api::Profile { token: t.into() })
    }
    fn feed(t: &str) -> Effect {
        call(Api::Feed { token: t.into() })
    }
    fn fetch_both(t: &str) -> Effect {
        Effect::All(vec![profile(t), feed(t)])
    }
    fn login(password: &str) -> Effect {
        let login = call(Api::Login {
            user: "ada".into(),
            password: password.into(),
        });
        Effect::Race(vec![login, Effect::Delay(LOGIN_TIMEOUT)])
    }
    fn ok(r: Reply) -> Outcome {
        Outcome::Returned(Ok(r))
    }
    fn err(e: ApiError) -> Outcome {
        Outcome::Returned(Err(e))
    }
    fn both(p: Outcome, f: Outcome) -> Outcome {
        Outcome::All(vec![p, f])
    }
    fn items() -> Vec<String> {
        vec!["cogen 0.1 released".into(), "rain tomorrow".into()]
    }
    fn flow(
        password: &str,
        cached: Option<&str>,
    ) -> impl cogen::Generator<Outcome, Yield = Effect, Return = Result<Dashboard, FlowError>> {
        login_or_fetch("ada".into(), password.into(), cached.map(String::from))
    }

    // (b) The flow stepped by hand: made-up outcomes, no I/O, no timers.

    #[test]
    fn stale_token_then_busy_feed_by_hand() {
        let answers = [
            Outcome::Start,
            both(err(ApiError::Unauthorized), err(ApiError::Unauthorized)),
            Outcome::Race(0, Box::new(ok(Reply::Token("t-new".into())))),
            both(ok(Reply::Name("Ada".into())), err(ApiError::Unavailable)),
            Outcome::Slept,
            both(ok(Reply::Name("Ada".into())), ok(Reply::Items(items()))),
        ];
        let (effects, result) = step(flow("secret", Some("t-old")), answers);
        assert_eq!(
            effects,
            [
                fetch_both("t-old"),
                login("secret"),
                fetch_both("t-new"),
                Effect::Delay(RETRY_DELAY),
                fetch_both("t-new"),
            ]
        );
        let dashboard = Dashboard {
            name: "Ada".into(),
            feed: items(),
            token: "t-new".into(),
        };
        assert_eq!(result, Some(Ok(dashboard)));
    }

    #[test]
    fn valid_cached_token_needs_one_effect() {
        let answers = [
            Outcome::Start,
            both(ok(Reply::Name("Ada".into())), ok(Reply::Items(vec![]))),
        ];
        let (effects, result) = step(flow("secret", Some("t")), answers);
        assert_eq!(effects, [fetch_both("t")]);
        let dashboard = Dashboard {
            name: "Ada".into(),
            feed: vec![],
            token: "t".into(),
        };
        assert_eq!(result, Some(Ok(dashboard)));
    }

    #[test]
    fn login_timeout_and_bad_credentials_by_hand() {
        let timed_out = [Outcome::Start, Outcome::Race(1, Box::new(Outcome::Slept))];
        let (effects, result) = step(flow("secret", None), timed_out);
        assert_eq!(effects, [login("secret")]);
        assert_eq!(result, Some(Err(FlowError::LoginTimedOut)));

        let refused = [
            Outcome::Start,
            Outcome::Race(0, Box::new(err(ApiError::BadCredentials))),
        ];
        let (effects, result) = step(flow("guess", None), refused);
        assert_eq!(effects, [login("guess")]);
        assert_eq!(result, Some(Err(FlowError::BadCredentials)));
    }

    #[test]
    fn gives_up_on_a_fresh_token_rejected_and_on_a_long_outage() {
        // A token from this very login is rejected: no second login.
        let answers = [
            Outcome::Start,
            Outcome::Race(0, Box::new(ok(Reply::Token("t".into())))),
            both(err(ApiError::Unauthorized), ok(Reply::Items(vec![]))),
        ];
        let (effects, result) = step(flow("secret", None), answers);
        assert_eq!(effects, [login("secret"), fetch_both("t")]);
        assert_eq!(
            result,
            Some(Err(FlowError::Backend(ApiError::Unauthorized)))
        );

        // Unavailable three times: two retries, then the error.
        let busy = || both(ok(Reply::Name("Ada".into())), err(ApiError::Unavailable));
        let answers = [
            Outcome::Start,
            busy(),
            Outcome::Slept,
            busy(),
            Outcome::Slept,
            busy(),
        ];
        let (effects, result) = step(flow("secret", Some("t")), answers);
        let delay = Effect::Delay(RETRY_DELAY);
        assert_eq!(
            effects,
            [
                fetch_both("t"),
                delay.clone(),
                fetch_both("t"),
                delay,
                fetch_both("t")
            ]
        );
        assert_eq!(result, Some(Err(FlowError::Backend(ApiError::Unavailable))));
    }

    #[test]
    fn a_driver_answering_the_wrong_shape_is_reported() {
        let (_, result) = step(flow("secret", Some("t")), [Outcome::Start, Outcome::Slept]);
        assert_eq!(result, Some(Err(FlowError::Protocol(Outcome::Slept))));
    }

    // (a) The real driver, end to end, on tokio with real (short) timers.

    #[tokio::test]
    async fn real_driver_end_to_end() {
        let backend = FakeBackend::new("secret", "t-42");
        backend
            .feed_outages
            .store(1, std::sync::atomic::Ordering::SeqCst);
        let mut trace = Vec::new();
        let run = run(flow("secret", Some("t-old")), &backend, |e, o| {
            trace.push((e.clone(), o.clone()))
        });
        let result = tokio::time::timeout(Duration::from_secs(5), run)
            .await
            .expect("bounded");
        let dashboard = Dashboard {
            name: "Ada".into(),
            feed: items(),
            token: "t-42".into(),
        };
        assert_eq!(result, Ok(dashboard));

        let effects: Vec<_> = trace.iter().map(|(e, _)| e.clone()).collect();
        assert_eq!(
            effects,
            [
                fetch_both("t-old"),
                login("secret"),
                fetch_both("t-42"),
                Effect::Delay(RETRY_DELAY),
                fetch_both("t-42"),
            ]
        );
        assert_eq!(
            trace[1].1,
            Outcome::Race(0, Box::new(ok(Reply::Token("t-42".into()))))
        );
        assert_eq!(trace[3].1, Outcome::Slept);

        let login = Api::Login {
            user: "ada".into(),
            password: "secret".into(),
        };
        let p = |t: &str| Api::Profile { token: t.into() };
        let f = |t: &str| Api::Feed { token: t.into() };
        assert_eq!(
            backend.requests(),
            [
                p("t-old"),
                f("t-old"),
                login,
                p("t-42"),
                f("t-42"),
                p("t-42"),
                f("t-42")
            ]
        );
    }

    #[tokio::test]
    async fn real_driver_race_cancels_the_slow_login() {
        let mut backend = FakeBackend::new("secret", "t-42");
        backend.login_latency = Duration::from_secs(10);
        backend.feed_outages = AtomicU32::new(0);
        let start = tokio::time::Instant::now();
        let run = run(flow("secret", None), &backend, |_, _| {});
        let result = tokio::time::timeout(Duration::from_secs(5), run)
            .await
            .expect("bounded");
        assert_eq!(result, Err(FlowError::LoginTimedOut));
        let took = start.elapsed();
        assert!(took >= LOGIN_TIMEOUT, "{took:?}");
        assert!(
            took < Duration::from_secs(5),
            "the losing login was not awaited: {took:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// retry
// ---------------------------------------------------------------------------

mod retry_tests {
    use super::retry::*;
    use super::step;
    use std::cell::Cell;
    use std::time::Duration;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    const POLICY: Backoff = Backoff {
        first_delay: Duration::from_millis(100),
        factor: 2,
        max_delay: Duration::from_millis(1_000),
        max_attempts: 6,
        seed: 42,
    };

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        let mut rng = SplitMix64::new(1234567);
        let got: Vec<u64> = (0..5).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423,
                4593380528125082431,
                16408922859458223821
            ]
        );
    }

    #[test]
    fn waits_grow_exponentially_with_jitter_and_a_cap() {
        let failures = std::iter::repeat_with(|| Some(Err::<(), _>("boom"))).take(5);
        let answers = std::iter::once(None).chain(failures);
        let (waits, result) = step(retry::<(), &str>(POLICY), answers);
        assert_eq!(waits.len(), 6);
        assert_eq!(waits[0], Duration::ZERO, "the first attempt goes at once");
        // Equal jitter: each wait is in [ceiling / 2, ceiling].
        let ceilings = [100, 200, 400, 800, 1_000];
        for (wait, ceiling) in waits[1..].iter().zip(ceilings) {
            assert!(
                *wait >= ms(ceiling / 2) && *wait <= ms(ceiling),
                "{wait:?} vs {ceiling}ms"
            );
        }
        assert_eq!(result, None, "still retrying after 5 failures of 6 allowed");

        // The same seed waits the same; another seed does not.
        // (The first resume's argument is dropped: `Some(..)` there is ignored like `None`.)
        let again = step(
            retry::<(), &str>(POLICY),
            std::iter::repeat_n(Some(Err("x")), 6),
        );
        assert_eq!(again.0, waits);
        let other = Backoff { seed: 43, ..POLICY };
        let failures = std::iter::repeat_n(Some(Err("x")), 5);
        let (other_waits, _) = step(
            retry::<(), &str>(other),
            std::iter::once(None).chain(failures),
        );
        assert_ne!(other_waits, waits);
    }

    #[test]
    fn returns_the_first_success_or_gives_up_with_the_last_error() {
        let answers = [None, Some(Err("a")), Some(Err("b")), Some(Ok(7))];
        let (waits, result) = step(retry::<u32, &str>(POLICY), answers);
        assert_eq!(waits.len(), 3);
        assert_eq!(result, Some(Ok(7)));

        let policy = Backoff {
            max_attempts: 3,
            ..POLICY
        };
        let answers = [None, Some(Err("a")), Some(Err("b")), Some(Err("c"))];
        let (waits, result) = step(retry::<u32, &str>(policy), answers);
        assert_eq!(waits.len(), 3);
        assert_eq!(
            result,
            Some(Err(GaveUp {
                attempts: 3,
                last_error: "c"
            }))
        );
    }

    #[test]
    fn with_retry_on_a_fake_clock() {
        let clock = FakeClock::default();
        let attempts_at = std::cell::RefCell::new(Vec::new());
        let result = futures::executor::block_on(with_retry(POLICY, &clock, |attempt| {
            attempts_at.borrow_mut().push((attempt, clock.now()));
            std::future::ready(if attempt < 4 { Err("busy") } else { Ok("done") })
        }));
        assert_eq!(result, Ok("done"));

        // The driver slept exactly what the policy said, on the fake clock.
        let answers = [
            None,
            Some(Err("busy")),
            Some(Err("busy")),
            Some(Err("busy")),
        ];
        let (waits, _) = step(retry::<&str, &str>(POLICY), answers);
        assert_eq!(*clock.sleeps.borrow(), waits);
        let mut t = Duration::ZERO;
        let expected: Vec<_> = waits
            .iter()
            .enumerate()
            .map(|(i, w)| {
                t += *w;
                (i as u32 + 1, t)
            })
            .collect();
        assert_eq!(*attempts_at.borrow(), expected);
        assert_eq!(clock.now(), t);
    }

    #[test]
    fn with_retry_gives_up() {
        let clock = FakeClock::default();
        let calls = Cell::new(0);
        let policy = Backoff {
            max_attempts: 4,
            ..POLICY
        };
        let result = futures::executor::block_on(with_retry(policy, &clock, |_| {
            calls.set(calls.get() + 1);
            std::future::ready(Err::<(), _>(calls.get()))
        }));
        assert_eq!(
            result,
            Err(GaveUp {
                attempts: 4,
                last_error: 4
            })
        );
        assert_eq!(clock.sleeps.borrow().len(), 4);
    }

    const CFG: BreakerConfig = BreakerConfig {
        failure_threshold: 3,
        cool_down: Duration::from_millis(100),
    };

    fn ask(now: u64) -> Event {
        Event::Ask { now: ms(now) }
    }
    fn report(now: u64, ok: bool) -> Event {
        Event::Report { now: ms(now), ok }
    }
    fn a(verdict: Verdict, state: BreakerState) -> Answer {
        Answer { verdict, state }
    }

    #[test]
    fn breaker_stepped_by_hand() {
        use BreakerState::*;
        use Verdict::*;
        let events = [
            ask(0), // placeholder, dropped
            ask(0),
            report(1, false),
            ask(2),
            report(3, true), // a success resets the count
            ask(4),
            report(5, false),
            ask(6),
            report(7, false),
            ask(8),
            report(9, false), // third in a row: open at t = 9
            ask(10),
            report(11, true), // late report of a call allowed before: ignored
            ask(108),
            ask(109),           // cool-down over: trial call
            ask(110),           // others wait while the trial is in flight
            report(120, false), // trial failed: open again at t = 120
            ask(219),
            ask(220),          // trial
            report(230, true), // closed
            ask(231),
        ];
        let (answers, ended) = step(breaker(CFG), events);
        assert_eq!(ended, None);
        assert_eq!(
            answers,
            [
                a(Noted, Closed),
                a(Allow, Closed),
                a(Noted, Closed),
                a(Allow, Closed),
                a(Noted, Closed),
                a(Allow, Closed),
                a(Noted, Closed),
                a(Allow, Closed),
                a(Noted, Closed),
                a(Allow, Closed),
                a(Noted, Open),
                a(Reject { retry_in: ms(99) }, Open),
                a(Noted, Open),
                a(Reject { retry_in: ms(1) }, Open),
                a(Allow, HalfOpen),
                a(
                    Reject {
                        retry_in: Duration::ZERO
                    },
                    HalfOpen
                ),
                a(Noted, Open),
                a(Reject { retry_in: ms(1) }, Open),
                a(Allow, HalfOpen),
                a(Noted, Closed),
                a(Allow, Closed),
            ]
        );
    }

    #[test]
    fn circuit_breaker_keeps_its_state_across_calls_on_a_fake_clock() {
        use BreakerState::*;
        let clock = FakeClock::default();
        let mut cb = CircuitBreaker::new(CFG);
        let service = Flaky::new(4);
        let mut results = Vec::new();
        futures::executor::block_on(async {
            for _ in 0..12 {
                let r = cb.call(&clock, || service.get()).await;
                results.push(r.map_err(|e| match e {
                    CallError::Open { retry_in } => format!("open {}", retry_in.as_millis()),
                    CallError::Failed(e) => e.to_string(),
                }));
                clock.advance(ms(40));
            }
        });
        let down = || Err("503 Service Unavailable".to_string());
        let open = |n: u64| Err(format!("open {n}"));
        assert_eq!(
            results,
            [
                down(),       // t=0
                down(),       // t=40
                down(),       // t=80: opens, until 180
                open(60),     // t=120
                open(20),     // t=160
                down(),       // t=200: the trial fails, open until 300
                open(60),     // t=240
                open(20),     // t=280
                Ok("200 OK"), // t=320: the trial works: closed
                Ok("200 OK"),
                Ok("200 OK"),
                Ok("200 OK"),
            ]
        );
        assert_eq!(service.calls.get(), 8);
        assert_eq!(cb.state(), Closed);
        assert_eq!(
            cb.transitions(),
            [
                (ms(80), Open),
                (ms(200), HalfOpen),
                (ms(200), Open),
                (ms(320), HalfOpen),
                (ms(320), Closed),
            ]
        );
    }
}

// ---------------------------------------------------------------------------
// saga
// ---------------------------------------------------------------------------

mod saga_tests {
    use super::saga::*;
    use super::step;

    fn success(token: &str) -> Action {
        Action::LoginSuccess {
            user: "ada".into(),
            token: token.into(),
        }
    }
    fn failure() -> Action {
        Action::LoginFailure {
            error: "wrong user or password".into(),
        }
    }

    #[test]
    fn login_logout_login() {
        let mut store = Store::new(login_flow(), fake_auth());
        assert_eq!(store.effects, [take(Kind::LoginRequest)]);
        store.dispatch(login("ada", "lovelace"));
        assert_eq!(store.state.user.as_deref(), Some("ada"));
        assert_eq!(store.state.token.as_deref(), Some("token-1"));
        store.dispatch(Action::Logout);
        assert_eq!(store.state, State::default());
        store.dispatch(login("ada", "lovelace"));
        assert_eq!(
            store.log,
            [
                login("ada", "lovelace"),
                success("token-1"),
                Action::Logout,
                Action::LoggedOut,
                login("ada", "lovelace"),
                success("token-2"),
            ]
        );
        assert_eq!(
            store.effects,
            [
                take(Kind::LoginRequest),
                Effect::Call(Request::Authorize {
                    user: "ada".into(),
                    password: "lovelace".into()
                }),
                Effect::Put(success("token-1")),
                take(Kind::Logout),
                Effect::Select,
                Effect::Call(Request::Revoke {
                    token: "token-1".into()
                }),
                Effect::Put(Action::LoggedOut),
                take(Kind::LoginRequest),
                Effect::Call(Request::Authorize {
                    user: "ada".into(),
                    password: "lovelace".into()
                }),
                Effect::Put(success("token-2")),
                take(Kind::Logout),
            ]
        );
        assert!(store.saga_running());
    }

    #[test]
    fn actions_the_saga_is_not_waiting_for_are_only_reduced() {
        let mut store = Store::new(login_flow(), fake_auth());
        store.dispatch(Action::Logout); // logged out: the saga waits for a login
        store.dispatch(login("ada", "lovelace"));
        store.dispatch(login("ada", "lovelace")); // logged in: it waits for a logout
        assert_eq!(
            store.log,
            [
                Action::Logout,
                login("ada", "lovelace"),
                success("token-1"),
                login("ada", "lovelace"),
            ]
        );
        assert_eq!(store.state.token.as_deref(), Some("token-1"));
    }

    #[test]
    fn the_whole_story_with_a_lockout() {
        let mut store = Store::new(login_flow(), fake_auth());
        for action in [
            Action::Logout,
            login("ada", "babbage"),
            login("ada", "lovelace"),
            login("ada", "lovelace"),
            Action::Logout,
            login("ada", "x"),
            login("ada", "y"),
            login("ada", "z"),
            login("ada", "lovelace"),
        ] {
            store.dispatch(action);
        }
        assert_eq!(
            store.log,
            [
                Action::Logout,
                login("ada", "babbage"),
                failure(),
                login("ada", "lovelace"),
                success("token-1"),
                login("ada", "lovelace"),
                Action::Logout,
                Action::LoggedOut,
                login("ada", "x"),
                failure(),
                login("ada", "y"),
                failure(),
                login("ada", "z"),
                failure(),
                Action::AccountLocked { user: "ada".into() },
                login("ada", "lovelace"),
            ]
        );
        assert_eq!(
            store.state,
            State {
                user: None,
                token: None,
                pending: false,
                error: Some("wrong user or password".into()),
                failed_attempts: 3,
                locked: true,
            }
        );
        assert!(
            !store.saga_running(),
            "the saga returned after locking the account"
        );
    }

    #[test]
    fn the_saga_alone_stepped_by_hand() {
        // The saga needs no store: answer its effects directly.
        let answers = [
            Input::Start,
            Input::Taken(login("ada", "pw")),
            Input::Replied(Err("nope".into())),
            Input::Done,
            Input::Selected(State {
                failed_attempts: 3,
                ..State::default()
            }),
            Input::Done,
        ];
        let (effects, ended) = step(login_flow(), answers);
        assert_eq!(
            effects,
            [
                take(Kind::LoginRequest),
                Effect::Call(Request::Authorize {
                    user: "ada".into(),
                    password: "pw".into()
                }),
                Effect::Put(Action::LoginFailure {
                    error: "nope".into()
                }),
                Effect::Select,
                Effect::Put(Action::AccountLocked { user: "ada".into() }),
            ]
        );
        assert_eq!(ended, Some(()));
    }
}

// ---------------------------------------------------------------------------
// recursion
// ---------------------------------------------------------------------------

mod recursion_tests {
    use super::recursion::*;

    #[test]
    fn countdown_small() {
        assert_eq!(countdown(3).collect::<Vec<_>>(), [3, 2, 1, 0]);
        assert_eq!(drain(countdown_sum(3)), (vec![3, 2, 1, 0], 6));
    }

    #[test]
    fn countdown_one_million_deep() {
        let mut expected = 1_000_000u64;
        let mut count = 0u64;
        for x in countdown(1_000_000) {
            assert_eq!(x, expected);
            expected = expected.wrapping_sub(1);
            count += 1;
        }
        assert_eq!(count, 1_000_001);
    }

    #[test]
    fn countdown_sum_one_million_deep() {
        let (items, sum) = drain(countdown_sum(1_000_000));
        assert_eq!(items.len(), 1_000_001);
        assert_eq!(items.first(), Some(&1_000_000));
        assert_eq!(items.last(), Some(&0));
        assert_eq!(sum, 1_000_000 * 1_000_001 / 2);
    }

    #[test]
    fn tree_walks() {
        let tree = sample_tree();
        assert_eq!(
            paths(&tree, String::new()).collect::<Vec<_>>(),
            [
                "/project",
                "/project/README.md",
                "/project/src",
                "/project/src/lib.rs",
                "/project/src/main.rs",
                "/project/tests",
                "/project/tests/data",
                "/project/tests/data/big.bin",
                "/project/tests/it.rs",
            ]
        );
        let (entries, total) = drain(du(&tree, String::new()));
        let entries: Vec<(&str, u64)> = entries.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        assert_eq!(
            entries,
            [
                ("/project/README.md", 1_200),
                ("/project/src/lib.rs", 8_000),
                ("/project/src/main.rs", 300),
                ("/project/src", 8_300),
                ("/project/tests/data/big.bin", 50_000),
                ("/project/tests/data", 50_000),
                ("/project/tests/it.rs", 2_500),
                ("/project/tests", 52_500),
                ("/project", 62_000),
            ]
        );
        assert_eq!(total, 62_000);
        assert_eq!(
            drain(du(&file("x", 5), "/tmp".into())),
            (vec![("/tmp/x".into(), 5)], 5)
        );
        assert_eq!(
            drain(du(&dir("empty", vec![]), String::new())),
            (vec![("/empty".into(), 0)], 0)
        );
    }
}

// ---------------------------------------------------------------------------
// fanout
// ---------------------------------------------------------------------------

mod fanout_tests {
    use super::fanout::*;
    use futures::StreamExt;
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::time::Duration;

    const LIMIT: Duration = Duration::from_secs(2);

    /// `produced` does not move for a while: nothing is still producing.
    async fn quiet(counters: &Counters) -> bool {
        let before = counters.produced();
        tokio::time::sleep(Duration::from_millis(50)).await;
        counters.produced() == before
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_spawned_merge_stops_every_child() {
        let counters = Arc::new(Counters::default());
        let mut merged = Box::pin(merge_spawned(children(&counters)));
        let mut ids = BTreeSet::new();
        while ids.len() < 3 {
            let (id, _) = tokio::time::timeout(LIMIT, merged.next())
                .await
                .unwrap()
                .unwrap();
            ids.insert(id);
        }
        assert_eq!(counters.live(), 3);
        drop(merged);
        assert!(
            all_stopped(&counters, LIMIT).await,
            "live = {}",
            counters.live()
        );
        assert!(quiet(&counters).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancelling_the_consumer_stops_every_child() {
        let counters = Arc::new(Counters::default());
        let merged = merge_spawned(children(&counters));
        let consumer = tokio::spawn(async move {
            let mut merged = std::pin::pin!(merged);
            while merged.next().await.is_some() {}
        });
        tokio::time::timeout(LIMIT, async {
            while counters.produced() < 10 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await
        .unwrap();
        consumer.abort();
        assert!(consumer.await.unwrap_err().is_cancelled());
        assert!(
            all_stopped(&counters, LIMIT).await,
            "live = {}",
            counters.live()
        );
        assert!(quiet(&counters).await);
    }

    #[tokio::test]
    async fn the_spawned_merge_ends_when_every_child_ends() {
        let kids: Vec<_> = (0..4)
            .map(|k| futures::stream::iter(k * 10..k * 10 + 5))
            .collect();
        let mut got = tokio::time::timeout(LIMIT, merge_spawned(kids).collect::<Vec<_>>())
            .await
            .unwrap();
        got.sort();
        let expected: Vec<_> = (0..4).flat_map(|k| k * 10..k * 10 + 5).collect();
        assert_eq!(got, expected);
    }

    #[tokio::test]
    async fn a_child_panic_reaches_the_consumer() {
        let kids = vec![
            futures::stream::iter(vec![1, 2]).boxed(),
            futures::stream::once(async { panic!("child failed") }).boxed(),
        ];
        let consumer = tokio::spawn(merge_spawned(kids).collect::<Vec<i32>>());
        let err = tokio::time::timeout(LIMIT, consumer)
            .await
            .unwrap()
            .unwrap_err();
        assert!(err.is_panic());
    }

    #[tokio::test]
    async fn dropping_the_inline_merge_drops_every_child_at_once() {
        let counters = Arc::new(Counters::default());
        let kids = children(&counters).into_iter().map(Box::pin).collect();
        let mut merged = Box::pin(merge_inline(kids));
        let items: Vec<_> = (&mut merged).take(6).collect().await;
        assert_eq!(items.len(), 6);
        assert_eq!(counters.live(), 3);
        drop(merged);
        assert_eq!(counters.live(), 0);
        assert!(quiet(&counters).await);
    }
}

#[test]
fn durations_used_by_the_real_runs_are_short() {
    assert!(effects::LOGIN_TIMEOUT <= Duration::from_millis(500));
    assert!(effects::RETRY_DELAY <= Duration::from_millis(100));
}
