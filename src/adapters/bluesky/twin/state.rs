//! The twin's state: accounts, sessions and tokens, repositories, blobs and the notifications
//! the AppView derives from records.

#[allow(unused_imports)]
use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    Access,
    Refresh,
}

#[derive(Debug, Clone)]
pub(super) struct TokenInfo {
    pub(super) did: String,
    pub(super) kind: TokenKind,
    pub(super) expires_at: DateTime<Utc>,
    /// For refresh tokens: when it stops working after rotation.
    pub(super) revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(super) struct StoredRecord {
    pub(super) cid: String,
    pub(super) value: Value,
    pub(super) indexed_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct Notif {
    pub(super) recipient: String,
    pub(super) author: String,
    pub(super) reason: &'static str,
    pub(super) reason_subject: Option<String>,
    pub(super) record_uri: String,
    pub(super) sort_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct Blob {
    pub(super) mime: String,
    pub(super) size: usize,
}

pub(super) struct TwinState {
    pub(super) options: TwinOptions,
    pub(super) accounts: Vec<TwinAccount>,
    pub(super) tokens: HashMap<String, TokenInfo>,
    /// did -> collection -> rkey -> record
    pub(super) repos: HashMap<String, BTreeMap<String, BTreeMap<String, StoredRecord>>>,
    pub(super) blobs: HashMap<String, Blob>,
    pub(super) notifications: Vec<Notif>,
    pub(super) stats: TwinStats,
    pub(super) window_start: DateTime<Utc>,
    pub(super) window_used: u32,
    pub(super) session_calls: HashMap<String, VecDeque<DateTime<Utc>>>,
    pub(super) last_indexed: DateTime<Utc>,
}

impl TwinState {
    pub(super) fn new(options: TwinOptions) -> Self {
        let mut s = TwinState {
            accounts: Vec::new(),
            tokens: HashMap::new(),
            repos: HashMap::new(),
            blobs: HashMap::new(),
            notifications: Vec::new(),
            stats: TwinStats::default(),
            window_start: options.clock.now(),
            window_used: 0,
            session_calls: HashMap::new(),
            last_indexed: DateTime::<Utc>::MIN_UTC,
            options,
        };
        for (h, p) in s.options.accounts.clone() {
            s.add_account(&h, &p);
        }
        s
    }

    pub(super) fn add_account(&mut self, handle: &str, password: &str) -> String {
        if let Some(a) = self.accounts.iter().find(|a| a.handle == handle) {
            return a.did.clone();
        }
        let did = format!("did:plc:{}", &b32(&sha(handle.as_bytes()))[..24]);
        self.accounts.push(TwinAccount {
            handle: handle.to_string(),
            did: did.clone(),
            password: password.to_string(),
        });
        self.repos.entry(did.clone()).or_default();
        did
    }

    pub(super) fn account_by(&self, ident: &str) -> Option<&TwinAccount> {
        self.accounts.iter().find(|a| {
            a.handle == ident || a.did == ident || format!("{}@example.test", a.handle) == ident
        })
    }

    pub(super) fn handle_of(&self, did: &str) -> String {
        self.account_by(did)
            .map(|a| a.handle.clone())
            .unwrap_or_else(|| "handle.invalid".into())
    }

    /// The current instant by the twin's clock.
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.options.clock.now()
    }

    /// A strictly increasing index time, so the twin's notification order is total.
    pub(super) fn next_indexed_at(&mut self) -> DateTime<Utc> {
        let mut now = self.now();
        let min = self.last_indexed + chrono::Duration::milliseconds(1);
        if now < min {
            now = min;
        }
        self.last_indexed = now;
        now
    }

    pub(super) fn issue_tokens(&mut self, did: &str) -> (String, String) {
        let now = self.now();
        let access = jwt(did, "com.atproto.access", now, self.options.access_ttl);
        let refresh = jwt(did, "com.atproto.refresh", now, self.options.refresh_ttl);
        self.tokens.insert(
            access.clone(),
            TokenInfo {
                did: did.to_string(),
                kind: TokenKind::Access,
                expires_at: now
                    + chrono::Duration::from_std(self.options.access_ttl).unwrap_or_default(),
                revoked_at: None,
            },
        );
        self.tokens.insert(
            refresh.clone(),
            TokenInfo {
                did: did.to_string(),
                kind: TokenKind::Refresh,
                expires_at: now
                    + chrono::Duration::from_std(self.options.refresh_ttl).unwrap_or_default(),
                revoked_at: None,
            },
        );
        (access, refresh)
    }

    pub(super) fn record(&self, uri: &str) -> Option<&StoredRecord> {
        let (did, coll, rkey) = split_at_uri(uri)?;
        self.repos.get(did)?.get(coll)?.get(rkey)
    }

    pub(super) fn author_of(uri: &str) -> Option<&str> {
        split_at_uri(uri).map(|(d, _, _)| d)
    }

    /// Stores a record and derives notifications from it, like the AppView's indexer.
    pub(super) fn put_record(
        &mut self,
        did: &str,
        coll: &str,
        rkey: &str,
        value: Value,
    ) -> (String, String) {
        let cid = record_cid(&value);
        let uri = format!("at://{did}/{coll}/{rkey}");
        let indexed_at = self.next_indexed_at();
        self.repos
            .entry(did.to_string())
            .or_default()
            .entry(coll.to_string())
            .or_default()
            .insert(
                rkey.to_string(),
                StoredRecord {
                    cid: cid.clone(),
                    value: value.clone(),
                    indexed_at,
                },
            );
        let created = value
            .get("createdAt")
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(indexed_at);
        let sort_at = created.min(indexed_at);
        let mut notified: HashSet<String> = HashSet::new();
        let mut notify =
            |state: &mut TwinState, to: &str, reason: &'static str, subject: Option<String>| {
                if to == did || !notified.insert(to.to_string()) {
                    return;
                }
                state.notifications.push(Notif {
                    recipient: to.to_string(),
                    author: did.to_string(),
                    reason,
                    reason_subject: subject,
                    record_uri: uri.clone(),
                    sort_at,
                });
            };
        match coll {
            LIKE | REPOST => {
                if let Some(subject) = value.pointer("/subject/uri").and_then(Value::as_str) {
                    if let Some(to) = Self::author_of(subject).map(str::to_string) {
                        let reason = if coll == LIKE { "like" } else { "repost" };
                        notify(self, &to, reason, Some(subject.to_string()));
                    }
                }
            }
            FOLLOW => {
                if let Some(to) = value
                    .get("subject")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                {
                    notify(self, &to, "follow", None);
                }
            }
            POST => {
                // Replies notify the authors of up to 5 ancestors.
                let mut parent = value
                    .pointer("/reply/parent/uri")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let mut depth = 0;
                while let Some(p) = parent.take() {
                    if depth >= 5 {
                        break;
                    }
                    depth += 1;
                    if let Some(to) = Self::author_of(&p).map(str::to_string) {
                        notify(self, &to, "reply", Some(p.clone()));
                    }
                    parent = self
                        .record(&p)
                        .and_then(|r| r.value.pointer("/reply/parent/uri"))
                        .and_then(Value::as_str)
                        .map(str::to_string);
                }
                if let Some(facets) = value.get("facets").and_then(Value::as_array) {
                    for f in facets {
                        for feat in f
                            .get("features")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                        {
                            if feat.get("$type").and_then(Value::as_str)
                                == Some("app.bsky.richtext.facet#mention")
                            {
                                if let Some(to) =
                                    feat.get("did").and_then(Value::as_str).map(str::to_string)
                                {
                                    notify(self, &to, "mention", None);
                                }
                            }
                        }
                    }
                }
                if value.pointer("/embed/$type").and_then(Value::as_str)
                    == Some("app.bsky.embed.record")
                {
                    if let Some(q) = value.pointer("/embed/record/uri").and_then(Value::as_str) {
                        if let Some(to) = Self::author_of(q).map(str::to_string) {
                            notify(self, &to, "quote", Some(q.to_string()));
                        }
                    }
                }
            }
            _ => {}
        }
        (uri, cid)
    }

    pub(super) fn delete_record(&mut self, did: &str, coll: &str, rkey: &str) -> bool {
        let uri = format!("at://{did}/{coll}/{rkey}");
        let removed = self
            .repos
            .get_mut(did)
            .and_then(|r| r.get_mut(coll))
            .and_then(|c| c.remove(rkey))
            .is_some();
        if removed {
            self.notifications.retain(|n| n.record_uri != uri);
        }
        removed
    }

    pub(super) fn counts(&self, uri: &str) -> (u64, u64, u64, u64) {
        let mut likes = 0;
        let mut reposts = 0;
        let mut replies = 0;
        let mut quotes = 0;
        for colls in self.repos.values() {
            for (coll, recs) in colls {
                for r in recs.values() {
                    match coll.as_str() {
                        LIKE if r.value.pointer("/subject/uri").and_then(Value::as_str)
                            == Some(uri) =>
                        {
                            likes += 1
                        }
                        REPOST
                            if r.value.pointer("/subject/uri").and_then(Value::as_str)
                                == Some(uri) =>
                        {
                            reposts += 1
                        }
                        POST => {
                            if r.value.pointer("/reply/parent/uri").and_then(Value::as_str)
                                == Some(uri)
                            {
                                replies += 1;
                            }
                            if r.value.pointer("/embed/record/uri").and_then(Value::as_str)
                                == Some(uri)
                            {
                                quotes += 1;
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        (likes, reposts, replies, quotes)
    }

    /// An `app.bsky.feed.defs#postView` with counts, or `None` when there is no such post.
    pub(super) fn post_view(&self, uri: &str) -> Option<Value> {
        let (did, coll, _) = split_at_uri(uri)?;
        if coll != POST {
            return None;
        }
        let r = self.record(uri)?;
        let (likes, reposts, replies, quotes) = self.counts(uri);
        Some(json!({
            "uri": uri, "cid": r.cid, "author": self.profile_basic(did), "record": r.value,
            "replyCount": replies, "repostCount": reposts, "likeCount": likes,
            "quoteCount": quotes, "bookmarkCount": 0,
            "indexedAt": r.indexed_at.to_rfc3339_opts(SecondsFormat::Millis, true), "labels": []
        }))
    }

    pub(super) fn profile_basic(&self, did: &str) -> Value {
        let mut v = json!({"did": did, "handle": self.handle_of(did)});
        if let Some(name) = self
            .repos
            .get(did)
            .and_then(|r| r.get(PROFILE))
            .and_then(|c| c.get("self"))
            .and_then(|r| r.value.get("displayName").cloned())
        {
            v["displayName"] = name;
        }
        v
    }
}
