//! A local twin of the Telegram Bot API, for tests (feature `testkit`).
//!
//! An axum app on `127.0.0.1:0` serving `POST|GET /bot<token>/<method>` as
//! <https://core.telegram.org/bots/api> (Bot API 10.1) describes it; each method names its
//! section below. Answers are the documented envelope, `{"ok": true, "result": …}` or
//! `{"ok": false, "error_code": N, "description": "…"[, "parameters": {…}]}` ("Making
//! requests"); the descriptions are the Bot API server's.
//!
//! - a wrong token → 401 `Unauthorized`; an unknown method → 404 `Not Found`;
//! - the twin holds a channel (`@acme_news`) with a linked discussion group: every channel
//!   post is also automatically forwarded to the group (`is_automatic_forward`,
//!   `forward_origin` of type `channel`), where comments reply to it ("Message");
//! - `sendMessage` (#sendmessage): `text` 1–4096 UTF-16 units (400 `message is too long` /
//!   `message text is empty`), `entities` checked against the text (400 `can't parse
//!   entities`), `reply_parameters.message_id` must exist (400 `message to be replied not
//!   found`); `sendPhoto` / `sendVideo` / `sendAnimation` / `sendDocument` (JSON with a URL
//!   or multipart with the file) with `caption` 0–1024 units (400 `message caption is too
//!   long`); `sendMediaGroup` (#sendmediagroup) with 2–10 items and `attach://` parts;
//! - `editMessageText` / `editMessageCaption` (400 `message is not modified` for the same
//!   text, `message to edit not found`); `deleteMessage` (#deletemessage; 400 `message to
//!   delete not found`);
//! - `getMe`, `getChat` (#getchat, a `ChatFullInfo` with `linked_chat_id`),
//!   `getChatMemberCount`;
//! - `getUpdates` (#getupdates): `offset` confirms and forgets earlier updates, `limit`
//!   1–100, `allowed_updates` kept from call to call (the default leaves out
//!   `message_reaction`); 409 while a webhook is set (#setwebhook, #deletewebhook);
//! - flood control: more than `sends_per_minute` sends to one chat in a minute → 429 with
//!   `parameters.retry_after` (<https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this>),
//!   and injectable faults through [`TwinHandle::faults`].
//!
//! ```
//! use socialkit::adapters::telegram::{Telegram, twin::Twin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = Twin::start().await.unwrap();
//! let telegram = Telegram::new(twin.config());
//! let published = telegram.publish_text("Hello twin").await.unwrap();
//! let id: i64 = published.post.id.parse().unwrap();
//! assert_eq!(twin.handle().message(twin.handle().channel_id(), id).unwrap().text, "Hello twin");
//! # });
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};
use url::Url;

use super::TelegramConfig;
use crate::Result;
use crate::testkit::twin::{Faults, RequestLog, TwinServer, instrument};

/// How the twin behaves.
///
/// ```
/// let o = socialkit::adapters::telegram::twin::TwinOptions::default();
/// assert_eq!(o.channel_username, "acme_news");
/// ```
#[derive(Debug, Clone)]
pub struct TwinOptions {
    /// The bot token.
    pub token: String,
    /// The bot's username.
    pub bot_username: String,
    /// The channel's username.
    pub channel_username: String,
    /// The channel's subscribers.
    pub members: u64,
    /// Sends to one chat per minute before flood control answers 429.
    pub sends_per_minute: usize,
    /// The twin's clock: message dates, edit dates and the flood-control minute (default: the
    /// system clock). With a [`ManualClock`](crate::clock::ManualClock) a test sets them.
    pub clock: crate::clock::SharedClock,
}

impl Default for TwinOptions {
    fn default() -> Self {
        TwinOptions {
            token: "7000001:AAH-twin-telegram-token".into(),
            bot_username: "acme_bot".into(),
            channel_username: "acme_news".into(),
            members: 1234,
            sends_per_minute: 1000,
            clock: Arc::new(crate::clock::SystemClock),
        }
    }
}

