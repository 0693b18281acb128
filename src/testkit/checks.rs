//! The behaviour checks (see the table in [`suite`](super::suite)). Each returns a
//! [`Verdict`] or a failure message; none panics.

use std::collections::HashSet;
use std::sync::Arc;

use super::report::SkipCause;
use super::suite::{Ctx, Failure, Verdict, ensure, failed};
use crate::model::{
    Interaction, InteractionKind, InteractionQuery, InteractionRef, Metric, Post, PostRef,
    PublishOptions, RecentPost, SearchQuery,
};
use crate::platform::{Idempotency, Operation};
use crate::{ErrorKind, Platform, PlatformExt};

type Checked = Result<Verdict, Failure>;

/// Runs check `name`.
pub(crate) async fn run(name: &str, cx: &Ctx<'_>) -> Checked {
    match name {
        "channel_profile" => channel_profile(cx).await,
        "publish_text" => publish_text(cx).await,
        "publish_thread" => publish_thread(cx).await,
        "publish_media_with_alt_text" => publish_media(cx).await,
        "publish_link_card" => publish_link_card(cx).await,
        "delete_then_delete_again" => delete_twice(cx).await,
        "edit" => edit(cx).await,
        "interactions_paging" => interactions_paging(cx).await,
        "reply_to_interaction" => reply_to_interaction(cx).await,
        "post_metrics" => post_metrics(cx).await,
        "recent_posts" => recent_posts(cx).await,
        "search" => search(cx).await,
        "idempotency_key" => idempotency_key(cx).await,
        "too_long_text_rejected" => too_long(cx).await,
        "empty_post_rejected" => empty_post(cx).await,
        "unsupported_operation" => unsupported(cx).await,
        other => Err(format!("no check named {other}")),
    }
}

fn lacks(capability: &str) -> Checked {
    Ok(Verdict::Skip(
        SkipCause::Capability,
        format!("capability {capability}"),
    ))
}

fn pass() -> Checked {
    Ok(Verdict::Pass(None))
}

fn pass_noting(notes: Vec<String>) -> Checked {
    Ok(Verdict::Pass((!notes.is_empty()).then(|| notes.join("; "))))
}

/// The channel's recent posts after the platform settled, or `None` when it cannot list them.
async fn listed(cx: &Ctx<'_>, limit: usize) -> Result<Option<Vec<RecentPost>>, Failure> {
    if !cx.caps.recent_posts {
        return Ok(None);
    }
    cx.harness.settle().await;
    cx.platform
        .recent_posts(limit)
        .await
        .map(Some)
        .map_err(|e| failed("recent_posts", &e))
}

/// A note for what only the listing could show.
fn unlisted(what: &str) -> String {
    format!("{what} not verified (capability recent_posts is false)")
}

async fn channel_profile(cx: &Ctx<'_>) -> Checked {
    let c = cx
        .platform
        .channel()
        .await
        .map_err(|e| failed("channel", &e))?;
    ensure(c.platform == cx.caps.platform, || {
        format!(
            "channel().platform is {:?}, the capabilities say {:?}",
            c.platform, cx.caps.platform
        )
    })?;
    ensure(!c.id.is_empty() && !c.handle.is_empty(), || {
        "channel() has an empty id or handle".into()
    })?;
    pass()
}

async fn publish_text(cx: &Ctx<'_>) -> Checked {
    let p = cx
        .publish(
            &Post::text(cx.text("publish_text")),
            &PublishOptions::default(),
        )
        .await?;
    ensure(!p.post.id.is_empty(), || "the post has an empty id".into())?;
    ensure(p.post.platform == cx.caps.platform, || {
        format!("the post's platform is {:?}", p.post.platform)
    })?;
    ensure(p.parts == [p.post.clone()], || {
        format!("a single post has {} parts", p.parts.len())
    })?;
    pass()
}

