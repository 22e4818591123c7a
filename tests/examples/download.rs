//! A cancellable multi-file download: an `#[async_generator]` that fetches
//! files one after another, yields progress events, and cleans up after
//! itself however it is stopped.
//!
//! [`download`] writes each file chunk by chunk into a [`Disk`] (an
//! in-memory stand-in for a filesystem) as the chunks arrive from
//! [`fetch_chunk`] (a fake server that takes the file's latency per chunk).
//! Two `defer!` blocks do the bookkeeping:
//!
//! * the outer one, registered once, writes a [`Summary`] (how many files
//!   were completed, out of how many) into the shared [`Report`];
//! * the inner one, registered for each file, removes that file from the
//!   disk unless it was completely written, so a cancelled download never
//!   leaves a partial file behind.
//!
//! Both run whether the download finishes, the consumer stops early and
//! drops the stream, the consumer is itself cancelled (a
//! `tokio::time::timeout` around it expires and drops it), or the caller
//! closes the stream with `close().await`. A download is nearly always
//! waiting for a chunk (`fetch_chunk(..).await`) rather than suspended at a
//! `yield_!` when it is stopped: dropping a generator cancels that pending
//! await, and the cleanup runs all the same.
//!
//! `defer!` is not a closure: the cleanups read `completed` and `saved`,
//! which the code after them keeps changing, and see their latest values.
//! They are synchronous here, so they complete even on a plain drop (a
//! cleanup that awaits needs `close().await` to be sure to finish; see the
//! `booking` example).
//!
//! Run it with `cargo run -p cogen-tests --example download`.

use cogen::{AsyncGenerator, Stream, async_generator, defer, yield_};
use futures::StreamExt;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A file on the fake server: `chunks` chunks, each taking `latency`.
#[derive(Clone, Debug)]
pub struct RemoteFile {
    pub name: &'static str,
    pub chunks: usize,
    pub latency: Duration,
}

impl RemoteFile {
    pub fn new(name: &'static str, chunks: usize, latency_ms: u64) -> Self {
        RemoteFile {
            name,
            chunks,
            latency: Duration::from_millis(latency_ms),
        }
    }

    /// The whole file, as it should end up on disk.
    pub fn contents(&self) -> Vec<u8> {
        (0..self.chunks).flat_map(|i| chunk(self, i)).collect()
    }
}

fn chunk(file: &RemoteFile, index: usize) -> Vec<u8> {
    format!("<{} {}/{}>", file.name, index + 1, file.chunks).into_bytes()
}

/// The fake server: chunk `index` of `file`, after the file's latency.
pub async fn fetch_chunk(file: &RemoteFile, index: usize) -> Vec<u8> {
    tokio::time::sleep(file.latency).await;
    chunk(file, index)
}

/// An in-memory filesystem: file name to contents.
#[derive(Clone, Default, Debug)]
pub struct Disk(Arc<Mutex<BTreeMap<String, Vec<u8>>>>);

impl Disk {
    fn create(&self, name: &str) {
        self.0.lock().unwrap().insert(name.to_string(), Vec::new());
    }
    fn append(&self, name: &str, bytes: &[u8]) {
        let mut files = self.0.lock().unwrap();
        files
            .get_mut(name)
            .expect("file exists")
            .extend_from_slice(bytes);
    }
    fn remove(&self, name: &str) {
        self.0.lock().unwrap().remove(name);
    }
    /// A snapshot of every file and its contents.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        self.0.lock().unwrap().clone()
    }
    /// The file names and sizes, for printing.
    pub fn listing(&self) -> Vec<(String, usize)> {
        let files = self.0.lock().unwrap();
        files.iter().map(|(n, b)| (n.clone(), b.len())).collect()
    }
}

/// What the download's cleanup reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub completed: usize,
    pub total: usize,
}

/// Where the cleanup writes its [`Summary`]; `None` until it has run.
#[derive(Clone, Default, Debug)]
pub struct Report(Arc<Mutex<Option<Summary>>>);

