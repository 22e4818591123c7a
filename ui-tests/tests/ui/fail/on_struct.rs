use cogen::generator;

#[generator]
struct NotAFunction {
    x: u32,
}

fn main() {}
