//! Progress bars on stderr: one for long evaluations, fed by the kernel's
//! pair counter ([`with_progress_bar`]), one for time-stepping runs
//! ([`StepBar`]), one over the bytes of a data file.
//!
//! The bars are drawn by indicatif, a dependency of the `cli` feature.
//! Without it (the library alone, the Python package) every bar is hidden:
//! the same calls, nothing drawn, and warnings still reach stderr.

#[cfg(feature = "cli")]
use std::sync::mpsc::{self, RecvTimeoutError};
#[cfg(feature = "cli")]
use std::thread;
#[cfg(feature = "cli")]
use std::time::{Duration, Instant};

use covar_kernel::Progress;
#[cfg(not(feature = "cli"))]
use hidden::ProgressBar;
#[cfg(feature = "cli")]
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// The bar of a build without a terminal user interface: always hidden.
#[cfg(not(feature = "cli"))]
mod hidden {
    /// indicatif's hidden bar, for the calls this module makes.
    #[derive(Debug)]
    pub struct ProgressBar;

    impl ProgressBar {
        pub fn hidden() -> Self {
            Self
        }
        pub fn set_position(&self, _: u64) {}
        pub fn inc(&self, _: u64) {}
        pub fn is_hidden(&self) -> bool {
            true
        }
        pub fn set_message(&self, _: String) {}
        pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
            f()
        }
        pub fn finish_and_clear(&self) {}
    }
}

/// How long the work must run before the bar appears.
#[cfg(feature = "cli")]
const DELAY: Duration = Duration::from_secs(1);

/// How often the counter is polled.
#[cfg(feature = "cli")]
const POLL: Duration = Duration::from_millis(100);

/// Runs `work` while a helper thread watches `counter` (pair interactions
/// finished, out of `total`). If `enabled` and the work is still running
/// after about a second, a bar with pairs done / total, rate and ETA is drawn
/// on stderr; it is cleared when the work ends. Without `enabled` this is
/// just `work()`.
///
/// The caller decides `enabled`: only when stderr is a terminal and stdout
/// is not reserved for machine-readable output.
pub fn with_progress_bar<T>(
    counter: &Progress,
    total: u64,
    enabled: bool,
    work: impl FnOnce() -> T,
) -> T {
    #[cfg(feature = "cli")]
    if enabled && total > 0 {
        let (done, finished) = mpsc::channel::<()>();
        return thread::scope(|s| {
            s.spawn(move || watch(counter, total, &finished));
            let out = work();
            drop(done); // wakes the watcher, which clears the bar
            out
        });
    }
    let _ = (counter, total, enabled);
    work()
}

/// The watcher: waits out the delay, then draws until `finished` hangs up.
#[cfg(feature = "cli")]
fn watch(counter: &Progress, total: u64, finished: &mpsc::Receiver<()>) {
    let start = Instant::now();
    match finished.recv_timeout(DELAY) {
        Err(RecvTimeoutError::Timeout) => {}
        _ => return,
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        .with_style(style(start))
        .with_elapsed(start.elapsed());
    loop {
        bar.set_position(counter.get().min(total));
        match finished.recv_timeout(POLL) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => break,
        }
    }
    bar.finish_and_clear();
}

/// `[elapsed] bar done/total pairs  rate  ETA`, with the rate averaged
/// since `start` (indicatif's own estimate would miss the first second).
#[cfg(feature = "cli")]
fn style(start: Instant) -> ProgressStyle {
    let rate = move |s: &ProgressState| s.pos() as f64 / start.elapsed().as_secs_f64().max(1e-9);
    ProgressStyle::with_template(
        "[{elapsed_precise}] {wide_bar} {human_pos}/{human_len} pairs  {rate}  ETA {remaining}",
    )
    .expect("the template is valid")
    .with_key(
        "rate",
        move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.2e} pairs/s", rate(s));
        },
    )
    .with_key(
        "remaining",
        move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let r = rate(s);
            let left = s.len().unwrap_or(0).saturating_sub(s.pos()) as f64;
            let _ = if r > 0.0 {
                write!(w, "{:.0} s", (left / r).ceil())
            } else {
                write!(w, "?")
            };
        },
    )
}

/// A progress bar over the steps of a run: steps done / total, steps per
/// second, ETA and the latest relative energy error. Drawn on stderr when
/// enabled (the caller decides: only on a terminal, and not with `--json`),
/// hidden otherwise; updates are cheap either way (indicatif limits the
/// redraws).
#[derive(Debug)]
pub struct StepBar(ProgressBar);

impl StepBar {
    /// A bar over `steps` steps.
    pub fn new(steps: u64, enabled: bool) -> Self {
        if !enabled || cfg!(not(feature = "cli")) {
            let _ = steps;
            return Self(ProgressBar::hidden());
        }
        #[cfg(feature = "cli")]
        {
            let style = ProgressStyle::with_template(
                "[{elapsed_precise}] {wide_bar} {pos}/{len} steps  {rate}  ETA {eta}  dH/H {msg}",
            )
            .expect("the template is valid")
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1} steps/s", s.per_sec());
            });
            let bar = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr())
                .with_style(style);
            bar.set_message("-".to_string());
            Self(bar)
        }
        #[cfg(not(feature = "cli"))]
        unreachable!("a build without the cli feature returned the hidden bar above")
    }

    /// Sets the steps done (a resumed run starts at its checkpoint's step).
    pub fn set_position(&self, steps: u64) {
        self.0.set_position(steps);
    }

    /// Counts one step done.
    pub fn inc(&self) {
        self.0.inc(1);
    }

    /// Shows the latest relative energy error.
    pub fn set_error(&self, rel: f64) {
        if !self.0.is_hidden() {
            self.0.set_message(format!("{rel:+.2e}"));
        }
    }

    /// Prints `line` on stderr without tearing the bar.
    pub fn warn(&self, line: &str) {
        self.0.suspend(|| eprintln!("warning: {line}"));
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A bar over the `bytes` of a data file (position in bytes, message: rows
/// read), or a hidden one.
pub(crate) fn byte_bar(bytes: u64, enabled: bool) -> ProgressBar {
    if !enabled || bytes == 0 || cfg!(not(feature = "cli")) {
        return ProgressBar::hidden();
    }
    #[cfg(feature = "cli")]
    {
        let style = ProgressStyle::with_template(
            "[{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes}  {msg}  ETA {eta}",
        )
        .expect("the template is valid");
        ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr()).with_style(style)
    }
    #[cfg(not(feature = "cli"))]
    unreachable!("a build without the cli feature returned the hidden bar above")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_or_empty_just_runs_the_work() {
        let p = Progress::new();
        assert_eq!(with_progress_bar(&p, 10, false, || 3), 3);
        assert_eq!(with_progress_bar(&p, 0, true, || 4), 4);
    }

    #[test]
    fn a_hidden_step_bar_takes_every_call() {
        let bar = StepBar::new(3, false);
        bar.inc();
        bar.set_error(1e-6);
        bar.finish();
    }

    #[test]
    fn enabled_returns_the_work_result() {
        // Quick work: the watcher leaves before drawing anything.
        let p = Progress::new();
        let out = with_progress_bar(&p, 10, true, || {
            p.add(10);
            "done"
        });
        assert_eq!(out, "done");
    }
}
