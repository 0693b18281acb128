//! [`Token`]: an access token with what is needed to keep it fresh.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::secret::Secret;

/// An access token, its refresh token and when it expires.
///
/// Serde writes the secrets in clear (see [`Secret`]): store serialized tokens as secrets.
///
/// ```
/// use chrono::{Duration, Utc};
/// use socialkit::auth::Token;
/// let now = Utc::now();
/// let t = Token::new("access").with_refresh_token("refresh").expires_in(now, 3600);
/// assert!(!t.needs_refresh(now, std::time::Duration::from_secs(60)));
/// assert!(t.needs_refresh(now + Duration::seconds(3590), std::time::Duration::from_secs(60)));
/// assert!(!format!("{t:?}").contains("access\""));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// The access token sent with every call.
    pub access_token: Secret,
    /// The refresh token, when the platform issued one.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// When the access token expires; `None` when the platform did not say (or it never does).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// The granted scopes as the platform wrote them.
    #[serde(default)]
    pub scope: Option<String>,
    /// The token type (`"bearer"`).
    #[serde(default)]
    pub token_type: Option<String>,
}

impl Token {
    /// A token without refresh token, expiry, scope or type.
    ///
    /// ```
    /// let t = socialkit::auth::Token::new("access");
    /// assert!(t.refresh_token.is_none() && t.expires_at.is_none());
    /// ```
    pub fn new(access_token: impl Into<Secret>) -> Self {
        Token {
            access_token: access_token.into(),
            refresh_token: None,
            expires_at: None,
            scope: None,
            token_type: None,
        }
    }

    /// Sets the refresh token.
    ///
    /// ```
    /// let t = socialkit::auth::Token::new("a").with_refresh_token("r");
    /// assert_eq!(t.refresh_token.unwrap().expose(), "r");
    /// ```
    pub fn with_refresh_token(mut self, refresh_token: impl Into<Secret>) -> Self {
        self.refresh_token = Some(refresh_token.into());
        self
    }

    /// Sets the expiry instant.
    ///
    /// ```
    /// let at = chrono::Utc::now();
    /// assert_eq!(socialkit::auth::Token::new("a").with_expires_at(at).expires_at, Some(at));
    /// ```
    pub fn with_expires_at(mut self, expires_at: DateTime<Utc>) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Sets the expiry to `seconds` after `now` (an `expires_in` answer).
    ///
    /// ```
    /// let now = chrono::Utc::now();
    /// let t = socialkit::auth::Token::new("a").expires_in(now, 60);
    /// assert_eq!(t.expires_at, Some(now + chrono::Duration::seconds(60)));
    /// ```
    pub fn expires_in(mut self, now: DateTime<Utc>, seconds: u64) -> Self {
        self.expires_at = i64::try_from(seconds)
            .ok()
            .and_then(chrono::Duration::try_seconds)
            .and_then(|d| now.checked_add_signed(d));
        self
    }

    /// Sets the granted scope.
    ///
    /// ```
    /// let t = socialkit::auth::Token::new("a").with_scope("read write");
    /// assert_eq!(t.scope.as_deref(), Some("read write"));
    /// ```
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Whether the token expires within `skew` of `now` (or already has). A token without
    /// expiry never needs a refresh.
    ///
    /// ```
    /// let now = chrono::Utc::now();
    /// let t = socialkit::auth::Token::new("a").expires_in(now, 30);
    /// assert!(t.needs_refresh(now, std::time::Duration::from_secs(60)));
    /// ```
    pub fn needs_refresh(&self, now: DateTime<Utc>, skew: Duration) -> bool {
        let skew = chrono::Duration::from_std(skew).unwrap_or(chrono::Duration::MAX);
        self.expires_at
            .is_some_and(|at| now.checked_add_signed(skew).is_none_or(|t| t >= at))
    }

