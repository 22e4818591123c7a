//! Tests of the cleanup examples (`examples/download.rs`, `booking.rs`,
//! `connection.rs`): each is included as a module and every way it can end
//! is checked against what its `defer!` blocks promise.
//!
//! No test depends on how fast the machine is: where a test stops a
//! download or a saga by a timeout, the step it stops in takes a minute, so
//! the timeout always lands there.

#[path = "../examples/booking.rs"]
#[allow(dead_code)]
mod booking;
#[path = "../examples/connection.rs"]
#[allow(dead_code)]
mod connection;
#[path = "../examples/download.rs"]
#[allow(dead_code)]
mod download;

use std::time::Duration;

/// Upper bound for anything a test awaits that should finish promptly.
const LIMIT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------
// download
// ---------------------------------------------------------------------------

mod download_tests {
    use super::LIMIT;
    use super::download::*;
    use cogen::AsyncGenerator;
    use futures::StreamExt;
    use std::collections::BTreeMap;
    use std::time::Duration;
    use tokio::time::timeout;

    /// a.txt (3 chunks), b.txt (2), c.txt (4), 1 ms per chunk, or a minute
    /// per chunk of c.txt when `slow_c`.
    fn files(slow_c: bool) -> Vec<RemoteFile> {
        vec![
            RemoteFile::new("a.txt", 3, 1),
            RemoteFile::new("b.txt", 2, 1),
            RemoteFile::new("c.txt", 4, if slow_c { 60_000 } else { 1 }),
        ]
    }

    /// The disk once the first `n` files are complete, and nothing else.
    fn first(n: usize) -> BTreeMap<String, Vec<u8>> {
        files(false)
            .iter()
            .take(n)
            .map(|f| (f.name.to_string(), f.contents()))
            .collect()
    }

    fn summary(completed: usize) -> Option<Summary> {
        Some(Summary {
            completed,
            total: 3,
        })
    }

    /// Reads events until (and including) `last`.
    async fn read_until(
        s: &mut (impl futures::Stream<Item = Progress> + Unpin),
        last: Progress,
    ) -> Vec<Progress> {
        let mut seen = Vec::new();
        while seen.last() != Some(&last) {
            let event = timeout(LIMIT, s.next()).await.unwrap();
            seen.push(event.expect("the download ended before the expected event"));
        }
        seen
    }

    #[tokio::test]
    async fn finishing_reports_every_file_and_keeps_them_all() {
        let (disk, report) = (Disk::default(), Report::default());
        let events = timeout(
            LIMIT,
            download(files(false), disk.clone(), report.clone()).collect::<Vec<_>>(),
        )
        .await
        .unwrap();
        // Per file: started, one event per chunk, saved.
        assert_eq!(events.len(), (1 + 3 + 1) + (1 + 2 + 1) + (1 + 4 + 1));
        assert_eq!(
            events[..5],
            [
                Progress::Started { file: "a.txt" },
                Progress::Received {
                    file: "a.txt",
                    chunk: 1,
                    of: 3
                },
                Progress::Received {
                    file: "a.txt",
                    chunk: 2,
                    of: 3
                },
                Progress::Received {
                    file: "a.txt",
                    chunk: 3,
                    of: 3
                },
                Progress::Saved {
                    file: "a.txt",
                    bytes: 33
                },
            ]
        );
        assert_eq!(report.get(), summary(3));
        assert_eq!(disk.files(), first(3));
    }

    #[tokio::test]
    async fn dropping_the_stream_mid_way_through_the_third_file() {
        let (disk, report) = (Disk::default(), Report::default());
        let mut s = Box::pin(download(files(false), disk.clone(), report.clone()));
        let c1 = Progress::Received {
            file: "c.txt",
            chunk: 1,
            of: 4,
        };
        read_until(&mut s, c1).await;
        assert_eq!(report.get(), None, "still running: no summary yet");
        assert_eq!(disk.files()["c.txt"], b"<c.txt 1/4>", "c.txt is partial");
        // Ask for the next event: the body is now waiting for c.txt's second
        // chunk, inside `fetch_chunk(..).await`, when the stream is dropped.
        assert!(futures::poll!(s.next()).is_pending());
        drop(s);
        assert_eq!(report.get(), summary(2));
        assert_eq!(disk.files(), first(2), "the partial c.txt is removed");
    }

