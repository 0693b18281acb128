//! The Instagram personality of the [Graph twin](crate::adapters::graph::twin) (feature
//! `testkit`): an Instagram professional account with media containers, a publishing quota,
//! comments, replies and insights.
//!
//! Routes, as the Instagram Graph API documents them: `GET /me/accounts` with the user token
//! (the Page [`LINKED_PAGE_ID`] with `instagram_business_account`, then
//! [`TwinOptions::other_pages`]), `GET /{ig-user-id}` (`username`,
//! `followers_count`, `follows_count`, `media_count` …), `GET
//! /{ig-user-id}/content_publishing_limit`, `POST /{ig-user-id}/media` (`image_url`,
//! `video_url` + `media_type=REELS|VIDEO`, `is_carousel_item`, `media_type=CAROUSEL` +
//! `children`, `caption`: over 2,200 characters is subcode 2207010, a URL that is not http(s)
//! is subcode 2207052), `GET /{container}?fields=status_code,status` (`IN_PROGRESS` for the
//! configured number of polls, then `FINISHED`, or `ERROR` when told), `POST
//! /{ig-user-id}/media_publish?creation_id=` (a container is published once; over the quota
//! is code 4 subcode 2207042), `GET /{ig-user-id}/media`, `GET /{media-id}` (`like_count`,
//! `comments_count`, `permalink`, `timestamp`), `GET|POST /{media-id}/comments`, `GET|POST
//! /{comment-id}/replies`, `GET /{media-id}/insights`, and hashtag search: `GET
//! /ig_hashtag_search?user_id=&q=` (a static id per hashtag; 30 unique hashtags per rolling 7
//! days, a repeat is free, the 31st gets Graph code 4 — the documentation gives no error body,
//! so that body is the twin's), `GET /{hashtag-id}/recent_media` (public media of the last 24
//! hours with the hashtag, at most 50 a page, `username` refused) and `GET
//! /{ig-user-id}/recently_searched_hashtags`; without [`TwinOptions::public_search`] they are
//! refused with code 10. `DELETE` is refused (the API does not
//! delete media).
//!
//! ```
//! use socialkit::adapters::instagram::{Instagram, twin::InstagramTwin};
//! use socialkit::model::{Media, Post, PublishOptions};
//! use socialkit::Platform;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = InstagramTwin::start().await.unwrap();
//! let ig = Instagram::new(twin.config()).unwrap();
//! let post = Post::text("Anvil #1").with_media(Media::from_url("image/jpeg", "https://cdn.example/a.jpg"));
//! let p = ig.publish(&post, &PublishOptions::default()).await.unwrap();
//! assert_eq!(twin.handle().node(&p.post.id).unwrap().text, "Anvil #1");
//! assert_eq!(twin.handle().publishes(), 1);
//! # });
//! ```

use serde_json::{Value, json};

use super::InstagramConfig;
use crate::adapters::graph::GraphSettings;
use crate::adapters::graph::api::format_time;
use crate::adapters::graph::twin::{
    ContainerState, Ctx, Flavor, GraphRequest, LinkedPage, Node, NodeKind, Personality,
    PlatformTwin, Reply, Routes, State, TwinOptions, check_publishable, container_status,
    has_hashtag, paged, publishing_limit, select,
};

/// The id of the Facebook Page the twin's account is linked to (`GET /me/accounts` with the
/// user token lists it, as Instagram's API with Facebook Login documents:
/// <https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/get-started>).
pub const LINKED_PAGE_ID: &str = "1000001";
use crate::http::Method;

/// A running Instagram twin: the shared [`PlatformTwin`] with the [`InstagramFlavor`]. Dropping it
/// stops the server.
///
/// ```
/// use socialkit::adapters::instagram::twin::InstagramTwin;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = InstagramTwin::start().await.unwrap();
/// assert_eq!(twin.url().host_str(), Some("127.0.0.1"));
/// assert!(twin.channel_url().starts_with("instagram://"));
/// # });
/// ```
pub type InstagramTwin = PlatformTwin<InstagramFlavor>;

