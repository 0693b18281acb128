//! Serde helpers for `Duration` fields written as (fractional) seconds in configs and records.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

/// Converts seconds to a `Duration`, refusing negative, non-finite and absurd (> ~31 years)
/// values instead of panicking like `Duration::from_secs_f64`.
pub(crate) fn duration_from_secs(secs: f64) -> Option<Duration> {
    if secs.is_finite() && (0.0..1.0e9).contains(&secs) {
        Some(Duration::from_secs_f64(secs))
    } else {
        None
    }
}

/// `Duration` as seconds (`f64`).
pub(crate) mod required {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        duration_from_secs(secs).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "a duration must be a non-negative number of seconds, got {secs}"
            ))
        })
    }
}

/// `Option<Duration>` as seconds (`f64`) or null.
pub(crate) mod optional {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        match Option::<f64>::deserialize(d)? {
            None => Ok(None),
            Some(secs) => duration_from_secs(secs).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "a duration must be a non-negative number of seconds, got {secs}"
                ))
            }),
        }
    }
}
