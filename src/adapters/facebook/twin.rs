//! The Facebook personality of the [Graph twin](crate::adapters::graph::twin) (feature
//! `testkit`): a Page with a feed, photos, comments, reactions, shares and insights.
//!
//! Routes, as the Pages API documents them: `GET /{page-id}` (`followers_count`, `fan_count`
//! …), `GET /me/accounts` (with the user token: the Page, then
//! [`TwinOptions::other_pages`]), `POST /{page-id}/feed` (`message`, `link`,
//! `attached_media[n]`; an immediate repeat of the last message is error 506),
//! `POST /{page-id}/photos` (`url` or a multipart `source`, `published`), `GET
//! /{page-id}/posts|feed|published_posts`, `GET /{post-id}` (`reactions.summary(total_count)`,
//! `comments.summary(total_count)`, `shares`, `updated_time`), `GET /{post-id}/comments`
//! (`filter=stream|toplevel`, `order=chronological|reverse_chronological`, cursors),
//! `POST /{object-id}/comments`, `GET /{post-id}/insights`, `DELETE /{object-id}`.
//!
//! ```
//! use socialkit::adapters::facebook::{Facebook, twin::FacebookTwin};
//! use socialkit::{Platform, PlatformExt};
//! use socialkit::model::InteractionQuery;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let twin = FacebookTwin::start().await.unwrap();
//! let page = Facebook::new(twin.config()).unwrap();
//! let p = page.publish_text("Anvils on sale").await.unwrap();
//! twin.handle().comment(&p.post.id, "bob", "How much?");
//! let inbox = page.interactions(&InteractionQuery::default()).await.unwrap();
//! assert_eq!(inbox.items[0].text.as_deref(), Some("How much?"));
//! # });
//! ```

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::FacebookConfig;
use crate::adapters::graph::GraphSettings;
use crate::adapters::graph::api::format_time;
use crate::adapters::graph::twin::{
    Ctx, Flavor, GraphRequest, LinkedPage, Node, NodeKind, Personality, PlatformTwin, Reply,
    Routes, State, TwinOptions, paged, select,
};
use crate::http::Method;

/// A running Facebook twin: the shared [`PlatformTwin`] with the [`FacebookFlavor`]. Dropping it
/// stops the server.
///
/// ```
/// use socialkit::adapters::facebook::twin::FacebookTwin;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let twin = FacebookTwin::start().await.unwrap();
/// assert_eq!(twin.url().host_str(), Some("127.0.0.1"));
/// assert!(twin.channel_url().starts_with("facebook://"));
/// # });
/// ```
pub type FacebookTwin = PlatformTwin<FacebookFlavor>;

/// The Facebook side of the Graph twin: Page `1000001` named `acme`.
///
/// ```
/// use socialkit::adapters::graph::twin::Flavor;
/// use socialkit::adapters::facebook::twin::FacebookFlavor;
/// assert_eq!(FacebookFlavor::options().account_name, "acme");
/// ```
#[derive(Debug)]
pub struct FacebookFlavor;

impl Flavor for FacebookFlavor {
    type Config = FacebookConfig;
    const SCHEME: &'static str = super::PLATFORM;
    const ID_PARAM: &'static str = "page_id";
    const URL_EXTRA: &'static str = "";

    fn options() -> TwinOptions {
        TwinOptions::default()
    }

    fn routes() -> Routes {
        Routes::new(FacebookPersonality)
    }

    fn config(account_id: String, graph: GraphSettings) -> FacebookConfig {
        FacebookConfig {
            page_id: account_id,
            graph,
        }
    }
}

struct FacebookPersonality;

