//! Redaction: what of a URL or a response body may appear in an error, a log line or a span.
//!
//! Tokens travel in many places on social platforms: `Authorization` headers, query parameters
//! (`access_token` on the Graph API), URL paths (Telegram's `/bot<id>:<token>/`, Discord's
//! `/webhooks/<id>/<token>`) and, now and then, echoed back in error bodies. Everything the HTTP
//! layer writes into an [`Error`](crate::Error) or a `tracing` event goes through this module:
//!
//! - [`redact_url`] removes userinfo and masks secret query values and secret path segments,
//! - [`url_for_log`] is the shorter form for spans: host and redacted path, no query at all,
//! - [`redact_text`] masks bearer-like tokens in free text,
//! - [`snippet`] turns a response body into at most [`SNIPPET_CHARS`] redacted characters.
//!
//! ```
//! use socialkit::http::redact::{redact_url, url_for_log};
//! let url = url::Url::parse("https://api.telegram.org/bot123:AAH-secret/sendMessage?chat_id=1").unwrap();
//! assert_eq!(redact_url(&url), "https://api.telegram.org/bot123:***/sendMessage?chat_id=1");
//! assert_eq!(url_for_log(&url), "api.telegram.org/bot123:***/sendMessage");
//! ```

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

/// The mask that replaces a secret.
///
/// ```
/// assert_eq!(socialkit::http::redact::MASK, "***");
/// ```
pub const MASK: &str = "***";

/// How many characters of a response body [`snippet`] keeps.
///
/// ```
/// assert_eq!(socialkit::http::redact::SNIPPET_CHARS, 300);
/// ```
pub const SNIPPET_CHARS: usize = 300;

/// Query parameter names (compared case-insensitively) whose values are secrets.
///
/// ```
/// assert!(socialkit::http::redact::SECRET_PARAMS.contains(&"access_token"));
/// ```
pub const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "token",
    "key",
    "api_key",
    "apikey",
    "client_secret",
    "password",
    "refresh_token",
    "code",
    "code_verifier",
    "fb_exchange_token",
    "input_token",
    "accessJwt",
    "refreshJwt",
    "id_token",
    "appsecret_proof",
    "client_assertion",
    "secret",
    "signature",
    "sig",
];

/// Whether a query or form parameter name names a secret.
///
/// ```
/// use socialkit::http::redact::is_secret_param;
/// assert!(is_secret_param("Access_Token"));
/// assert!(!is_secret_param("chat_id"));
/// ```
pub fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(name))
}

/// The URL without userinfo, with the values of secret query parameters and secret path
/// segments replaced by `***`.
///
/// Secret path segments are Telegram's `bot<id>:<token>` (the bot id is kept), the token after
/// Discord's `webhooks/<id>/` and `interactions/<id>/`, and anything shaped like a JWT.
///
/// ```
/// use socialkit::http::redact::redact_url;
/// let url = url::Url::parse(
///     "https://user:pw@graph.facebook.com/v21.0/me?fields=id&access_token=EAAB123",
/// ).unwrap();
/// assert_eq!(redact_url(&url), "https://graph.facebook.com/v21.0/me?fields=id&access_token=***");
///
/// let hook = url::Url::parse("https://discord.com/api/v10/webhooks/42/abcDEF?wait=true").unwrap();
/// assert_eq!(redact_url(&hook), "https://discord.com/api/v10/webhooks/42/***?wait=true");
/// ```
pub fn redact_url(url: &Url) -> String {
    let mut out = origin_of(url);
    out.push_str(&redact_path(url));
    if let Some(query) = url.query() {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if is_secret_param(&decode_name(name)) => format!("{name}={MASK}"),
                Some((name, value)) => format!("{name}={}", redact_text(value)),
                None => pair.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

/// The short form of a URL for spans and log lines: host (and port) plus the redacted path,
/// without scheme, userinfo, query or fragment.
///
/// ```
/// use socialkit::http::redact::url_for_log;
/// let url = url::Url::parse("https://bsky.social/xrpc/com.atproto.repo.createRecord?x=1").unwrap();
/// assert_eq!(url_for_log(&url), "bsky.social/xrpc/com.atproto.repo.createRecord");
/// ```
pub fn url_for_log(url: &Url) -> String {
    LogUrl(url).to_string()
}

/// [`url_for_log`] as a `Display` that does the work only when it is formatted: a `tracing`
/// span field is recorded only when something listens, while building the string up front cost
/// every call a regex pass over the path (the largest item of the publish path's profile).
pub(crate) struct LogUrl<'a>(pub(crate) &'a Url);

impl std::fmt::Display for LogUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.0;
        if let Some(host) = url.host_str() {
            f.write_str(host)?;
        }
        if let Some(port) = url.port() {
            write!(f, ":{port}")?;
        }
        f.write_str(&redact_path(url))
    }
}

