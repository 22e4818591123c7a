//! Tests of the cleanup examples (`examples/download.rs`, `booking.rs`,
//! `connection.rs`): each is included as a module and every way it can end
//! is checked against what its `defer!` blocks promise.
//!
//! No test depends on how fast the machine is: where a test stops a
//! download or a saga by a timeout, the step it stops in takes a minute, so
//! the timeout always lands there.

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
