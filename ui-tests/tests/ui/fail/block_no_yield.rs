use cogen::iter;

fn main() {
    let nothing = iter!({
        println!("side effect only");
    });
    println!("{}", nothing.count());
}