/// The Instagram side of the Graph twin: account `17841400000000001` named `acme`, 100 posts a day.
///
/// ```
/// use socialkit::adapters::graph::twin::Flavor;
/// use socialkit::adapters::instagram::twin::InstagramFlavor;
/// assert_eq!(InstagramFlavor::options().publish_quota, 100);
/// ```
#[derive(Debug)]
pub struct InstagramFlavor;

impl Flavor for InstagramFlavor {
    type Config = InstagramConfig;
    const SCHEME: &'static str = super::PLATFORM;
    const ID_PARAM: &'static str = "ig_user_id";
    const URL_EXTRA: &'static str = "&poll=0.005&wait=5";

    fn options() -> TwinOptions {
        TwinOptions {
            token: "IGtwinACCESStoken0001".into(),
            account_id: "17841400000000001".into(),
            ..TwinOptions::default()
        }
    }

    fn routes() -> Routes {
        Routes::new(InstagramPersonality)
    }

    fn config(account_id: String, graph: GraphSettings) -> InstagramConfig {
        InstagramConfig {
            ig_user_id: account_id,
            graph,
        }
    }
}

struct InstagramPersonality;

impl Personality for InstagramPersonality {
    fn usage_type(&self) -> Option<&'static str> {
        Some("instagram")
    }

    fn route(&self, ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest, as_user: bool) -> Reply {
        let me = ctx.options.account_id.as_str();
        let path = req.path();
        match (&req.method, path.as_slice()) {
            // Facebook Login: the Page the account is linked to, with the account's token as
            // its Page token, then the other Pages.
            (&Method::GET, ["me", "accounts"]) if as_user => {
                let mut own = LinkedPage::new(
                    LINKED_PAGE_ID,
                    &ctx.options.account_name,
                    &ctx.options.token,
                );
                own.instagram = Some(me.to_string());
                let pages = std::iter::once(&own)
                    .chain(&ctx.options.other_pages)
                    .map(LinkedPage::json)
                    .collect();
                Reply::ok(paged(pages, req))
            }
            (&Method::GET, [id]) if *id == me => Reply::ok(select(user_json(ctx, state), req)),
            (&Method::GET, [id, "content_publishing_limit"]) if *id == me => {
                publishing_limit(ctx, state, false)
            }
            (&Method::GET, ["ig_hashtag_search"]) => hashtag_search(ctx, state, req),
            (&Method::GET, [id, "recent_media"]) => match hashtag_named(state, id) {
                Some(tag) => recent_media(ctx, state, req, &tag),
                None => Reply::no_object(req),
            },
            (&Method::GET, [id, "recently_searched_hashtags"]) if *id == me => {
                let items: Vec<Value> = state
                    .hashtags_in_window(ctx.now)
                    .into_iter()
                    .map(|name| json!({ "id": hashtag_id(name) }))
                    .collect();
                Reply::ok(paged(items, req))
            }
            (&Method::POST, [id, "media"]) if *id == me => create_container(ctx, state, req),
            (&Method::POST, [id, "media_publish"]) if *id == me => publish(ctx, state, req),
            (&Method::GET, [id, "media"]) if *id == me => {
                let items: Vec<Value> = state
                    .newest_first(|n| n.kind == NodeKind::Post && n.author_id == me)
                    .into_iter()
                    .map(|n| select(media_json(state, n), req))
                    .collect();
                Reply::ok(paged(items, req))
            }
            (&Method::GET, [id]) => {
                let kind = state.node(id).map(|n| n.kind);
                match kind {
                    Some(NodeKind::Container) => {
                        container_status(state, id, "status_code", "status")
                            .unwrap_or_else(|| Reply::no_object(req))
                    }
                    Some(NodeKind::Post) => match state.node(id) {
                        Some(n) => Reply::ok(select(media_json(state, n), req)),
                        None => Reply::no_object(req),
                    },
                    Some(NodeKind::Comment) => match state.node(id) {
                        Some(n) => Reply::ok(select(comment_json(state, n, req), req)),
                        None => Reply::no_object(req),
                    },
                    _ => Reply::no_object(req),
                }
            }
            (&Method::GET, [id, "comments" | "replies"]) => {
                let Some(on) = state.node(id) else {
                    return Reply::no_object(req);
                };
                let items: Vec<Value> = state
                    .children_of(&on.id, NodeKind::Comment)
                    .into_iter()
                    .map(|c| select(comment_json(state, c, req), req))
                    .collect();
                Reply::ok(paged(items, req))
            }
            (&Method::POST, [id, edge @ ("comments" | "replies")]) => {
                let expected = if *edge == "comments" {
                    NodeKind::Post
                } else {
                    NodeKind::Comment
                };
                let Some(on) = state.node(id).filter(|n| n.kind == expected) else {
                    return Reply::no_object(req);
                };
                let on = on.id.clone();
                let message = req.param("message").unwrap_or("").trim().to_string();
                if message.is_empty() {
                    return Reply::invalid("(#100) The parameter message is required");
                }
                let cid = state.id();
                let mut node = Node::new(
                    cid.clone(),
                    NodeKind::Comment,
                    me,
                    &ctx.options.account_name,
                );
                node.text = message;
                node.parent = Some(on);
                state.add(node);
                Reply::ok(json!({ "id": cid }))
            }
            (&Method::GET, [id, "insights"]) => insights(state, id, req),
            (&Method::DELETE, [_]) => Reply::error(
                400,
                100,
                None,
                "GraphMethodException",
                "Unsupported delete request.",
            ),
            _ => Reply::no_object(req),
        }
    }
}

