use cogen::{Generator, GeneratorState, generator, yield_};

#[generator]
fn fib() -> impl Iterator<Item = u64> {
    let (mut a, mut b) = (0, 1);
    loop {
        yield_!(a);
        (a, b) = (b, a + b);
    }
}

#[generator]
fn words(text: String) -> impl Iterator<Item = String> {
    for w in text.split_whitespace() {
        yield_!(w.to_uppercase());
    }
}

#[generator]
fn running_mean() -> impl Generator<f64, Yield = f64, Return = usize> {
    let (mut sum, mut n) = (0.0, 0usize);
    let mut x = yield_!(f64::NAN);
    while !x.is_nan() {
        sum += x;
        n += 1;
        x = yield_!(sum / n as f64);
    }
    n
}

#[test]
fn smoke() {
    assert_eq!(fib().take(6).collect::<Vec<_>>(), [0, 1, 1, 2, 3, 5]);
    assert_eq!(words("a bc".into()).collect::<Vec<_>>(), ["A", "BC"]);
    let mut g = core::pin::pin!(running_mean());
    assert!(matches!(g.as_mut().resume(0.0), GeneratorState::Yielded(x) if x.is_nan()));
    assert_eq!(g.as_mut().resume(2.0), GeneratorState::Yielded(2.0));
    assert_eq!(g.as_mut().resume(4.0), GeneratorState::Yielded(3.0));
    assert_eq!(g.as_mut().resume(f64::NAN), GeneratorState::Complete(2));
}