/// A message in the twin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinMessage {
    /// Chat id.
    pub chat_id: i64,
    /// Message id (per chat).
    pub message_id: i64,
    /// Unix time.
    pub date: i64,
    /// Text or caption.
    pub text: String,
    /// Entities of the text or caption, as sent.
    pub entities: Value,
    /// Media kinds (`photo`, `video` …), empty for text.
    pub media: Vec<String>,
    /// Bytes uploaded per file (0 for a URL).
    pub uploaded: Vec<usize>,
    /// The message it replies to (same chat).
    pub reply_to: Option<i64>,
    /// The link preview URL asked for.
    pub preview_url: Option<String>,
    /// The sender: a user id, or `None` for the channel itself.
    pub from: Option<i64>,
    /// The channel post this message forwards automatically (discussion group).
    pub forward_of: Option<i64>,
    /// The album.
    pub media_group_id: Option<String>,
    /// Edited at.
    pub edit_date: Option<i64>,
}

#[derive(Debug)]
struct State_ {
    options: TwinOptions,
    bot_id: i64,
    channel_id: i64,
    group_id: i64,
    users: BTreeMap<i64, String>,
    messages: BTreeMap<(i64, i64), TwinMessage>,
    next_message: BTreeMap<i64, i64>,
    updates: Vec<(i64, Value)>,
    next_update: i64,
    allowed_updates: Option<Vec<String>>,
    webhook: Option<(String, String)>,
    sends: BTreeMap<i64, Vec<i64>>,
    next_album: u64,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State_>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State_> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type S = State<Arc<Shared>>;

fn ok(result: Value) -> Response {
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

fn fail(code: u16, description: &str) -> Response {
    fail_with(code, description, None)
}

fn fail_with(code: u16, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let Some(p) = parameters {
        body["parameters"] = p;
    }
    let status = axum::http::StatusCode::from_u16(code)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

fn utf16(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The request's parameters: a JSON body, a form, or multipart fields (JSON-looking fields
/// parsed), with the byte sizes of file parts by field name.
async fn params(req: Request) -> std::result::Result<(Value, BTreeMap<String, usize>), Response> {
    let ct = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut files = BTreeMap::new();
    if ct.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(req, &())
            .await
            .map_err(|_| fail(400, "Bad Request: invalid multipart body"))?;
        let mut map = serde_json::Map::new();
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or("").to_string();
                    let is_file = field.file_name().is_some();
                    let data = field
                        .bytes()
                        .await
                        .map_err(|_| fail(400, "Bad Request: invalid multipart body"))?;
                    if is_file {
                        files.insert(name, data.len());
                    } else {
                        let text = String::from_utf8_lossy(&data).to_string();
                        let value = if text.starts_with('[') || text.starts_with('{') {
                            serde_json::from_str(&text).unwrap_or(Value::String(text))
                        } else {
                            Value::String(text)
                        };
                        map.insert(name, value);
                    }
                }
                Ok(None) => break,
                Err(_) => return Err(fail(400, "Bad Request: invalid multipart body")),
            }
        }
        return Ok((Value::Object(map), files));
    }
    let body = Bytes::from_request(req, &())
        .await
        .map_err(|_| fail(400, "Bad Request: invalid body"))?;
    if body.is_empty() {
        return Ok((json!({}), files));
    }
    serde_json::from_slice(&body)
        .map(|v| (v, files))
        .map_err(|_| fail(400, "Bad Request: can't parse JSON object"))
}