impl Personality for FacebookPersonality {
    fn usage_type(&self) -> Option<&'static str> {
        Some("pages")
    }

    fn route(&self, ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest, as_user: bool) -> Reply {
        let page = ctx.options.account_id.as_str();
        let path = req.path();
        match (&req.method, path.as_slice()) {
            (&Method::GET, ["me", "accounts"]) if as_user => {
                let own = LinkedPage::new(page, &ctx.options.account_name, &ctx.options.token);
                let pages = std::iter::once(&own)
                    .chain(&ctx.options.other_pages)
                    .map(LinkedPage::json)
                    .collect();
                Reply::ok(paged(pages, req))
            }
            (_, _) if as_user => Reply::error(
                400,
                210,
                None,
                "OAuthException",
                "(#210) A page access token is required to request this resource.",
            ),
            (&Method::GET, ["me"]) => {
                Reply::ok(json!({ "id": page, "name": ctx.options.account_name }))
            }
            (&Method::GET, [id]) if *id == page => Reply::ok(select(page_json(ctx), req)),
            (&Method::POST, [id, "feed"]) if *id == page => create_feed_post(ctx, state, req),
            (&Method::POST, [id, "photos"]) if *id == page => create_photo(ctx, state, req),
            (&Method::GET, [id, "posts" | "feed" | "published_posts"]) if *id == page => {
                let posts: Vec<Value> = state
                    .newest_first(|n| {
                        n.kind == NodeKind::Post && n.author_id == page && n.published
                    })
                    .into_iter()
                    .map(|n| select(post_json(state, n), req))
                    .collect();
                Reply::ok(paged(posts, req))
            }
            (&Method::GET, [id]) => match state.node(id) {
                Some(n) if n.kind == NodeKind::Post => Reply::ok(select(post_json(state, n), req)),
                Some(n) if n.kind == NodeKind::Comment => {
                    Reply::ok(select(comment_json(state, n), req))
                }
                Some(n) if n.kind == NodeKind::Photo => {
                    Reply::ok(json!({ "id": n.id, "created_time": format_time(n.created_at) }))
                }
                _ => Reply::no_object(req),
            },
            (&Method::GET, [id, "comments"]) => list_comments(state, id, req),
            (&Method::POST, [id, "comments"]) => {
                let Some(target) = state
                    .node(id)
                    .filter(|n| matches!(n.kind, NodeKind::Post | NodeKind::Comment))
                else {
                    return Reply::no_object(req);
                };
                let target = target.id.clone();
                let message = req.param("message").unwrap_or("").trim().to_string();
                if message.is_empty() && req.param("attachment_url").is_none() {
                    return Reply::invalid("(#100) Missing message or attachment");
                }
                let cid = state.id();
                let id = format!("{}_{cid}", target.rsplit('_').next().unwrap_or("0"));
                let mut node = Node::new(
                    id.clone(),
                    NodeKind::Comment,
                    page,
                    &ctx.options.account_name,
                );
                node.text = message;
                node.parent = Some(target);
                state.add(node);
                Reply::ok(json!({ "id": id }))
            }
            (&Method::GET, [id, "insights"]) => insights(state, id, req),
            (&Method::DELETE, [id]) => {
                let owned = state
                    .node(id)
                    .is_some_and(|n| n.author_id == page && n.kind != NodeKind::Container);
                if !owned {
                    return Reply::no_object(req);
                }
                let id = id.to_string();
                for n in state.nodes.iter_mut() {
                    if n.id == id || n.parent.as_deref() == Some(id.as_str()) {
                        n.deleted = true;
                    }
                }
                Reply::ok(json!({ "success": true }))
            }
            _ => Reply::no_object(req),
        }
    }
}

fn page_json(ctx: &Ctx<'_>) -> Value {
    let o = ctx.options;
    json!({
        "id": o.account_id,
        "name": format!("{} Inc.", o.account_name),
        "username": o.account_name,
        "link": format!("https://www.facebook.com/{}", o.account_name),
        "about": "We make anvils.",
        "website": "https://acme.example",
        "picture": { "data": { "url": "https://scontent.twin.invalid/acme.png" } },
        "followers_count": o.followers,
        "fan_count": o.followers.saturating_sub(34),
    })
}

fn descendants<'a>(state: &'a State, id: &str) -> Vec<&'a Node> {
    let mut out: Vec<&Node> = Vec::new();
    let mut frontier = vec![id.to_string()];
    while let Some(parent) = frontier.pop() {
        for c in state.children_of(&parent, NodeKind::Comment) {
            frontier.push(c.id.clone());
            out.push(c);
        }
    }
    out.sort_by_key(|a| a.created_at);
    out
}

fn post_json(state: &State, n: &Node) -> Value {
    let comments = descendants(state, &n.id);
    let updated: DateTime<Utc> = comments
        .iter()
        .map(|c| c.created_at)
        .chain([n.created_at])
        .max()
        .unwrap_or(n.created_at);
    let mut v = json!({
        "id": n.id,
        "message": n.text,
        "created_time": format_time(n.created_at),
        "updated_time": format_time(updated),
        "permalink_url": n.permalink,
        "reactions": { "data": [], "summary": { "total_count": n.count("likes") } },
        "comments": { "data": [], "summary": { "total_count": comments.len(), "order": "chronological" } },
    });
    if n.count("shares") > 0 {
        v["shares"] = json!({ "count": n.count("shares") });
    }
    if n.text.is_empty() {
        if let Some(m) = v.as_object_mut() {
            m.remove("message");
        }
    }
    v
}

fn comment_json(state: &State, n: &Node) -> Value {
    let mut v = json!({
        "id": n.id,
        "message": n.text,
        "created_time": format_time(n.created_at),
        "from": { "id": n.author_id, "name": n.author_name },
        "permalink_url": format!("https://www.facebook.com/comment/{}", n.id),
    });
    if let Some(parent) = n.parent.as_deref().and_then(|p| state.node(p)) {
        if parent.kind == NodeKind::Comment {
            v["parent"] = json!({ "id": parent.id });
        }
    }
    v
}

fn list_comments(state: &State, id: &str, req: &GraphRequest) -> Reply {
    if state.node(id).is_none() {
        return Reply::no_object(req);
    }
    let mut items: Vec<&Node> = if req.param("filter") == Some("stream") {
        descendants(state, id)
    } else {
        state.children_of(id, NodeKind::Comment)
    };
    if req.param("order") == Some("reverse_chronological") {
        items.reverse();
    }
    let data: Vec<Value> = items
        .into_iter()
        .map(|c| select(comment_json(state, c), req))
        .collect();
    Reply::ok(paged(data, req))
}