    /// Whether the token has expired at `now`.
    ///
    /// ```
    /// let now = chrono::Utc::now();
    /// let t = socialkit::auth::Token::new("a").with_expires_at(now);
    /// assert!(t.is_expired(now));
    /// assert!(!socialkit::auth::Token::new("a").is_expired(now));
    /// ```
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// Reads an OAuth 2.0 token response (RFC 6749 §5.1), leniently: `expires_in` may be a
    /// number or a numeric string, `scope` a string or an array. `None` without a non-empty
    /// `access_token`.
    ///
    /// ```
    /// let now = chrono::Utc::now();
    /// let json = serde_json::json!({"access_token":"a","token_type":"bearer","expires_in":"3600","scope":["read","write"]});
    /// let t = socialkit::auth::Token::from_oauth_json(&json, now).unwrap();
    /// assert_eq!(t.expires_at, Some(now + chrono::Duration::seconds(3600)));
    /// assert_eq!(t.scope.as_deref(), Some("read write"));
    /// assert!(socialkit::auth::Token::from_oauth_json(&serde_json::json!({"error":"x"}), now).is_none());
    /// ```
    pub fn from_oauth_json(json: &serde_json::Value, now: DateTime<Utc>) -> Option<Token> {
        let text = |key: &str| -> Option<String> {
            json.get(key)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut token = Token::new(text("access_token")?);
        token.refresh_token = text("refresh_token").map(Secret::new);
        token.token_type = text("token_type");
        token.scope = match json.get("scope") {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(serde_json::Value::Array(items)) => {
                let parts: Vec<&str> = items.iter().filter_map(|v| v.as_str()).collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            }
            _ => None,
        };
        let expires_in = match json.get("expires_in") {
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        if let Some(secs) = expires_in.filter(|s| s.is_finite() && *s > 0.0 && *s < 1.0e10) {
            token = token.expires_in(now, secs as u64);
        }
        Some(token)
    }
}

/// The claims of a JWT's payload (its middle part, base64url), read without checking the
/// signature: socialkit only uses them to learn when a token expires (`exp`) and whose it is
/// (`sub`), never to trust it. Tokens that are not JWTs give `None`.
pub(crate) fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.is_object().then_some(v)
}

/// A JWT's `exp` claim (seconds since the epoch), unchecked (see [`jwt_claims`]).
pub(crate) fn jwt_exp(token: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone as _;
    let exp = jwt_claims(token)?.get("exp")?.as_i64()?;
    Utc.timestamp_opt(exp, 0).single()
}

/// A JWT's `sub` claim (whose token it is), unchecked (see [`jwt_claims`]).
pub(crate) fn jwt_sub(token: &str) -> Option<String> {
    Some(jwt_claims(token)?.get("sub")?.as_str()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parsing() {
        let now = Utc::now();
        for (json, expiry) in [
            (
                serde_json::json!({"access_token":"a","expires_in":60}),
                Some(60),
            ),
            (
                serde_json::json!({"access_token":"a","expires_in":60.7}),
                Some(60),
            ),
            (
                serde_json::json!({"access_token":"a","expires_in":"bad"}),
                None,
            ),
            (
                serde_json::json!({"access_token":"a","expires_in":-5}),
                None,
            ),
            (serde_json::json!({"access_token":"a","expires_in":0}), None),
            (
                serde_json::json!({"access_token":"a","expires_in":1e300}),
                None,
            ),
            (serde_json::json!({"access_token":"a"}), None),
        ] {
            let t = Token::from_oauth_json(&json, now).unwrap();
            assert_eq!(
                t.expires_at,
                expiry.map(|s| now + chrono::Duration::seconds(s)),
                "{json}"
            );
        }
        for bad in [
            serde_json::json!({"access_token":""}),
            serde_json::json!({"access_token":5}),
            serde_json::json!([]),
            serde_json::json!(null),
        ] {
            assert!(Token::from_oauth_json(&bad, now).is_none());
        }
    }

    #[test]
    fn needs_refresh_with_skew_and_without_expiry() {
        let now = Utc::now();
        let t = Token::new("a").with_expires_at(now + chrono::Duration::seconds(30));
        assert!(t.needs_refresh(now, Duration::from_secs(60)));
        assert!(!t.needs_refresh(now, Duration::from_secs(10)));
        assert!(t.needs_refresh(now, Duration::MAX));
        assert!(!Token::new("a").needs_refresh(now, Duration::MAX));
    }

    #[test]
    fn serde_round_trip() {
        let t = Token::new("a")
            .with_refresh_token("r")
            .expires_in(Utc::now(), 10)
            .with_scope("read");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Token>(&json).unwrap(), t);
        let minimal: Token = serde_json::from_str(r#"{"access_token":"x"}"#).unwrap();
        assert_eq!(minimal, Token::new("x"));
    }
}
