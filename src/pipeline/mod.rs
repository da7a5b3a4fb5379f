//! From a resolved scenario to results: the driver of each kind of search, and what every scan
//! shares (shards of the work, progress, interruption, stored yields).
//!
//! - [`thick_target`]: mass scans (and scans of any other key) of thick-target searches: tables
//!   built once per physics, yields per point, limits, the best point and the
//!   annihilation-dominated range.
//! - [`emulsion`]: one model point of an emulsion search, and its two-parameter grid.

pub mod emulsion;
pub mod thick_target;

use crate::error::Error;
use crate::output::checkpoint::YieldStore;
use crate::signal::thick_target::Yields;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A deterministic share of a scan: shard `index` (0-based) of `count`. Units of work (the
/// masses of a mass scan, the points of another scan) are dealt round-robin in scan order, so
/// every shard gets the same mix of cheap and expensive points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Whether the unit at `position` (in scan order) belongs to this shard.
    #[must_use]
    pub fn owns(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

/// What the caller of a long scan sees and controls: progress reports, a stop flag, a store of
/// yields computed before, and whether anything may be computed at all.
#[derive(Default, Clone, Copy)]
pub struct Monitor<'a> {
    /// Called with `n` as `n` more points are done (from any thread).
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// A signal number, 0 while running: when a handler stores a signal there (SIGINT,
    /// SIGTERM), the scan stops before its next point with [`Error::Interrupted`].
    pub stop: Option<&'a AtomicUsize>,
    /// Yields computed before are taken from here, and new ones recorded here.
    pub store: Option<&'a dyn YieldStore>,
    /// Take every unit of work from the store and compute none (merging shards): a missing
    /// unit is an error.
    pub stored_only: bool,
}

impl Monitor<'_> {
    fn done(&self, n: u64) {
        if let Some(progress) = self.progress {
            progress(n);
        }
    }

    fn check(&self) -> Result<(), Error> {
        interrupted(self.stop)
    }

    /// The yields of unit `key`: from the store, or computed (and recorded).
    fn yields(&self, key: &str, compute: impl FnOnce() -> Yields) -> Result<Yields, Error> {
        self.check()?;
        if let Some(stored) = self.store.and_then(|s| s.get(key)) {
            self.done(1);
            return Ok(stored);
        }
        if self.stored_only {
            return Err(Error::Usage(format!(
                "the partial results lack the scan point '{key}'"
            )));
        }
        let yields = compute();
        if let Some(store) = self.store {
            store.put(key, &yields)?;
        }
        self.done(1);
        Ok(yields)
    }
}

/// `Err(Error::Interrupted)` once `stop` holds a signal number.
///
/// # Errors
/// [`Error::Interrupted`] naming the signal.
pub fn interrupted(stop: Option<&AtomicUsize>) -> Result<(), Error> {
    match stop.map(|s| s.load(Ordering::Relaxed)) {
        Some(signal) if signal != 0 => Err(Error::Interrupted {
            signal: i32::try_from(signal).unwrap_or(0),
        }),
        _ => Ok(()),
    }
}