/// The static, global id of a hashtag (the same for every app, as on Instagram).
///
/// ```
/// use socialkit::adapters::instagram::twin::hashtag_id;
/// assert_eq!(hashtag_id("anvils"), hashtag_id("anvils"));
/// assert_ne!(hashtag_id("anvils"), hashtag_id("hammers"));
/// ```
pub fn hashtag_id(name: &str) -> String {
    format!(
        "178438{}",
        &crate::adapters::graph::twin::author_id(name)[..10]
    )
}

/// The hashtag queried before whose id is `id`.
fn hashtag_named(state: &State, id: &str) -> Option<String> {
    state
        .hashtag_queries
        .keys()
        .find(|name| hashtag_id(name) == id)
        .cloned()
}

/// The caller must be the account itself (`user_id`), with Public Content Access.
fn check_searcher(ctx: &Ctx<'_>, req: &GraphRequest) -> Option<Reply> {
    if req.param("user_id") != Some(ctx.options.account_id.as_str()) {
        return Some(Reply::invalid(
            "(#100) The parameter user_id is required and must be the querying IG user",
        ));
    }
    if !ctx.options.public_search {
        return Some(Reply::error(
            400,
            10,
            None,
            "OAuthException",
            "(#10) Application does not have permission for this action (Instagram Public Content Access)",
        ));
    }
    None
}

/// `GET /ig_hashtag_search?user_id=&q=`: the hashtag's id; a new unique hashtag counts for 7
/// days from its first query, the 31st of a window is refused.
fn hashtag_search(ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest) -> Reply {
    if let Some(refused) = check_searcher(ctx, req) {
        return refused;
    }
    let Some(q) = req
        .param("q")
        .map(|q| q.trim().trim_start_matches('#').to_lowercase())
        .filter(|q| !q.is_empty())
    else {
        return Reply::invalid("(#100) The parameter q is required");
    };
    if !q.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Reply::invalid("(#100) Invalid hashtag: emojis and punctuation are not supported");
    }
    let from = ctx.now - chrono::Duration::days(7);
    let counted = state.hashtag_queries.get(&q).is_some_and(|t| *t > from);
    if !counted {
        if state.hashtags_in_window(ctx.now).len() >= 30 {
            // Meta documents the quota but not the error body; the twin answers with Graph's
            // rate-limit code 4 and a message that names it.
            return Reply::error(
                400,
                4,
                None,
                "OAuthException",
                "(#4) Hashtag limit reached: an account can query at most 30 unique hashtags within 7 days",
            );
        }
        state.hashtag_queries.insert(q.clone(), ctx.now);
    }
    Reply::ok(json!({ "data": [{ "id": hashtag_id(&q) }] }))
}

