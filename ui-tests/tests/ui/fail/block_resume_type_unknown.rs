use cogen::{gen_block, yield_, Generator};

fn main() {
    let mut g = std::pin::pin!(gen_block!({
        let line = yield_!(0);
        line.len()
    }));
    g.as_mut().resume("hello");
}
