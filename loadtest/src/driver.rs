//! The run itself: the dispatcher sends each request at its intended time
//! and never waits for answers, so the offered load does not bend to the
//! server (open loop).
//!
//! One task dispatches; each request runs in a task of its own, holding
//! one of `--max-in-flight` slots. When every slot is taken the dispatcher
//! waits for one, and the requests falling due meanwhile go out late, each
//! measured from its own intended time: falling behind is counted
//! (`late`, `slot_waits`), never hidden. Nothing is sent after the planned
//! end (plus the lateness threshold): requests still due then are counted
//! `not_sent`. Requests in flight at the end are awaited for at most their
//! deadline, so a run always ends.
//!
//! Timing: tokio's timer has whole milliseconds and wakes up to two late,
//! which every latency would carry. The dispatcher sleeps on it only until
//! 2 ms before a request; then a helper thread (not a runtime worker: it
//! only sleeps and wakes the dispatcher) sleeps the rest with the operating
//! system's precision; within 200 µs, and so at every rate above 5,000
//! requests a second, the dispatcher yields to the request tasks and looks
//! again. The lag of each request behind its time is recorded and
//! reported.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use voter_core::queries::{QueryRng, SeedableRng};

use crate::client::{Client, GRACE, Identity, Prepared};
use crate::record::{LATE_AFTER, Latency, Recorder};
use crate::schedule::{Next, Pacer, Plan, Process};
use crate::traffic::WeightedPick;
use crate::units::format_ms;

/// How close to a request's time the dispatcher stops sleeping on the
/// runtime's timer. tokio's timer ticks in whole milliseconds and wakes up
/// to about two late; every request would carry that error in its latency.
const COARSE_WINDOW: Duration = Duration::from_millis(2);

/// Below this the dispatcher yields to the other tasks and looks again
/// rather than waking a thread: above 5,000 requests a second there is
/// always I/O to run, and two context switches per request would cost more
/// than the loop.
const SPIN_BELOW: Duration = Duration::from_micros(200);

/// Dispatches without pause at most this many requests before letting the
/// request tasks run, when the dispatcher is behind (on one thread nothing
/// else would run meanwhile).
const DISPATCH_BATCH: u32 = 64;

/// Mixed into the seed of the class picks, so that they do not repeat the
/// draws of the queries.
pub const CLASS_PICK_SALT: u64 = 0x0c1a_55e5;

/// One class's prepared requests.
pub struct ClassLoad {
    /// Share of the traffic (relative).
    pub weight: f64,
    /// Its API keys, ready to send.
    pub identity: Identity,
    /// Its requests, sent in turn.
    pub requests: Vec<Prepared>,
}

/// What a run needs besides its plan.
pub struct RunSetup {
    /// The client of the door under test.
    pub client: Client,
    /// The classes, each with its requests.
    pub classes: Vec<ClassLoad>,
    /// Bound on outstanding requests.
    pub max_in_flight: usize,
    /// Each request's deadline.
    pub timeout: Duration,
    /// Seed of the class picks.
    pub seed: u64,
    /// Draw the progress line on stderr (only if it is a terminal).
    pub progress: bool,
}

/// What a run produced.
pub struct Finished {
    /// Everything recorded.
    pub recorder: Recorder,
    /// From the first scheduled instant to the last answer.
    pub elapsed: Duration,
}

struct Shared {
    client: Client,
    classes: Vec<ClassLoad>,
    recorder: Mutex<Recorder>,
    start: Instant,
}

impl Shared {
    fn recorder(&self) -> MutexGuard<'_, Recorder> {
        // A panic while recording cannot leave the counts half-written in
        // a way that matters more than losing the run: carry on.
        self.recorder
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs `plan` with arrivals spread by `process`.
pub async fn run(plan: &Plan, process: Process, setup: RunSetup) -> Finished {
    let class_pick = WeightedPick::new(setup.classes.iter().map(|class| class.weight));
    let mut class_rng = QueryRng::seed_from_u64(setup.seed ^ CLASS_PICK_SALT);
    let mut cursors = vec![0usize; setup.classes.len()];
    let shared = Arc::new(Shared {
        recorder: Mutex::new(Recorder::new(setup.classes.len())),
        client: setup.client,
        classes: setup.classes,
        start: Instant::now(),
    });
    let slots = Arc::new(Semaphore::new(setup.max_in_flight));
    let progress = (setup.progress && std::io::stderr().is_terminal())
        .then(|| tokio::spawn(show_progress(shared.clone(), plan.clone())));
    let stop_sending = plan.duration() + LATE_AFTER;
    let mut pacer = Pacer::new(plan.arrivals(process));
    let timer = PreciseTimer::start();
    let mut without_pause = 0;

    loop {
        let now = shared.start.elapsed();
        let intended = match pacer.next(now) {
            Next::Finished => break,
            Next::WaitUntil(at) => {
                wait_until(shared.start + at, &timer).await;
                without_pause = 0;
                continue;
            }
            Next::Send { intended } => intended,
        };
        let class = class_pick.pick(&mut class_rng);
        if now > stop_sending {
            shared.recorder().not_sent(class, intended);
            break;
        }
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                shared.recorder().slot_waits += 1;
                let deadline = tokio::time::sleep_until((shared.start + stop_sending).into());
                tokio::select! {
                    permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                    () = deadline => {
                        shared.recorder().not_sent(class, intended);
                        break;
                    }
                }
            }
        };
        let turn = cursors[class];
        cursors[class] += 1;
        let requests = &shared.classes[class].requests;
        let request = requests[turn % requests.len()].clone();
        shared.recorder().sent(class, intended);
        let task_shared = shared.clone();
        tokio::spawn(async move {
            let sent = task_shared.start.elapsed();
            let identity = &task_shared.classes[class].identity;
            let outcome = task_shared.client.send(request, identity, turn).await;
            let done = task_shared.start.elapsed();
            task_shared
                .recorder()
                .finished(class, intended, sent, done, outcome);
            drop(permit);
        });
        without_pause += 1;
        if without_pause >= DISPATCH_BATCH {
            tokio::task::yield_now().await;
            without_pause = 0;
        }
    }
    {
        let mut recorder = shared.recorder();
        for intended in pacer.abandon() {
            recorder.not_sent(class_pick.pick(&mut class_rng), intended);
        }
    }

    // Every request task ends by itself within its deadline and grace;
    // waiting a little longer only guards against a task that never ran.
    let all_slots = u32::try_from(setup.max_in_flight).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(
        setup.timeout + GRACE + Duration::from_secs(1),
        slots.acquire_many(all_slots),
    )
    .await;
    if let Some(progress) = progress {
        progress.abort();
        let _ = progress.await;
        eprint!("\r\x1b[2K");
    }
    let elapsed = shared.start.elapsed();
    let mut recorder = shared.recorder().clone();
    if drained.is_err() {
        let stuck = recorder.in_flight;
        recorder.unfinished(stuck);
    }
    Finished { recorder, elapsed }
}