/// `GET /{hashtag-id}/recent_media?user_id=&fields=`: public media with the hashtag from the
/// last 24 hours, newest first, at most 50 a page; `username` cannot be requested.
fn recent_media(ctx: &Ctx<'_>, state: &State, req: &GraphRequest, tag: &str) -> Reply {
    if let Some(refused) = check_searcher(ctx, req) {
        return refused;
    }
    if req.wants("username") {
        return Reply::invalid("(#100) The username field cannot be requested on hashtag media");
    }
    let from = ctx.now - chrono::Duration::hours(24);
    let items: Vec<Value> = state
        .newest_first(|n| {
            n.kind == NodeKind::Post
                && n.published
                && n.created_at > from
                && has_hashtag(&n.text, tag)
        })
        .into_iter()
        .map(|n| select(media_json(state, n), req))
        .collect();
    let mut capped = req.clone();
    let limit = req
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .min(50);
    capped.params.insert("limit".into(), limit.to_string());
    Reply::ok(paged(items, &capped))
}

fn user_json(ctx: &Ctx<'_>, state: &State) -> Value {
    let o = ctx.options;
    let media = state
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Post && !n.deleted && n.author_id == o.account_id)
        .count();
    json!({
        "id": o.account_id,
        "username": o.account_name,
        "name": format!("{} Inc.", o.account_name),
        "biography": "We make anvils.",
        "profile_picture_url": "https://scontent.twin.invalid/acme.jpg",
        "website": "https://acme.example",
        "followers_count": o.followers,
        "follows_count": 42,
        "media_count": media,
    })
}

fn media_json(state: &State, n: &Node) -> Value {
    let comments = state.children_of(&n.id, NodeKind::Comment);
    let replies: usize = comments
        .iter()
        .map(|c| state.children_of(&c.id, NodeKind::Comment).len())
        .sum();
    json!({
        "id": n.id,
        "caption": n.text,
        "media_type": n.media_type,
        "media_product_type": if n.media_type == "VIDEO" { "REELS" } else { "FEED" },
        "timestamp": format_time(n.created_at),
        "permalink": n.permalink,
        "username": n.author_name,
        "like_count": n.count("likes"),
        "comments_count": comments.len() + replies,
    })
}

fn comment_json(state: &State, c: &Node, req: &GraphRequest) -> Value {
    let mut v = json!({
        "id": c.id,
        "text": c.text,
        "timestamp": format_time(c.created_at),
        "username": c.author_name,
        "from": { "id": c.author_id, "username": c.author_name },
        "like_count": c.count("likes"),
    });
    if req.wants("replies") {
        let replies: Vec<Value> = state
            .children_of(&c.id, NodeKind::Comment)
            .into_iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "text": r.text,
                    "timestamp": format_time(r.created_at),
                    "username": r.author_name,
                    "from": { "id": r.author_id, "username": r.author_name },
                })
            })
            .collect();
        if !replies.is_empty() {
            v["replies"] = json!({ "data": replies });
        }
    }
    v
}

fn insights(state: &State, id: &str, req: &GraphRequest) -> Reply {
    let Some(n) = state.node(id).filter(|n| n.kind == NodeKind::Post) else {
        return Reply::no_object(req);
    };
    let comments = state.children_of(&n.id, NodeKind::Comment).len() as u64;
    let mut data = Vec::new();
    for metric in req
        .param("metric")
        .unwrap_or("")
        .split(',')
        .filter(|m| !m.is_empty())
    {
        let value = match metric {
            "views" | "reach" | "saved" | "likes" | "shares" => n.count(metric),
            "comments" => comments,
            _ => {
                return Reply::error(
                    400,
                    100,
                    None,
                    "OAuthException",
                    &format!(
                        "(#100) metric[0] must be one of the following values: views, reach, saved, likes, comments, shares; got {metric}"
                    ),
                );
            }
        };
        data.push(json!({
            "name": metric,
            "period": "lifetime",
            "values": [{ "value": value }],
            "id": format!("{}/insights/{metric}/lifetime", n.id),
        }));
    }
    Reply::ok(json!({ "data": data }))
}

