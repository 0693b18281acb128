//! The Threads personality of the [Graph twin](crate::adapters::graph::twin) (feature
//! `testkit`): a Threads profile with media containers, reply chains, publishing quotas for
//! posts and replies, conversations, insights and deletes.
//!
//! Routes, as the Threads API documents them: `GET /{user-id}`, `GET
//! /{user-id}/threads_publishing_limit` (`quota_usage`, `config`, `reply_quota_usage`,
//! `reply_config`), `POST /{user-id}/threads` (`media_type=TEXT|IMAGE|VIDEO|CAROUSEL`, `text`
//! up to 500 characters, at most 5 links or `THREADS_API__LINK_LIMIT_EXCEEDED`,
//! `image_url`/`video_url`, `is_carousel_item`, `children`, `reply_to_id`,
//! `link_attachment`), `GET /{container}?fields=status,error_message`, `POST
//! /{user-id}/threads_publish?creation_id=`, `GET /{user-id}/threads` (posts), `GET
//! /{user-id}/replies` (the profile's replies), `GET /{media-id}` (`replied_to`,
//! `root_post`), `GET /keyword_search` (`q`, `search_type=TOP|RECENT`, `search_mode=KEYWORD|TAG`,
//! `media_type`, `since`/`until` as Unix seconds, `limit` up to 100 with `after` cursors; 2,200
//! queries that find something per rolling 24 hours, then Graph code 4; only the user's own
//! posts unless [`TwinOptions::public_search`]), `GET /{media-id}/replies` (top level) and `/conversation` (every depth, with
//! `reverse`), `GET /{media-id}/insights`, `GET /{user-id}/threads_insights`
//! (`followers_count`), `DELETE /{media-id}` (`{"success":true,"deleted_id":…}`), and the
//! token endpoints `access_token` (`th_exchange_token`) and `refresh_access_token`
//! (`th_refresh_token`, which replaces the token), and the login endpoints of the shared twin
//! (`oauth/authorize`, the code exchange at `oauth/access_token`, `debug_token`).
//!
//! ```
//! use socialkit::adapters::threads::{Threads, twin::ThreadsTwin};
//! use socialkit::PlatformExt;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = ThreadsTwin::start().await.unwrap();
//! let threads = Threads::new(twin.config()).unwrap();
//! let p = threads.publish_thread(&["one", "two"]).await.unwrap();
//! let second = twin.handle().node(&p.parts[1].id).unwrap();
//! assert_eq!(second.parent.as_deref(), Some(p.parts[0].id.as_str()));
//! # });
//! ```

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::ThreadsConfig;
use crate::adapters::graph::GraphSettings;
use crate::adapters::graph::api::format_time;
use crate::adapters::graph::twin::{
    ContainerState, Ctx, Flavor, GraphRequest, Node, NodeKind, Personality, PlatformTwin, Reply,
    Routes, State, TwinOptions, check_publishable, container_status, has_hashtag, has_terms, paged,
    publishing_limit, select,
};
use crate::http::Method;

/// A running Threads twin: the shared [`PlatformTwin`] with the [`ThreadsFlavor`]. Dropping it
/// stops the server.
///
/// ```
/// use socialkit::adapters::threads::twin::ThreadsTwin;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = ThreadsTwin::start().await.unwrap();
/// assert_eq!(twin.url().host_str(), Some("127.0.0.1"));
/// assert!(twin.channel_url().starts_with("threads://"));
/// # });
/// ```
pub type ThreadsTwin = PlatformTwin<ThreadsFlavor>;

/// The Threads side of the Graph twin: user `25000000000000001` named `acme`, 250 posts and 1,000 replies a day.
///
/// ```
/// use socialkit::adapters::graph::twin::Flavor;
/// use socialkit::adapters::threads::twin::ThreadsFlavor;
/// assert_eq!(ThreadsFlavor::options().reply_quota, 1000);
/// ```
#[derive(Debug)]
pub struct ThreadsFlavor;

impl Flavor for ThreadsFlavor {
    type Config = ThreadsConfig;
    const SCHEME: &'static str = super::PLATFORM;
    const ID_PARAM: &'static str = "user_id";
    const URL_EXTRA: &'static str = "&poll=0.005&wait=5";

    fn options() -> TwinOptions {
        TwinOptions {
            token: "THtwinACCESStoken0001".into(),
            account_id: "25000000000000001".into(),
            publish_quota: 250,
            reply_quota: 1000,
            ..TwinOptions::default()
        }
    }

    fn routes() -> Routes {
        Routes::new(ThreadsPersonality)
    }

    fn config(account_id: String, graph: GraphSettings) -> ThreadsConfig {
        ThreadsConfig {
            user_id: account_id,
            graph,
        }
    }
}

struct ThreadsPersonality;