fn origin_of(url: &Url) -> String {
    let mut out = format!("{}:", url.scheme());
    if let Some(host) = url.host_str() {
        out.push_str("//");
        out.push_str(host);
        if let Some(port) = url.port() {
            out.push(':');
            out.push_str(&port.to_string());
        }
    }
    out
}

fn decode_name(name: &str) -> String {
    url::form_urlencoded::parse(name.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_else(|| name.to_string())
}

fn redact_path(url: &Url) -> String {
    let Some(segments) = url.path_segments() else {
        // A cannot-be-a-base URL (`mailto:`, `data:`): its path is opaque, mask what looks secret.
        return redact_text(url.path());
    };
    let segments: Vec<&str> = segments.collect();
    let mut out = String::new();
    for (i, segment) in segments.iter().enumerate() {
        out.push('/');
        let previous = i.checked_sub(1).and_then(|j| segments.get(j)).copied();
        let before_previous = i.checked_sub(2).and_then(|j| segments.get(j)).copied();
        out.push_str(&redact_segment(segment, previous, before_previous));
    }
    out
}

fn redact_segment(segment: &str, previous: Option<&str>, before_previous: Option<&str>) -> String {
    // Telegram: /bot<id>:<token>/method and /file/bot<id>:<token>/path.
    if let Some(rest) = segment.strip_prefix("bot") {
        if let Some((id, _token)) = rest.split_once(':') {
            return format!("bot{id}:{MASK}");
        }
        if let Some((id, _token)) = rest.split_once("%3A").or_else(|| rest.split_once("%3a")) {
            return format!("bot{id}:{MASK}");
        }
    }
    // Discord: /webhooks/<id>/<token> and /interactions/<id>/<token>/callback.
    if previous.is_some()
        && matches!(before_previous, Some("webhooks") | Some("interactions"))
        && !segment.is_empty()
    {
        return MASK.to_string();
    }
    redact_text(segment)
}

static SECRET_KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    // "access_token":"…", access_token=…, 'refresh_token': '…' (keys from SECRET_PARAMS).
    let keys = SECRET_PARAMS.join("|");
    Regex::new(&format!(
        r#"(?i)(["']?\b({keys})\b["']?\s*[:=]\s*["']?)([^"'&\s,;}}]+)"#
    ))
    .expect("static regex is valid")
});

static AUTH_SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(bearer|bot|basic|token|dpop)(\s+)([A-Za-z0-9\-._~+/:]+=*)")
        .expect("static regex is valid")
});

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
        .expect("static regex is valid")
});

static TELEGRAM_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{5,}):[A-Za-z0-9_-]{30,}").expect("static regex is valid"));

static LONG_OPAQUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9\-_+/=.~]{40,}").expect("static regex is valid"));

/// Masks bearer-like tokens in free text: values of secret keys (`"access_token":"…"`,
/// `refresh_token=…`), `Bearer`/`Bot`/`Basic` credentials, JWTs, Telegram bot tokens and
/// long opaque strings that mix letters and digits (40 characters or more).
///
/// ```
/// use socialkit::http::redact::redact_text;
/// assert_eq!(
///     redact_text(r#"{"error":"bad","access_token":"abc123"}"#),
///     r#"{"error":"bad","access_token":"***"}"#
/// );
/// assert_eq!(redact_text("Authorization: Bearer abc.def"), "Authorization: Bearer ***");
/// assert_eq!(redact_text("the post was not found"), "the post was not found");
/// ```
pub fn redact_text(text: &str) -> String {
    let text = SECRET_KEY_VALUE.replace_all(text, |c: &regex::Captures<'_>| {
        let (key, value) = (&c[2], &c[3]);
        // `"code": 190` is an error code, not an OAuth authorization code: keep short or
        // numeric codes so error snippets stay useful.
        if key.eq_ignore_ascii_case("code")
            && (value.len() < 8 || value.bytes().all(|b| b.is_ascii_digit()))
        {
            return c[0].to_string();
        }
        format!("{}{MASK}", &c[1])
    });
    let text = AUTH_SCHEME.replace_all(&text, |c: &regex::Captures<'_>| {
        let (scheme, space, value) = (&c[1], &c[2], &c[3]);
        // `Bearer`/`Basic`/`DPoP` always introduce a credential; `bot` and `token` are also
        // ordinary words ("the bot is not admin", "token has expired"), so mask only what
        // looks like a credential after them.
        let weak = scheme.eq_ignore_ascii_case("bot") || scheme.eq_ignore_ascii_case("token");
        let credential_like = value.len() >= 8 && value.bytes().any(|b| b.is_ascii_digit());
        if weak && !credential_like {
            return c[0].to_string();
        }
        format!("{scheme}{space}{MASK}")
    });
    let text = JWT.replace_all(&text, MASK);
    let text =
        TELEGRAM_TOKEN.replace_all(&text, |c: &regex::Captures<'_>| format!("{}:{MASK}", &c[1]));
    let text = LONG_OPAQUE.replace_all(&text, |c: &regex::Captures<'_>| {
        let s = &c[0];
        let letters = s.bytes().any(|b| b.is_ascii_alphabetic());
        let digits = s.bytes().any(|b| b.is_ascii_digit());
        if letters && digits {
            MASK.to_string()
        } else {
            s.to_string()
        }
    });
    text.into_owned()
}

