//! A local twin of the Discord API v10, for tests (feature `testkit`).
//!
//! An axum app on `127.0.0.1:0` under `/api/v10/` that behaves as
//! <https://discord.com/developers/docs> says (read at discord/discord-api-docs c98d64b; the
//! page of each route is named on its handler):
//!
//! - bot routes need `Authorization: Bot <token>` (401 `{"message": "401: Unauthorized",
//!   "code": 0}`); webhook routes check the token in the path (401, code 50027);
//! - a guild with a text channel and a forum channel (type 15); Create Message in a forum
//!   channel is 400 code 40058, Start Thread in Forum or Media Channel creates a thread
//!   (type 11) with its first message;
//! - Create Message (JSON, or multipart with `payload_json` and `files[n]`): `content` ≤ 2000
//!   characters and attachment `description` ≤ 1024 (400 code 50035 with the field in
//!   `errors`), an empty message (400 code 50006), `message_reference` to a missing message
//!   (400 code 50035, `REPLIES_UNKNOWN_MESSAGE` — the field error code is unverified), `nonce`
//!   with `enforce_nonce` returning the same author's earlier message with that nonce within
//!   `nonce_window` (the docs: "the past few minutes");
//! - Get Channel Messages with `after` / `before` / `limit` (1–100, default 50), newest first;
//!   Get / Edit / Delete Message (404 code 10008 when gone); Execute Webhook with `wait=true`
//!   (a message) or without (204), `thread_id`; Get / Edit / Delete Webhook Message;
//! - rate limits: every answer has `X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket`
//!   for a per-route, per-channel bucket of `bucket_limit` requests per `bucket_window`; past
//!   it a 429 with `Retry-After`, `X-RateLimit-Scope: user` and the documented body
//!   (`topics/rate-limits`); global limits through injected faults ([`TwinHandle::faults`]).
//!
//! ```
//! use socialkit::adapters::discord::{Discord, twin::Twin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let discord = Discord::new(twin.bot_config());
//! let published = discord.publish_text("Hello twin").await.unwrap();
//! assert_eq!(twin.handle().message(&published.post.id).unwrap().content, "Hello twin");
//! # });
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use url::Url;

use super::DiscordConfig;
use crate::Result;
use crate::testkit::twin::{Faults, RequestLog, TwinServer, instrument};

const EPOCH_MS: i64 = 1_420_070_400_000;

/// How the twin behaves.
///
/// ```
/// let o = socialkit::adapters::discord::twin::TwinOptions::default();
/// assert_eq!(o.bucket_limit, 50);
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The bot token.
    pub token: String,
    /// The webhook token.
    pub webhook_token: String,
    /// Requests per route and channel in each bucket window.
    pub bucket_limit: u64,
    /// The bucket window.
    pub bucket_window: Duration,
    /// How long an enforced nonce is remembered.
    pub nonce_window: Duration,
    /// The twin's clock: snowflake times, edit times, bucket windows and nonce memory (default:
    /// the system clock). With a [`ManualClock`](crate::clock::ManualClock) a test sets them.
    pub clock: crate::clock::SharedClock,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            token: "twin-discord-bot-token".into(),
            webhook_token: "twinWebhookToken-1".into(),
            bucket_limit: 50,
            bucket_window: Duration::from_secs(1),
            nonce_window: Duration::from_secs(300),
            clock: Arc::new(crate::clock::SystemClock),
        }
    }
}

/// A message in the twin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinMessage {
    /// Snowflake.
    pub id: String,
    /// Channel (or thread).
    pub channel_id: String,
    /// Author id.
    pub author_id: String,
    /// Content.
    pub content: String,
    /// Attachments: file name, description, bytes.
    pub attachments: Vec<(String, Option<String>, usize)>,
    /// The message it replies to.
    pub reply_to: Option<String>,
    /// Users mentioned.
    pub mentions: Vec<String>,
    /// Reactions.
    pub reactions: u64,
    /// The nonce it was sent with.
    pub nonce: Option<String>,
    /// Sent by the webhook.
    pub webhook: bool,
    /// Edited.
    pub edited: bool,
}