    #[tokio::test]
    async fn dropping_the_stream_at_a_yield_right_after_a_file_is_saved() {
        let (disk, report) = (Disk::default(), Report::default());
        let mut s = Box::pin(download(files(false), disk.clone(), report.clone()));
        let saved_b = Progress::Saved {
            file: "b.txt",
            bytes: 22,
        };
        read_until(&mut s, saved_b).await;
        drop(s);
        assert_eq!(report.get(), summary(2), "b.txt counts: it was saved");
        assert_eq!(disk.files(), first(2));
    }

    #[tokio::test]
    async fn a_timeout_around_the_consumer_cancels_the_download() {
        let (disk, report) = (Disk::default(), Report::default());
        let progress = download(files(true), disk.clone(), report.clone());
        let mut seen = Vec::new();
        let consumer = async {
            let mut progress = std::pin::pin!(progress);
            while let Some(event) = progress.next().await {
                seen.push(event);
            }
        };
        let result = timeout(Duration::from_millis(300), consumer).await;
        assert!(result.is_err(), "timed out");
        // c.txt's first chunk takes a minute: the timeout hit while the
        // download waited for it, and dropped the consumer with the stream.
        assert_eq!(seen.last(), Some(&Progress::Started { file: "c.txt" }));
        assert_eq!(report.get(), summary(2));
        assert_eq!(disk.files(), first(2), "the empty c.txt is removed");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn aborting_a_spawned_download_task() {
        let (disk, report) = (Disk::default(), Report::default());
        let progress = download(files(true), disk.clone(), report.clone());
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            let mut progress = std::pin::pin!(progress);
            while let Some(event) = progress.next().await {
                tx.send(event).unwrap();
            }
        });
        loop {
            let event = timeout(LIMIT, rx.recv()).await.unwrap().unwrap();
            if event == (Progress::Started { file: "c.txt" }) {
                break;
            }
        }
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(report.get(), summary(2));
        assert_eq!(disk.files(), first(2));
    }

    #[tokio::test]
    async fn close_in_the_middle_runs_the_cleanup_then_ends_the_stream() {
        let (disk, report) = (Disk::default(), Report::default());
        let mut s = Box::pin(download(files(false), disk.clone(), report.clone()));
        let b1 = Progress::Received {
            file: "b.txt",
            chunk: 1,
            of: 2,
        };
        read_until(&mut s, b1).await;
        timeout(LIMIT, s.as_mut().close()).await.unwrap();
        assert_eq!(report.get(), summary(1));
        assert_eq!(disk.files(), first(1), "the partial b.txt is removed");
        assert_eq!(s.next().await, None);
        // Closing again does nothing more.
        timeout(LIMIT, s.as_mut().close()).await.unwrap();
        assert_eq!(report.get(), summary(1));
    }

    #[tokio::test]
    async fn a_download_never_polled_reports_nothing() {
        let (disk, report) = (Disk::default(), Report::default());
        drop(download(files(false), disk.clone(), report.clone()));
        assert_eq!(
            report.get(),
            None,
            "the body, and its defer!, never started"
        );
        assert!(disk.files().is_empty());
    }
}

// ---------------------------------------------------------------------------
// booking
// ---------------------------------------------------------------------------

mod booking_tests {
    use super::LIMIT;
    use super::booking::*;
    use cogen::{AsyncGenerator, GeneratorState};
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::time::timeout;

    const TRIP: Trip = Trip {
        to: "Lisbon",
        nights: 3,
    };

    /// The log of a saga closed after the flight and the hotel were booked:
    /// both are compensated, latest first.
    const BOOKED_TWO_THEN_UNDONE: [&str; 4] = [
        "Flight done: FL-1",
        "Hotel done: HT-2",
        "Hotel cancelled: HT-2",
        "Flight cancelled: FL-1",
    ];

    /// Runs a saga on `travel` to its end: its progress events and outcome.
    async fn book(travel: &Arc<Travel>) -> (Vec<Progress>, Result<Booking, BookingError>) {
        let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
        let mut progress = Vec::new();
        let outcome = timeout(LIMIT, run(saga.as_mut(), |p| progress.push(p)))
            .await
            .unwrap();
        (progress, outcome)
    }

