//! The motivating scenario end to end: a database change feed served over
//! Server-Sent Events by an `#[async_generator]` (examples/sse.rs), read by a
//! real HTTP client over loopback. When the client disconnects, the server
//! must drop the generator, and with it the cursor the generator holds.

#[path = "../examples/sse.rs"]
#[allow(dead_code)] // the example's `main`
mod example;

use std::net::SocketAddr;
use std::time::Duration;

use example::{Db, app, writer};
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout};

/// Bound on every wait in these tests.
const LIMIT: Duration = Duration::from_secs(5);

/// Starts the example's app on a loopback port, with a writer inserting a
/// row every 20 ms (for 10 s at most).
async fn start() -> (Db, SocketAddr) {
    let db = Db::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app(db.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    tokio::spawn(writer(db.clone(), Duration::from_millis(20), 500));
    (db, addr)
}

/// One server-sent event: its `id:` and its `data:` lines joined.
#[derive(Debug, PartialEq)]
struct Sse {
    id: String,
    data: String,
}

/// GETs `/changes`, reads exactly `n` events, then disconnects.
async fn read_events(addr: SocketAddr, last_event_id: Option<&str>, n: usize) -> Vec<Sse> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (mut client, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    let conn = tokio::spawn(conn);

    let mut req = Request::get("/changes").header(HOST, addr.to_string());
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    let res = client
        .send_request(req.body(Empty::<Bytes>::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CONTENT_TYPE], "text/event-stream");

    let mut body = res.into_body();
    let mut text = String::new();
    let mut events = Vec::new();
    while events.len() < n {
        let frame = body.frame().await.expect("the stream ended").unwrap();
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        // An event ends at a blank line; keep-alive comments have no data.
        while let Some(end) = text.find("\n\n") {
            let (mut id, mut data) = (String::new(), Vec::new());
            for line in text[..end].lines() {
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "id" => id = value.to_owned(),
                    "data" => data.push(value),
                    _ => {}
                }
            }
            if !data.is_empty() && events.len() < n {
                events.push(Sse {
                    id,
                    data: data.join("\n"),
                });
            }
            text.drain(..end + 2);
        }
    }

    // Disconnect: drop the response and close the socket.
    drop((body, client));
    conn.abort();
    let _ = conn.await;
    events
}

/// Waits until `closed` cursors have been closed, failing after `LIMIT`.
async fn cursors_closed(db: &Db, closed: usize) {
    timeout(LIMIT, async {
        while db.cursors().1 < closed {
            sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "cursors (opened, closed) = {:?} {LIMIT:?} after the client left",
            db.cursors()
        )
    });
}

fn row(id: u64, item: &str, quantity: u32) -> Sse {
    Sse {
        id: id.to_string(),
        data: format!(r#"{{"id":{id},"item":"{item}","quantity":{quantity}}}"#),
    }
}

#[tokio::test]
async fn three_events_then_disconnect_closes_the_cursor() {
    let (db, addr) = start().await;

    let events = timeout(LIMIT, read_events(addr, None, 3)).await.unwrap();
    assert_eq!(
        events,
        [row(1, "apples", 1), row(2, "pears", 2), row(3, "plums", 3)]
    );
    assert_eq!(db.cursors().0, 1, "one cursor per client");

    cursors_closed(&db, 1).await;
    assert_eq!(db.cursors(), (1, 1));
}

#[tokio::test]
async fn last_event_id_resumes_after_that_row() {
    let (db, addr) = start().await;

    let events = timeout(LIMIT, read_events(addr, Some("4"), 2))
        .await
        .unwrap();
    assert_eq!(events, [row(5, "apples", 5), row(6, "pears", 1)]);

    cursors_closed(&db, 1).await;
    assert_eq!(db.cursors(), (1, 1));
}
