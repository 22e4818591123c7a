//! A connection held across yields, closed by `defer!` on every way out.
//!
//! [`rows`] is a sync `#[generator]` that opens a connection to a fake
//! database ([`Db`]), streams the rows of a query, and closes the
//! connection in a `defer!` registered right after opening it. The
//! connection stays open while the generator is suspended between rows,
//! and is closed exactly once however the generator ends:
//!
//! * the rows run out: `break 'connect` leaves the inner loop and the
//!   connection's block, and the body ends;
//! * a sentinel row (`END`) makes it return early;
//! * a row error ends it through `?` (the `try` flavour yields that error
//!   as its last item);
//! * a reset connection is closed and replaced: `continue 'connect` leaves
//!   its block too (up to [`MAX_ATTEMPTS`] connections; the fake server
//!   remembers how far the query got, so the next one picks up there);
//! * the consumer stops early (`break` in its `for` loop): the suspended
//!   generator is dropped, and dropping it runs its pending `defer!`s.
//!
//! [`Connection`] deliberately has no `Drop` impl: the `defer!` is what
//! closes it, and [`Db`] counts `opened` and `closed` to show it.
//!
//! One way out is not covered: **`defer!` does not run on panic** (as the
//! crate docs say; destructors do). If the driver panics in the middle of
//! [`rows`], the generator is finished and its locals are dropped, but its
//! connection is never closed. When cleanup must also run while unwinding,
//! put it in a `Drop` impl: [`rows_guarded`] holds its connection in a
//! [`CloseOnDrop`] guard instead, which closes it on every path, panics
//! included. `defer!` remains the tool when the cleanup needs the body's
//! other locals, must `.await`, or must not run on a panic.
//!
//! Run it with `cargo run -p cogen-tests --example connection`.

use cogen::{defer, generator, yield_};
use std::cell::Cell;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: u32,
    pub name: &'static str,
}

impl Row {
    /// The sentinel row that marks the end of the useful data.
    pub fn is_sentinel(&self) -> bool {
        self.name == "END"
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbError {
    /// The connection dropped; a new one can carry on.
    Reset,
    /// The row could not be read.
    Corrupt { id: u32 },
}

/// What the fake server sends for the query, in order.
#[derive(Clone, Debug)]
pub enum Entry {
    Row(u32, &'static str),
    Error(DbError),
    /// The driver panics on this one.
    Bug,
}

/// The fake database: the query's entries, how far the query got, and how
/// many connections were opened and closed.
#[derive(Default)]
pub struct Db {
    entries: Vec<Entry>,
    next: Cell<usize>,
    opened: Cell<usize>,
    closed: Cell<usize>,
}

impl Db {
    pub fn new(entries: impl IntoIterator<Item = Entry>) -> Self {
        Db {
            entries: entries.into_iter().collect(),
            ..Db::default()
        }
    }
    pub fn connect(&self) -> Connection<'_> {
        self.opened.set(self.opened.get() + 1);
        Connection {
            db: self,
            open: true,
        }
    }
    pub fn opened(&self) -> usize {
        self.opened.get()
    }
    pub fn closed(&self) -> usize {
        self.closed.get()
    }
    /// Connections opened and not closed.
    pub fn open_now(&self) -> usize {
        self.opened() - self.closed()
    }
}

/// An open connection. No `Drop` impl, on purpose: it must be closed.
pub struct Connection<'db> {
    db: &'db Db,
    open: bool,
}

impl Connection<'_> {
    /// The query's next row; `None` at the end.
    pub fn fetch(&mut self) -> Result<Option<Row>, DbError> {
        assert!(self.open, "fetch on a closed connection");
        let i = self.db.next.get();
        self.db.next.set(i + 1);
        match self.db.entries.get(i) {
            None => Ok(None),
            Some(Entry::Row(id, name)) => Ok(Some(Row { id: *id, name })),
            Some(Entry::Error(e)) => Err(e.clone()),
            Some(Entry::Bug) => panic!("driver bug at entry {i}"),
        }
    }
    pub fn close(&mut self) {
        assert!(self.open, "connection closed twice");
        self.open = false;
        self.db.closed.set(self.db.closed.get() + 1);
    }
}