#[derive(Debug)]
struct St {
    options: TwinOptions,
    bot_id: String,
    webhook_id: String,
    guild_id: String,
    text_channel: String,
    forum_channel: String,
    threads: Vec<String>,
    users: BTreeMap<String, String>,
    messages: BTreeMap<u64, TwinMessage>,
    last_id: u64,
    buckets: BTreeMap<String, (u64, DateTime<Utc>)>,
}

#[derive(Debug)]
struct Shared(Mutex<St>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, St> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type S = State<Arc<Shared>>;

fn error(status: u16, code: u64, message: &str) -> Response {
    error_with(status, json!({"code": code, "message": message}))
}

fn error_with(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

fn refuse(status: u16, code: u64, message: &str) -> Box<Response> {
    Box::new(error(status, code, message))
}

fn refuse_field(field: &str, code: &str, message: &str) -> Box<Response> {
    Box::new(invalid_field(field, code, message))
}

fn invalid_field(field: &str, code: &str, message: &str) -> Response {
    let mut errors = json!({});
    errors[field] = json!({"_errors": [{"code": code, "message": message}]});
    error_with(
        400,
        json!({"code": 50035, "message": "Invalid Form Body", "errors": errors}),
    )
}

/// JSON or `payload_json` + files (`files[n]` → bytes).
async fn body(req: Request) -> std::result::Result<(Value, BTreeMap<usize, usize>), Response> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut files = BTreeMap::new();
    if ct.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(req, &())
            .await
            .map_err(|_| error(400, 50035, "Invalid Form Body"))?;
        let mut payload = json!({});
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().unwrap_or("").to_string();
            let data = field
                .bytes()
                .await
                .map_err(|_| error(400, 50035, "Invalid Form Body"))?;
            if name == "payload_json" {
                payload = serde_json::from_slice(&data)
                    .map_err(|_| error(400, 50109, "The request body contains invalid JSON."))?;
            } else if let Some(n) = name
                .strip_prefix("files[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|n| n.parse().ok())
            {
                files.insert(n, data.len());
            }
        }
        return Ok((payload, files));
    }
    let bytes = Bytes::from_request(req, &())
        .await
        .map_err(|_| error(400, 50035, "Invalid Form Body"))?;
    if bytes.is_empty() {
        return Ok((json!({}), files));
    }
    serde_json::from_slice(&bytes)
        .map(|v| (v, files))
        .map_err(|_| error(400, 50109, "The request body contains invalid JSON."))
}

impl St {
    /// The current instant by the twin's clock.
    fn now(&self) -> DateTime<Utc> {
        self.options.clock.now()
    }

    fn next_id(&mut self) -> u64 {
        let now = ((self.now().timestamp_millis() - EPOCH_MS).max(0) as u64) << 22;
        self.last_id = now.max(self.last_id + 1);
        self.last_id
    }

    fn user(&self, id: &str) -> Value {
        let name = self
            .users
            .get(id)
            .cloned()
            .unwrap_or_else(|| "unknown".into());
        json!({"id": id, "username": name, "global_name": name, "bot": id == self.bot_id})
    }

    fn message_json(&self, m: &TwinMessage, nested: bool) -> Value {
        let id: u64 = m.id.parse().unwrap_or(0);
        let ts =
            DateTime::from_timestamp_millis(((id >> 22) as i64) + EPOCH_MS).unwrap_or_default();
        let author = if m.webhook {
            json!({"id": self.webhook_id, "username": "ACME Hook", "bot": true})
        } else {
            self.user(&m.author_id)
        };
        let mut v = json!({
            "id": m.id, "channel_id": m.channel_id, "guild_id": self.guild_id, "author": author,
            "content": m.content, "timestamp": ts.to_rfc3339(), "edited_timestamp": if m.edited { json!(self.now().to_rfc3339()) } else { Value::Null },
            "tts": false, "mention_everyone": false, "pinned": false,
            "mentions": m.mentions.iter().map(|u| self.user(u)).collect::<Vec<_>>(),
            "attachments": m.attachments.iter().enumerate().map(|(i, (f, d, size))| json!({
                "id": format!("{}{i}", m.id), "filename": f, "description": d, "size": size,
                "url": format!("https://cdn.discordapp.com/attachments/{}/{}/{f}", m.channel_id, m.id),
            })).collect::<Vec<_>>(),
            "type": if m.reply_to.is_some() { 19 } else { 0 },
        });
        if m.reactions > 0 {
            v["reactions"] =
                json!([{"count": m.reactions, "me": false, "emoji": {"id": null, "name": "🔥"}}]);
        }
        if m.webhook {
            v["webhook_id"] = json!(self.webhook_id);
        }
        if let Some(r) = &m.reply_to {
            v["message_reference"] = json!({"type": 0, "message_id": r, "channel_id": m.channel_id, "guild_id": self.guild_id});
            if !nested {
                v["referenced_message"] = self
                    .find(r)
                    .map(|r| self.message_json(r, true))
                    .unwrap_or(Value::Null);
            }
        }
        v
    }

