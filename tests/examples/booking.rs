//! A booking saga: book a flight, then a hotel, then charge the card; if a
//! later step fails, undo the earlier ones, last first.
//!
//! [`book_trip`] is an `#[async_generator]`. Each step that succeeds
//! registers its compensation right after it, with `defer!`:
//!
//! ```text
//! let flight = travel.book_flight(&trip).await?;
//! defer! { if !committed { travel.cancel_flight(&flight).await; } }
//! ```
//!
//! so the compensations are exactly those of the steps that happened, and
//! they run in reverse order (several `defer!`s run last-registered first).
//! They only compensate while `committed` is false; the saga sets it once
//! the card is charged, the point of no return. A failure at the payment
//! therefore cancels the hotel, then the flight. `defer!` is not a closure:
//! the cleanup reads `committed` as it is when the cleanup runs.
//!
//! The saga yields a [`Progress`] event after each step and *returns*
//! `Result<Booking, BookingError>`: its type is
//! `impl AsyncGenerator<Yield = Progress, Return = Result<Booking, BookingError>>`.
//! The `#[async_generator(try)]` flavour would make it a stream of
//! `Result<Progress, BookingError>`, where the booking itself would have to
//! pose as one more progress event; the generator form keeps "how far it
//! got" (the yields) apart from "what came of it" (the one return value),
//! and `?` on a step's error simply returns that error.
//!
//! Stopping a saga half-way must compensate too. The compensations
//! `.await` their services, and drop cannot wait, so:
//!
//! * `saga.as_mut().close().await` runs them to completion: this is how to
//!   abandon a saga (for example after a `tokio::time::timeout` around one
//!   of its steps expired);
//! * a plain drop starts the cleanup but abandons it at its first `.await`
//!   that is not ready: here the first compensation's call to the hotel,
//!   so nothing is cancelled and the bookings stay held. If compensation
//!   must survive a drop, a cleanup can hand it to a spawned task
//!   (`tokio::spawn`) instead of awaiting it.
//!
//! A compensation cannot itself fail here; a real saga would retry it or
//! record it for a human.
//!
//! Run it with `cargo run -p cogen-tests --example booking`.