async fn publish_thread(cx: &Ctx<'_>) -> Checked {
    if !cx.caps.post_threads {
        return lacks("threads is false");
    }
    let n = cx.caps.max_thread_parts.map_or(3, |m| m.min(3)).max(2);
    let texts: Vec<String> = (1..=n)
        .map(|i| cx.text(&format!("thread part {i}/{n}")))
        .collect();
    let p = cx
        .publish(&Post::thread(texts.clone()), &PublishOptions::default())
        .await?;
    ensure(p.parts.len() == n, || {
        format!("a thread of {n} has {} parts", p.parts.len())
    })?;
    ensure(p.parts[0] == p.post, || {
        "the first part is not the post".into()
    })?;
    let ids: HashSet<&str> = p.parts.iter().map(|r| r.id.as_str()).collect();
    ensure(ids.len() == n, || "parts share ids".into())?;
    let mut notes = Vec::new();
    for (i, part) in p.parts.iter().enumerate() {
        let expected = (i > 0).then(|| p.parts[i - 1].id.clone());
        match cx.harness.thread_parent(part).await {
            Ok(parent) => ensure(parent == expected, || {
                format!(
                    "part {} replies to {parent:?}, expected {expected:?}",
                    i + 1
                )
            })?,
            Err(e) if e.kind() == ErrorKind::Unsupported => {
                notes
                    .push("reply chain not verified: the harness cannot read reply parents".into());
                break;
            }
            Err(e) => return Err(failed("reading a reply parent", &e)),
        }
    }
    match listed(cx, n + 20).await? {
        Some(recent) => {
            let position = |r: &PostRef| recent.iter().position(|x| x.post.id == r.id);
            let positions: Vec<Option<usize>> = p.parts.iter().map(position).collect();
            ensure(positions.iter().all(Option::is_some), || {
                "not every part is listed in recent_posts".into()
            })?;
            ensure(positions.windows(2).all(|w| w[0] > w[1]), || {
                "the parts are not listed newest first in the order they were given".into()
            })?;
            for (part, text) in p.parts.iter().zip(&texts) {
                let listed = recent.iter().find(|x| x.post.id == part.id);
                ensure(
                    listed.is_some_and(|x| x.text.contains(text.as_str())),
                    || format!("part {} is not listed with its text", part.id),
                )?;
            }
        }
        None => notes.push(unlisted("the order of the parts")),
    }
    pass_noting(notes)
}

async fn publish_media(cx: &Ctx<'_>) -> Checked {
    let media = &cx.caps.media;
    if media.max_count == 0 {
        return lacks("media.max_count is 0");
    }
    let sample = cx.harness.media_sample();
    if !media.kinds.contains(&sample.kind) {
        return lacks(&format!("media.kinds lacks {:?}", sample.kind));
    }
    let post = Post::text(cx.text("media with alt text")).with_media(sample);
    let p = cx.publish(&post, &PublishOptions::default()).await?;
    ensure(!p.post.id.is_empty(), || "the post has an empty id".into())?;
    let notes = if media.alt_text_max.is_none() {
        vec!["the platform declares no alt text limit".to_string()]
    } else {
        Vec::new()
    };
    pass_noting(notes)
}

async fn publish_link_card(cx: &Ctx<'_>) -> Checked {
    if !cx.caps.link_cards {
        return lacks("link_cards is false");
    }
    let post = Post::text(cx.text("link card")).with_link(cx.harness.link_sample());
    let p = cx.publish(&post, &PublishOptions::default()).await?;
    ensure(!p.post.id.is_empty(), || "the post has an empty id".into())?;
    pass()
}

async fn delete_twice(cx: &Ctx<'_>) -> Checked {
    if !cx.caps.delete {
        return lacks("delete is false");
    }
    let p = cx
        .publish(
            &Post::text(cx.text("delete me")),
            &PublishOptions::default(),
        )
        .await?;
    cx.platform
        .delete(&p.post)
        .await
        .map_err(|e| failed("the first delete", &e))?;
    match cx.platform.delete(&p.post).await {
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => {
            return Err(format!(
                "the second delete gave {}, expected not_found: {e}",
                e.kind()
            ));
        }
        Ok(()) => return Err("the second delete succeeded, expected not_found".into()),
    }
    let mut notes = Vec::new();
    match listed(cx, 50).await? {
        Some(recent) => ensure(recent.iter().all(|r| r.post.id != p.post.id), || {
            "the deleted post is still listed".into()
        })?,
        None => notes.push(unlisted("the deletion")),
    }
    pass_noting(notes)
}