    fn find(&self, id: &str) -> Option<&TwinMessage> {
        self.messages.get(&id.parse().ok()?)
    }

    /// Counts a request against its bucket; the headers to send, or the 429.
    fn bucket(
        &mut self,
        route: &str,
        major: &str,
    ) -> std::result::Result<HeaderMap, Box<Response>> {
        let now = self.now();
        let window = chrono::Duration::from_std(self.options.bucket_window).unwrap_or_default();
        let limit = self.options.bucket_limit;
        let key = format!("{route}:{major}");
        let entry = self.buckets.entry(key).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        let after = (entry.1 - now).num_milliseconds().max(0) as f64 / 1000.0;
        let bucket_id = format!(
            "{:x}",
            route.len() * 7919 + route.bytes().map(usize::from).sum::<usize>()
        );
        let mut h = HeaderMap::new();
        let mut put = |k: &'static str, v: String| {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert(k, v);
            }
        };
        put("x-ratelimit-limit", limit.to_string());
        put(
            "x-ratelimit-reset",
            format!("{:.3}", entry.1.timestamp_millis() as f64 / 1000.0),
        );
        put("x-ratelimit-reset-after", format!("{after:.3}"));
        put("x-ratelimit-bucket", bucket_id);
        if entry.0 >= limit {
            put("x-ratelimit-remaining", "0".into());
            put("retry-after", format!("{}", after.ceil() as u64));
            put("x-ratelimit-scope", "user".into());
            let mut r = error_with(
                429,
                json!({"message": "You are being rate limited.", "retry_after": after, "global": false}),
            );
            r.headers_mut().extend(h);
            return Err(Box::new(r));
        }
        entry.0 += 1;
        put("x-ratelimit-remaining", (limit - entry.0).to_string());
        Ok(h)
    }

    fn create(
        &mut self,
        channel: &str,
        p: &Value,
        files: &BTreeMap<usize, usize>,
        author: &str,
        webhook: bool,
    ) -> std::result::Result<(Value, bool), Box<Response>> {
        let content = p["content"].as_str().unwrap_or("").to_string();
        if content.chars().count() > 2000 {
            return Err(refuse_field(
                "content",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 2000 or fewer in length.",
            ));
        }
        let mut attachments = Vec::new();
        for (n, size) in files {
            let meta = p["attachments"]
                .as_array()
                .and_then(|a| a.iter().find(|x| x["id"].as_u64() == Some(*n as u64)));
            let filename = meta
                .and_then(|m| m["filename"].as_str())
                .unwrap_or("file")
                .to_string();
            let description = meta
                .and_then(|m| m["description"].as_str())
                .map(str::to_string);
            if description
                .as_ref()
                .is_some_and(|d| d.chars().count() > 1024)
            {
                return Err(refuse_field(
                    "attachments",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 1024 or fewer in length.",
                ));
            }
            attachments.push((filename, description, *size));
        }
        if content.trim().is_empty() && attachments.is_empty() {
            return Err(refuse(400, 50006, "Cannot send an empty message"));
        }
        let reply_to = match p["message_reference"]["message_id"].as_str() {
            Some(r) if self.find(r).is_some_and(|m| m.channel_id == channel) => Some(r.to_string()),
            Some(_) => {
                return Err(refuse_field(
                    "message_reference",
                    "REPLIES_UNKNOWN_MESSAGE",
                    "Unknown message",
                ));
            }
            None => None,
        };
        let nonce = p["nonce"]
            .as_str()
            .map(str::to_string)
            .or_else(|| p["nonce"].as_u64().map(|n| n.to_string()));
        if nonce.as_ref().is_some_and(|n| n.chars().count() > 25) {
            return Err(refuse_field(
                "nonce",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.",
            ));
        }
        if let (Some(n), Some(true)) = (&nonce, p["enforce_nonce"].as_bool()) {
            let window = ((self.options.nonce_window.as_millis() as u64) << 22) as u128;
            let now = ((self.now().timestamp_millis() - EPOCH_MS).max(0) as u128) << 22;
            let earlier = self.messages.values().find(|m| {
                m.author_id == author
                    && m.nonce.as_ref() == Some(n)
                    && now.saturating_sub(m.id.parse::<u128>().unwrap_or(0)) <= window
            });
            if let Some(m) = earlier {
                return Ok((self.message_json(m, false), false));
            }
        }
        let id = self.next_id();
        let m = TwinMessage {
            id: id.to_string(),
            channel_id: channel.to_string(),
            author_id: author.to_string(),
            content,
            attachments,
            reply_to,
            mentions: Vec::new(),
            reactions: 0,
            nonce: nonce.clone(),
            webhook,
            edited: false,
        };
        self.messages.insert(id, m.clone());
        let mut v = self.message_json(&m, false);
        if let Some(n) = nonce {
            v["nonce"] = json!(n);
        }
        Ok((v, true))
    }

    fn is_channel(&self, id: &str) -> bool {
        id == self.text_channel || id == self.forum_channel || self.threads.iter().any(|t| t == id)
    }

    fn channel_json(&self, id: &str) -> Value {
        if id == self.forum_channel {
            json!({"id": id, "type": 15, "guild_id": self.guild_id, "name": "announcements-forum"})
        } else if self.threads.iter().any(|t| t == id) {
            json!({"id": id, "type": 11, "guild_id": self.guild_id, "parent_id": self.forum_channel, "name": "thread"})
        } else {
            json!({"id": id, "type": 0, "guild_id": self.guild_id, "name": "general", "topic": "ACME community"})
        }
    }
}

