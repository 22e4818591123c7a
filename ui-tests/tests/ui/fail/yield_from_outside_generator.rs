use cogen::yield_from;

fn not_a_generator() {
    yield_from!(vec![1, 2, 3]);
}

fn main() {
    not_a_generator();
}
