//! The cache of expensive inputs kept between runs: the built-in radiative Bhabha generator's
//! spectrum. Sources compute; this module decides where results are kept and reads them back.

use crate::error::GeneratorError;
use crate::sources::radiative_bhabha::{Generated, Settings, generate};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Where generated spectra are kept between runs: `$DARKSENS_CACHE`, else
/// `$XDG_CACHE_HOME/darksens`, else `~/.cache/darksens`.
#[must_use]
pub fn cache_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    env("DARKSENS_CACHE")
        .map(PathBuf::from)
        .or_else(|| env("XDG_CACHE_HOME").map(|d| Path::new(&d).join("darksens")))
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".cache/darksens")))
}

/// FNV-1a, 64 bits: a short, stable file name for a cache key.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The cache file of a generator run.
#[must_use]
pub fn cache_file(settings: &Settings) -> Option<PathBuf> {
    cache_dir().map(|d| {
        d.join(format!(
            "radiative-bhabha-{:016x}.csv",
            fnv1a(&settings.key())
        ))
    })
}

/// The first line of a cache file: the SHA-256 of the rest, so that a file edited or cut short
/// on disk is regenerated rather than used.
const CHECKSUM_PREFIX: &str = "# sha256: ";

/// The text written to a cache file: a checksum line, then the generator's table.
fn sealed(body: &str) -> String {
    format!(
        "{CHECKSUM_PREFIX}{}\n{body}",
        crate::digest::sha256_hex(body.as_bytes())
    )
}

/// The table of a cache file whose checksum matches its content, else `None`.
fn unsealed(text: &str) -> Option<&str> {
    let (first, body) = text.split_once('\n')?;
    let recorded = first.strip_prefix(CHECKSUM_PREFIX)?;
    (recorded == crate::digest::sha256_hex(body.as_bytes())).then_some(body)
}

fn read_cache(path: &Path, settings: &Settings) -> Option<Generated> {
    let text = std::fs::read_to_string(path).ok()?;
    Generated::from_cache_text(unsealed(&text)?, settings)
}

fn write_cache(path: &Path, settings: &Settings, generated: &Generated) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // A cache that cannot be written only costs time.
    let text = sealed(&generated.to_cache_text(settings));
    let _ = super::write_atomically(path, text.as_bytes());
}

/// [`generate`], once per process and once per cache directory: a run with the same settings
/// (the key includes the darksens version) reads the spectrum table written by the first.
/// The table read back is identical bit for bit to the one computed; a cache file whose
/// checksum does not match (edited or damaged on disk) is regenerated.
///
/// # Errors
/// As [`generate`].
pub fn generate_cached(settings: &Settings) -> Result<Arc<Generated>, GeneratorError> {
    static MEMO: OnceLock<Mutex<std::collections::HashMap<String, Arc<Generated>>>> =
        OnceLock::new();
    let memo = MEMO.get_or_init(|| Mutex::new(std::collections::HashMap::new()));
    let key = settings.key();
    if let Some(found) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(found);
    }
    let file = cache_file(settings);
    let generated = if let Some(cached) = file.as_deref().and_then(|f| read_cache(f, settings)) {
        cached
    } else {
        let fresh = generate(settings)?;
        if let Some(f) = &file {
            write_cache(f, settings, &fresh);
        }
        fresh
    };
    let generated = Arc::new(generated);
    if let Ok(mut m) = memo.lock() {
        m.insert(key, Arc::clone(&generated));
    }
    Ok(generated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_text_opens_and_any_edit_breaks_the_seal() {
        let body = "# key: k\n# sigma_pb=1.0\n0.1,2.0\n";
        let text = sealed(body);
        assert_eq!(unsealed(&text), Some(body));
        assert_eq!(unsealed(&text.replace("2.0", "3.0")), None);
        assert_eq!(unsealed(&text[..text.len() - 2]), None, "cut short");
        assert_eq!(unsealed(body), None, "no checksum line");
    }
}