impl Personality for ThreadsPersonality {
    fn usage_type(&self) -> Option<&'static str> {
        None
    }

    fn route(&self, ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest, _as_user: bool) -> Reply {
        let me = ctx.options.account_id.as_str();
        let path = req.path();
        match (&req.method, path.as_slice()) {
            (&Method::GET, [id]) if *id == me || *id == "me" => {
                Reply::ok(select(user_json(ctx), req))
            }
            (&Method::GET, [id, "threads_publishing_limit"]) if *id == me => {
                publishing_limit(ctx, state, true)
            }
            // `me` stands for the token's user (the Threads docs call `/me/threads_insights`).
            (&Method::GET, [id, "threads_insights"]) if *id == me || *id == "me" => {
                Reply::ok(json!({ "data": [{
                    "name": "followers_count",
                    "period": "day",
                    "title": "followers_count",
                    "total_value": { "value": ctx.options.followers },
                    "id": format!("{me}/insights/followers_count/day"),
                }]}))
            }
            (&Method::GET, ["keyword_search"]) => keyword_search(ctx, state, req),
            (&Method::POST, [id, "threads"]) if *id == me => create_container(ctx, state, req),
            (&Method::POST, [id, "threads_publish"]) if *id == me => publish(ctx, state, req),
            (&Method::GET, [id, edge @ ("threads" | "replies")]) if *id == me => {
                let replies = *edge == "replies";
                let items: Vec<Value> = state
                    .newest_first(|n| {
                        n.kind == NodeKind::Post
                            && n.author_id == me
                            && n.parent.is_some() == replies
                    })
                    .into_iter()
                    .map(|n| select(thread_json(state, n), req))
                    .collect();
                Reply::ok(paged(items, req))
            }
            (&Method::GET, [id]) => {
                let kind = state.node(id).map(|n| n.kind);
                match kind {
                    Some(NodeKind::Container) => {
                        container_status(state, id, "status", "error_message")
                            .unwrap_or_else(|| Reply::no_object(req))
                    }
                    Some(NodeKind::Post) => match state.node(id) {
                        Some(n) => Reply::ok(select(thread_json(state, n), req)),
                        None => Reply::no_object(req),
                    },
                    _ => Reply::no_object(req),
                }
            }
            (&Method::GET, [id, edge @ ("replies" | "conversation")]) => {
                if state.node(id).is_none() {
                    return Reply::no_object(req);
                }
                let mut items: Vec<&Node> = if *edge == "replies" {
                    state.children_of(id, NodeKind::Post)
                } else {
                    conversation(state, id)
                };
                if req.flag("reverse").unwrap_or(true) {
                    items.reverse();
                }
                let data: Vec<Value> = items
                    .into_iter()
                    .map(|n| select(thread_json(state, n), req))
                    .collect();
                Reply::ok(paged(data, req))
            }
            (&Method::GET, [id, "insights"]) => insights(state, id, req),
            (&Method::DELETE, [id]) => {
                let owned = state
                    .node(id)
                    .is_some_and(|n| n.kind == NodeKind::Post && n.author_id == me);
                if !owned {
                    return Reply::no_object(req);
                }
                let id = id.to_string();
                if let Some(n) = state.node_mut(&id) {
                    n.deleted = true;
                }
                Reply::ok(json!({ "success": true, "deleted_id": id }))
            }
            _ => Reply::no_object(req),
        }
    }
}

/// Keyword searches a user may send in a rolling 24 hours (across apps).
const KEYWORD_QUERIES_PER_DAY: u64 = 2200;

/// A Unix timestamp parameter: absent, valid, or an error answer.
fn unix_param(req: &GraphRequest, name: &str) -> Result<Option<DateTime<Utc>>, Reply> {
    match req.param(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map(Some)
            .ok_or_else(|| {
                Reply::invalid(&format!("(#100) Param {name} must be a Unix timestamp"))
            }),
    }
}

