use cogen::async_generator;

#[async_generator]
enum NotAFunction {
    A,
}

fn main() {}