use cogen::{AsyncGenerator, GeneratorState, async_generator, defer, yield_};
use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Flight,
    Hotel,
    Payment,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingError {
    pub step: Step,
    pub reason: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trip {
    pub to: &'static str,
    pub nights: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub flight: String,
    pub hotel: String,
    pub payment: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    FlightBooked(String),
    HotelBooked(String),
    CardCharged(String),
}

// ---------------------------------------------------------------------------
// The fake services: an airline, a hotel and a bank in one.
// ---------------------------------------------------------------------------

/// The outside world. Every call takes `latency` and only then takes
/// effect; a step can be made to fail, or to take a minute.
#[derive(Default)]
pub struct Travel {
    latency: Duration,
    failing: Option<Step>,
    slow: Option<Step>,
    world: Mutex<World>,
}

#[derive(Default)]
struct World {
    log: Vec<String>,
    held: BTreeSet<String>,
    next_id: u32,
}

impl Travel {
    pub fn new(latency_ms: u64) -> Self {
        Travel {
            latency: Duration::from_millis(latency_ms),
            ..Travel::default()
        }
    }
    /// `step` fails.
    pub fn failing(self, step: Step) -> Self {
        Travel {
            failing: Some(step),
            ..self
        }
    }
    /// `step` takes a minute.
    pub fn slow(self, step: Step) -> Self {
        Travel {
            slow: Some(step),
            ..self
        }
    }

    /// What happened, in order.
    pub fn log(&self) -> Vec<String> {
        self.world.lock().unwrap().log.clone()
    }
    /// Reservations and charges in force.
    pub fn held(&self) -> Vec<String> {
        self.world.lock().unwrap().held.iter().cloned().collect()
    }

    async fn book(
        &self,
        step: Step,
        prefix: &str,
        reason: &'static str,
    ) -> Result<String, BookingError> {
        if self.slow == Some(step) {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        tokio::time::sleep(self.latency).await;
        let mut world = self.world.lock().unwrap();
        if self.failing == Some(step) {
            world.log.push(format!("{step:?} failed: {reason}"));
            return Err(BookingError { step, reason });
        }
        world.next_id += 1;
        let id = format!("{prefix}-{}", world.next_id);
        world.log.push(format!("{step:?} done: {id}"));
        world.held.insert(id.clone());
        Ok(id)
    }

    async fn cancel(&self, step: Step, id: &str) {
        tokio::time::sleep(self.latency).await;
        let mut world = self.world.lock().unwrap();
        world.log.push(format!("{step:?} cancelled: {id}"));
        world.held.remove(id);
    }

    pub async fn book_flight(&self, _trip: &Trip) -> Result<String, BookingError> {
        self.book(Step::Flight, "FL", "sold out").await
    }
    pub async fn book_hotel(&self, _trip: &Trip) -> Result<String, BookingError> {
        self.book(Step::Hotel, "HT", "no rooms").await
    }
    pub async fn charge_card(&self, _trip: &Trip) -> Result<String, BookingError> {
        self.book(Step::Payment, "PAY", "card declined").await
    }
    pub async fn cancel_flight(&self, id: &str) {
        self.cancel(Step::Flight, id).await
    }
    pub async fn cancel_hotel(&self, id: &str) {
        self.cancel(Step::Hotel, id).await
    }
}

// ---------------------------------------------------------------------------
// The saga.
// ---------------------------------------------------------------------------

/// Books `trip`: flight, hotel, payment. If a step fails (or the saga is
/// closed before the payment went through), the steps done so far are
/// compensated, last first.
#[async_generator]
pub fn book_trip(
    travel: Arc<Travel>,
    trip: Trip,
) -> impl AsyncGenerator<Yield = Progress, Return = Result<Booking, BookingError>> + Send {
    let mut committed = false;

    let flight = travel.book_flight(&trip).await?;
    defer! {
        if !committed {
            travel.cancel_flight(&flight).await;
        }
    }
    yield_!(Progress::FlightBooked(flight.clone()));

    let hotel = travel.book_hotel(&trip).await?;
    defer! {
        if !committed {
            travel.cancel_hotel(&hotel).await;
        }
    }
    yield_!(Progress::HotelBooked(hotel.clone()));

    let payment = travel.charge_card(&trip).await?;
    committed = true; // from here on, nothing is undone
    yield_!(Progress::CardCharged(payment.clone()));

    // Cloned, not moved: the cleanups above still name `flight` and `hotel`,
    // and they run after this value is made (as the body's block is left).
    Ok(Booking {
        flight: flight.clone(),
        hotel: hotel.clone(),
        payment,
    })
}

/// Runs a saga to its end, handing each progress event to `on_progress`.
pub async fn run<G>(
    mut saga: Pin<&mut G>,
    mut on_progress: impl FnMut(Progress),
) -> Result<Booking, BookingError>
where
    G: AsyncGenerator<Yield = Progress, Return = Result<Booking, BookingError>>,
{
    loop {
        match saga.as_mut().resume(()).await {
            GeneratorState::Yielded(progress) => on_progress(progress),
            GeneratorState::Complete(outcome) => return outcome,
        }
    }
}

const TRIP: Trip = Trip {
    to: "Lisbon",
    nights: 3,
};

fn show(travel: &Travel) {
    for line in travel.log() {
        println!("   | {line}");
    }
    println!("   held afterwards: {:?}", travel.held());
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let print = |p: Progress| println!("   progress: {p:?}");

    println!("== every step succeeds");
    let travel = Arc::new(Travel::new(10));
    let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
    println!("   outcome: {:?}", run(saga.as_mut(), print).await);
    show(&travel);

    println!("== the payment fails: the hotel, then the flight, are cancelled");
    let travel = Arc::new(Travel::new(10).failing(Step::Payment));
    let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
    println!("   outcome: {:?}", run(saga.as_mut(), print).await);
    show(&travel);

    println!("== the bank is slow: give up after 200 ms and close the saga");
    let travel = Arc::new(Travel::new(10).slow(Step::Payment));
    let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
    let outcome = tokio::time::timeout(Duration::from_millis(200), run(saga.as_mut(), print)).await;
    println!("   timed out: {}", outcome.is_err());
    saga.as_mut().close().await; // runs the compensations, awaiting them
    show(&travel);

    println!("== the same, but the saga is only dropped: drop cannot await");
    let travel = Arc::new(Travel::new(10).slow(Step::Payment));
    let mut saga = Box::pin(book_trip(travel.clone(), TRIP));
    let outcome = tokio::time::timeout(Duration::from_millis(200), run(saga.as_mut(), print)).await;
    println!("   timed out: {}", outcome.is_err());
    drop(saga); // the first compensation stops at its first await: nothing is cancelled
    show(&travel);
}
