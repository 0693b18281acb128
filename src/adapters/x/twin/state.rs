//! The twin's state: users, posts, media uploads, tokens and rate-limit counters, with the
//! rules X's documentation gives for each operation. Handlers in `routes.rs` only translate.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::{TwinMedia, TwinOptions, TwinTweet, TwinUser};

const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;
const PROBLEMS: &str = "https://api.x.com/2/problems/";

/// An X error answer: status and problem JSON.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub status: u16,
    pub body: Value,
}

impl Problem {
    pub fn new(status: u16, kind: &str, title: &str, detail: &str) -> Problem {
        let t = if kind == "about:blank" {
            kind.to_string()
        } else {
            format!("{PROBLEMS}{kind}")
        };
        Problem {
            status,
            body: json!({"title": title, "detail": detail, "type": t, "status": status}),
        }
    }

    pub fn invalid(detail: &str) -> Problem {
        Problem::new(400, "invalid-request", "Invalid Request", detail)
    }

    pub fn not_found(detail: &str) -> Problem {
        Problem::new(404, "resource-not-found", "Not Found Error", detail)
    }
}

pub(crate) type Answer = std::result::Result<(u16, Value), Problem>;

/// A 15-minute rate-limit window of one endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    pub limit: u64,
    pub used: u64,
    pub reset: DateTime<Utc>,
}

impl Window {
    fn take(&mut self, now: DateTime<Utc>, span: Duration) -> bool {
        if now >= self.reset {
            self.used = 0;
            self.reset = now + span;
        }
        if self.used >= self.limit {
            return false;
        }
        self.used += 1;
        true
    }

    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub options: TwinOptions,
    pub access_token: String,
    pub refresh_token: String,
    pub token_serial: u32,
    /// When the current access token was issued (on the options' clock).
    pub access_issued_at: DateTime<Utc>,
    last_id: i64,
    pub users: Vec<TwinUser>,
    pub tweets: Vec<TwinTweet>,
    pub media: HashMap<String, TwinMedia>,
    pub windows: HashMap<String, Window>,
    pub user_daily: Window,
    pub app_daily: Window,
    /// OAuth 1.0a request tokens by token.
    pub request_tokens: HashMap<String, super::oauth1::RequestToken>,
    /// OAuth 1.0a access tokens issued by the flow: token → secret.
    pub oauth1_tokens: HashMap<String, String>,
    /// OAuth 2.0 authorization codes issued and not yet exchanged.
    pub oauth2_codes: HashMap<String, super::oauth2::IssuedCode>,
}

impl State {
    pub fn new(options: TwinOptions) -> State {
        let now = Utc::now();
        let mut s = State {
            access_token: options.token.clone(),
            refresh_token: options.refresh_token.clone(),
            token_serial: 0,
            access_issued_at: options.clock.now(),
            last_id: 0,
            users: Vec::new(),
            tweets: Vec::new(),
            media: HashMap::new(),
            windows: HashMap::new(),
            user_daily: Window {
                limit: options.user_daily_posts,
                used: 0,
                reset: now + Duration::hours(24),
            },
            app_daily: Window {
                limit: options.app_daily_posts,
                used: 0,
                reset: now + Duration::hours(24),
            },
            request_tokens: HashMap::new(),
            oauth1_tokens: HashMap::new(),
            oauth2_codes: HashMap::new(),
            options,
        };
        let (t, secret) = (
            s.options.oauth1_token.clone(),
            s.options.oauth1_token_secret.clone(),
        );
        s.oauth1_tokens.insert(t, secret);
        let name = s.options.username.clone();
        s.add_user(&name);
        s
    }

    /// A new snowflake id: time-ordered, strictly increasing.
    pub fn id(&mut self) -> String {
        let ms = Utc::now().timestamp_millis() - SNOWFLAKE_EPOCH_MS;
        let id = (ms << 22).max(self.last_id + 1);
        self.last_id = id;
        id.to_string()
    }