    /// Resumes a saga once: the progress event it yields.
    async fn next(
        saga: std::pin::Pin<
            &mut impl AsyncGenerator<Yield = Progress, Return = Result<Booking, BookingError>>,
        >,
    ) -> Progress {
        match timeout(LIMIT, saga.resume(())).await.unwrap() {
            GeneratorState::Yielded(p) => p,
            GeneratorState::Complete(outcome) => panic!("the saga ended: {outcome:?}"),
        }
    }

    fn error(step: Step, reason: &'static str) -> Result<Booking, BookingError> {
        Err(BookingError { step, reason })
    }

    #[tokio::test]
    async fn every_step_succeeds_and_nothing_is_compensated() {
        let travel = Arc::new(Travel::new(1));
        let (progress, outcome) = book(&travel).await;
        assert_eq!(
            progress,
            [
                Progress::FlightBooked("FL-1".into()),
                Progress::HotelBooked("HT-2".into()),
                Progress::CardCharged("PAY-3".into()),
            ]
        );
        assert_eq!(
            outcome,
            Ok(Booking {
                flight: "FL-1".into(),
                hotel: "HT-2".into(),
                payment: "PAY-3".into(),
            })
        );
        assert_eq!(
            travel.log(),
            [
                "Flight done: FL-1",
                "Hotel done: HT-2",
                "Payment done: PAY-3"
            ]
        );
        assert_eq!(travel.held(), ["FL-1", "HT-2", "PAY-3"]);
    }

    #[tokio::test]
    async fn the_flight_fails_nothing_to_compensate() {
        let travel = Arc::new(Travel::new(1).failing(Step::Flight));
        let (progress, outcome) = book(&travel).await;
        assert_eq!(progress, []);
        assert_eq!(outcome, error(Step::Flight, "sold out"));
        assert_eq!(travel.log(), ["Flight failed: sold out"]);
        assert!(travel.held().is_empty());
    }

    #[tokio::test]
    async fn the_hotel_fails_the_flight_is_cancelled() {
        let travel = Arc::new(Travel::new(1).failing(Step::Hotel));
        let (progress, outcome) = book(&travel).await;
        assert_eq!(progress, [Progress::FlightBooked("FL-1".into())]);
        assert_eq!(outcome, error(Step::Hotel, "no rooms"));
        assert_eq!(
            travel.log(),
            [
                "Flight done: FL-1",
                "Hotel failed: no rooms",
                "Flight cancelled: FL-1"
            ]
        );
        assert!(travel.held().is_empty());
    }

    #[tokio::test]
    async fn the_payment_fails_the_hotel_then_the_flight_are_cancelled() {
        let travel = Arc::new(Travel::new(1).failing(Step::Payment));
        let (progress, outcome) = book(&travel).await;
        assert_eq!(
            progress,
            [
                Progress::FlightBooked("FL-1".into()),
                Progress::HotelBooked("HT-2".into()),
            ]
        );
        assert_eq!(outcome, error(Step::Payment, "card declined"));
        assert_eq!(
            travel.log(),
            [
                "Flight done: FL-1",
                "Hotel done: HT-2",
                "Payment failed: card declined",
                "Hotel cancelled: HT-2",
                "Flight cancelled: FL-1",
            ]
        );
        assert!(travel.held().is_empty());
    }

    #[tokio::test]
    async fn closing_after_the_hotel_cancels_both_last_first() {
        let travel = Arc::new(Travel::new(1));
        let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
        assert_eq!(
            next(saga.as_mut()).await,
            Progress::FlightBooked("FL-1".into())
        );
        assert_eq!(
            next(saga.as_mut()).await,
            Progress::HotelBooked("HT-2".into())
        );
        timeout(LIMIT, saga.as_mut().close()).await.unwrap();
        assert_eq!(travel.log(), BOOKED_TWO_THEN_UNDONE);
        assert!(travel.held().is_empty());
    }

    #[tokio::test]
    async fn closing_after_the_flight_cancels_only_the_flight() {
        let travel = Arc::new(Travel::new(1));
        let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
        assert_eq!(
            next(saga.as_mut()).await,
            Progress::FlightBooked("FL-1".into())
        );
        timeout(LIMIT, saga.as_mut().close()).await.unwrap();
        assert_eq!(
            travel.log(),
            ["Flight done: FL-1", "Flight cancelled: FL-1"]
        );
        assert!(travel.held().is_empty());
    }