fn insights(state: &State, id: &str, req: &GraphRequest) -> Reply {
    let Some(n) = state.node(id).filter(|n| n.kind == NodeKind::Post) else {
        return Reply::no_object(req);
    };
    let mut data = Vec::new();
    for metric in req
        .param("metric")
        .unwrap_or("")
        .split(',')
        .filter(|m| !m.is_empty())
    {
        let counter = match metric {
            "post_total_media_view_unique" => "reach",
            "post_media_view" => "views",
            "post_clicks" => "clicks",
            _ => {
                return Reply::error(
                    400,
                    100,
                    None,
                    "OAuthException",
                    "(#100) The value must be a valid insights metric",
                );
            }
        };
        data.push(json!({
            "name": metric,
            "period": "lifetime",
            "values": [{ "value": n.count(counter) }],
            "id": format!("{}/insights/{metric}/lifetime", n.id),
        }));
    }
    Reply::ok(json!({ "data": data }))
}

fn new_post(ctx: &Ctx<'_>, state: &mut State, text: &str) -> Node {
    let page = &ctx.options.account_id;
    let n = state.id();
    let mut node = Node::new(
        format!("{page}_{n}"),
        NodeKind::Post,
        page,
        &ctx.options.account_name,
    );
    node.text = text.to_string();
    node.permalink = format!("https://www.facebook.com/{page}/posts/{n}");
    node
}

fn created(req: &GraphRequest, node: &Node) -> Value {
    let mut v = json!({ "id": node.id });
    if req.wants("permalink_url") {
        v["permalink_url"] = json!(node.permalink);
    }
    if req.wants("created_time") {
        v["created_time"] = json!(format_time(node.created_at));
    }
    v
}

fn create_feed_post(ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest) -> Reply {
    let page = ctx.options.account_id.as_str();
    let message = req.param("message").unwrap_or("").to_string();
    let mut photos = Vec::new();
    for i in 0.. {
        let Some(raw) = req.param(&format!("attached_media[{i}]")) else {
            break;
        };
        let fbid = serde_json::from_str::<Value>(raw).ok().and_then(|v| {
            v.get("media_fbid")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        match fbid.and_then(|id| {
            state
                .node(&id)
                .filter(|n| n.kind == NodeKind::Photo && !n.published && n.author_id == page)
                .map(|n| n.id.clone())
        }) {
            Some(id) => photos.push(id),
            None => {
                return Reply::invalid(
                    "(#100) attached_media must reference unpublished photos of this Page",
                );
            }
        }
    }
    let link = req.param("link").map(str::to_string);
    if message.trim().is_empty() && link.is_none() && photos.is_empty() {
        return Reply::invalid("(#100) Missing message or attachment");
    }
    let last = state
        .newest_first(|n| n.kind == NodeKind::Post && n.author_id == page)
        .first()
        .map(|n| (n.text.clone(), n.created_at));
    if let Some((text, at)) = last {
        if !message.is_empty() && text == message && ctx.now - at < chrono::Duration::minutes(10) {
            return Reply::error(
                400,
                506,
                None,
                "OAuthException",
                "(#506) Duplicate status message",
            );
        }
    }
    let mut node = new_post(ctx, state, &message);
    node.link = link;
    node.children = photos.clone();
    for id in &photos {
        if let Some(p) = state.node_mut(id) {
            p.published = true;
        }
    }
    let body = created(req, &node);
    state.add(node);
    Reply::ok(body)
}

fn create_photo(ctx: &Ctx<'_>, state: &mut State, req: &GraphRequest) -> Reply {
    let page = ctx.options.account_id.as_str();
    let source = match (req.param("url"), &req.file) {
        (Some(u), _) if u.starts_with("http://") || u.starts_with("https://") => u.to_string(),
        (_, Some((bytes, _))) if *bytes > 0 => format!("upload:{bytes}"),
        _ => {
            return Reply::error(
                400,
                324,
                None,
                "OAuthException",
                "(#324) Requires upload file",
            );
        }
    };
    if let Some((bytes, _)) = &req.file {
        if *bytes > 4 * 1024 * 1024 {
            return Reply::error(
                400,
                100,
                Some(1366046),
                "OAuthException",
                "Photos should be smaller than 4 MB",
            );
        }
    }
    let published = req.flag("published").unwrap_or(true);
    let caption = req
        .param("caption")
        .or(req.param("message"))
        .unwrap_or("")
        .to_string();
    let photo_id = state.id();
    let mut photo = Node::new(
        photo_id.clone(),
        NodeKind::Photo,
        page,
        &ctx.options.account_name,
    );
    photo.media = vec![(source, "IMAGE".into())];
    photo.text = caption.clone();
    photo.published = published;
    state.add(photo);
    if !published {
        return Reply::ok(json!({ "id": photo_id }));
    }
    let mut post = new_post(ctx, state, &caption);
    post.children = vec![photo_id.clone()];
    let post_id = state.add(post);
    Reply::ok(json!({ "id": photo_id, "post_id": post_id }))
}
