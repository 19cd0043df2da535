//! Stopping a run cleanly: SIGINT (Ctrl-C) or SIGTERM sets a flag, and the
//! driver, at the next step boundary, writes a checkpoint and stops with
//! [`CliError::Interrupted`](crate::cli::CliError::Interrupted) (exit status
//! 130 or 143, as a shell reports a process killed by the signal). A
//! second SIGINT or SIGTERM before then ends the process at once, without a
//! checkpoint.

use std::sync::Arc;
#[cfg(feature = "cli")]
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(feature = "cli")]
use signal_hook::SigId;

/// SIGINT's number on every Unix covar builds for.
const SIGINT: i32 = 2;
/// SIGTERM's number on every Unix covar builds for.
const SIGTERM: i32 = 15;

/// A request to stop a run at the next step boundary: set by a signal
/// handler ([`StopSignals`]), or by a program embedding the run
/// ([`request`](Self::request)).
///
/// # Examples
///
/// ```
/// use covar::cli::run::Stop;
/// let stop = Stop::new();
/// assert_eq!(stop.requested(), None);
/// stop.request(Stop::SIGINT);
/// assert_eq!(stop.requested(), Some(Stop::SIGINT));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicUsize>);

impl Stop {
    /// SIGINT's number (2): Ctrl-C.
    pub const SIGINT: i32 = SIGINT;
    /// SIGTERM's number (15): the polite kill.
    pub const SIGTERM: i32 = SIGTERM;

    /// No stop requested yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop at the next step boundary as if `signal` had
    /// arrived.
    pub fn request(&self, signal: i32) {
        self.0.store(signal.max(1) as usize, Ordering::SeqCst);
    }

    /// The signal whose stop was requested, if any.
    pub fn requested(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s as i32),
        }
    }
}

/// The signal's name, for messages.
pub fn signal_name(signal: i32) -> String {
    match signal {
        SIGINT => "SIGINT".into(),
        SIGTERM => "SIGTERM".into(),
        s => format!("signal {s}"),
    }
}

/// SIGINT and SIGTERM handlers that request a [`Stop`]; removed when
/// dropped.
#[derive(Debug)]
#[cfg(feature = "cli")]
pub struct StopSignals {
    ids: Vec<SigId>,
}

#[cfg(feature = "cli")]
impl StopSignals {
    /// Installs the handlers: the first SIGINT or SIGTERM requests `stop`,
    /// a second one exits the process at once with status `128 + signal`.
    ///
    /// # Errors
    ///
    /// The operating system's refusal to install a handler.
    pub fn install(stop: &Stop) -> std::io::Result<Self> {
        let seen = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for signal in [SIGINT, SIGTERM] {
            // Actions run in the order they were registered: the exit only
            // fires when an earlier signal has already been seen.
            ids.push(signal_hook::flag::register_conditional_shutdown(
                signal,
                128 + signal,
                Arc::clone(&seen),
            )?);
            ids.push(signal_hook::flag::register(signal, Arc::clone(&seen))?);
            ids.push(signal_hook::flag::register_usize(
                signal,
                Arc::clone(&stop.0),
                signal as usize,
            )?);
        }
        Ok(Self { ids })
    }
}

#[cfg(feature = "cli")]
impl Drop for StopSignals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    #[test]
    fn the_signal_numbers_are_the_operating_systems() {
        assert_eq!(super::SIGINT, signal_hook::consts::SIGINT);
        assert_eq!(super::SIGTERM, signal_hook::consts::SIGTERM);
    }
}