/// Returns at `instant`, give or take some tens of microseconds: sleeps
/// on the runtime's timer until [`COARSE_WINDOW`] before it, then on the
/// precise timer thread, and yields to the other tasks (the requests in
/// flight, the I/O driver) in the last [`SPIN_BELOW`].
async fn wait_until(instant: Instant, timer: &PreciseTimer) {
    let now = Instant::now();
    if instant <= now {
        return;
    }
    let gap = instant - now;
    if gap > COARSE_WINDOW {
        tokio::time::sleep_until((instant - COARSE_WINDOW).into()).await;
    } else if gap > SPIN_BELOW {
        timer.wait_until(instant).await;
    } else {
        tokio::task::yield_now().await;
    }
}

/// A thread that wakes the dispatcher at an exact instant: it sleeps with
/// the operating system's own precision (tens of microseconds) where the
/// runtime's timer has whole milliseconds, and costs no CPU while it
/// sleeps, unlike yielding in a loop. It ends when the timer is dropped.
struct PreciseTimer {
    requests: std::sync::mpsc::Sender<Instant>,
    fired: Arc<tokio::sync::Notify>,
}

impl PreciseTimer {
    fn start() -> PreciseTimer {
        let (requests, wanted) = std::sync::mpsc::channel::<Instant>();
        let fired = Arc::new(tokio::sync::Notify::new());
        let notify = fired.clone();
        std::thread::Builder::new()
            .name("loadtest-timer".to_string())
            .spawn(move || {
                while let Ok(instant) = wanted.recv() {
                    let now = Instant::now();
                    if instant > now {
                        std::thread::sleep(instant - now);
                    }
                    notify.notify_one();
                }
            })
            .expect("the timer thread starts");
        PreciseTimer { requests, fired }
    }

    /// Resolves at `instant`. Each call is answered by exactly one
    /// notification (kept as a permit if it comes before the wait).
    async fn wait_until(&self, instant: Instant) {
        if self.requests.send(instant).is_err() {
            // The thread is gone (it cannot be, while the timer lives):
            // fall back on the runtime's timer.
            tokio::time::sleep_until(instant.into()).await;
            return;
        }
        self.fired.notified().await;
    }
}

/// Redraws one status line on stderr every second.
async fn show_progress(shared: Arc<Shared>, plan: Plan) {
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let elapsed = shared.start.elapsed();
        let line = {
            let recorder = shared.recorder();
            let last = elapsed.as_secs().saturating_sub(1) as usize;
            let second = recorder.timeline.get(last);
            let counts = recorder.overall.counts;
            let p99 = second
                .and_then(|second| second.latency.as_ref())
                .map(|histogram| format_ms(Latency::of(histogram).p99))
                .unwrap_or_else(|| "-".to_string());
            format!(
                "{:>5.0}s/{:.0}s  planned {:.0}/s  offered {}/s  achieved {}/s  in flight {}  p99 {}  ok {} degraded {} shed {} rate-limited {} error {}{}",
                elapsed.as_secs_f64(),
                plan.seconds(),
                plan.rate_at(elapsed.as_secs_f64()),
                second.map_or(0, |s| s.offered),
                second.map_or(0, |s| s.achieved),
                recorder.in_flight,
                p99,
                counts.ok,
                counts.degraded,
                counts.shed,
                counts.rate_limited,
                counts.error,
                if recorder.late > 0 {
                    format!("  LATE {}", recorder.late)
                } else {
                    String::new()
                },
            )
        };
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
    }
}
