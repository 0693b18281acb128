//! The LinkedIn twin's state and rules: posts (with little-text truncation), assets and
//! uploads, comments, statistics.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::{Value, json};

use super::{TwinAsset, TwinComment, TwinOptions, TwinPost};

/// A LinkedIn error answer.
#[derive(Debug, Clone)]
pub(crate) struct Fail {
    pub status: u16,
    pub body: Value,
}

impl Fail {
    pub fn new(status: u16, code: &str, message: &str) -> Fail {
        Fail {
            status,
            body: json!({"status": status, "code": code, "message": message}),
        }
    }

    pub fn invalid(field: &str, what: &str) -> Fail {
        Fail {
            status: 422,
            body: json!({"message": format!("ERROR :: /{field} :: {what}"), "status": 422}),
        }
    }

    pub fn not_found() -> Fail {
        Fail::new(404, "NOT_FOUND", "Not Found")
    }
}

/// What a handler answers: status, body (None: empty), extra headers.
pub(crate) type Answer = std::result::Result<(u16, Option<Value>, Vec<(String, String)>), Fail>;

fn ok(v: Value) -> Answer {
    Ok((200, Some(v), Vec::new()))
}

/// Where LinkedIn silently cuts little text: the first reserved character that is neither
/// escaped nor part of a hashtag template.
pub(crate) fn as_linkedin_keeps(little: &str) -> String {
    let reserved = crate::text::linkedin::RESERVED;
    let mut out = String::new();
    let mut rest = little;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("{hashtag|\\#|") {
            if let Some(end) = after.find('}') {
                let len = "{hashtag|\\#|".len() + end + 1;
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        if c == '\\' {
            if let Some(next) = rest[1..].chars().next() {
                out.push(c);
                out.push(next);
                rest = &rest[1 + next.len_utf8()..];
                continue;
            }
        }
        if reserved.contains(&c) {
            break;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[derive(Debug)]
pub(crate) struct State {
    pub options: TwinOptions,
    pub token: String,
    pub revoked: bool,
    pub seq: u64,
    pub calls: u64,
    pub posts: Vec<TwinPost>,
    pub assets: HashMap<String, TwinAsset>,
    /// upload key → (asset URN, part index for videos)
    pub uploads: HashMap<String, (String, Option<usize>)>,
    pub comments: Vec<TwinComment>,
    /// The `X-RestLi-Method` header of every `DELETE`.
    pub delete_methods: Vec<Option<String>>,
    /// OAuth codes issued and not yet exchanged.
    pub oauth_codes: HashMap<String, super::oauth::IssuedCode>,
}

impl State {
    pub fn new(options: TwinOptions) -> State {
        State {
            token: options.token.clone(),
            options,
            revoked: false,
            seq: 7_000_000_000,
            calls: 0,
            posts: Vec::new(),
            assets: HashMap::new(),
            uploads: HashMap::new(),
            comments: Vec::new(),
            delete_methods: Vec::new(),
            oauth_codes: HashMap::new(),
        }
    }

    pub fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn now_ms() -> i64 {
        Utc::now().timestamp_millis()
    }

    pub fn post(&self, urn: &str) -> Option<&TwinPost> {
        self.posts.iter().find(|p| p.urn == urn && !p.deleted)
    }

    fn asset_ready(&self, urn: &str) -> bool {
        self.assets
            .get(urn)
            .is_some_and(|a| a.status == "AVAILABLE" && a.owner == self.options.author)
    }

    pub fn create_post(&mut self, body: &Value) -> Answer {
        let author = body.get("author").and_then(Value::as_str).unwrap_or("");
        if author.is_empty() {
            return Err(Fail::invalid(
                "author",
                "field is required but not found and has no default value",
            ));
        }
        if author != self.options.author {
            return Err(Fail::new(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to post as this author",
            ));
        }
        for field in ["visibility", "distribution", "lifecycleState"] {
            if body.get(field).is_none() {
                return Err(Fail::invalid(
                    field,
                    "field is required but not found and has no default value",
                ));
            }
        }
        let commentary = body
            .get("commentary")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if commentary.encode_utf16().count() > self.options.max_chars {
            return Err(Fail::invalid(
                "commentary",
                "length exceeds the maximum allowed",
            ));
        }
        let content = body.get("content").cloned();
        let mut media_ids: Vec<String> = Vec::new();
        if let Some(id) = content
            .as_ref()
            .and_then(|c| c.pointer("/media/id"))
            .and_then(Value::as_str)
        {
            media_ids.push(id.to_string());
        }
        if let Some(images) = content
            .as_ref()
            .and_then(|c| c.pointer("/multiImage/images"))
            .and_then(Value::as_array)
        {
            if images.len() < 2 || images.len() > 20 {
                return Err(Fail::invalid(
                    "content/multiImage/images",
                    "must hold 2 to 20 images",
                ));
            }
            media_ids.extend(
                images
                    .iter()
                    .filter_map(|i| i.get("id")?.as_str().map(str::to_string)),
            );
        }
        if let Some(id) = media_ids.iter().find(|id| !self.asset_ready(id)) {
            return Err(Fail::invalid(
                "content/media/id",
                &format!("media asset {id} is not AVAILABLE"),
            ));
        }
        let duplicate = self.posts.iter().find(|p| {
            !p.deleted && p.author == author && p.commentary == commentary && !commentary.is_empty()
        });
        if let Some(d) = duplicate {
            let urn = d.urn.clone();
            return Err(Fail {
                status: 422,
                body: json!({
                    "errorDetailType": "com.linkedin.common.error.BadRequest",
                    "message": format!("ERROR :: /commentary :: Content is a duplicate of {urn}"),
                    "errorDetails": {"inputErrors": [{
                        "description": "Duplicate post is detected",
                        "input": {"inputPath": {"fieldPath": "/commentary"}},
                        "code": "DUPLICATE_POST"
                    }]},
                    "status": 422
                }),
            });
        }
        let n = self.next();
        let urn = format!("urn:li:share:{n}");
        self.posts.push(TwinPost {
            urn: urn.clone(),
            author: author.to_string(),
            commentary: commentary.clone(),
            shown: as_linkedin_keeps(&commentary),
            created_ms: Self::now_ms(),
            content,
            deleted: false,
            reactions: 0,
            impressions: 0,
            unique_impressions: 0,
            clicks: 0,
            shares: 0,
        });
        Ok((201, None, vec![("x-restli-id".into(), urn)]))
    }

    pub fn post_json(p: &TwinPost) -> Value {
        json!({
            "id": p.urn, "author": p.author, "commentary": p.shown,
            "createdAt": p.created_ms, "publishedAt": p.created_ms, "lastModifiedAt": p.created_ms,
            "lifecycleState": "PUBLISHED", "visibility": "PUBLIC", "content": p.content
        })
    }

    pub fn find_posts(&self, q: &HashMap<String, String>) -> Answer {
        if q.get("q").map(String::as_str) != Some("author") {
            return Err(Fail::new(400, "ILLEGAL_ARGUMENT", "unknown finder"));
        }
        let author = q.get("author").cloned().unwrap_or_default();
        let count: usize = q
            .get("count")
            .and_then(|c| c.parse().ok())
            .unwrap_or(10)
            .min(100);
        let mut posts: Vec<&TwinPost> = self
            .posts
            .iter()
            .filter(|p| !p.deleted && p.author == author)
            .collect();
        posts.sort_by_key(|p| std::cmp::Reverse((p.created_ms, p.urn.clone())));
        let total = posts.len();
        let elements: Vec<Value> = posts.into_iter().take(count).map(Self::post_json).collect();
        ok(
            json!({"elements": elements, "paging": {"start": 0, "count": count, "total": total, "links": []}}),
        )
    }

    pub fn init_upload(&mut self, kind: &str, body: &Value, base: &url::Url) -> Answer {
        let owner = body
            .pointer("/initializeUploadRequest/owner")
            .and_then(Value::as_str)
            .unwrap_or("");
        if owner != self.options.author {
            return Err(Fail::new(
                403,
                "ACCESS_DENIED",
                "Not enough permissions for this owner",
            ));
        }
        let n = self.next();
        let urn = match kind {
            "images" => format!("urn:li:image:C4E{n}"),
            "documents" => format!("urn:li:document:D4D{n}"),
            _ => format!("urn:li:video:C5F{n}"),
        };
        let size = body
            .pointer("/initializeUploadRequest/fileSizeBytes")
            .and_then(Value::as_u64);
        let mut asset = TwinAsset {
            urn: urn.clone(),
            kind: kind.to_string(),
            owner: owner.to_string(),
            status: "WAITING_UPLOAD".into(),
            polls_left: self.options.media_processing_polls,
            fails: self.options.media_processing_fails,
            size: size.unwrap_or(0),
            received: Vec::new(),
            etags: Vec::new(),
        };
        let upload = |key: &str| {
            base.join(&format!("dms-uploads/{key}"))
                .map(|u| u.to_string())
                .unwrap_or_default()
        };
        let value = if kind == "videos" {
            let Some(size) = size.filter(|s| *s > 0) else {
                return Err(Fail::invalid(
                    "initializeUploadRequest/fileSizeBytes",
                    "field is required",
                ));
            };
            let part = self.options.video_part_bytes.max(1);
            let mut instructions = Vec::new();
            let mut first = 0u64;
            let mut i = 0;
            while first < size {
                let last = (first + part - 1).min(size - 1);
                let key = format!("v{n}-{i}");
                self.uploads.insert(key.clone(), (urn.clone(), Some(i)));
                instructions
                    .push(json!({"uploadUrl": upload(&key), "firstByte": first, "lastByte": last}));
                first = last + 1;
                i += 1;
            }
            asset.received = vec![0; i];
            asset.etags = vec![String::new(); i];
            json!({"video": urn, "uploadInstructions": instructions, "uploadToken": "", "uploadUrlsExpireAt": 0})
        } else {
            let key = format!("a{n}");
            self.uploads.insert(key.clone(), (urn.clone(), None));
            asset.received = vec![0];
            let field = if kind == "images" {
                "image"
            } else {
                "document"
            };
            json!({field: urn, "uploadUrl": upload(&key), "uploadUrlExpiresAt": 0})
        };
        self.assets.insert(urn, asset);
        ok(json!({"value": value}))
    }

    pub fn put_upload(&mut self, key: &str, bytes: usize) -> Answer {
        let Some((urn, part)) = self.uploads.get(key).cloned() else {
            return Err(Fail::not_found());
        };
        let Some(a) = self.assets.get_mut(&urn) else {
            return Err(Fail::not_found());
        };
        match part {
            None => {
                a.received = vec![bytes];
                a.status = if a.polls_left == 0 && !a.fails {
                    "AVAILABLE"
                } else {
                    "PROCESSING"
                }
                .into();
                Ok((201, None, Vec::new()))
            }
            Some(i) => {
                let etag = format!("\"etag-{}-{i}\"", a.urn.len() + i);
                if let (Some(r), Some(e)) = (a.received.get_mut(i), a.etags.get_mut(i)) {
                    *r = bytes;
                    *e = etag.clone();
                }
                Ok((200, None, vec![("etag".into(), etag)]))
            }
        }
    }

    pub fn finalize_video(&mut self, body: &Value) -> Answer {
        let urn = body
            .pointer("/finalizeUploadRequest/video")
            .and_then(Value::as_str)
            .unwrap_or("");
        let ids: Vec<String> = body
            .pointer("/finalizeUploadRequest/uploadedPartIds")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let Some(a) = self.assets.get_mut(urn) else {
            return Err(Fail::not_found());
        };
        let total: usize = a.received.iter().sum();
        if ids != a.etags || total as u64 != a.size {
            return Err(Fail::new(
                400,
                "ILLEGAL_ARGUMENT",
                "uploadedPartIds do not match the uploaded parts",
            ));
        }
        a.status = if a.polls_left == 0 && !a.fails {
            "AVAILABLE"
        } else {
            "PROCESSING"
        }
        .into();
        Ok((200, None, Vec::new()))
    }

    pub fn asset_status(&mut self, urn: &str) -> Answer {
        let Some(a) = self.assets.get_mut(urn) else {
            return Err(Fail::not_found());
        };
        if a.status == "PROCESSING" {
            a.polls_left = a.polls_left.saturating_sub(1);
            if a.polls_left == 0 {
                a.status = if a.fails {
                    "PROCESSING_FAILED"
                } else {
                    "AVAILABLE"
                }
                .into();
            }
        }
        ok(json!({"id": a.urn, "owner": a.owner, "status": a.status}))
    }

    pub fn add_comment(
        &mut self,
        on: &str,
        actor: &str,
        text: &str,
        parent: Option<String>,
    ) -> Answer {
        if self.post(on).is_none() {
            return Err(Fail::not_found());
        }
        let id = self.next().to_string();
        let activity = on.rsplit(':').next().unwrap_or("0").to_string();
        let c = TwinComment {
            id: id.clone(),
            urn: format!("urn:li:comment:(urn:li:activity:{activity},{id})"),
            post: on.to_string(),
            actor: actor.to_string(),
            text: text.to_string(),
            created_ms: Self::now_ms(),
            parent,
            deleted: false,
        };
        let v = Self::comment_json(&c);
        self.comments.push(c);
        Ok((201, Some(v), vec![("x-restli-id".into(), id)]))
    }

    pub fn comment_json(c: &TwinComment) -> Value {
        let mut v = json!({
            "id": c.id, "commentUrn": c.urn, "actor": c.actor, "object": c.post,
            "message": {"text": c.text},
            "created": {"actor": c.actor, "time": c.created_ms},
            "lastModified": {"actor": c.actor, "time": c.created_ms}
        });
        if let Some(p) = &c.parent {
            v["parentComment"] = json!(p);
        }
        v
    }

    pub fn comments_of(&self, on: &str) -> Answer {
        if self.post(on).is_none() {
            return Err(Fail::not_found());
        }
        let elements: Vec<Value> = self
            .comments
            .iter()
            .filter(|c| c.post == on && !c.deleted)
            .map(Self::comment_json)
            .collect();
        let total = elements.len();
        ok(
            json!({"elements": elements, "paging": {"start": 0, "count": 100, "total": total, "links": []}}),
        )
    }

    pub fn social_metadata(&self, urn: &str) -> Answer {
        let Some(p) = self.post(urn) else {
            return Err(Fail::not_found());
        };
        let all: Vec<&TwinComment> = self
            .comments
            .iter()
            .filter(|c| c.post == urn && !c.deleted)
            .collect();
        let top = all.iter().filter(|c| c.parent.is_none()).count();
        ok(json!({
            "entity": urn,
            "reactionSummaries": {"LIKE": {"reactionType": "LIKE", "count": p.reactions}},
            "commentSummary": {"count": all.len(), "topLevelCount": top},
            "commentsState": "OPEN"
        }))
    }

    pub fn share_statistics(&self, raw_query: &str) -> Answer {
        let mut urns = Vec::new();
        let mut org = String::new();
        for pair in raw_query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            match k {
                "organizationalEntity" => org = decode(v),
                "shares" | "ugcPosts" => {
                    let inner = v
                        .strip_prefix("List(")
                        .and_then(|s| s.strip_suffix(')'))
                        .unwrap_or("");
                    urns.extend(inner.split(',').filter(|s| !s.is_empty()).map(decode));
                }
                _ => {}
            }
        }
        if org != self.options.author {
            return Err(Fail::new(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to read statistics",
            ));
        }
        let elements: Vec<Value> = urns
            .iter()
            .filter_map(|u| self.post(u))
            .map(|p| {
                json!({
                    "share": p.urn, "organizationalEntity": org,
                    "totalShareStatistics": {
                        "impressionCount": p.impressions, "uniqueImpressionsCount": p.unique_impressions,
                        "clickCount": p.clicks, "shareCount": p.shares, "likeCount": p.reactions,
                        "commentCount": self.comments.iter().filter(|c| c.post == p.urn).count(),
                        "engagement": 0.0
                    }
                })
            })
            .collect();
        ok(json!({"elements": elements, "paging": {"start": 0, "count": 10, "links": []}}))
    }
}