/// `GET /keyword_search`: public posts (or, without `threads_keyword_search` approval, the
/// user's own) whose text has every keyword, or whose topic tag is `q` in `TAG` mode; `RECENT`
/// newest first, `TOP` by likes. A query that finds something counts against the quota.
fn keyword_search(ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest) -> Reply {
    let Some(q) = req.param("q").map(str::trim).filter(|q| !q.is_empty()) else {
        return Reply::invalid("(#100) The parameter q is required");
    };
    let search_type = req.param("search_type").unwrap_or("TOP");
    let mode = req.param("search_mode").unwrap_or("KEYWORD");
    let media_type = req.param("media_type");
    if !matches!(search_type, "TOP" | "RECENT") {
        return Reply::invalid("(#100) search_type must be TOP or RECENT");
    }
    if !matches!(mode, "KEYWORD" | "TAG") {
        return Reply::invalid("(#100) search_mode must be KEYWORD or TAG");
    }
    if !matches!(media_type, None | Some("TEXT" | "IMAGE" | "VIDEO")) {
        return Reply::invalid("(#100) media_type must be TEXT, IMAGE or VIDEO");
    }
    let (since, until) = match (unix_param(req, "since"), unix_param(req, "until")) {
        (Ok(s), Ok(u)) => (s, u),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if state.keyword_queries_in_window(ctx.now) >= KEYWORD_QUERIES_PER_DAY {
        // Meta documents the quota but not the error body; the twin answers with Graph's
        // rate-limit code 4.
        return Reply::error(
            400,
            4,
            None,
            "THApiException",
            "(#4) Application request limit reached: at most 2,200 keyword search queries per 24 hours",
        );
    }
    let me = ctx.options.account_id.as_str();
    let public = ctx.options.public_search;
    let mut found: Vec<&Node> = state.newest_first(|n| {
        n.kind == NodeKind::Post
            && n.published
            && (public || n.author_id == me)
            && match mode {
                "TAG" => has_hashtag(&n.text, q),
                _ => has_terms(&n.text, q),
            }
            && media_type.is_none_or(|m| match m {
                "TEXT" => n.media_type == "TEXT_POST",
                other => n.media_type == other,
            })
            && since.is_none_or(|s| n.created_at >= s)
            && until.is_none_or(|u| n.created_at <= u)
    });
    if search_type == "TOP" {
        found.sort_by_key(|n| std::cmp::Reverse(n.count("likes")));
    }
    let items: Vec<Value> = found
        .into_iter()
        .map(|n| select(thread_json(state, n), req))
        .collect();
    if !items.is_empty() {
        state.keyword_queries.push(ctx.now);
    }
    Reply::ok(paged(items, req))
}

fn user_json(ctx: &Ctx<'_>) -> Value {
    let o = ctx.options;
    json!({
        "id": o.account_id,
        "username": o.account_name,
        "name": format!("{} Inc.", o.account_name),
        "threads_profile_picture_url": "https://scontent.twin.invalid/acme-threads.jpg",
        "threads_biography": "We make anvils.",
    })
}

/// Every reply under `root`, at any depth, oldest first.
fn conversation<'a>(state: &'a State, root: &str) -> Vec<&'a Node> {
    let mut out: Vec<&Node> = Vec::new();
    let mut frontier = vec![root.to_string()];
    while let Some(parent) = frontier.pop() {
        for c in state.children_of(&parent, NodeKind::Post) {
            frontier.push(c.id.clone());
            out.push(c);
        }
    }
    out.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

fn root_of(state: &State, n: &Node) -> String {
    let mut cur = n;
    while let Some(parent) = cur.parent.as_deref().and_then(|p| state.node(p)) {
        cur = parent;
    }
    cur.id.clone()
}

fn thread_json(state: &State, n: &Node) -> Value {
    let mut v = json!({
        "id": n.id,
        "text": n.text,
        "timestamp": format_time(n.created_at),
        "permalink": n.permalink,
        "username": n.author_name,
        "media_type": n.media_type,
        "media_product_type": "THREADS",
        "is_reply": n.parent.is_some(),
        "shortcode": format!("TW{}", &n.id[n.id.len().saturating_sub(8)..]),
    });
    if let Some(parent) = &n.parent {
        v["replied_to"] = json!({ "id": parent });
        v["root_post"] = json!({ "id": root_of(state, n) });
    }
    if let Some(link) = &n.link {
        v["link_attachment_url"] = json!(link);
    }
    v
}

fn insights(state: &State, id: &str, req: &GraphRequest) -> Reply {
    let Some(n) = state.node(id).filter(|n| n.kind == NodeKind::Post) else {
        return Reply::no_object(req);
    };
    let replies = state.children_of(&n.id, NodeKind::Post).len() as u64;
    let mut data = Vec::new();
    for metric in req
        .param("metric")
        .unwrap_or("")
        .split(',')
        .filter(|m| !m.is_empty())
    {
        let value = match metric {
            "views" | "likes" | "reposts" | "quotes" | "shares" => n.count(metric),
            "replies" => replies,
            _ => {
                return Reply::error(
                    400,
                    100,
                    None,
                    "THApiException",
                    &format!("(#100) Invalid metric: {metric}"),
                );
            }
        };
        data.push(json!({
            "name": metric,
            "period": "lifetime",
            "values": [{ "value": value }],
            "title": metric,
            "id": format!("{}/insights/{metric}/lifetime", n.id),
        }));
    }
    Reply::ok(json!({ "data": data }))
}

fn public(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// Distinct links of `text`, as Threads counts them (a rough URL scan).
fn links(text: &str) -> std::collections::BTreeSet<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",.;:!?()[]\"'".contains(c)))
        .filter(|w| {
            w.starts_with("http://")
                || w.starts_with("https://")
                || w.split('/').next().is_some_and(|host| {
                    host.contains('.')
                        && host.rsplit('.').next().is_some_and(|tld| {
                            tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
                        })
                })
        })
        .map(same_link)
        .collect()
}

