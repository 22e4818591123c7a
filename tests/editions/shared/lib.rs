use cogen::{async_generator, defer, generator, yield_, yield_from, Generator, Stream};

pub struct Inventory {
    pub items: Vec<(String, u32)>,
}

impl Inventory {
    /// Borrows `self` across yields.
    #[generator]
    pub fn in_stock<'a>(&'a self, min: u32) -> impl Iterator<Item = &'a str> + 'a {
        for (name, n) in &self.items {
            if *n >= min {
                yield_!(name.as_str());
            }
        }
    }

    /// The same with elided lifetimes.
    #[generator]
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        for (name, _) in &self.items {
            yield_!(name.as_str());
        }
    }
}

#[generator]
pub fn tokens(input: &str) -> impl Iterator<Item = &str> + '_ {
    for t in input.split(' ') {
        yield_!(t);
    }
}

#[async_generator]
pub fn async_tokens(input: &str) -> impl Stream<Item = &str> + '_ {
    for t in input.split(' ') {
        futures_ready().await;
        yield_!(t);
    }
}

#[generator]
pub fn countdown(n: u64) -> impl Iterator<Item = u64> {
    yield_!(n);
    if n > 0 {
        yield_from!(countdown(n - 1));
    }
}

#[generator]
pub fn with_cleanup<'a>(
    log: &'a std::cell::RefCell<Vec<&'static str>>,
) -> impl Iterator<Item = u8> + 'a {
    defer! { log.borrow_mut().push("cleanup"); }
    yield_!(1);
    yield_!(2);
}

#[generator]
pub fn summer() -> impl Generator<u32, Yield = u32, Return = u32> {
    let mut total = 0;
    loop {
        let x = yield_!(total);
        if x == 0 {
            return total;
        }
        total += x;
    }
}

#[async_generator(try)]
pub fn parsed(
    input: Vec<&'static str>,
) -> impl Stream<Item = Result<u32, std::num::ParseIntError>> {
    for s in input {
        futures_ready().await;
        yield_!(s.parse::<u32>()?);
    }
}

async fn futures_ready() {}

/// Generator blocks work on every edition too.
pub fn evens(limit: u32) -> impl Iterator<Item = u32> {
    cogen::iter!({
        for i in 0..limit {
            if i % 2 == 0 {
                yield_!(i);
            }
        }
    })
}

pub fn async_evens(limit: u32) -> impl Stream<Item = u32> {
    cogen::stream!({
        yield_from!(evens(limit));
        futures_ready().await;
    })
}

macro_rules! both {
    ($a:expr, $b:expr) => {
        ($a, $b)
    };
}

/// Yields inside other macros' arguments (lowered through cogen's own
/// hygienic `macro_rules!`), with a `defer!` scope and awaits around them.
#[async_generator]
pub fn in_macros<'a>(
    log: &'a std::cell::RefCell<Vec<&'static str>>,
) -> impl Stream<Item = u32> + 'a {
    defer! { log.borrow_mut().push("cleanup"); }
    let s = format!("{:?}{:?}", yield_!(1), yield_!(2));
    let (a, _) = both!(futures_ready().await, yield_!(s.len() as u32));
    let () = a;
    yield_from!(countdown_stream(1));
}

#[async_generator]
fn countdown_stream(n: u32) -> impl Stream<Item = u32> {
    yield_!(n * 10);
}
