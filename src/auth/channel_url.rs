//! [`ChannelUrl`]: the parts of a `scheme://TOKEN@host[:port][/path]?param=…` channel URL that
//! token-based adapters share, parsed without ever repeating the URL or the token in an error.

use std::fmt;

use url::Url;

use super::secret::Secret;
use crate::{Error, Result};

/// A parsed channel URL: the access token before the `@`, the API base URL, and the query
/// parameters the adapter knows.
///
/// - The token is percent-decoded (`a%2Bb` is `a+b`).
/// - `scheme=http` talks plain HTTP (a twin on loopback); the default is https.
/// - A parameter the adapter does not list is an error that names the known ones but not the
///   unknown one (a misplaced token must not reach a log).
///
/// ```
/// use socialkit::auth::ChannelUrl;
/// let url = url::Url::parse("x://s3cr%2Bt@127.0.0.1:8080?scheme=http&user_id=42").unwrap();
/// let c = ChannelUrl::parse(&url, "x", &["user_id"]).unwrap();
/// assert_eq!(c.token.expose(), "s3cr+t");
/// assert_eq!(c.base.as_str(), "http://127.0.0.1:8080/");
/// assert_eq!(c.param("user_id"), Some("42"));
/// assert!(!format!("{c:?}").contains("s3cr"));
///
/// let bad = url::Url::parse("x://s3cret@api.x.com?token=s3cret").unwrap();
/// let err = ChannelUrl::parse(&bad, "x", &["user_id"]).unwrap_err();
/// assert_eq!(err.kind(), socialkit::ErrorKind::ConfigInvalid);
/// assert!(!err.to_string().contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelUrl {
    /// The access token.
    pub token: Secret,
    /// The API base URL (`https://api.x.com/`), always ending in `/`.
    pub base: Url,
    params: Vec<(String, String)>,
}

impl fmt::Debug for ChannelUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelUrl")
            .field("token", &self.token)
            .field("base", &self.base.as_str())
            .field("params", &self.params)
            .finish()
    }
}

impl ChannelUrl {
    /// Parses `url` for `platform` (which must be its scheme), accepting the parameters in
    /// `known` besides `scheme`.
    pub fn parse(url: &Url, platform: &str, known: &[&str]) -> Result<ChannelUrl> {
        let fail = |m: String| Error::config(m).with_platform(platform);
        if url.scheme() != platform {
            return Err(fail(format!(
                "a {platform} channel URL starts with {platform}://"
            )));
        }
        if url.username().is_empty() {
            return Err(fail(format!(
                "the {platform} channel URL has no access token: use {platform}://TOKEN@host"
            )));
        }
        if url.password().is_some() {
            return Err(fail(format!(
                "the {platform} channel URL takes only a token before the @, no password"
            )));
        }
        let token = percent_decode(url.username()).ok_or_else(|| {
            fail(format!(
                "the access token in the {platform} channel URL is not valid UTF-8"
            ))
        })?;
        let host = match url.host_str() {
            Some(h) if !h.is_empty() => h,
            _ => return Err(fail(format!("the {platform} channel URL has no host"))),
        };
        let mut scheme = "https";
        let mut params = Vec::new();
        for (k, v) in url.query_pairs() {
            if k == "scheme" {
                scheme = match v.as_ref() {
                    "http" => "http",
                    "https" => "https",
                    _ => return Err(fail("scheme must be http or https".to_string())),
                };
            } else if known.contains(&k.as_ref()) {
                params.push((k.into_owned(), v.into_owned()));
            } else {
                let mut names = vec!["scheme"];
                names.extend_from_slice(known);
                return Err(fail(format!(
                    "unknown {platform} channel URL parameter (known: {})",
                    names.join(", ")
                )));
            }
        }
        let mut base = format!("{scheme}://{host}");
        if let Some(port) = url.port() {
            base.push_str(&format!(":{port}"));
        }
        base.push_str(url.path());
        if !base.ends_with('/') {
            base.push('/');
        }
        let base = Url::parse(&base).map_err(|e| {
            fail(format!(
                "the {platform} channel URL has an invalid host: {e}"
            ))
        })?;
        Ok(ChannelUrl {
            token: Secret::new(token),
            base,
            params,
        })
    }

    /// The value of a known parameter, the last one when it is repeated.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Normalizes an API base URL given in a serde config: http(s), a host, no credentials, no
/// query, ending in `/`.
///
/// ```
/// let u = socialkit::auth::parse_base_url("x", "http://127.0.0.1:9000/api").unwrap();
/// assert_eq!(u.as_str(), "http://127.0.0.1:9000/api/");
/// assert!(socialkit::auth::parse_base_url("x", "ftp://h").is_err());
/// ```
pub fn parse_base_url(platform: &str, s: &str) -> Result<Url> {
    let fail =
        |m: &str| Error::config(format!("the {platform} base_url {m}")).with_platform(platform);
    let mut url = Url::parse(s.trim()).map_err(|_| fail("is not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(fail("must be an http or https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(fail("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(fail("must not contain credentials"));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

/// Decodes the `%XX` escapes of a URL part (user info of a channel URL); `None` when the result
/// is not UTF-8. A broken escape (`100%`, `%zz`) stays as it is; `+` is not a space here.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_keeps_broken_escapes_and_refuses_bad_utf8() {
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("a+b").as_deref(), Some("a+b"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%zz").as_deref(), Some("%zz"));
        assert_eq!(percent_decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(percent_decode("%FF"), None);
    }

    fn parse(s: &str) -> Result<ChannelUrl> {
        ChannelUrl::parse(&Url::parse(s).unwrap(), "li", &["author"])
    }

    #[test]
    fn forms_and_failures() {
        let c = parse("li://t@api.example/base?author=urn%3Ali%3Aperson%3A1").unwrap();
        assert_eq!(c.base.as_str(), "https://api.example/base/");
        assert_eq!(c.param("author"), Some("urn:li:person:1"));
        assert_eq!(parse("li://a%2@h").unwrap().token.expose(), "a%2");
        assert_eq!(parse("li://a%41@h").unwrap().token.expose(), "aA");
        for bad in [
            "li://h",
            "li://t:p@h",
            "lx://t@h",
            "li://t@h?scheme=ftp",
            "li://t@h?other=1",
            "li://%FF@h",
        ] {
            assert_eq!(
                parse(bad).unwrap_err().kind(),
                crate::ErrorKind::ConfigInvalid,
                "{bad}"
            );
        }
    }
}