fn public(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

fn create_container(ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest) -> Reply {
    let caption = req.param("caption").unwrap_or("");
    if caption.chars().count() > 2200 {
        return Reply::error(
            400,
            100,
            Some(2207010),
            "OAuthException",
            "The caption is too long",
        );
    }
    if caption
        .split_whitespace()
        .filter(|w| w.starts_with('#'))
        .count()
        > 30
    {
        return Reply::error(
            400,
            100,
            Some(2207010),
            "OAuthException",
            "The caption has more than 30 hashtags",
        );
    }
    let media_type = req.param("media_type").unwrap_or("IMAGE");
    let child = req.flag("is_carousel_item").unwrap_or(false);
    match media_type {
        "CAROUSEL" => {
            let children: Vec<&str> = req
                .param("children")
                .unwrap_or("")
                .split(',')
                .filter(|c| !c.is_empty())
                .collect();
            if !(2..=10).contains(&children.len()) {
                return Reply::error(
                    400,
                    100,
                    Some(2207028),
                    "OAuthException",
                    "A carousel has 2 to 10 children",
                );
            }
            for c in &children {
                let ok = state.node(c).is_some_and(|n| {
                    n.kind == NodeKind::Container
                        && n.params.get("is_carousel_item").map(String::as_str) == Some("true")
                        && n.container == Some(ContainerState::Finished)
                });
                if !ok {
                    return Reply::error(
                        400,
                        100,
                        Some(2207028),
                        "OAuthException",
                        "Every child must be a finished carousel item container",
                    );
                }
            }
        }
        "REELS" | "VIDEO" | "STORIES" => {
            if media_type == "VIDEO" && !child {
                return Reply::invalid(
                    "(#100) media_type VIDEO is only for carousel items; use REELS",
                );
            }
            match req.param("video_url").or(req.param("image_url")) {
                Some(u) if public(u) => {}
                _ => {
                    return Reply::error(
                        400,
                        9004,
                        Some(2207052),
                        "OAuthException",
                        "Media download has failed. The media URI doesn't meet our requirements.",
                    );
                }
            }
        }
        "IMAGE" => match req.param("image_url") {
            Some(u) if public(u) => {}
            Some(_) => {
                return Reply::error(
                    400,
                    9004,
                    Some(2207052),
                    "OAuthException",
                    "Media download has failed. The media URI doesn't meet our requirements.",
                );
            }
            None => return Reply::invalid("(#100) The parameter image_url is required"),
        },
        _ => return Reply::invalid("(#100) Unsupported media_type"),
    }
    let id = state.create_container(
        &ctx.options.account_id,
        &ctx.options.account_name,
        &req.params,
    );
    Reply::ok(json!({ "id": id }))
}

fn publish(ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest) -> Reply {
    let Some(creation) = req.param("creation_id").map(str::to_string) else {
        return Reply::invalid("(#100) The parameter creation_id is required");
    };
    if let Err(reply) = check_publishable(ctx, state, &creation, false) {
        return reply;
    }
    let Some(container) = state.node(&creation).cloned() else {
        return Reply::no_object(req);
    };
    if container.params.get("is_carousel_item").map(String::as_str) == Some("true") {
        return Reply::invalid("(#100) A carousel item cannot be published on its own");
    }
    let media_id = state.id();
    let mut node = Node::new(
        media_id.clone(),
        NodeKind::Post,
        &ctx.options.account_id,
        &ctx.options.account_name,
    );
    node.text = container.params.get("caption").cloned().unwrap_or_default();
    node.media_type = match container.params.get("media_type").map(String::as_str) {
        Some("CAROUSEL") => "CAROUSEL_ALBUM",
        Some("REELS") => "VIDEO",
        _ => "IMAGE",
    }
    .to_string();
    node.children = container
        .params
        .get("children")
        .map(|c| c.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    for key in ["image_url", "video_url"] {
        if let Some(u) = container.params.get(key) {
            node.media
                .push((u.clone(), key.trim_end_matches("_url").to_uppercase()));
        }
    }
    node.permalink = format!(
        "https://www.instagram.com/p/TW{}/",
        &media_id[media_id.len().saturating_sub(8)..]
    );
    state.add(node);
    if let Some(c) = state.node_mut(&creation) {
        c.container = Some(ContainerState::Published(media_id.clone()));
    }
    state.publishes.push(ctx.now);
    Reply::ok(json!({ "id": media_id }))
}