fn with_headers(mut r: Response, h: HeaderMap) -> Response {
    r.headers_mut().extend(h);
    r
}

fn bot_auth(s: &St, headers: &HeaderMap) -> std::result::Result<(), Box<Response>> {
    let expected = format!("Bot {}", s.options.token);
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v == expected => Ok(()),
        _ => Err(refuse(401, 0, "401: Unauthorized")),
    }
}

// Users Resource: Get Current User.
async fn me(State(s): S, headers: HeaderMap) -> Response {
    let g = s.lock();
    if let Err(r) = bot_auth(&g, &headers) {
        return *r;
    }
    axum::Json(g.user(&g.bot_id)).into_response()
}

// Channel Resource: Get Channel.
async fn channel(State(s): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let g = s.lock();
    if let Err(r) = bot_auth(&g, &headers) {
        return *r;
    }
    if !g.is_channel(&id) {
        return error(404, 10003, "Unknown Channel");
    }
    axum::Json(g.channel_json(&id)).into_response()
}

// Message Resource: Get Channel Messages.
async fn list(
    State(s): S,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut g = s.lock();
    if let Err(r) = bot_auth(&g, &headers) {
        return *r;
    }
    if !g.is_channel(&id) {
        return error(404, 10003, "Unknown Channel");
    }
    let h = match g.bucket("GET messages", &id) {
        Ok(h) => h,
        Err(r) => return *r,
    };
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return invalid_field(
            "limit",
            "NUMBER_TYPE_MAX",
            "int value should be less than or equal to 100.",
        );
    }
    let in_channel = g.messages.iter().filter(|(_, m)| m.channel_id == id);
    let mut picked: Vec<&TwinMessage> = match (q.get("after"), q.get("before")) {
        (Some(a), _) => {
            let a: u64 = a.parse().unwrap_or(0);
            in_channel
                .filter(|(k, _)| **k > a)
                .take(limit)
                .map(|(_, m)| m)
                .collect()
        }
        (None, Some(b)) => {
            let b: u64 = b.parse().unwrap_or(u64::MAX);
            in_channel
                .filter(|(k, _)| **k < b)
                .rev()
                .take(limit)
                .map(|(_, m)| m)
                .collect()
        }
        (None, None) => in_channel.rev().take(limit).map(|(_, m)| m).collect(),
    };
    picked.sort_by_key(|m| std::cmp::Reverse(m.id.parse::<u64>().unwrap_or(0)));
    let out: Vec<Value> = picked.iter().map(|m| g.message_json(m, false)).collect();
    with_headers(axum::Json(out).into_response(), h)
}

