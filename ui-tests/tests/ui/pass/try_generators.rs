#![deny(warnings)]

use cogen::{async_generator, generator, yield_, Stream};

fn parse(s: &str) -> Result<u32, std::num::ParseIntError> {
    s.parse()
}

#[generator(try)]
fn numbers(input: &'static str) -> impl Iterator<Item = Result<u32, std::num::ParseIntError>> {
    for word in input.split(',') {
        yield_!(parse(word)?);
    }
}

#[async_generator(try)]
fn numbers_async(input: &'static str) -> impl Stream<Item = Result<u32, std::num::ParseIntError>> {
    for word in input.split(',') {
        let n = async { parse(word) }.await?;
        yield_!(n);
    }
}

fn main() {
    let v: Vec<_> = numbers("1,x,3").collect();
    assert_eq!(v.len(), 2);
    assert!(v[1].is_err());
    let _ = numbers_async("1");
}