async fn edit(cx: &Ctx<'_>) -> Checked {
    if !cx.caps.edit {
        return lacks("edit is false");
    }
    let p = cx
        .publish(
            &Post::text(cx.text("before edit")),
            &PublishOptions::default(),
        )
        .await?;
    let new = cx.text("after edit");
    let edited = cx
        .platform
        .edit(&p.post, &Post::text(new.clone()))
        .await
        .map_err(|e| failed("edit", &e))?;
    ensure(edited.post.id == p.post.id, || {
        format!(
            "the edit changed the id from {} to {}",
            p.post.id, edited.post.id
        )
    })?;
    let mut notes = Vec::new();
    match listed(cx, 50).await? {
        Some(recent) => {
            let listed = recent.iter().find(|r| r.post.id == p.post.id);
            ensure(listed.is_some_and(|r| r.text.contains(&new)), || {
                "the edited post is not listed with its new text".into()
            })?;
        }
        None => notes.push(unlisted("the new text")),
    }
    pass_noting(notes)
}

/// The interaction kind to induce: one with text when the platform reads one.
fn preferred_kind(cx: &Ctx<'_>, with_text: bool) -> Option<InteractionKind> {
    [
        InteractionKind::Reply,
        InteractionKind::Comment,
        InteractionKind::Mention,
        InteractionKind::Quote,
        InteractionKind::DirectMessage,
        InteractionKind::Like,
        InteractionKind::Repost,
        InteractionKind::Follow,
    ]
    .into_iter()
    .filter(|k| !with_text || k.has_text())
    .find(|k| cx.caps.interactions.contains(k))
}

/// Whether interactions of `kind` belong to a post (a mention, a DM or a follow may not).
fn about_a_post(kind: InteractionKind) -> bool {
    matches!(
        kind,
        InteractionKind::Reply
            | InteractionKind::Comment
            | InteractionKind::Quote
            | InteractionKind::Like
            | InteractionKind::Repost
    )
}

/// Whether `i` is one of those induced on `post`.
fn induced_on(i: &Interaction, post: &PostRef, kind: InteractionKind) -> bool {
    i.kind == kind && (!about_a_post(kind) || i.post.as_ref().is_some_and(|r| r.id == post.id))
}