// Message Resource: Create Message.
async fn create(State(s): S, Path(id): Path<String>, req: Request) -> Response {
    {
        let g = s.lock();
        if let Err(r) = bot_auth(&g, req.headers()) {
            return *r;
        }
        if !g.is_channel(&id) {
            return error(404, 10003, "Unknown Channel");
        }
        if id == g.forum_channel {
            return error(400, 40058, "Cannot send a message in a forum channel");
        }
    }
    let (p, files) = match body(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut g = s.lock();
    let h = match g.bucket("POST messages", &id) {
        Ok(h) => h,
        Err(r) => return *r,
    };
    let bot = g.bot_id.clone();
    match g.create(&id, &p, &files, &bot, false) {
        Ok((v, _)) => with_headers(axum::Json(v).into_response(), h),
        Err(r) => with_headers(*r, h),
    }
}

// Channel Resource: Start Thread in Forum or Media Channel.
async fn start_thread(State(s): S, Path(id): Path<String>, req: Request) -> Response {
    {
        let g = s.lock();
        if let Err(r) = bot_auth(&g, req.headers()) {
            return *r;
        }
        if id != g.forum_channel {
            return error(400, 50024, "Cannot execute action on this channel type");
        }
    }
    let (p, files) = match body(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let name = p["name"].as_str().unwrap_or("");
    if name.is_empty() || name.chars().count() > 100 {
        return invalid_field(
            "name",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        );
    }
    let mut g = s.lock();
    let thread = g.next_id().to_string();
    g.threads.push(thread.clone());
    let bot = g.bot_id.clone();
    match g.create(&thread, &p["message"], &files, &bot, false) {
        Ok((m, _)) => {
            let mut c = g.channel_json(&thread);
            c["name"] = json!(name);
            c["message"] = m;
            axum::Json(c).into_response()
        }
        Err(r) => {
            g.threads.retain(|t| *t != thread);
            *r
        }
    }
}

/// Get, Edit or Delete one message (bot routes: `channel` given; webhook routes: `None`).
fn one(
    g: &mut St,
    channel: Option<&str>,
    mid: &str,
    method: &str,
    p: &Value,
    webhook: bool,
) -> Response {
    let Some(key) = mid.parse::<u64>().ok().filter(|k| {
        g.messages
            .get(k)
            .is_some_and(|m| channel.is_none_or(|c| m.channel_id == c) && (!webhook || m.webhook))
    }) else {
        return error(404, 10008, "Unknown Message");
    };
    match method {
        "GET" => {
            let m = g.messages[&key].clone();
            axum::Json(g.message_json(&m, false)).into_response()
        }
        "PATCH" => {
            let content = p["content"].as_str().unwrap_or("").to_string();
            if content.chars().count() > 2000 {
                return invalid_field(
                    "content",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 2000 or fewer in length.",
                );
            }
            let m = g.messages.get_mut(&key).map(|m| {
                m.content = content;
                m.edited = true;
                m.clone()
            });
            m.map(|m| axum::Json(g.message_json(&m, false)).into_response())
                .unwrap_or_else(|| error(404, 10008, "Unknown Message"))
        }
        _ => {
            g.messages.remove(&key);
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

// Message Resource: Get / Edit / Delete Message.
async fn message(State(s): S, Path((id, mid)): Path<(String, String)>, req: Request) -> Response {
    let method = req.method().as_str().to_string();
    {
        let g = s.lock();
        if let Err(r) = bot_auth(&g, req.headers()) {
            return *r;
        }
    }
    let (p, _) = match body(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut g = s.lock();
    let h = match g.bucket(&format!("{method} message"), &id) {
        Ok(h) => h,
        Err(r) => return *r,
    };
    with_headers(one(&mut g, Some(&id), &mid, &method, &p, false), h)
}

fn webhook_auth(g: &St, id: &str, token: &str) -> std::result::Result<(), Box<Response>> {
    if id != g.webhook_id {
        return Err(refuse(404, 10015, "Unknown Webhook"));
    }
    if token != g.options.webhook_token {
        return Err(refuse(401, 50027, "Invalid Webhook Token"));
    }
    Ok(())
}

// Webhook Resource: Get Webhook with Token / Execute Webhook.
async fn webhook(
    State(s): S,
    Path((id, token)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
    req: Request,
) -> Response {
    let method = req.method().clone();
    {
        let g = s.lock();
        if let Err(r) = webhook_auth(&g, &id, &token) {
            return *r;
        }
        if method == axum::http::Method::GET {
            return axum::Json(json!({"id": g.webhook_id, "type": 1, "name": "ACME Hook", "channel_id": g.text_channel, "guild_id": g.guild_id, "token": "***"})).into_response();
        }
    }
    let (p, files) = match body(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut g = s.lock();
    let h = match g.bucket("POST webhook", &id) {
        Ok(h) => h,
        Err(r) => return *r,
    };
    let channel = match q.get("thread_id") {
        Some(t) if g.threads.contains(t) => t.clone(),
        Some(_) => return with_headers(error(400, 10003, "Unknown Channel"), h),
        None => g.text_channel.clone(),
    };
    let hook = g.webhook_id.clone();
    // Webhooks take no nonce (not in Execute Webhook's params).
    let mut p = p;
    if let Some(o) = p.as_object_mut() {
        o.remove("nonce");
        o.remove("enforce_nonce");
        o.remove("message_reference");
    }
    match g.create(&channel, &p, &files, &hook, true) {
        Ok((v, _)) if q.get("wait").map(String::as_str) == Some("true") => {
            with_headers(axum::Json(v).into_response(), h)
        }
        Ok(_) => with_headers(StatusCode::NO_CONTENT.into_response(), h),
        Err(r) => with_headers(*r, h),
    }
}

// Webhook Resource: Get / Edit / Delete Webhook Message.
async fn webhook_message(
    State(s): S,
    Path((id, token, mid)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    let method = req.method().as_str().to_string();
    {
        let g = s.lock();
        if let Err(r) = webhook_auth(&g, &id, &token) {
            return *r;
        }
    }
    let (p, _) = match body(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut g = s.lock();
    let h = match g.bucket(&format!("{method} webhook message"), &id) {
        Ok(h) => h,
        Err(r) => return *r,
    };
    with_headers(one(&mut g, None, &mid, &method, &p, true), h)
}

/// A running twin. Dropping it stops the server.
pub struct Twin {
    server: TwinServer,
    handle: TwinHandle,
}

impl std::fmt::Debug for Twin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Twin")
            .field("addr", &self.server.addr())
            .finish()
    }
}

impl Twin {
    /// Starts a twin with the default options.
    pub async fn start() -> Result<Twin> {
        Twin::start_with(TwinOptions::default()).await
    }

    /// Starts a twin.
    pub async fn start_with(options: TwinOptions) -> Result<Twin> {
        let mut users = BTreeMap::new();
        users.insert("5000".to_string(), "acme-bot".to_string());
        let shared = Arc::new(Shared(Mutex::new(St {
            options,
            bot_id: "5000".into(),
            webhook_id: "7000".into(),
            guild_id: "900".into(),
            text_channel: "1000".into(),
            forum_channel: "1001".into(),
            threads: Vec::new(),
            users,
            messages: BTreeMap::new(),
            last_id: 0,
            buckets: BTreeMap::new(),
        })));
        let (log, faults) = (RequestLog::default(), Faults::default());
        let router = Router::new()
            .route("/api/v10/users/@me", get(me))
            .route("/api/v10/channels/{id}", get(channel))
            .route("/api/v10/channels/{id}/messages", get(list).post(create))
            .route(
                "/api/v10/channels/{id}/threads",
                axum::routing::post(start_thread),
            )
            .route(
                "/api/v10/channels/{id}/messages/{mid}",
                get(message).patch(message).delete(message),
            )
            .route("/api/v10/webhooks/{id}/{token}", get(webhook).post(webhook))
            .route(
                "/api/v10/webhooks/{id}/{token}/messages/{mid}",
                get(webhook_message)
                    .patch(webhook_message)
                    .delete(webhook_message),
            )
            .layer(DefaultBodyLimit::max(30 * 1024 * 1024))
            .with_state(shared.clone());
        let server = TwinServer::start(instrument(router, &log, &faults)).await?;
        Ok(Twin {
            server,
            handle: TwinHandle {
                shared,
                log,
                faults,
            },
        })
    }

    /// The API base (`http://127.0.0.1:PORT/api/v10/`).
    pub fn url(&self) -> Url {
        self.server
            .base_url()
            .join("api/v10/")
            .unwrap_or_else(|_| self.server.base_url())
    }

    /// A bot config for the text channel.
    pub fn bot_config(&self) -> DiscordConfig {
        let (token, channel) = {
            let g = self.handle.shared.lock();
            (g.options.token.clone(), g.text_channel.clone())
        };
        let mut c = DiscordConfig::bot(token, channel)
            .unwrap_or_else(|_| unreachable!("valid twin config"));
        c.base_url = self.url();
        c
    }

    /// A bot config for the forum channel.
    pub fn forum_config(&self) -> DiscordConfig {
        let mut c = self.bot_config();
        c.forum = true;
        if let super::DiscordAuth::Bot { channel_id, .. } = &mut c.auth {
            *channel_id = self.handle.shared.lock().forum_channel.clone();
        }
        c
    }

    /// A webhook config.
    pub fn webhook_config(&self) -> DiscordConfig {
        let (id, token) = {
            let g = self.handle.shared.lock();
            (g.webhook_id.clone(), g.options.webhook_token.clone())
        };
        let mut c =
            DiscordConfig::webhook(id, token).unwrap_or_else(|_| unreachable!("valid twin config"));
        c.base_url = self.url();
        c
    }

    /// The handle to inspect and steer the twin.
    pub fn handle(&self) -> &TwinHandle {
        &self.handle
    }
}

/// Inspects and steers a running twin. Cheap to clone.
#[derive(Debug, Clone)]
pub struct TwinHandle {
    shared: Arc<Shared>,
    log: RequestLog,
    faults: Faults,
}

impl TwinHandle {
    /// The requests seen.
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// Injectable faults.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The text channel's id.
    pub fn text_channel(&self) -> String {
        self.shared.lock().text_channel.clone()
    }

    /// A message.
    pub fn message(&self, id: &str) -> Option<TwinMessage> {
        self.shared.lock().find(id).cloned()
    }

    /// Every message of a channel (or thread), oldest first.
    pub fn messages(&self, channel: &str) -> Vec<TwinMessage> {
        self.shared
            .lock()
            .messages
            .values()
            .filter(|m| m.channel_id == channel)
            .cloned()
            .collect()
    }

    /// Every message the twin holds.
    pub fn all_messages(&self) -> Vec<TwinMessage> {
        self.shared.lock().messages.values().cloned().collect()
    }

    /// Adds a user; returns its id.
    pub fn add_user(&self, name: &str) -> String {
        let mut g = self.shared.lock();
        let id = (6000 + g.users.len()).to_string();
        g.users.insert(id.clone(), name.to_string());
        id
    }

    fn say(
        &self,
        channel: &str,
        user: &str,
        content: String,
        reply_to: Option<&str>,
        mentions: Vec<String>,
    ) -> String {
        let mut g = self.shared.lock();
        let id = g.next_id();
        let m = TwinMessage {
            id: id.to_string(),
            channel_id: channel.to_string(),
            author_id: user.to_string(),
            content,
            attachments: Vec::new(),
            reply_to: reply_to.map(str::to_string),
            mentions,
            reactions: 0,
            nonce: None,
            webhook: false,
            edited: false,
        };
        g.messages.insert(id, m);
        id.to_string()
    }

    /// `user` replies to message `to` in its channel; returns the reply's id.
    pub fn reply(&self, to: &str, user: &str, text: &str) -> String {
        let channel = self
            .message(to)
            .map(|m| m.channel_id)
            .unwrap_or_else(|| self.text_channel());
        self.say(&channel, user, text.to_string(), Some(to), Vec::new())
    }

    /// `user` mentions the bot in the text channel; returns the message id.
    pub fn mention(&self, user: &str, text: &str) -> String {
        let (channel, bot) = {
            let g = self.shared.lock();
            (g.text_channel.clone(), g.bot_id.clone())
        };
        self.say(&channel, user, format!("<@{bot}> {text}"), None, vec![bot])
    }

    /// `n` people react to message `id`.
    pub fn react(&self, id: &str, n: u64) {
        let mut g = self.shared.lock();
        if let Ok(k) = id.parse::<u64>() {
            if let Some(m) = g.messages.get_mut(&k) {
                m.reactions += n;
            }
        }
    }
}