fn same_link(link: &str) -> String {
    let l = link.trim().to_ascii_lowercase();
    let l = l
        .strip_prefix("https://")
        .or_else(|| l.strip_prefix("http://"))
        .unwrap_or(&l);
    l.strip_prefix("www.")
        .unwrap_or(l)
        .trim_end_matches('/')
        .to_string()
}

fn create_container(ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest) -> Reply {
    let text = req.param("text").unwrap_or("");
    if text.chars().count() > 500 {
        return Reply::invalid("(#100) Param text must be at most 500 characters long.");
    }
    let mut found = links(text);
    if let Some(link) = req.param("link_attachment") {
        found.insert(same_link(link));
    }
    if found.len() > 5 {
        let mut r = Reply::error(
            400,
            100,
            None,
            "THApiException",
            "THREADS_API__LINK_LIMIT_EXCEEDED: a post can contain at most 5 links",
        );
        r.body["error"]["error_user_title"] = json!("THREADS_API__LINK_LIMIT_EXCEEDED");
        return r;
    }
    if let Some(parent) = req.param("reply_to_id") {
        if state
            .node(parent)
            .filter(|n| n.kind == NodeKind::Post)
            .is_none()
        {
            return Reply::error(
                400,
                100,
                Some(33),
                "THApiException",
                "The post replied to does not exist",
            );
        }
    }
    let child = req.flag("is_carousel_item").unwrap_or(false);
    match req.param("media_type").unwrap_or("") {
        "TEXT" => {
            if text.trim().is_empty() {
                return Reply::invalid("(#100) The parameter text is required for TEXT posts");
            }
        }
        "IMAGE" | "VIDEO" => {
            let key = if req.param("media_type") == Some("IMAGE") {
                "image_url"
            } else {
                "video_url"
            };
            match req.param(key) {
                Some(u) if public(u) => {}
                _ => {
                    return Reply::invalid(&format!(
                        "(#100) The parameter {key} is required and must be a public URL"
                    ));
                }
            }
        }
        "CAROUSEL" => {
            let children: Vec<&str> = req
                .param("children")
                .unwrap_or("")
                .split(',')
                .filter(|c| !c.is_empty())
                .collect();
            if !(2..=20).contains(&children.len()) {
                return Reply::invalid("(#100) A carousel has 2 to 20 children");
            }
            let ok = children.iter().all(|c| {
                state.node(c).is_some_and(|n| {
                    n.kind == NodeKind::Container
                        && n.params.get("is_carousel_item").map(String::as_str) == Some("true")
                        && n.container == Some(ContainerState::Finished)
                })
            });
            if !ok {
                return Reply::invalid("(#100) Every child must be a finished carousel item");
            }
        }
        _ => return Reply::invalid("(#100) media_type must be TEXT, IMAGE, VIDEO or CAROUSEL"),
    }
    let _ = child;
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
    let Some(container) = state
        .node(&creation)
        .filter(|n| n.kind == NodeKind::Container)
        .cloned()
    else {
        return Reply::error(
            400,
            100,
            Some(33),
            "THApiException",
            "The container does not exist",
        );
    };
    let parent = container.params.get("reply_to_id").cloned();
    if let Err(reply) = check_publishable(ctx, state, &creation, parent.is_some()) {
        return reply;
    }
    if container.params.get("is_carousel_item").map(String::as_str) == Some("true") {
        return Reply::invalid("(#100) A carousel item cannot be published on its own");
    }
    let id = state.id();
    let mut node = Node::new(
        id.clone(),
        NodeKind::Post,
        &ctx.options.account_id,
        &ctx.options.account_name,
    );
    node.text = container.params.get("text").cloned().unwrap_or_default();
    node.parent = parent.clone();
    node.link = container.params.get("link_attachment").cloned();
    node.media_type = match container.params.get("media_type").map(String::as_str) {
        Some("IMAGE") => "IMAGE",
        Some("VIDEO") => "VIDEO",
        Some("CAROUSEL") => "CAROUSEL_ALBUM",
        _ => "TEXT_POST",
    }
    .to_string();
    node.children = container
        .params
        .get("children")
        .map(|c| c.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    node.permalink = format!(
        "https://www.threads.net/@{}/post/TW{}",
        ctx.options.account_name,
        &id[id.len().saturating_sub(8)..]
    );
    state.add(node);
    if let Some(c) = state.node_mut(&creation) {
        c.container = Some(ContainerState::Published(id.clone()));
    }
    if parent.is_some() {
        state.replies.push(ctx.now);
    } else {
        state.publishes.push(ctx.now);
    }
    Reply::ok(json!({ "id": id }))
}
