//! [`Endpoints`]: the URLs an adapter sends to again and again, built once.

use std::fmt;
use std::sync::Mutex;

use url::Url;

use crate::error::Result;

/// Most URLs one adapter keeps: its fixed endpoints (publish, delete, read), never a URL with
/// an id in it — those are built per call. Beyond it, URLs are built and not kept.
const MAX_KEPT: usize = 32;

/// The URLs of an adapter's fixed endpoints, each built on first use and cloned after.
///
/// Building an endpoint with [`Url::join`] parses the whole URL again (2–5k instructions, a
/// measurable part of a publish against a server on loopback); a clone copies one string.
/// Keys name an endpoint of *one* adapter (its base URL and token are fixed), so two adapters
/// never share one `Endpoints`.
// Unused when no HTTP adapter's feature is on (the default features have none).
#[allow(dead_code)]
#[derive(Default)]
pub(crate) struct Endpoints {
    urls: Mutex<Vec<(Box<str>, Url)>>,
}

#[allow(dead_code)]
impl Endpoints {
    /// The URL for `key`, built by `build` the first time; a failure is returned and not kept.
    pub(crate) fn get(&self, key: &str, build: impl FnOnce() -> Result<Url>) -> Result<Url> {
        let mut urls = self.urls.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, url)) = urls.iter().find(|(k, _)| &**k == key) {
            return Ok(url.clone());
        }
        let url = build()?;
        if urls.len() < MAX_KEPT {
            urls.push((key.into(), url.clone()));
        }
        Ok(url)
    }
}

impl fmt::Debug for Endpoints {
    /// Only how many are kept: a URL can carry a token (Telegram's `bot<token>` path).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.urls.lock().map_or(0, |u| u.len());
        write!(f, "Endpoints({n} kept)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_once_and_keeps_no_failure() {
        let e = Endpoints::default();
        let mut built = 0;
        for _ in 0..3 {
            let u = e
                .get("pins", || {
                    built += 1;
                    Ok(Url::parse("https://api.example/v5/pins").unwrap())
                })
                .unwrap();
            assert_eq!(u.as_str(), "https://api.example/v5/pins");
        }
        assert_eq!(built, 1);
        let failed = e.get("bad", || Err(crate::Error::config("no")));
        assert!(failed.is_err());
        let again = e.get("bad", || Ok(Url::parse("https://api.example/ok").unwrap()));
        assert_eq!(again.unwrap().as_str(), "https://api.example/ok");
    }

    #[test]
    fn keeps_at_most_max_and_debug_shows_no_url() {
        let e = Endpoints::default();
        for i in 0..(MAX_KEPT + 5) {
            let key = format!("k{i}");
            let u = e
                .get(&key, || {
                    Ok(Url::parse(&format!("https://h.example/bot1:SECRET/{i}")).unwrap())
                })
                .unwrap();
            assert!(u.path().ends_with(&format!("/{i}")));
        }
        let shown = format!("{e:?}");
        assert_eq!(shown, format!("Endpoints({MAX_KEPT} kept)"));
        assert!(!shown.contains("SECRET"));
    }
}