    #[tokio::test]
    async fn closing_after_the_payment_compensates_nothing() {
        let travel = Arc::new(Travel::new(1));
        let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
        next(saga.as_mut()).await;
        next(saga.as_mut()).await;
        assert_eq!(
            next(saga.as_mut()).await,
            Progress::CardCharged("PAY-3".into())
        );
        timeout(LIMIT, saga.as_mut().close()).await.unwrap();
        assert_eq!(travel.held(), ["FL-1", "HT-2", "PAY-3"], "committed");
        assert_eq!(travel.log().len(), 3);
    }

    #[tokio::test]
    async fn a_timeout_during_the_payment_then_close() {
        let travel = Arc::new(Travel::new(1).slow(Step::Payment));
        let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
        let mut progress = Vec::new();
        let outcome = timeout(
            Duration::from_millis(300),
            run(saga.as_mut(), |p| progress.push(p)),
        )
        .await;
        assert!(outcome.is_err(), "timed out");
        assert_eq!(progress.len(), 2, "stuck in the payment: {progress:?}");
        // The saga is still there, waiting in `charge_card(..).await`;
        // closing cancels that call and runs the compensations.
        timeout(LIMIT, saga.as_mut().close()).await.unwrap();
        assert_eq!(travel.log(), BOOKED_TWO_THEN_UNDONE);
        assert!(travel.held().is_empty());
    }

    #[tokio::test]
    async fn a_plain_drop_cannot_await_the_compensations() {
        let travel = Arc::new(Travel::new(1));
        let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
        next(saga.as_mut()).await;
        next(saga.as_mut()).await;
        drop(saga);
        // The cleanup started, but the hotel's compensation waits for the
        // service and drop cannot wait: the rest of the cleanup is
        // abandoned, the flight's compensation never starts. Nothing is
        // cancelled, now or later.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(travel.log(), ["Flight done: FL-1", "Hotel done: HT-2"]);
        assert_eq!(travel.held(), ["FL-1", "HT-2"]);
    }

    #[tokio::test]
    async fn a_plain_drop_in_a_pending_step_cannot_await_them_either() {
        let travel = Arc::new(Travel::new(1).slow(Step::Payment));
        let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
        next(saga.as_mut()).await;
        next(saga.as_mut()).await;
        assert!(futures::poll!(saga.as_mut().resume(())).is_pending());
        drop(saga);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(travel.log(), ["Flight done: FL-1", "Hotel done: HT-2"]);
        assert_eq!(travel.held(), ["FL-1", "HT-2"]);
    }

    #[test]
    fn the_saga_is_send() {
        fn is_send<T: Send>(_: &T) {}
        let travel = Arc::new(Travel::new(1));
        is_send(&book_trip(travel, TRIP));
    }
}

// ---------------------------------------------------------------------------
// connection
// ---------------------------------------------------------------------------

mod connection_tests {
    use super::connection::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    fn row(id: u32, name: &'static str) -> Entry {
        Entry::Row(id, name)
    }

    fn ok(id: u32, name: &'static str) -> Result<Row, DbError> {
        Ok(Row { id, name })
    }

    /// Every connection opened was closed (`Connection::close` itself
    /// panics if one is closed twice).
    fn all_closed(db: &Db, opened: usize) {
        assert_eq!(db.opened(), opened, "opened");
        assert_eq!(db.closed(), opened, "closed");
    }

    #[test]
    fn the_rows_run_out() {
        let db = Db::new([row(1, "ada"), row(2, "bob")]);
        assert_eq!(rows(&db).collect::<Vec<_>>(), [ok(1, "ada"), ok(2, "bob")]);
        all_closed(&db, 1);
    }

    #[test]
    fn no_rows_at_all() {
        let db = Db::new([]);
        assert_eq!(rows(&db).count(), 0);
        all_closed(&db, 1);
    }

    #[test]
    fn the_connection_stays_open_across_yields() {
        let db = Db::new([row(1, "ada"), row(2, "bob")]);
        let mut it = rows(&db);
        assert_eq!(db.opened(), 0, "lazy: nothing runs before the first next");
        assert_eq!(it.next(), Some(ok(1, "ada")));
        assert_eq!(db.open_now(), 1);
        assert_eq!(it.next(), Some(ok(2, "bob")));
        assert_eq!(db.open_now(), 1);
        assert_eq!(it.next(), None);
        all_closed(&db, 1);
        assert_eq!(it.next(), None);
        all_closed(&db, 1);
    }

