//! LinkedIn as documented: the `LinkedIn-Version` LinkedIn serves, capabilities that follow
//! the granted scopes, the Comments API each grant may use, nested replies on their parent
//! comment's path, and deletes of replies through the Comments API with `X-RestLi-Method`.

use socialkit::adapters::linkedin::config::DEFAULT_VERSION;
use socialkit::adapters::linkedin::twin::{Twin, TwinOptions};
use socialkit::adapters::linkedin::{LinkedIn, LinkedInConfig};
use socialkit::model::{InteractionQuery, InteractionRef, PostRef};
use socialkit::{ErrorKind, Platform, PlatformExt, Registry};

async fn start(options: TwinOptions) -> (Twin, LinkedIn) {
    let twin = Twin::start_with(options).await.unwrap();
    let li = LinkedIn::new(twin.config());
    (twin, li)
}

fn encoded(urn: &str) -> String {
    url::form_urlencoded::byte_serialize(urn.as_bytes()).collect()
}

#[tokio::test]
async fn the_default_version_is_served_and_a_retired_one_says_what_to_set() {
    let (twin, li) = start(TwinOptions::default()).await;
    assert!(
        twin.config().version == DEFAULT_VERSION,
        "the twin's config keeps the default"
    );
    li.publish_text("served").await.unwrap();

    let mut old = twin.config();
    old.version = "202401".into();
    let li = LinkedIn::new(old);
    twin.handle().requests().reset();
    let e = li.publish_text("retired version").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid, "{e}");
    assert!(!e.is_retryable());
    let shown = e.to_string();
    assert!(shown.contains("version=YYYYMM"), "{shown}");
    assert!(shown.contains("202401"), "names the version sent: {shown}");
    assert!(shown.contains(DEFAULT_VERSION), "{shown}");
    assert_eq!(e.context().http_status, Some(426));
    assert_eq!(
        e.context().platform_code.as_deref(),
        Some("NONEXISTENT_VERSION")
    );
    assert_eq!(
        twin.handle().requests().count_to("POST", "/rest/posts"),
        1,
        "sent once, not retried"
    );
    assert_eq!(twin.handle().posts().len(), 1);

    // A version not released yet is answered the same way.
    let mut future = twin.config();
    future.version = "209901".into();
    let e = LinkedIn::new(future).publish_text("x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigInvalid, "{e}");
}

#[tokio::test]
async fn a_self_serve_member_declares_nothing_it_cannot_read() {
    let (twin, li) = start(TwinOptions::self_serve_member()).await;
    let caps = li.capabilities();
    assert!(!caps.recent_posts, "no r_member_social: no listing");
    assert!(caps.interactions.is_empty() && caps.metrics.is_empty());
    assert!(caps.reply && caps.delete);

    let p = li
        .publish_text("posted with w_member_social")
        .await
        .unwrap();
    twin.handle().requests().reset();
    let e = li.recent_posts(5).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.to_string().contains("r_member_social"), "{e}");
    let e = li
        .post_metrics(std::slice::from_ref(&p.post))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(
        li.interactions(&InteractionQuery::default()).await.is_err(),
        "nothing to read"
    );
    assert_eq!(
        twin.handle().requests().count(),
        0,
        "refused before any request"
    );

    // Comments go through /v2/socialActions, which w_member_social allows.
    let to = InteractionRef::new("linkedin", &p.post.id).with_post(p.post.clone());
    let c = li.reply_text(&to, "a comment of my own").await.unwrap();
    assert!(c.post.id.starts_with("urn:li:comment:"), "{}", c.post.id);
    let path = format!("/v2/socialActions/{}/comments", encoded(&p.post.id));
    assert_eq!(twin.handle().requests().count_to("POST", &path), 1);
    assert_eq!(
        twin.handle()
            .requests()
            .count_to("POST", "/rest/socialActions"),
        0
    );

    // Deleting the comment goes to the Comments API, the post to the Posts API, both with
    // X-RestLi-Method: DELETE; neither looks the post up first (no read scope).
    li.delete(&c.post).await.unwrap();
    assert!(twin.handle().comment(&c.post.id).unwrap().deleted);
    assert_eq!(twin.handle().posts().len(), 1, "the post is still there");
    li.delete(&p.post).await.unwrap();
    assert!(twin.handle().posts().is_empty());
    assert_eq!(twin.handle().requests().count_to("GET", "/rest/posts"), 0);
    assert_eq!(
        twin.handle().delete_methods(),
        [Some("DELETE".to_string()), Some("DELETE".to_string())]
    );
}

