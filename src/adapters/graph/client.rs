//! [`Graph`]: one Graph API account as the three adapters talk to it — versioned URLs, the
//! access token (query or header, always redacted), the error mapper, list paging with cursors,
//! and the usage-header rate-limit state.

use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::api::List;
use super::config::TokenPlacement;
use crate::auth::meta::GraphErrorMapper;
use crate::auth::{Secret, TokenManager};
use crate::http::{Call, Client, Method, Multipart, Part, RateLimit, RateLimitStyle, Response};
use crate::{Error, ErrorKind, Result};

/// The rate-limit state a [`Graph`] keeps from Meta's usage headers.
#[derive(Debug, Default)]
struct Usage {
    /// The last usage seen (`X-App-Usage`, `X-Business-Use-Case-Usage`, `X-Page-Usage`).
    last: Option<RateLimit>,
    /// No call goes out before this instant (Meta's `estimated_time_to_regain_access`).
    blocked_until: Option<DateTime<Utc>>,
}

/// One Graph API account: where it lives, how it authenticates, what it has used.
///
/// Cheap to clone (the state is shared).
#[derive(Clone)]
pub(crate) struct Graph {
    platform: &'static str,
    channel: String,
    http: Client,
    base: Url,
    tokens: TokenManager,
    placement: TokenPlacement,
    usage: Arc<Mutex<Usage>>,
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph")
            .field("platform", &self.platform)
            .field("channel", &self.channel)
            .field("base", &self.base.as_str())
            .field("token_in", &self.placement)
            .finish()
    }
}

/// A parameter list.
pub(crate) type Params = Vec<(String, String)>;

impl Graph {
    /// An account of `platform` with id `channel`, at the versioned `base`.
    pub(crate) fn new(
        platform: &'static str,
        channel: impl Into<String>,
        http: Client,
        base: Url,
        tokens: TokenManager,
        placement: TokenPlacement,
    ) -> Self {
        Graph {
            platform,
            channel: channel.into(),
            http,
            base,
            tokens,
            placement,
            usage: Arc::default(),
        }
    }

