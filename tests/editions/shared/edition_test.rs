use cogen::{Generator, GeneratorState};
use cogen_edition::*;
use futures::StreamExt;

#[test]
fn works_on_this_edition() {
    let inv = Inventory {
        items: vec![("a".into(), 1), ("b".into(), 5)],
    };
    assert_eq!(inv.in_stock(2).collect::<Vec<_>>(), ["b"]);
    assert_eq!(inv.names().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(tokens("x y").collect::<Vec<_>>(), ["x", "y"]);
    let v: Vec<&str> = futures::executor::block_on(async_tokens("x y").collect());
    assert_eq!(v, ["x", "y"]);
    assert_eq!(evens(5).collect::<Vec<_>>(), [0, 2, 4]);
    let v: Vec<u32> = futures::executor::block_on(async_evens(3).collect());
    assert_eq!(v, [0, 2]);
    assert_eq!(countdown(3).collect::<Vec<_>>(), [3, 2, 1, 0]);
    let log = std::cell::RefCell::new(Vec::new());
    assert_eq!(with_cleanup(&log).take(1).count(), 1);
    assert_eq!(*log.borrow(), ["cleanup"]);
    let mut g = Box::pin(summer());
    assert_eq!(g.as_mut().resume(0), GeneratorState::Yielded(0));
    assert_eq!(g.as_mut().resume(4), GeneratorState::Yielded(4));
    assert_eq!(g.as_mut().resume(0), GeneratorState::Complete(4));
    let v: Vec<_> = futures::executor::block_on(parsed(vec!["1", "x"]).collect());
    assert_eq!(v.len(), 2);
    assert!(v[1].is_err());
}

#[test]
fn yields_inside_other_macros_on_this_edition() {
    let log = std::cell::RefCell::new(Vec::new());
    let v: Vec<u32> = futures::executor::block_on(in_macros(&log).collect());
    assert_eq!(v, [1, 2, 4, 10]);
    assert_eq!(*log.borrow(), ["cleanup"]);
}