/// How many connections [`rows`] tries before a reset is an error.
pub const MAX_ATTEMPTS: usize = 3;

/// The rows of the query, up to the sentinel; reconnects after a reset.
///
/// In the `try` flavour, `?` ends the iterator with the error as its last
/// item, and a plain `return;` ends it normally.
#[generator(try)]
pub fn rows(db: &Db) -> impl Iterator<Item = Result<Row, DbError>> {
    'connect: for attempt in 1..=MAX_ATTEMPTS {
        let mut conn = db.connect();
        defer! { conn.close(); } // whichever way this block is left
        loop {
            match conn.fetch() {
                Ok(Some(row)) if row.is_sentinel() => return,
                Ok(Some(row)) => yield_!(row), // the consumer may drop us here
                Ok(None) => break 'connect,
                Err(DbError::Reset) if attempt < MAX_ATTEMPTS => continue 'connect,
                Err(e) => Err(e)?,
            }
        }
    }
}

/// Closes its connection when dropped, even while unwinding from a panic.
pub struct CloseOnDrop<'db>(pub Connection<'db>);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The rows of the query (no sentinel, no reconnect), with the connection
/// in a [`CloseOnDrop`] guard rather than closed by `defer!`.
#[generator(try)]
pub fn rows_guarded(db: &Db) -> impl Iterator<Item = Result<Row, DbError>> {
    let mut conn = CloseOnDrop(db.connect());
    while let Some(row) = conn.0.fetch()? {
        yield_!(row);
    }
}

fn row(id: u32, name: &'static str) -> Entry {
    Entry::Row(id, name)
}

fn show(db: &Db, items: &[Result<Row, DbError>]) {
    let items: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(row) => format!("{} {}", row.id, row.name),
            Err(e) => format!("error {e:?}"),
        })
        .collect();
    println!("   got {items:?}");
    println!(
        "   opened {}, closed {}{}",
        db.opened(),
        db.closed(),
        if db.open_now() == 0 {
            ""
        } else {
            "  <- leaked"
        }
    );
}

/// Runs `f`, catching its panic: the panic's message, if any.
fn catch(f: impl FnOnce()) -> Option<String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // quiet: we print it ourselves
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    let payload = result.err()?;
    Some(match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(_) => "(not a string)".to_string(),
    })
}

fn main() {
    let cases = [
        ("all the rows", vec![row(1, "ada"), row(2, "bob")]),
        (
            "a sentinel row: early return",
            vec![row(1, "ada"), row(9, "END"), row(2, "bob")],
        ),
        (
            "a row error: ?",
            vec![
                row(1, "ada"),
                Entry::Error(DbError::Corrupt { id: 2 }),
                row(3, "cy"),
            ],
        ),
        (
            "a reset: close, reconnect, carry on",
            vec![row(1, "ada"), Entry::Error(DbError::Reset), row(2, "bob")],
        ),
        (
            "one reset too many: ?",
            vec![Entry::Error(DbError::Reset); MAX_ATTEMPTS],
        ),
    ];
    for (what, entries) in cases {
        println!("== {what}");
        let db = Db::new(entries);
        let items: Vec<_> = rows(&db).collect();
        show(&db, &items);
    }

    println!("== the consumer breaks out of its loop");
    let db = Db::new((1..=5).map(|id| row(id, "someone")));
    let mut items = Vec::new();
    for item in rows(&db) {
        items.push(item);
        if items.len() == 2 {
            println!("   breaking with {} connection open", db.open_now());
            break;
        }
    }
    show(&db, &items);

    let entries = || vec![row(1, "ada"), Entry::Bug, row(2, "bob")];
    println!("== the driver panics: defer! does not run on panic");
    let db = Db::new(entries());
    let mut items = Vec::new();
    let panic = catch(|| items.extend(rows(&db)));
    println!("   panicked: {panic:?}");
    show(&db, &items);

    println!("== the driver panics, the connection in a Drop guard");
    let db = Db::new(entries());
    let mut items = Vec::new();
    let panic = catch(|| items.extend(rows_guarded(&db)));
    println!("   panicked: {panic:?}");
    show(&db, &items);
}