async fn method(State(s): S, Path((bot, name)): Path<(String, String)>, req: Request) -> Response {
    let token = s.lock().options.token.clone();
    if bot != format!("bot{token}") {
        return fail(401, "Unauthorized");
    }
    let (p, files) = match params(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut g = s.lock();
    match name.as_str() {
        "getMe" => ok(g.bot()),
        "getChat" => g.get_chat(&p),
        "getChatMemberCount" => match g.chat_of(&p) {
            Ok(id) if id == g.channel_id => ok(json!(g.options.members)),
            Ok(_) => ok(json!(3)),
            Err(r) => *r,
        },
        "sendMessage" => g.send(&p, &files, None),
        "sendPhoto" => g.send(&p, &files, Some("photo")),
        "sendVideo" => g.send(&p, &files, Some("video")),
        "sendAnimation" => g.send(&p, &files, Some("animation")),
        "sendDocument" => g.send(&p, &files, Some("document")),
        "sendMediaGroup" => g.send_group(&p, &files),
        "editMessageText" => g.edit(&p, false),
        "editMessageCaption" => g.edit(&p, true),
        "deleteMessage" => g.delete(&p),
        "getUpdates" => g.get_updates(&p),
        "setWebhook" => {
            let url = p["url"].as_str().unwrap_or("").to_string();
            let secret = p["secret_token"].as_str().unwrap_or("").to_string();
            if let Some(a) = p["allowed_updates"].as_array() {
                g.allowed_updates = Some(
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                );
            }
            g.webhook = (!url.is_empty()).then_some((url, secret));
            ok(json!(true))
        }
        "deleteWebhook" => {
            g.webhook = None;
            ok(json!(true))
        }
        _ => fail(404, "Not Found"),
    }
}

impl State_ {
    /// Unix time by the twin's clock.
    fn now(&self) -> i64 {
        self.options.clock.now().timestamp()
    }

    fn new(options: TwinOptions) -> Self {
        let mut users = BTreeMap::new();
        users.insert(7_000_001, options.bot_username.clone());
        State_ {
            bot_id: 7_000_001,
            channel_id: -1_001_234_567_890,
            group_id: -1_009_876_543_210,
            users,
            messages: BTreeMap::new(),
            next_message: BTreeMap::new(),
            updates: Vec::new(),
            next_update: 100_000,
            allowed_updates: None,
            webhook: None,
            sends: BTreeMap::new(),
            next_album: 1,
            options,
        }
    }

    fn bot(&self) -> Value {
        json!({"id": self.bot_id, "is_bot": true, "first_name": "ACME Bot",
               "username": self.options.bot_username, "can_join_groups": true})
    }

    fn user(&self, id: i64) -> Value {
        let name = self.users.get(&id).cloned().unwrap_or_default();
        json!({"id": id, "is_bot": id == self.bot_id, "first_name": name, "username": name, "language_code": "en"})
    }

    fn chat(&self, id: i64) -> Value {
        if id == self.channel_id {
            json!({"id": id, "type": "channel", "title": "ACME News", "username": self.options.channel_username})
        } else if id == self.group_id {
            json!({"id": id, "type": "supergroup", "title": "ACME News Chat"})
        } else {
            let name = self.users.get(&id).cloned().unwrap_or_default();
            json!({"id": id, "type": "private", "first_name": name, "username": name})
        }
    }

    fn chat_of(&self, p: &Value) -> std::result::Result<i64, Box<Response>> {
        let id = match &p["chat_id"] {
            Value::Number(n) => n.as_i64(),
            Value::String(s) if s.starts_with('@') => {
                (s[1..] == self.options.channel_username).then_some(self.channel_id)
            }
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        match id {
            Some(id)
                if id == self.channel_id || id == self.group_id || self.users.contains_key(&id) =>
            {
                Ok(id)
            }
            _ => Err(Box::new(fail(400, "Bad Request: chat not found"))),
        }
    }

    fn get_chat(&self, p: &Value) -> Response {
        match self.chat_of(p) {
            Ok(id) => {
                let mut c = self.chat(id);
                if id == self.channel_id {
                    c["linked_chat_id"] = json!(self.group_id);
                    c["description"] = json!("News from ACME");
                } else if id == self.group_id {
                    c["linked_chat_id"] = json!(self.channel_id);
                }
                c["accent_color_id"] = json!(0);
                c["max_reaction_count"] = json!(11);
                ok(c)
            }
            Err(r) => *r,
        }
    }

    /// The `Message` object of a stored message.
    fn message_json(&self, m: &TwinMessage, nested: bool) -> Value {
        let mut v =
            json!({"message_id": m.message_id, "date": m.date, "chat": self.chat(m.chat_id)});
        match m.from {
            Some(u) => v["from"] = self.user(u),
            None => v["sender_chat"] = self.chat(self.channel_id),
        }
        let field = if m.media.is_empty() {
            "text"
        } else {
            "caption"
        };
        if !m.text.is_empty() || m.media.is_empty() {
            v[field] = json!(m.text);
        }
        if m.entities.as_array().is_some_and(|a| !a.is_empty()) {
            v[if m.media.is_empty() {
                "entities"
            } else {
                "caption_entities"
            }] = m.entities.clone();
        }
        match m.media.first().map(String::as_str) {
            Some("photo") => {
                v["photo"] = json!([{"file_id": format!("ph{}", m.message_id), "file_unique_id": format!("u{}", m.message_id), "width": 8, "height": 8}])
            }
            Some(k) => {
                v[k] = json!({"file_id": format!("f{}", m.message_id), "file_unique_id": format!("u{}", m.message_id)})
            }
            None => {}
        }
        if let Some(g) = &m.media_group_id {
            v["media_group_id"] = json!(g);
        }
        if let Some(e) = m.edit_date {
            v["edit_date"] = json!(e);
        }
        if let Some(f) = m.forward_of {
            v["is_automatic_forward"] = json!(true);
            v["forward_origin"] = json!({"type": "channel", "chat": self.chat(self.channel_id), "message_id": f, "date": m.date});
            v["sender_chat"] = self.chat(self.channel_id);
        }
        if !nested {
            if let Some(r) = m.reply_to.and_then(|r| self.messages.get(&(m.chat_id, r))) {
                v["reply_to_message"] = self.message_json(r, true);
            }
        }
        v
    }

    fn push_update(&mut self, kind: &str, payload: Value) {
        let id = self.next_update;
        self.next_update += 1;
        let mut u = json!({"update_id": id});
        u[kind] = payload;
        self.updates.push((id, u));
    }

    fn insert(&mut self, mut m: TwinMessage) -> TwinMessage {
        let next = self.next_message.entry(m.chat_id).or_insert(1);
        m.message_id = *next;
        *next += 1;
        self.messages.insert((m.chat_id, m.message_id), m.clone());
        // A channel post is forwarded to the linked discussion group automatically.
        if m.chat_id == self.channel_id {
            let fwd = TwinMessage {
                chat_id: self.group_id,
                from: None,
                forward_of: Some(m.message_id),
                reply_to: None,
                ..m.clone()
            };
            self.insert(fwd);
        }
        m
    }

    /// Checks entities against the text: inside it, no partial overlap ("can't parse entities").
    fn check_entities(text: &str, entities: &Value) -> std::result::Result<(), Box<Response>> {
        let n = utf16(text);
        let mut last_end = 0;
        for e in entities.as_array().into_iter().flatten() {
            let (Some(o), Some(l)) = (e["offset"].as_u64(), e["length"].as_u64()) else {
                return Err(Box::new(fail(
                    400,
                    "Bad Request: can't parse entities: offset and length are required",
                )));
            };
            let (o, l) = (o as usize, l as usize);
            if l == 0 || o + l > n || o < last_end {
                return Err(Box::new(fail(
                    400,
                    "Bad Request: can't parse entities: entity is out of the text or overlaps another",
                )));
            }
            if e["type"] == "text_link" && e["url"].as_str().is_none_or(|u| Url::parse(u).is_err())
            {
                return Err(Box::new(fail(
                    400,
                    "Bad Request: can't parse entities: wrong text_link URL",
                )));
            }
            last_end = o + l;
        }
        Ok(())
    }

    fn flood(&mut self, chat: i64, messages: usize) -> std::result::Result<(), Box<Response>> {
        let now = self.now();
        let sends = self.sends.entry(chat).or_default();
        sends.retain(|t| now - t < 60);
        if sends.len() + messages > self.options.sends_per_minute {
            let retry = 60 - (now - sends.first().copied().unwrap_or(now));
            return Err(Box::new(fail_with(
                429,
                &format!("Too Many Requests: retry after {retry}"),
                Some(json!({"retry_after": retry})),
            )));
        }
        sends.extend(std::iter::repeat_n(now, messages));
        Ok(())
    }

    fn reply_target(
        &self,
        chat: i64,
        p: &Value,
    ) -> std::result::Result<Option<i64>, Box<Response>> {
        match p["reply_parameters"]["message_id"].as_i64() {
            Some(id) if self.messages.contains_key(&(chat, id)) => Ok(Some(id)),
            Some(_) => Err(Box::new(fail(
                400,
                "Bad Request: message to be replied not found",
            ))),
            None => Ok(None),
        }
    }

    fn send(
        &mut self,
        p: &Value,
        files: &BTreeMap<String, usize>,
        media: Option<&str>,
    ) -> Response {
        let chat = match self.chat_of(p) {
            Ok(c) => c,
            Err(r) => return *r,
        };
        let (text, entities, uploaded) = match media {
            None => {
                let text = p["text"].as_str().unwrap_or("").to_string();
                if text.trim().is_empty() {
                    return fail(400, "Bad Request: message text is empty");
                }
                if utf16(&text) > 4096 {
                    return fail(400, "Bad Request: message is too long");
                }
                (text, p["entities"].clone(), Vec::new())
            }
            Some(field) => {
                let text = p["caption"].as_str().unwrap_or("").to_string();
                if utf16(&text) > 1024 {
                    return fail(400, "Bad Request: message caption is too long");
                }
                let size = match (&p[field], files.get(field)) {
                    (_, Some(n)) => *n,
                    (Value::String(u), None) if Url::parse(u).is_ok() => 0,
                    _ => return fail(400, "Bad Request: wrong file identifier/HTTP URL specified"),
                };
                (text, p["caption_entities"].clone(), vec![size])
            }
        };
        if let Err(r) = Self::check_entities(&text, &entities) {
            return *r;
        }
        let reply_to = match self.reply_target(chat, p) {
            Ok(r) => r,
            Err(r) => return *r,
        };
        if let Err(r) = self.flood(chat, 1) {
            return *r;
        }
        let m = self.insert(TwinMessage {
            chat_id: chat,
            message_id: 0,
            date: self.now(),
            text,
            entities: if entities.is_null() {
                json!([])
            } else {
                entities
            },
            media: media.map(str::to_string).into_iter().collect(),
            uploaded,
            reply_to,
            preview_url: p["link_preview_options"]["url"]
                .as_str()
                .map(str::to_string),
            from: (chat != self.channel_id).then_some(self.bot_id),
            forward_of: None,
            media_group_id: None,
            edit_date: None,
        });
        ok(self.message_json(&m, false))
    }

    fn send_group(&mut self, p: &Value, files: &BTreeMap<String, usize>) -> Response {
        let chat = match self.chat_of(p) {
            Ok(c) => c,
            Err(r) => return *r,
        };
        let Some(items) = p["media"].as_array().cloned() else {
            return fail(400, "Bad Request: parameter \"media\" is required");
        };
        if items.len() < 2 {
            return fail(400, "Bad Request: too few media in the media group");
        }
        if items.len() > 10 {
            return fail(400, "Bad Request: too many media in the media group");
        }
        let mut parsed = Vec::new();
        for item in &items {
            let kind = item["type"].as_str().unwrap_or("");
            if !matches!(kind, "photo" | "video" | "document" | "audio") {
                return fail(400, "Bad Request: wrong media type in the media group");
            }
            let media = item["media"].as_str().unwrap_or("");
            let size = match media.strip_prefix("attach://") {
                Some(name) => match files.get(name) {
                    Some(n) => *n,
                    None => {
                        return fail(400, "Bad Request: wrong file identifier/HTTP URL specified");
                    }
                },
                None if Url::parse(media).is_ok() => 0,
                None => return fail(400, "Bad Request: wrong file identifier/HTTP URL specified"),
            };
            let caption = item["caption"].as_str().unwrap_or("").to_string();
            if utf16(&caption) > 1024 {
                return fail(400, "Bad Request: message caption is too long");
            }
            if let Err(r) = Self::check_entities(&caption, &item["caption_entities"]) {
                return *r;
            }
            parsed.push((
                kind.to_string(),
                size,
                caption,
                item["caption_entities"].clone(),
            ));
        }
        let reply_to = match self.reply_target(chat, p) {
            Ok(r) => r,
            Err(r) => return *r,
        };
        if let Err(r) = self.flood(chat, parsed.len()) {
            return *r;
        }
        let group = format!("album{}", self.next_album);
        self.next_album += 1;
        let mut out = Vec::new();
        for (kind, size, caption, entities) in parsed {
            let m = self.insert(TwinMessage {
                chat_id: chat,
                message_id: 0,
                date: self.now(),
                text: caption,
                entities: if entities.is_null() {
                    json!([])
                } else {
                    entities
                },
                media: vec![kind],
                uploaded: vec![size],
                reply_to,
                preview_url: None,
                from: (chat != self.channel_id).then_some(self.bot_id),
                forward_of: None,
                media_group_id: Some(group.clone()),
                edit_date: None,
            });
            out.push(self.message_json(&m, false));
        }
        ok(Value::Array(out))
    }

    fn edit(&mut self, p: &Value, caption: bool) -> Response {
        let chat = match self.chat_of(p) {
            Ok(c) => c,
            Err(r) => return *r,
        };
        let id = p["message_id"].as_i64().unwrap_or(0);
        let (field, entities_field, max, too_long) = if caption {
            (
                "caption",
                "caption_entities",
                1024,
                "Bad Request: message caption is too long",
            )
        } else {
            ("text", "entities", 4096, "Bad Request: message is too long")
        };
        let text = p[field].as_str().unwrap_or("").to_string();
        if utf16(&text) > max {
            return fail(400, too_long);
        }
        if !caption && text.trim().is_empty() {
            return fail(400, "Bad Request: message text is empty");
        }
        if let Err(r) = Self::check_entities(&text, &p[entities_field]) {
            return *r;
        }
        let now = self.now();
        let Some(m) = self.messages.get_mut(&(chat, id)) else {
            return fail(400, "Bad Request: message to edit not found");
        };
        if caption == m.media.is_empty() {
            return fail(
                400,
                "Bad Request: there is no caption in the message to edit",
            );
        }
        if m.text == text {
            return fail(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            );
        }
        m.text = text;
        m.entities = p[entities_field].clone();
        m.edit_date = Some(now);
        let m = m.clone();
        ok(self.message_json(&m, false))
    }

    fn delete(&mut self, p: &Value) -> Response {
        let chat = match self.chat_of(p) {
            Ok(c) => c,
            Err(r) => return *r,
        };
        let id = p["message_id"].as_i64().unwrap_or(0);
        match self.messages.remove(&(chat, id)) {
            Some(_) => ok(json!(true)),
            None => fail(400, "Bad Request: message to delete not found"),
        }
    }

    fn get_updates(&mut self, p: &Value) -> Response {
        if self.webhook.is_some() {
            return fail(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            );
        }
        if let Some(a) = p["allowed_updates"].as_array() {
            self.allowed_updates = Some(
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
            );
        }
        if let Some(offset) = p["offset"].as_i64() {
            // "An update is considered confirmed as soon as getUpdates is called with an
            // offset higher than its update_id."
            self.updates.retain(|(id, _)| *id >= offset);
        }
        let limit = p["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
        let allowed = |u: &Value| -> bool {
            let kind = u
                .as_object()
                .and_then(|o| o.keys().find(|k| *k != "update_id").cloned())
                .unwrap_or_default();
            match &self.allowed_updates {
                Some(list) if !list.is_empty() => list.contains(&kind),
                // The default: every type except chat_member, message_reaction and
                // message_reaction_count.
                _ => !matches!(
                    kind.as_str(),
                    "chat_member" | "message_reaction" | "message_reaction_count"
                ),
            }
        };
        let out: Vec<Value> = self
            .updates
            .iter()
            .filter(|(_, u)| allowed(u))
            .take(limit)
            .map(|(_, u)| u.clone())
            .collect();
        ok(Value::Array(out))
    }
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
        let shared = Arc::new(Shared {
            state: Mutex::new(State_::new(options)),
        });
        let (log, faults) = (RequestLog::default(), Faults::default());
        let router = Router::new()
            .route("/{bot}/{method}", any(method))
            .layer(DefaultBodyLimit::max(60 * 1024 * 1024))
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

    /// The twin's base URL.
    pub fn url(&self) -> Url {
        self.server.base_url()
    }

    /// A config for the twin's channel (by `@username`).
    pub fn config(&self) -> TelegramConfig {
        let g = self.handle.shared.lock();
        let mut c = TelegramConfig::new(
            g.options.token.clone(),
            format!("@{}", g.options.channel_username),
        )
        .unwrap_or_else(|_| unreachable!("the twin's options make a valid config"));
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

    /// The channel's id.
    pub fn channel_id(&self) -> i64 {
        self.shared.lock().channel_id
    }

    /// The discussion group's id.
    pub fn group_id(&self) -> i64 {
        self.shared.lock().group_id
    }

    /// A message.
    pub fn message(&self, chat: i64, id: i64) -> Option<TwinMessage> {
        self.shared.lock().messages.get(&(chat, id)).cloned()
    }

    /// Every message of a chat, in order.
    pub fn messages(&self, chat: i64) -> Vec<TwinMessage> {
        let g = self.shared.lock();
        g.messages
            .values()
            .filter(|m| m.chat_id == chat)
            .cloned()
            .collect()
    }

    /// Adds a user; returns its id.
    pub fn add_user(&self, username: &str) -> i64 {
        let mut g = self.shared.lock();
        let id = 9_000_000 + g.users.len() as i64;
        g.users.insert(id, username.to_string());
        id
    }

    /// Whether a webhook is set, with its URL and secret.
    pub fn webhook(&self) -> Option<(String, String)> {
        self.shared.lock().webhook.clone()
    }

    /// Updates not yet confirmed.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().updates.len()
    }

    fn user_message(
        &self,
        chat: i64,
        user: i64,
        text: &str,
        reply_to: Option<i64>,
        mention: bool,
    ) -> Value {
        let mut g = self.shared.lock();
        let mut entities = json!([]);
        let mut text = text.to_string();
        if mention {
            let name = format!("@{}", g.options.bot_username);
            entities =
                json!([{"type": "mention", "offset": utf16(&text) + 1, "length": utf16(&name)}]);
            text = format!("{text} {name}");
        }
        let date = g.now();
        let m = g.insert(TwinMessage {
            chat_id: chat,
            message_id: 0,
            date,
            text,
            entities,
            media: Vec::new(),
            uploaded: Vec::new(),
            reply_to,
            preview_url: None,
            from: Some(user),
            forward_of: None,
            media_group_id: None,
            edit_date: None,
        });
        let v = g.message_json(&m, false);
        g.push_update("message", v.clone());
        v
    }

    /// `user` comments on channel post `post` (a reply to its automatic forward in the
    /// discussion group); returns the comment's `Message`.
    pub fn comment(&self, post: i64, user: i64, text: &str) -> Value {
        let (group, fwd) = {
            let g = self.shared.lock();
            let fwd = g
                .messages
                .values()
                .find(|m| m.chat_id == g.group_id && m.forward_of == Some(post))
                .map(|m| m.message_id);
            (g.group_id, fwd)
        };
        self.user_message(group, user, text, fwd, false)
    }

    /// `user` mentions the bot in the discussion group.
    pub fn mention(&self, user: i64, text: &str) -> Value {
        let group = self.group_id();
        self.user_message(group, user, text, None, true)
    }

    /// `user` writes to the bot in a private chat (the chat id is the user id).
    pub fn direct_message(&self, user: i64, text: &str) -> Value {
        self.user_message(user, user, text, None, false)
    }

    /// `user` reacts with `emoji` to channel post `post`.
    pub fn react(&self, post: i64, user: i64, emoji: &str) {
        let mut g = self.shared.lock();
        let payload = json!({
            "chat": g.chat(g.channel_id), "message_id": post, "user": g.user(user),
            "date": g.now(), "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": emoji}],
        });
        g.push_update("message_reaction", payload);
    }

    /// An update as Telegram would push it to a webhook (the JSON of the last one queued).
    pub fn last_update(&self) -> Option<Value> {
        self.shared.lock().updates.last().map(|(_, u)| u.clone())
    }
}