#[tokio::test]
async fn scopes_come_from_the_channel_url_or_the_config() {
    let twin = Twin::start_with(TwinOptions::self_serve_member())
        .await
        .unwrap();
    let li = Registry::default().from_url(&twin.channel_url()).unwrap();
    assert!(!li.capabilities().recent_posts);
    let url = twin
        .channel_url()
        .replace("w_member_social", "w_member_social,r_member_social");
    let li = Registry::default().from_url(&url).unwrap();
    assert!(li.capabilities().recent_posts);
    // Unknown scopes: a member is taken to be self-serve, a page to have Community Management.
    let member = LinkedInConfig::new("t").unwrap();
    assert!(!LinkedIn::new(member).capabilities().recent_posts);
    let page = LinkedInConfig::new("t")
        .unwrap()
        .with_author("urn:li:organization:5")
        .unwrap();
    assert!(LinkedIn::new(page).capabilities().recent_posts);
}

#[tokio::test]
async fn nested_replies_go_to_the_parent_comment_and_delete_through_the_comments_api() {
    let (twin, li) = start(TwinOptions::organization()).await;
    let p = li.publish_text("a post people answer").await.unwrap();
    let top = twin
        .handle()
        .add_comment(&p.post.id, "urn:li:person:bob", "first!")
        .unwrap();
    let page = li.interactions(&InteractionQuery::default()).await.unwrap();
    assert_eq!(page.items.len(), 1);
    twin.handle().requests().reset();

    // An answer to a comment is created on the comment's own path.
    let reply = li
        .reply_text(&page.items[0].reference, "thanks, Bob")
        .await
        .unwrap();
    let path = format!("/rest/socialActions/{}/comments", encoded(&top));
    assert_eq!(twin.handle().requests().count_to("POST", &path), 1);
    let stored = twin.handle().comment(&reply.post.id).unwrap();
    assert_eq!(stored.parent.as_deref(), Some(top.as_str()));
    assert_eq!(stored.post, p.post.id);

    // Bob answers the reply; answering him goes under the top-level comment (LinkedIn nests
    // one level).
    let nested = InteractionRef::new("linkedin", &reply.post.id)
        .with_meta("post", &p.post.id)
        .with_meta("parent", &top);
    let again = li.reply_text(&nested, "you are welcome").await.unwrap();
    assert_eq!(
        twin.handle()
            .comment(&again.post.id)
            .unwrap()
            .parent
            .as_deref(),
        Some(top.as_str())
    );

    // Deleting a reply never touches /rest/posts.
    twin.handle().requests().reset();
    li.delete(&reply.post).await.unwrap();
    assert!(twin.handle().comment(&reply.post.id).unwrap().deleted);
    let seen = twin.handle().requests().all();
    assert!(
        seen.iter().all(|r| !r.path.starts_with("/rest/posts")),
        "{seen:?}"
    );
    assert_eq!(twin.handle().posts().len(), 1);
    // A bare comment reference (no meta) is still recognised by its URN.
    let bare = PostRef::new("linkedin", &again.post.id);
    li.delete(&bare).await.unwrap();
    assert!(twin.handle().comment(&again.post.id).unwrap().deleted);
    assert!(
        twin.handle()
            .delete_methods()
            .iter()
            .all(|m| m.as_deref() == Some("DELETE"))
    );
}
