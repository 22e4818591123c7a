//! A database change feed served over Server-Sent Events.
//!
//! The handler for `GET /changes` returns a stream written as straight-line
//! code with `#[async_generator]`: open a cursor on the change log, wait for
//! the next row, yield it as an event, repeat. When the client goes away,
//! axum drops the stream; dropping a suspended generator drops its locals, so
//! the cursor's `Drop` closes it. No hand-written `poll_next`, no channel and
//! no spawned task per client.
//!
//! ```text
//! cargo run -p cogen-tests --example sse                     # 127.0.0.1:3000
//! cargo run -p cogen-tests --example sse -- 127.0.0.1:8080   # or SSE_ADDR=127.0.0.1:8080
//! curl -N http://127.0.0.1:3000/changes                      # or open / in a browser
//! ```
//!
//! `tests/tests/sse.rs` compiles this file as a module and drives it with a
//! real HTTP client.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use cogen::{Stream, async_generator, defer, yield_};
use serde::Serialize;
use tokio::sync::Notify;

/// A row of the `orders` table, as the change feed reports it.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Position in the change log, from 1. Also the SSE event id.
    pub id: u64,
    pub item: &'static str,
    pub quantity: u32,
}

/// An in-memory database: an append-only change log and a way to wait on it.
#[derive(Clone, Default)]
pub struct Db(Arc<Inner>);

#[derive(Default)]
struct Inner {
    log: Mutex<Vec<Row>>,
    changed: Notify,
    cursors_opened: AtomicUsize,
    cursors_closed: AtomicUsize,
}

impl Db {
    pub fn insert(&self, item: &'static str, quantity: u32) -> Row {
        let row = {
            let mut log = self.0.log.lock().unwrap();
            let row = Row {
                id: log.len() as u64 + 1,
                item,
                quantity,
            };
            log.push(row.clone());
            row
        };
        self.0.changed.notify_waiters();
        row
    }

    /// A cursor on the change log that starts after row `after` (0: from the start).
    pub fn open_cursor(&self, after: u64) -> Cursor {
        let number = self.0.cursors_opened.fetch_add(1, SeqCst) + 1;
        println!("cursor #{number} opened after row {after}");
        Cursor {
            db: self.clone(),
            next: after as usize,
            number,
        }
    }

    /// How many cursors were opened and how many closed so far.
    pub fn cursors(&self) -> (usize, usize) {
        (
            self.0.cursors_opened.load(SeqCst),
            self.0.cursors_closed.load(SeqCst),
        )
    }
}

pub struct Cursor {
    db: Db,
    next: usize,
    number: usize,
}

impl Cursor {
    /// Waits for the next row of the log.
    pub async fn next(&mut self) -> Row {
        loop {
            // Ask to be woken before looking, so an insert in between is not missed.
            let changed = self.db.0.changed.notified();
            let row = self.db.0.log.lock().unwrap().get(self.next).cloned();
            if let Some(row) = row {
                self.next += 1;
                return row;
            }
            changed.await;
        }
    }
}

impl Cursor {
    /// Releases the cursor. Synchronous on purpose: it runs from `defer!`
    /// when the client disconnects, and a dropped stream cannot wait for an
    /// asynchronous close (`close().await` could; a disconnect gives no one
    /// to await it).
    pub fn close(self) {
        self.db.0.cursors_closed.fetch_add(1, SeqCst);
        let (opened, closed) = self.db.cursors();
        println!(
            "cursor closed: #{} after row {} ({} still open)",
            self.number,
            self.next,
            opened - closed
        );
    }
}

/// The change feed as SSE events: the reason this example exists.
///
/// `try` flavour: `yield_!(e)` yields `Ok(e)`, and `?` would end the stream
/// with the error as its last item (serializing a `Row` cannot fail).
#[async_generator(try)]
fn change_events(
    db: Db,
    after: u64,
) -> impl Stream<Item = Result<Event, axum::Error>> + Send + 'static {
    let mut cursor = db.open_cursor(after);
    // Runs however the stream ends; when the client disconnects, axum drops
    // the stream while it waits in `cursor.next().await`: that await is
    // cancelled and this runs.
    defer! { cursor.close(); }
    loop {
        let row = cursor.next().await;
        let event = Event::default().event("insert").id(row.id.to_string());
        yield_!(event.json_data(&row)?);
    }
}

async fn changes(
    State(db): State<Db>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, axum::Error>>> {
    // A reconnecting EventSource sends the id of the last event it saw.
    let after = headers
        .get("last-event-id")
        .and_then(|id| id.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    Sse::new(change_events(db, after)).keep_alive(KeepAlive::default())
}

async fn index() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<title>orders</title>
<h1>orders, live</h1>
<ol id="rows"></ol>
<script>
  new EventSource("/changes").addEventListener("insert", (e) => {
    const li = document.createElement("li");
    li.textContent = e.data;
    document.getElementById("rows").append(li);
  });
</script>
"#,
    )
}

pub fn app(db: Db) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/changes", get(changes))
        .with_state(db)
}

/// Inserts `rows` rows, one every `every`, the first at once. Row `n` is
/// always the same, so tests know what to expect.
pub async fn writer(db: Db, every: Duration, rows: usize) {
    const ITEMS: [&str; 4] = ["apples", "pears", "plums", "figs"];
    let mut tick = tokio::time::interval(every);
    for n in 0..rows {
        tick.tick().await;
        let row = db.insert(ITEMS[n % ITEMS.len()], n as u32 % 5 + 1);
        println!("inserted {row:?}");
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("SSE_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    println!("change feed at {url}/changes (Ctrl-C to stop)");
    println!("  curl -N {url}/changes");
    println!("  curl -N -H 'Last-Event-ID: 3' {url}/changes   # resume after row 3");
    println!("  or open {url}/ in a browser");

    let db = Db::default();
    tokio::spawn(writer(db.clone(), Duration::from_secs(1), usize::MAX));
    axum::serve(listener, app(db)).await
}