    pub(crate) fn platform(&self) -> &'static str {
        self.platform
    }

    pub(crate) fn channel(&self) -> &str {
        &self.channel
    }

    pub(crate) fn http(&self) -> &Client {
        &self.http
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.http.now()
    }

    pub(crate) fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    /// The usage Meta reported last, if any.
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        self.lock().last.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Usage> {
        self.usage.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `base` + path segments (each segment is percent-encoded by the URL builder).
    pub(crate) fn url(&self, path: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        url
    }

    /// A GET of `path` with `query`, parsed as `T`.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        op: &'static str,
        path: &[&str],
        query: &[(&str, &str)],
    ) -> Result<T> {
        let url = self.url(path);
        let response = self
            .send(op, |token| {
                let call = Call::get(self.platform, op, url.clone()).query(query.iter().copied());
                self.authorize(call, token, None)
            })
            .await?;
        self.parse(op, &response)
    }

    /// Like [`Graph::get`], for numbers the token or the object may not have (insights):
    /// an error of one of the `unknown` kinds (a missing permission, a Page too small, a
    /// post too new) is `None` — unknown, not zero. Every other error is returned.
    pub(crate) async fn get_unknown_as_none<T: DeserializeOwned>(
        &self,
        op: &'static str,
        path: &[&str],
        query: &[(&str, &str)],
        unknown: &[ErrorKind],
    ) -> Result<Option<T>> {
        match self.get(op, path, query).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if unknown.contains(&e.kind()) => {
                tracing::debug!(
                    platform = self.platform,
                    operation = op,
                    kind = e.kind().as_str(),
                    "numbers unavailable: unknown, not zero"
                );
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// A POST of `path` with form parameters, parsed as `T`. Never resent blindly.
    pub(crate) async fn post<T: DeserializeOwned, K: AsRef<str> + Sync>(
        &self,
        op: &'static str,
        path: &[&str],
        form: &[(K, String)],
    ) -> Result<T> {
        let url = self.url(path);
        let response = self
            .send(op, |token| {
                let mut pairs: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_ref(), v.as_str())).collect();
                if self.placement == TokenPlacement::Query {
                    pairs.push(("access_token", token.expose()));
                }
                let call = Call::new(self.platform, op, Method::POST, url.clone()).form(pairs);
                self.authorize(call, token, Some(()))
            })
            .await?;
        self.parse(op, &response)
    }

    /// A multipart POST (a file upload) with text fields.
    pub(crate) async fn post_multipart<T: DeserializeOwned>(
        &self,
        op: &'static str,
        path: &[&str],
        fields: &[(&str, String)],
        file: Part,
    ) -> Result<T> {
        let url = self.url(path);
        let response = self
            .send(op, |token| {
                let mut form = Multipart::new();
                for (k, v) in fields {
                    form = form.text(*k, v.clone());
                }
                if self.placement == TokenPlacement::Query {
                    form = form.text("access_token", token.expose());
                }
                let call = Call::new(self.platform, op, Method::POST, url.clone())
                    .multipart(form.part(file.clone()))
                    .redact(token);
                self.authorize(call, token, Some(()))
            })
            .await?;
        self.parse(op, &response)
    }

    /// A DELETE of `path`; Meta answers `{"success": true}` (or a bare `true`).
    pub(crate) async fn delete(&self, op: &'static str, path: &[&str]) -> Result<()> {
        let url = self.url(path);
        let response = self
            .send(op, |token| {
                let call = Call::new(self.platform, op, Method::DELETE, url.clone());
                self.authorize(call, token, None)
            })
            .await?;
        let value: Value = self.parse(op, &response)?;
        let ok = value.as_bool().unwrap_or(false)
            || value
                .get("success")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        if ok {
            Ok(())
        } else {
            Err(self.context(
                response.error(
                    ErrorKind::Unexpected,
                    format!("{} did not confirm the deletion", self.platform),
                ),
                op,
            ))
        }
    }

    /// Reads a list, following `after` cursors, until `max` items or the last page.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        op: &'static str,
        path: &[&str],
        query: &[(&str, &str)],
        max: usize,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        // A bound on pages, should a server hand out cursors forever.
        for _ in 0..100 {
            let mut q: Vec<(&str, &str)> = query.to_vec();
            if let Some(a) = &after {
                q.push(("after", a.as_str()));
            }
            let page: List<T> = self.get(op, path, &q).await?;
            let next = page.after().map(str::to_string);
            out.extend(page.data);
            if out.len() >= max || next.is_none() || next == after {
                break;
            }
            after = next;
        }
        out.truncate(max);
        Ok(out)
    }

    fn authorize(&self, call: Call, token: &Secret, write: Option<()>) -> Call {
        let call = call.rate_limit_style(RateLimitStyle::Meta).redact(token);
        match (self.placement, write) {
            (TokenPlacement::Header, _) => call.bearer(token),
            // Writes carry the token in their form body (see `post`).
            (TokenPlacement::Query, Some(())) => call,
            (TokenPlacement::Query, None) => call.query([("access_token", token.expose())]),
        }
    }

    fn parse<T: DeserializeOwned>(&self, op: &'static str, response: &Response) -> Result<T> {
        response.json().map_err(|e| self.context(e, op))
    }

    fn context(&self, e: Error, op: &'static str) -> Error {
        e.or_context(self.platform, Some(&self.channel), op)
    }

    /// Sends a call built with the current token (refreshed once when Meta rejects it and the
    /// token can be refreshed), honouring and recording Meta's usage state.
    async fn send<F>(&self, op: &'static str, build: F) -> Result<Response>
    where
        F: Fn(&Secret) -> Call + Send + Sync,
    {
        let now = self.now();
        let blocked = self.lock().blocked_until.filter(|t| *t > now);
        if let Some(until) = blocked {
            return Err(self.context(
                Error::new(
                    ErrorKind::RateLimited,
                    format!(
                        "{} asked to wait before the next call (usage limit reached); nothing was sent",
                        self.platform
                    ),
                )
                .with_retry_after(until),
                op,
            ));
        }
        let result = self
            .tokens
            .send(&self.http, &GraphErrorMapper, build)
            .await
            .map_err(|e| self.context(e, op));
        let mut usage = self.lock();
        match &result {
            Ok(response) => {
                if let Some(rl) = response.rate_limit() {
                    if rl.is_exhausted() {
                        usage.blocked_until = rl.wait_until().filter(|t| *t > now);
                    }
                    usage.last = Some(rl.clone());
                }
            }
            Err(e) if e.kind() == ErrorKind::RateLimited => {
                usage.blocked_until = e.retry_after().filter(|t| *t > now);
            }
            Err(_) => {}
        }
        result
    }
}