    pub fn owner(&self) -> &TwinUser {
        &self.users[0]
    }

    pub fn add_user(&mut self, username: &str) -> String {
        let id = self.id();
        self.users.push(TwinUser {
            id: id.clone(),
            username: username.to_string(),
            name: format!("{username} (twin)"),
            followers: 0,
            following: 0,
        });
        id
    }

    pub fn user(&self, id: &str) -> Option<&TwinUser> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn tweet(&self, id: &str) -> Option<&TwinTweet> {
        self.tweets.iter().find(|t| t.id == id && !t.deleted)
    }

    /// Counts a call against its 15-minute window; `Err` with the window when used up.
    pub fn rate(&mut self, key: &str) -> std::result::Result<Window, Window> {
        let limit = if key.starts_with("POST /2/tweets") {
            self.options.post_limit_15min
        } else {
            self.options.read_limit_15min
        };
        let now = Utc::now();
        let w = self.windows.entry(key.to_string()).or_insert(Window {
            limit,
            used: 0,
            reset: now + Duration::minutes(15),
        });
        if w.take(now, Duration::minutes(15)) {
            Ok(w.clone())
        } else {
            Err(w.clone())
        }
    }

    /// Counts a post against the 24-hour caps; `false` when one is used up.
    pub fn daily(&mut self) -> bool {
        let now = Utc::now();
        let day = Duration::hours(24);
        if self.user_daily.remaining() == 0 && now < self.user_daily.reset {
            return false;
        }
        if self.app_daily.remaining() == 0 && now < self.app_daily.reset {
            return false;
        }
        self.user_daily.take(now, day) && self.app_daily.take(now, day)
    }

    pub fn new_tweet(&mut self, author_id: &str, text: &str) -> TwinTweet {
        TwinTweet {
            id: self.id(),
            author_id: author_id.to_string(),
            text: text.to_string(),
            created_at: Utc::now(),
            reply_to: None,
            quote_of: None,
            media_ids: Vec::new(),
            lang: "en".into(),
            likes: 0,
            reposts: 0,
            replies: 0,
            quotes: 0,
            impressions: 0,
            bookmarks: 0,
            deleted: false,
        }
    }

    pub fn tweet_json(&self, t: &TwinTweet, fields: &str) -> Value {
        let mut v = json!({"id": t.id, "text": t.text, "edit_history_tweet_ids": [t.id]});
        let want = |f: &str| fields.split(',').any(|x| x == f);
        if want("created_at") {
            v["created_at"] = json!(
                t.created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            );
        }
        if want("author_id") {
            v["author_id"] = json!(t.author_id);
        }
        if want("conversation_id") {
            v["conversation_id"] = json!(self.conversation(t));
        }
        if want("lang") {
            v["lang"] = json!(t.lang);
        }
        if want("referenced_tweets") {
            let mut refs = Vec::new();
            if let Some(r) = &t.reply_to {
                refs.push(json!({"type": "replied_to", "id": r}));
            }
            if let Some(q) = &t.quote_of {
                refs.push(json!({"type": "quoted", "id": q}));
            }
            if !refs.is_empty() {
                v["referenced_tweets"] = json!(refs);
            }
        }
        if want("public_metrics") {
            v["public_metrics"] = json!({
                "retweet_count": t.reposts, "reply_count": t.replies, "like_count": t.likes,
                "quote_count": t.quotes, "bookmark_count": t.bookmarks,
                "impression_count": t.impressions
            });
        }
        v
    }

    fn conversation(&self, t: &TwinTweet) -> String {
        let mut cur = t;
        for _ in 0..1000 {
            match cur
                .reply_to
                .as_deref()
                .and_then(|id| self.tweets.iter().find(|x| x.id == id))
            {
                Some(parent) => cur = parent,
                None => break,
            }
        }
        cur.id.clone()
    }

