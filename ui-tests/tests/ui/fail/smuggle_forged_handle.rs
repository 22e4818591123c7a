// A procedural macro handed what cogen made of its arguments makes, from
// each identifier cogen wrote there, an identifier `__co` of the same
// hygiene: none of them may name the generator's handle.
use cogen::{async_generator, defer, yield_, Stream};

#[async_generator(try)]
fn g() -> impl Stream<Item = Result<u32, ()>> {
    loop {
        defer! {}
        attack_macros::forge_co!(
            yield_!(1),
            std::future::ready(2).await,
            Err(())?,
            return,
            break,
            continue,
            {
                #[for_await]
                for _x in two() {}
            },
        );
    }
}

#[async_generator]
fn two() -> impl Stream<Item = u32> {
    yield_!(1);
    yield_!(2);
}

fn main() {
    let _ = g();
}