/// A response body as it may appear in an error: decoded lossily as UTF-8, redacted with
/// [`redact_text`], whitespace runs collapsed, and cut to [`SNIPPET_CHARS`] characters (with `…`).
///
/// ```
/// use socialkit::http::redact::snippet;
/// let body = format!("<html>{}</html>", "x".repeat(1000));
/// let s = snippet(body.as_bytes());
/// assert!(s.chars().count() <= 301);
/// assert!(s.ends_with('…'));
/// assert_eq!(snippet(b"{\"token\":\"s3cr3t\"}"), "{\"token\":\"***\"}");
/// ```
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let redacted = redact_text(&collapsed);
    truncate_chars(&redacted, SNIPPET_CHARS)
}

/// Cuts `text` to at most `max` characters, appending `…` when something was cut.
///
/// ```
/// assert_eq!(socialkit::http::redact::truncate_chars("héllo", 2), "hé…");
/// assert_eq!(socialkit::http::redact::truncate_chars("hi", 2), "hi");
/// ```
pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Replaces every occurrence of the call's secrets (raw and form-encoded) in an error body with
/// `***`, so a platform that echoes a token back cannot leak it into an error.
pub(crate) fn scrub(body: &[u8], secrets: &[crate::secret::Secret]) -> Vec<u8> {
    let mut data = body.to_vec();
    for secret in secrets {
        let raw = secret.expose();
        let encoded: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
        for needle in [raw.as_bytes(), encoded.as_bytes()] {
            data = replace_all(&data, needle, MASK.as_bytes());
        }
    }
    data
}

