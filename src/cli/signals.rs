//! SIGINT and SIGTERM during a scan: the first one asks the scan to stop (it returns
//! [`darksens::error::Error::Interrupted`] and writes nothing, exit code 128 + signal); a second
//! one ends the process at once.

use signal_hook::consts::signal::{SIGINT, SIGTERM};
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// The first signal received (0 while none).
static STOP: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal, so that the second one exits immediately.
static ARMED: AtomicBool = AtomicBool::new(false);

/// Installs the handlers and returns the stop flag for a [`darksens::pipeline::thick_target::Monitor`];
/// `None` if the handlers cannot be installed (the default action, ending the process, remains).
pub fn install() -> Option<&'static AtomicUsize> {
    for signal in [SIGINT, SIGTERM] {
        // The shutdown must be registered first: it checks ARMED before the flag sets it.
        let installed =
            signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, &ARMED)
                .and_then(|_| signal_hook::flag::register(signal, &ARMED))
                .and_then(|_| {
                    signal_hook::flag::register_usize(
                        signal,
                        &STOP,
                        usize::try_from(signal).unwrap_or(1),
                    )
                });
        if installed.is_err() {
            return None;
        }
    }
    Some(&STOP)
}