impl Report {
    pub fn get(&self) -> Option<Summary> {
        *self.0.lock().unwrap()
    }
    fn set(&self, summary: Summary) {
        *self.0.lock().unwrap() = Some(summary);
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Started {
        file: &'static str,
    },
    Received {
        file: &'static str,
        chunk: usize,
        of: usize,
    },
    Saved {
        file: &'static str,
        bytes: usize,
    },
}

/// Downloads `files` one after another into `disk`, yielding progress.
///
/// However it ends, `report` then holds how many files were completed, and
/// `disk` holds exactly those files: a partly written file is removed.
#[async_generator]
pub fn download(
    files: Vec<RemoteFile>,
    disk: Disk,
    report: Report,
) -> impl Stream<Item = Progress> + AsyncGenerator<Yield = Progress, Return = ()> + Send {
    let mut completed = 0;
    defer! {
        report.set(Summary { completed, total: files.len() });
    }
    for file in &files {
        disk.create(file.name);
        let mut saved = false;
        defer! {
            if !saved {
                disk.remove(file.name); // never leave a partial file behind
            }
        }
        yield_!(Progress::Started { file: file.name });
        for i in 0..file.chunks {
            let bytes = fetch_chunk(file, i).await; // usually stopped here
            disk.append(file.name, &bytes);
            yield_!(Progress::Received {
                file: file.name,
                chunk: i + 1,
                of: file.chunks,
            });
        }
        saved = true;
        completed += 1;
        yield_!(Progress::Saved {
            file: file.name,
            bytes: file.contents().len(),
        });
    }
}

/// Three files: 3 chunks at 20 ms, 2 at 30 ms, 4 at 40 ms.
pub fn sample_files() -> Vec<RemoteFile> {
    vec![
        RemoteFile::new("a.txt", 3, 20),
        RemoteFile::new("b.txt", 2, 30),
        RemoteFile::new("c.txt", 4, 40),
    ]
}

fn show(event: &Progress) {
    match event {
        Progress::Started { file } => println!("   {file}: started"),
        Progress::Received { file, chunk, of } => println!("   {file}: chunk {chunk}/{of}"),
        Progress::Saved { file, bytes } => println!("   {file}: saved ({bytes} bytes)"),
    }
}

fn outcome(disk: &Disk, report: &Report) {
    println!("   report: {:?}", report.get());
    println!("   disk:   {:?}", disk.listing());
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("== the whole download");
    let (disk, report) = (Disk::default(), Report::default());
    let mut progress = Box::pin(download(sample_files(), disk.clone(), report.clone()));
    while let Some(event) = progress.next().await {
        show(&event);
    }
    outcome(&disk, &report);

    println!("== the consumer stops during the third file and drops the stream");
    let (disk, report) = (Disk::default(), Report::default());
    let mut progress = Box::pin(download(sample_files(), disk.clone(), report.clone()));
    while let Some(event) = progress.next().await {
        show(&event);
        if let Progress::Received { file: "c.txt", .. } = event {
            break;
        }
    }
    println!("   on disk before the drop: {:?}", disk.listing());
    drop(progress);
    outcome(&disk, &report);

    println!("== a 180 ms timeout around the consumer (c.txt's second chunk is due at 200 ms)");
    let (disk, report) = (Disk::default(), Report::default());
    let progress = download(sample_files(), disk.clone(), report.clone());
    let consumer = async move {
        let mut progress = std::pin::pin!(progress);
        while let Some(event) = progress.next().await {
            show(&event);
        }
    };
    let timed_out = tokio::time::timeout(Duration::from_millis(180), consumer).await;
    println!("   timed out: {}", timed_out.is_err());
    outcome(&disk, &report);

    println!("== close().await after the first chunk of the second file");
    let (disk, report) = (Disk::default(), Report::default());
    let mut progress = Box::pin(download(sample_files(), disk.clone(), report.clone()));
    while let Some(event) = progress.next().await {
        show(&event);
        if let Progress::Received { file: "b.txt", .. } = event {
            break;
        }
    }
    progress.as_mut().close().await;
    println!("   after close, next() = {:?}", progress.next().await);
    outcome(&disk, &report);
}