pub(crate) fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn userinfo_is_removed() {
        let u = url("https://alice:hunter2@example.com/path");
        let r = redact_url(&u);
        assert_eq!(r, "https://example.com/path");
        assert!(!r.contains("hunter2"));
    }

    #[test]
    fn every_secret_query_param_is_masked() {
        for p in SECRET_PARAMS {
            let u = url(&format!("https://example.com/a?{p}=SECRETVALUE&keep=1"));
            let r = redact_url(&u);
            assert!(!r.contains("SECRETVALUE"), "{p}: {r}");
            assert!(r.contains("keep=1"), "{r}");
        }
    }

    #[test]
    fn secret_params_are_case_insensitive_and_encoded_names_too() {
        let u = url("https://example.com/a?ACCESS_TOKEN=abc&client%5Fsecret=def");
        let r = redact_url(&u);
        assert!(!r.contains("abc") && !r.contains("def"), "{r}");
    }

    #[test]
    fn meta_exchange_urls_are_masked() {
        let u = url(
            "https://graph.facebook.com/oauth/access_token?grant_type=fb_exchange_token&client_id=1&client_secret=cs&fb_exchange_token=short",
        );
        let r = redact_url(&u);
        assert_eq!(
            r,
            "https://graph.facebook.com/oauth/access_token?grant_type=fb_exchange_token&client_id=1&client_secret=***&fb_exchange_token=***"
        );
    }

    #[test]
    fn telegram_token_in_path_is_masked() {
        let u = url("https://api.telegram.org/file/bot123456:AAE_x-yz/photos/file_1.jpg");
        assert_eq!(
            redact_url(&u),
            "https://api.telegram.org/file/bot123456:***/photos/file_1.jpg"
        );
        let enc = url("https://api.telegram.org/bot1%3Asecret/getMe");
        assert!(!redact_url(&enc).contains("secret"));
    }

    #[test]
    fn discord_webhook_and_interaction_tokens_are_masked() {
        let u = url("https://discord.com/api/v10/webhooks/111/tok-en_1/messages/222");
        assert_eq!(
            redact_url(&u),
            "https://discord.com/api/v10/webhooks/111/***/messages/222"
        );
        let i = url("https://discord.com/api/v10/interactions/9/itok/callback");
        assert_eq!(
            url_for_log(&i),
            "discord.com/api/v10/interactions/9/***/callback"
        );
        // The id alone (no token segment) stays.
        let only_id = url("https://discord.com/api/v10/webhooks/111");
        assert_eq!(url_for_log(&only_id), "discord.com/api/v10/webhooks/111");
    }

    #[test]
    fn jwt_in_path_is_masked() {
        let u = url("https://example.com/x/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl/y");
        assert_eq!(url_for_log(&u), "example.com/x/***/y");
    }

    #[test]
    fn log_form_has_port_but_no_query() {
        let u = url("http://127.0.0.1:8080/oauth/token?code=abc");
        assert_eq!(url_for_log(&u), "127.0.0.1:8080/oauth/token");
    }

    #[test]
    fn text_redaction_covers_common_shapes() {
        let cases = [
            ("access_token=abc123&x=1", "access_token=***&x=1"),
            (r#"'refresh_token': 'r1'"#, r#"'refresh_token': '***'"#),
            ("Bot MTIzNDU2Nzg5.Gx1abc.xyz", "Bot ***"),
            ("basic dXNlcjpwYXNz", "basic ***"),
            (
                "token 1234:abcdefghijklmnopqrstuvwxyz0123456789",
                "token ***",
            ),
            (
                "bad bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw now",
                "bad bot ***",
            ),
        ];
        for (input, want) in cases {
            let got = redact_text(input);
            assert!(got.starts_with(want), "{input} -> {got}");
            assert!(
                !got.contains("abcdefghij") && !got.contains("AAHdq"),
                "{got}"
            );
        }
        // Ordinary words after `bot` / `token` stay.
        for text in [
            "the bot is not an admin",
            "Token has expired",
            "the token was revoked",
        ] {
            assert_eq!(redact_text(text), text);
        }
        // Error codes stay, authorization codes go.
        assert_eq!(redact_text(r#"{"code":190}"#), r#"{"code":190}"#);
        assert_eq!(redact_text("code=Zx81kQp0aLm"), "code=***");
        let tg = redact_text("id 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
        assert_eq!(tg, "id 123456789:***");
        let jwt = redact_text("got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x end");
        assert_eq!(jwt, "got *** end");
        let long = redact_text("opaque EAABsbCS1iHgBAKZAZBZCxyz0123456789abcdefghijklmnop end");
        assert_eq!(long, "opaque *** end");
    }

    #[test]
    fn text_redaction_keeps_ordinary_text_and_ids() {
        let text =
            "Validation failed: Text is too long (id 1234567890123456789012345678901234567890)";
        assert_eq!(redact_text(text), text);
        let word = "a".repeat(50);
        assert_eq!(redact_text(&word), word);
    }

    #[test]
    fn snippet_truncates_on_char_boundaries() {
        let body = "é".repeat(400);
        let s = snippet(body.as_bytes());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        let invalid = [0xff, 0xfe, b'a'];
        assert_eq!(snippet(&invalid), "\u{fffd}\u{fffd}a");
        assert_eq!(snippet(b"  a \n\n b  "), "a b");
    }

    proptest::proptest! {
        #[test]
        fn snippet_is_bounded_and_never_panics(body in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let s = snippet(&body);
            proptest::prop_assert!(s.chars().count() <= SNIPPET_CHARS + 1);
        }

        #[test]
        fn known_token_shapes_never_survive(token in "[A-Za-z0-9_-]{20,60}", prefix in "[a-z ]{0,20}") {
            // Only tokens that look like credentials (letters and digits mixed) are promised.
            proptest::prop_assume!(token.bytes().any(|b| b.is_ascii_digit()));
            proptest::prop_assume!(token.bytes().any(|b| b.is_ascii_alphabetic()));
            for text in [
                format!("{prefix} Bearer {token} end"),
                format!(r#"{{"access_token":"{token}"}}"#),
                format!("{prefix}&refresh_token={token}&x=1"),
                format!("{prefix} 123456789:{token}{token}"),
            ] {
                let out = redact_text(&text);
                proptest::prop_assert!(!out.contains(&token), "{} -> {}", text, out);
            }
        }

        #[test]
        fn redact_url_never_panics(path in "[a-zA-Z0-9/:%._~-]{0,60}", query in "[a-zA-Z0-9=&%._~-]{0,60}") {
            if let Ok(u) = Url::parse(&format!("https://example.com/{path}?{query}")) {
                let _ = redact_url(&u);
                let _ = url_for_log(&u);
            }
        }
    }

    #[test]
    fn redaction_happens_before_truncation() {
        let body = format!("{}access_token=SECRETSECRET", "x ".repeat(140));
        let s = snippet(body.as_bytes());
        assert!(!s.contains("SECRET"), "{s}");
    }
}