async fn induce(
    cx: &Ctx<'_>,
    post: &PostRef,
    kind: InteractionKind,
    n: usize,
) -> Result<bool, Failure> {
    for _ in 0..n {
        let made = cx
            .harness
            .induce_interaction(post, kind)
            .await
            .map_err(|e| failed("inducing an interaction", &e))?;
        if !made {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reads pages until one says there is no more, starting at `q`; returns what was read and
/// the query to resume with.
async fn drain(
    cx: &Ctx<'_>,
    mut q: InteractionQuery,
    pages: &mut usize,
    out: &mut Vec<Interaction>,
) -> Result<InteractionQuery, Failure> {
    loop {
        let page = cx
            .platform
            .interactions(&q)
            .await
            .map_err(|e| failed("interactions", &e))?;
        *pages += 1;
        if page.next_cursor.is_none() && !page.items.is_empty() {
            return Err("a page with items has no next_cursor".into());
        }
        out.extend(page.items);
        if page.next_cursor.is_some() {
            q.cursor = page.next_cursor;
        }
        if !page.has_more {
            return Ok(q);
        }
        if *pages >= cx.opts.max_pages {
            return Err(format!("still more after {} pages", cx.opts.max_pages));
        }
    }
}

async fn interactions_paging(cx: &Ctx<'_>) -> Checked {
    let Some(kind) = preferred_kind(cx, false) else {
        return lacks("interactions is empty");
    };
    let p = cx
        .publish(&Post::text(cx.text("paging")), &PublishOptions::default())
        .await?;
    if !induce(cx, &p.post, kind, 3).await? {
        return Ok(Verdict::Skip(
            SkipCause::Harness,
            format!("the harness cannot induce a {kind:?}"),
        ));
    }
    cx.harness.settle().await;
    let mut q = InteractionQuery {
        kinds: vec![kind],
        cursor: None,
        since: Some(p.published_at),
        limit: 2,
    };
    let mut seen = Vec::new();
    let mut pages = 0;
    // One page, then more arrive, then read on to the end.
    let first = cx
        .platform
        .interactions(&q)
        .await
        .map_err(|e| failed("interactions", &e))?;
    pages += 1;
    seen.extend(first.items);
    q.cursor = first.next_cursor.or(q.cursor);
    if !induce(cx, &p.post, kind, 2).await? {
        return Err("the harness stopped inducing interactions".into());
    }
    cx.harness.settle().await;
    let q = drain(cx, q, &mut pages, &mut seen).await?;
    cx.harness.settle().await;
    drain(cx, q, &mut pages, &mut seen).await?;

    let ids: HashSet<&str> = seen.iter().map(|i| i.reference.id.as_str()).collect();
    ensure(ids.len() == seen.len(), || {
        format!(
            "{} interactions were returned twice",
            seen.len() - ids.len()
        )
    })?;
    ensure(seen.iter().all(|i| i.kind == kind), || {
        format!("a page filtered to {kind:?} held other kinds")
    })?;
    ensure(
        seen.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        || "interactions are not oldest first".into(),
    )?;
    let on_post = seen.iter().filter(|i| induced_on(i, &p.post, kind)).count();
    ensure(on_post >= 5, || {
        format!("5 interactions were induced on the post, {on_post} were read in {pages} pages")
    })?;
    pass()
}

async fn reply_to_interaction(cx: &Ctx<'_>) -> Checked {
    if !cx.caps.reply {
        return lacks("reply is false");
    }
    let Some(kind) = preferred_kind(cx, true) else {
        return lacks("interactions has no kind with text");
    };
    let p = cx
        .publish(
            &Post::text(cx.text("reply to me")),
            &PublishOptions::default(),
        )
        .await?;
    if !induce(cx, &p.post, kind, 1).await? {
        return Ok(Verdict::Skip(
            SkipCause::Harness,
            format!("the harness cannot induce a {kind:?}"),
        ));
    }
    cx.harness.settle().await;
    let q = InteractionQuery {
        kinds: vec![kind],
        cursor: None,
        since: Some(p.published_at),
        limit: 20,
    };
    let mut seen = Vec::new();
    drain(cx, q, &mut 0, &mut seen).await?;
    let Some(target) = seen.iter().rev().find(|i| induced_on(i, &p.post, kind)) else {
        return Err(format!("the induced {kind:?} was not read back"));
    };
    let r = cx
        .platform
        .reply_text(&target.reference, &cx.text("the answer"))
        .await
        .map_err(|e| failed("reply", &e))?;
    cx.remember(&r);
    ensure(!r.post.id.is_empty(), || "the reply has an empty id".into())?;
    let mut notes = Vec::new();
    match (
        cx.harness.thread_parent(&r.post).await,
        &target.reference.post,
    ) {
        (Ok(parent), Some(answered)) => {
            ensure(parent.as_deref() == Some(answered.id.as_str()), || {
                format!("the reply answers {parent:?}, not {}", answered.id)
            })?
        }
        (Ok(_), None) => {
            notes.push("the interaction is no post; what the reply answers is not verified".into())
        }
        (Err(e), _) if e.kind() == ErrorKind::Unsupported => notes.push(
            "what the reply answers is not verified: the harness cannot read reply parents".into(),
        ),
        (Err(e), _) => return Err(failed("reading the reply's parent", &e)),
    }
    pass_noting(notes)
}

async fn post_metrics(cx: &Ctx<'_>) -> Checked {
    if cx.caps.metrics.is_empty() {
        return lacks("metrics is empty");
    }
    let mut refs = Vec::new();
    for what in ["metrics a", "metrics b"] {
        refs.push(
            cx.publish(&Post::text(cx.text(what)), &PublishOptions::default())
                .await?
                .post,
        );
    }
    cx.harness.settle().await;
    let metrics = cx
        .platform
        .post_metrics(&refs)
        .await
        .map_err(|e| failed("post_metrics", &e))?;
    ensure(metrics.len() == refs.len(), || {
        format!(
            "{} posts asked, {} metrics returned",
            refs.len(),
            metrics.len()
        )
    })?;
    for (m, r) in metrics.iter().zip(&refs) {
        ensure(m.post.id == r.id, || {
            format!("metrics of {} came where {} was asked", m.post.id, r.id)
        })?;
        for metric in Metric::ALL {
            let declared = cx.caps.metrics.contains(&metric);
            match (declared, m.get(metric)) {
                (false, Some(v)) => {
                    return Err(format!(
                        "{metric:?} is {v} but not declared; an undeclared metric must be None"
                    ));
                }
                (true, None) => {
                    return Err(format!("{metric:?} is declared but None for post {}", r.id));
                }
                _ => {}
            }
        }
    }
    pass()
}

async fn recent_posts(cx: &Ctx<'_>) -> Checked {
    if !cx.caps.recent_posts {
        return lacks("recent_posts is false");
    }
    let (ta, tb) = (cx.text("older"), cx.text("newer"));
    let a = cx
        .publish(&Post::text(ta.clone()), &PublishOptions::default())
        .await?;
    let b = cx
        .publish(&Post::text(tb.clone()), &PublishOptions::default())
        .await?;
    let recent = listed(cx, 20).await?.unwrap_or_default();
    let pa = recent.iter().position(|r| r.post.id == a.post.id);
    let pb = recent.iter().position(|r| r.post.id == b.post.id);
    let (Some(pa), Some(pb)) = (pa, pb) else {
        return Err("a post just published is not listed".into());
    };
    ensure(pb < pa, || "the newer post is not listed first".into())?;
    ensure(
        recent[pa].text.contains(&ta) && recent[pb].text.contains(&tb),
        || "listed texts differ from the published ones".into(),
    )?;
    ensure(
        recent
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at),
        || "recent posts are not newest first".into(),
    )?;
    pass()
}

/// How often the search check asks before it gives up, and how long it waits in between:
/// search indexes lag behind publishing (Bluesky's AppView, Elasticsearch).
const SEARCH_POLLS: usize = 15;
const SEARCH_POLL_PAUSE: std::time::Duration = std::time::Duration::from_millis(700);

async fn search(cx: &Ctx<'_>) -> Checked {
    let Some(limits) = cx.caps.search.clone() else {
        return lacks("search is none");
    };
    let word = cx.token("word");
    let tag = cx.token("tag");
    let text = format!("{} {word} #{tag}", cx.text("search"));
    let p = cx
        .publish(&Post::text(text.clone()), &PublishOptions::default())
        .await?;
    let me = cx
        .platform
        .channel()
        .await
        .map_err(|e| failed("channel", &e))?;
    let query = if limits.words {
        format!("{word} #{tag}")
    } else {
        format!("#{tag}")
    };
    let q = SearchQuery::new(query.clone()).limit(limits.max_page.clamp(1, 25));
    cx.harness.settle().await;
    let mut found = None;
    let mut polls = 0;
    while found.is_none() && polls < SEARCH_POLLS {
        if polls > 0 {
            tokio::time::sleep(SEARCH_POLL_PAUSE).await;
        }
        polls += 1;
        let page = cx
            .platform
            .search(&q)
            .await
            .map_err(|e| failed(&format!("search for '{query}'"), &e))?;
        found = page.items.into_iter().find(|i| {
            i.reference.post.as_ref().is_some_and(|r| r.id == p.post.id)
                || i.text.as_deref().is_some_and(|t| t.contains(&word))
        });
    }
    let Some(hit) = found else {
        return Err(format!(
            "the post was not found by '{query}' after {polls} searches"
        ));
    };
    ensure(hit.kind == InteractionKind::Post, || {
        format!("a search result has kind {:?}, expected Post", hit.kind)
    })?;
    ensure(
        hit.reference
            .post
            .as_ref()
            .is_some_and(|r| r.id == p.post.id),
        || {
            format!(
                "the result's reference points to {:?}, not to the post {}",
                hit.reference.post.as_ref().map(|r| &r.id),
                p.post.id
            )
        },
    )?;
    ensure(
        !limits.authors || hit.author.id == me.id || hit.author.handle == me.handle,
        || {
            format!(
                "the result's author is {} ({}), the channel is {} ({})",
                hit.author.handle, hit.author.id, me.handle, me.id
            )
        },
    )?;
    ensure(
        hit.text
            .as_deref()
            .is_some_and(|t| t.contains(&word) && t.contains(&format!("#{tag}"))),
        || format!("the result's text is {:?}, expected {text:?}", hit.text),
    )?;
    // A hashtag-only platform is asked for an absent hashtag, the others for an absent word.
    let absent = if limits.words {
        cx.token("absent")
    } else {
        format!("#{}", cx.token("absent"))
    };
    let none = cx
        .platform
        .search(&SearchQuery::new(absent.clone()))
        .await
        .map_err(|e| failed(&format!("search for '{absent}'"), &e))?;
    ensure(none.items.is_empty(), || {
        format!(
            "a search for '{absent}', which no post has, found {} result(s)",
            none.items.len()
        )
    })?;
    pass_noting(
        (polls > 1)
            .then(|| format!("found after {polls} searches"))
            .into_iter()
            .collect(),
    )
}

async fn idempotency_key(cx: &Ctx<'_>) -> Checked {
    if cx.caps.idempotency == Idempotency::None {
        return lacks("idempotency is none");
    }
    let text = cx.text("idempotent");
    let opts = PublishOptions::with_key(format!("{}-key", text.replace([' ', '#'], "-")));
    let post = Post::text(text.clone());
    let first = cx.publish(&post, &opts).await?;
    let second = cx.publish(&post, &opts).await?;
    ensure(first.post.id == second.post.id, || {
        format!(
            "the same key published twice: {} and {}",
            first.post.id, second.post.id
        )
    })?;
    let mut notes = Vec::new();
    match listed(cx, 50).await? {
        Some(recent) => {
            let copies = recent.iter().filter(|r| r.text.contains(&text)).count();
            ensure(copies == 1, || format!("{copies} posts carry the text"))?;
        }
        None => notes.push(unlisted("the single copy")),
    }
    pass_noting(notes)
}

async fn too_long(cx: &Ctx<'_>) -> Checked {
    let rule = &cx.caps.text;
    let marker = cx.text("too long");
    let mut text = marker.clone();
    for _ in 0..3 {
        let count = rule.count(&text);
        if count > rule.max {
            break;
        }
        text.push(' ');
        text.push_str(&"x".repeat(rule.max - count + 10));
    }
    let count = rule.count(&text);
    ensure(count > rule.max, || {
        format!("could not build a text over the limit of {}", rule.max)
    })?;
    match cx
        .platform
        .publish(&Post::text(text), &PublishOptions::default())
        .await
    {
        Ok(p) => {
            cx.remember(&p);
            return Err(format!(
                "a text of {count} over a limit of {} was published",
                rule.max
            ));
        }
        Err(e) if e.kind() == ErrorKind::Validation => {
            let m = e.to_string();
            ensure(
                m.contains(&count.to_string()) && m.contains(&rule.max.to_string()),
                || {
                    format!(
                        "the error does not say the count {count} and the limit {}: {m}",
                        rule.max
                    )
                },
            )?;
        }
        Err(e) => return Err(format!("expected validation, got {}: {e}", e.kind())),
    }
    let mut notes = Vec::new();
    match listed(cx, 50).await? {
        Some(recent) => ensure(recent.iter().all(|r| !r.text.contains(&marker)), || {
            "the too-long post was created anyway".into()
        })?,
        None => notes.push(unlisted("that nothing was created")),
    }
    pass_noting(notes)
}

async fn empty_post(cx: &Ctx<'_>) -> Checked {
    match cx
        .platform
        .publish(&Post::text(""), &PublishOptions::default())
        .await
    {
        Err(e) if e.kind() == ErrorKind::Validation => pass(),
        Err(e) => Err(format!("expected validation, got {}: {e}", e.kind())),
        Ok(p) => {
            cx.remember(&p);
            Err("an empty post was published".into())
        }
    }
}

/// Operations with a method of their own, in the order the check tries them.
const OPTIONAL: [Operation; 9] = [
    Operation::Delete,
    Operation::Edit,
    Operation::Interactions,
    Operation::Reply,
    Operation::PostMetrics,
    Operation::RecentPosts,
    Operation::Thread,
    Operation::Media,
    Operation::Search,
];

fn undeclared(p: &dyn Platform) -> Option<Operation> {
    OPTIONAL
        .into_iter()
        .find(|op| !p.capabilities().supports(*op))
}

/// Calls `op` on `p` with harmless arguments.
async fn call(cx: &Ctx<'_>, p: &dyn Platform, op: Operation) -> crate::Result<()> {
    let name = p.name().to_string();
    let nowhere = PostRef::new(&name, "0");
    let text = Post::text(cx.text("unsupported"));
    let none = PublishOptions::default();
    match op {
        Operation::Delete => p.delete(&nowhere).await,
        Operation::Edit => p.edit(&nowhere, &text).await.map(drop),
        Operation::Interactions => p.interactions(&InteractionQuery::default()).await.map(drop),
        Operation::Reply => p
            .reply(&InteractionRef::new(&name, "0"), &text, &none)
            .await
            .map(drop),
        Operation::PostMetrics => p.post_metrics(&[nowhere]).await.map(drop),
        Operation::RecentPosts => p.recent_posts(1).await.map(drop),
        Operation::Search => p
            .search(&SearchQuery::new(cx.text("unsupported")))
            .await
            .map(drop),
        Operation::Thread => p
            .publish(&Post::thread([cx.text("a"), cx.text("b")]), &none)
            .await
            .map(drop),
        Operation::Media => p
            .publish(&text.with_media(cx.harness.media_sample()), &none)
            .await
            .map(drop),
        // Never chosen: publishing is always supported, native scheduling has no method.
        Operation::Publish | Operation::NativeScheduling => Ok(()),
    }
}

async fn unsupported(cx: &Ctx<'_>) -> Checked {
    let limited = cx.harness.limited_platform();
    let (platform, op, which): (Arc<dyn Platform>, Operation, &str) =
        match undeclared(cx.platform.as_ref()) {
            Some(op) => (cx.platform.clone(), op, "the platform"),
            None => match limited
                .as_ref()
                .and_then(|l| undeclared(l.as_ref()).map(|op| (l, op)))
            {
                Some((l, op)) => (l.clone(), op, "the limited platform"),
                None => {
                    return Ok(Verdict::Skip(
                        SkipCause::Harness,
                        "every operation is declared and the harness has no limited platform \
                         lacking one"
                            .into(),
                    ));
                }
            },
        };
    match call(cx, platform.as_ref(), op).await {
        Ok(()) => Err(format!(
            "{op} succeeded on {which} though it is not declared"
        )),
        Err(e) if e.kind() == ErrorKind::Unsupported => {
            let m = e.to_string();
            ensure(
                m.contains(platform.name()) && m.contains(op.as_str()),
                || format!("the error does not name the platform and {op}: {m}"),
            )?;
            Ok(Verdict::Pass(Some(format!("{op} on {which}"))))
        }
        Err(e) => Err(format!(
            "{op} on {which} gave {}, expected unsupported: {e}",
            e.kind()
        )),
    }
}