    #[test]
    fn a_sentinel_row_returns_early() {
        let db = Db::new([row(1, "ada"), row(9, "END"), row(2, "bob")]);
        assert_eq!(rows(&db).collect::<Vec<_>>(), [ok(1, "ada")]);
        all_closed(&db, 1);
    }

    #[test]
    fn a_row_error_ends_through_question_mark() {
        let db = Db::new([
            row(1, "ada"),
            Entry::Error(DbError::Corrupt { id: 2 }),
            row(3, "cy"),
        ]);
        assert_eq!(
            rows(&db).collect::<Vec<_>>(),
            [ok(1, "ada"), Err(DbError::Corrupt { id: 2 })]
        );
        all_closed(&db, 1);
    }

    #[test]
    fn a_reset_closes_the_connection_before_reconnecting() {
        let db = Db::new([
            row(1, "ada"),
            Entry::Error(DbError::Reset),
            row(2, "bob"),
            Entry::Error(DbError::Reset),
            row(3, "cy"),
        ]);
        let mut it = rows(&db);
        assert_eq!(it.next(), Some(ok(1, "ada")));
        assert_eq!(it.next(), Some(ok(2, "bob")));
        assert_eq!((db.opened(), db.closed()), (2, 1), "one at a time");
        assert_eq!(it.collect::<Vec<_>>(), [ok(3, "cy")]);
        all_closed(&db, 3);
    }

    #[test]
    fn one_reset_too_many_is_an_error() {
        let db = Db::new(vec![Entry::Error(DbError::Reset); MAX_ATTEMPTS + 1]);
        assert_eq!(rows(&db).collect::<Vec<_>>(), [Err(DbError::Reset)]);
        all_closed(&db, MAX_ATTEMPTS);
    }

    #[test]
    fn the_consumer_breaks_out_of_its_for_loop() {
        let db = Db::new((1..=5).map(|id| row(id, "someone")));
        let mut seen = 0;
        for item in rows(&db) {
            item.unwrap();
            seen += 1;
            if seen == 2 {
                assert_eq!(db.open_now(), 1);
                break; // the generator, suspended at its yield, is dropped
            }
        }
        all_closed(&db, 1);
    }

    #[test]
    fn never_started_opens_nothing() {
        let db = Db::new([row(1, "ada")]);
        drop(rows(&db));
        all_closed(&db, 0);
    }

    #[test]
    fn a_panic_skips_the_defer_and_leaks_the_connection() {
        let db = Db::new([row(1, "ada"), Entry::Bug, row(2, "bob")]);
        let mut it = rows(&db);
        assert_eq!(it.next(), Some(ok(1, "ada")));
        let panic = catch_unwind(AssertUnwindSafe(|| it.next())).unwrap_err();
        assert_eq!(
            panic.downcast_ref::<String>().map(String::as_str),
            Some("driver bug at entry 1")
        );
        // Documented: `defer!` does not run on panic.
        assert_eq!((db.opened(), db.closed()), (1, 0));
        // The generator is finished, and dropping it closes nothing later.
        assert_eq!(it.next(), None);
        drop(it);
        assert_eq!((db.opened(), db.closed()), (1, 0));
    }

    #[test]
    fn a_drop_guard_closes_on_panic_too() {
        let db = Db::new([row(1, "ada"), Entry::Bug, row(2, "bob")]);
        let mut it = rows_guarded(&db);
        assert_eq!(it.next(), Some(ok(1, "ada")));
        assert!(catch_unwind(AssertUnwindSafe(|| it.next())).is_err());
        all_closed(&db, 1);
        assert_eq!(it.next(), None);
        drop(it);
        all_closed(&db, 1);
    }

    #[test]
    fn the_drop_guard_closes_on_the_other_paths() {
        let db = Db::new([row(1, "ada"), row(2, "bob")]);
        assert_eq!(rows_guarded(&db).count(), 2);
        all_closed(&db, 1);

        let db = Db::new([row(1, "ada"), Entry::Error(DbError::Corrupt { id: 2 })]);
        assert_eq!(
            rows_guarded(&db).collect::<Vec<_>>(),
            [ok(1, "ada"), Err(DbError::Corrupt { id: 2 })]
        );
        all_closed(&db, 1);

        let db = Db::new([row(1, "ada"), row(2, "bob")]);
        let mut it = rows_guarded(&db);
        it.next();
        drop(it);
        all_closed(&db, 1);
    }
}
