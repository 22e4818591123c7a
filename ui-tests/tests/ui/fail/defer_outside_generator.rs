use cogen::defer;

fn not_a_generator() {
    defer! { println!("cleanup"); }
    println!("work");
}

fn main() {
    not_a_generator();
}