    pub fn user_json(&self, u: &TwinUser, with_metrics: bool) -> Value {
        let mut v = json!({"id": u.id, "username": u.username, "name": u.name});
        if with_metrics {
            let posts = self
                .tweets
                .iter()
                .filter(|t| t.author_id == u.id && !t.deleted)
                .count();
            v["description"] = json!("A twin account of socialkit");
            v["profile_image_url"] = json!(format!("https://pbs.twimg.invalid/{}.png", u.id));
            v["url"] = json!("");
            v["public_metrics"] = json!({
                "followers_count": u.followers, "following_count": u.following,
                "post_count": posts, "listed_count": 0, "like_count": 0, "media_count": 0
            });
        }
        v
    }

    /// A page of `items` (newest first) after `since_id`/`start_time`, below `pagination_token`.
    pub fn page(&self, items: Vec<&TwinTweet>, q: &BTreeMap<String, String>) -> Answer {
        let max: usize = match q.get("max_results").map(|m| m.parse::<usize>()) {
            None => 10,
            Some(Ok(n)) if (5..=100).contains(&n) => n,
            _ => {
                return Err(Problem::invalid(
                    "The `max_results` query parameter value is not between 5 and 100",
                ));
            }
        };
        let since: Option<i64> = q.get("since_id").and_then(|s| s.parse().ok());
        let start: Option<DateTime<Utc>> = match q.get("start_time") {
            None => None,
            Some(s) => Some(
                DateTime::parse_from_rfc3339(s)
                    .map_err(|_| {
                        Problem::invalid(
                            "The `start_time` query parameter value is not a valid time",
                        )
                    })?
                    .with_timezone(&Utc),
            ),
        };
        let below: Option<i64> = match q.get("pagination_token") {
            None => None,
            Some(t) => Some(
                t.strip_prefix('p')
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| {
                        Problem::invalid("The `pagination_token` query parameter value is invalid")
                    })?,
            ),
        };
        let num = |t: &TwinTweet| t.id.parse::<i64>().unwrap_or(0);
        let mut matching: Vec<&TwinTweet> = items
            .into_iter()
            .filter(|t| since.is_none_or(|s| num(t) > s))
            .filter(|t| start.is_none_or(|s| t.created_at >= s))
            .filter(|t| below.is_none_or(|b| num(t) < b))
            .collect();
        matching.sort_by_key(|t| std::cmp::Reverse(num(t)));
        let more = matching.len() > max;
        matching.truncate(max);
        let fields = q.get("tweet.fields").cloned().unwrap_or_default();
        let data: Vec<Value> = matching
            .iter()
            .map(|t| self.tweet_json(t, &fields))
            .collect();
        let mut meta = json!({"result_count": data.len()});
        if let (Some(first), Some(last)) = (matching.first(), matching.last()) {
            meta["newest_id"] = json!(first.id);
            meta["oldest_id"] = json!(last.id);
            if more {
                meta["next_token"] = json!(format!("p{}", last.id));
            }
        }
        let mut body = json!({"meta": meta});
        if !data.is_empty() {
            body["data"] = json!(data);
        }
        if q.get("expansions").is_some_and(|e| e.contains("author_id")) {
            let mut seen = Vec::new();
            for t in &matching {
                if !seen.contains(&t.author_id) {
                    seen.push(t.author_id.clone());
                }
            }
            let users: Vec<Value> = seen
                .iter()
                .filter_map(|id| self.user(id))
                .map(|u| self.user_json(u, false))
                .collect();
            body["includes"] = json!({"users": users});
        }
        Ok((200, body))
    }

    pub fn mentions_of(&self, user_id: &str) -> Vec<&TwinTweet> {
        let Some(user) = self.user(user_id) else {
            return Vec::new();
        };
        let handle = format!("@{}", user.username.to_lowercase());
        self.tweets
            .iter()
            .filter(|t| !t.deleted && t.author_id != user_id)
            .filter(|t| {
                t.text.to_lowercase().contains(&handle)
                    || t.reply_to
                        .as_deref()
                        .and_then(|r| self.tweets.iter().find(|x| x.id == r))
                        .is_some_and(|p| p.author_id == user_id)
            })
            .collect()
    }

    pub fn create(&mut self, body: &Value) -> Answer {
        let text = body
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let media_ids: Vec<String> = body
            .pointer("/media/media_ids")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let reply_to = body
            .pointer("/reply/in_reply_to_tweet_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        if text.trim().is_empty() && media_ids.is_empty() {
            return Err(Problem::invalid("Post text or media is required."));
        }
        if crate::text::x::weighted_length(&text) > self.options.max_chars {
            return Err(Problem::new(
                400,
                "about:blank",
                "Bad Request",
                "Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.",
            ));
        }
        if media_ids.len() > 4 {
            return Err(Problem::invalid("Your media IDs are invalid."));
        }
        for id in &media_ids {
            let ready = self
                .media
                .get(id)
                .is_some_and(|m| m.finalized && m.polls_left == 0 && !m.fails);
            if !ready {
                return Err(Problem::invalid("Your media IDs are invalid."));
            }
        }
        if let Some(r) = &reply_to {
            if self.tweet(r).is_none() {
                return Err(Problem::invalid(
                    "You attempted to reply to a Tweet that is deleted or not visible to you.",
                ));
            }
        }
        let owner = self.owner().id.clone();
        let duplicate = !text.is_empty()
            && self
                .tweets
                .iter()
                .any(|t| !t.deleted && t.author_id == owner && t.text == text);
        if duplicate {
            return Err(Problem::new(
                403,
                "about:blank",
                "Forbidden",
                "You are not allowed to create a Tweet with duplicate content.",
            ));
        }
        let mut t = self.new_tweet(&owner, &text);
        t.reply_to = reply_to.clone();
        t.media_ids = media_ids;
        if let Some(p) = reply_to.and_then(|r| self.tweets.iter_mut().find(|x| x.id == r)) {
            p.replies += 1;
        }
        let answer =
            json!({"data": {"id": t.id, "text": t.text, "edit_history_tweet_ids": [t.id]}});
        self.tweets.push(t);
        Ok((201, answer))
    }

    pub fn delete(&mut self, id: &str) -> Answer {
        let owner = self.owner().id.clone();
        match self.tweets.iter_mut().find(|t| t.id == id && !t.deleted) {
            None => Err(Problem::not_found(&format!(
                "Could not find tweet with id: [{id}]."
            ))),
            Some(t) if t.author_id != owner => Err(Problem::new(
                403,
                "about:blank",
                "Forbidden",
                "You are not allowed to delete a Tweet that is not yours.",
            )),
            Some(t) => {
                t.deleted = true;
                Ok((200, json!({"data": {"deleted": true}})))
            }
        }
    }

    pub fn lookup(&self, q: &BTreeMap<String, String>) -> Answer {
        let ids: Vec<&str> = q
            .get("ids")
            .map(|s| s.split(',').filter(|x| !x.is_empty()).collect())
            .unwrap_or_default();
        if ids.is_empty() || ids.len() > 100 {
            return Err(Problem::invalid(
                "The `ids` query parameter value must hold 1 to 100 ids",
            ));
        }
        let fields = q.get("tweet.fields").cloned().unwrap_or_default();
        let mut data = Vec::new();
        let mut errors = Vec::new();
        for id in ids {
            match self.tweet(id) {
                Some(t) => data.push(self.tweet_json(t, &fields)),
                None => errors.push(json!({
                    "value": id, "detail": format!("Could not find tweet with ids: [{id}]."),
                    "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                    "resource_id": id, "type": format!("{PROBLEMS}resource-not-found")
                })),
            }
        }
        let mut body = json!({});
        if !data.is_empty() {
            body["data"] = json!(data);
        }
        if !errors.is_empty() {
            body["errors"] = json!(errors);
        }
        Ok((200, body))
    }
}
