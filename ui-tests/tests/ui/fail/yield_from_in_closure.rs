use cogen::{generator, yield_, yield_from};

#[generator]
fn g(rows: Vec<Vec<u32>>) -> impl Iterator<Item = u32> {
    rows.into_iter().for_each(|row| {
        yield_from!(row);
    });
    yield_!(0);
}

fn main() {
    let _ = g(vec![]);
}
