//! What Instagram's hashtag search and Threads' keyword search share: the checks made before
//! anything is sent, the page size, the time window, and turning a found post into an
//! [`Interaction`] of kind [`InteractionKind::Post`].

use chrono::{DateTime, Utc};

use crate::model::{
    Author, Interaction, InteractionKind, InteractionRef, PostRef, SearchLimits, SearchQuery,
};
use crate::{Error, ErrorKind, Result};

/// Checks `query` against what the platform's search offers, before anything is sent: an
/// empty query, plain words where only hashtags are searched, an empty time window.
pub(crate) fn check(platform: &str, limits: &SearchLimits, query: &SearchQuery) -> Result<()> {
    if query.tokens().next().is_none() {
        return Err(Error::validation(format!(
            "the search is empty: {platform} needs words or a #hashtag to search for"
        ))
        .with_platform(platform));
    }
    if !limits.words {
        if let Some(word) = query.words().chain(query.mentions()).next() {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "{platform} searches hashtags only: \"{word}\" is not a #hashtag \
                     (search \"#{}\" instead, or filter the results locally)",
                    word.trim_start_matches('@')
                ),
            )
            .with_platform(platform)
            .with_operation("search"));
        }
    }
    if let (Some(since), Some(until)) = (query.since, query.until) {
        if since >= until {
            return Err(Error::validation(format!(
                "the search window is empty on {platform}: since ({since}) is not before until ({until})"
            ))
            .with_platform(platform));
        }
    }
    Ok(())
}

/// The page size to ask for: the query's, within 1 and the platform's largest page.
pub(crate) fn page_size(limits: &SearchLimits, query: &SearchQuery) -> usize {
    query.limit.clamp(1, limits.max_page.max(1))
}

/// Whether `at` lies in the query's window (`since` inclusive, `until` exclusive).
pub(crate) fn in_window(query: &SearchQuery, at: DateTime<Utc>) -> bool {
    query.since.is_none_or(|s| at >= s) && query.until.is_none_or(|u| at < u)
}

/// `e` with another kind and message, keeping its context (platform, channel, status, the
/// platform's code and message), `retry_after` and retryability.
pub(crate) fn reworded(e: Error, kind: ErrorKind, message: String) -> Error {
    let c = e.context().clone();
    let mut out = Error::new(kind, message)
        .with_retryable(e.is_retryable())
        .with_operation(c.operation.as_deref().unwrap_or("search"));
    if let Some(p) = c.platform {
        out = out.with_platform(p);
    }
    if let Some(ch) = c.channel {
        out = out.with_channel(ch);
    }
    if let Some(s) = c.http_status {
        out = out.with_http_status(s);
    }
    if let Some(code) = c.platform_code {
        out = out.with_platform_code(code);
    }
    if let Some(m) = c.platform_message {
        out = out.with_platform_message(m);
    }
    if let Some(at) = e.retry_after() {
        out = out.with_retry_after(at);
    }
    out
}

/// A page of search results: the found posts in the query's window, newest first, continuing
/// at `next_cursor`.
pub(crate) fn page(
    platform: &str,
    query: &SearchQuery,
    found: Vec<Found>,
    next_cursor: Option<String>,
) -> crate::model::Page<Interaction> {
    let mut items: Vec<Interaction> = found
        .into_iter()
        .filter(|f| in_window(query, f.created_at))
        .map(|f| f.into_interaction(platform))
        .collect();
    items.sort_by_key(|i| std::cmp::Reverse(i.created_at));
    crate::model::Page {
        has_more: next_cursor.is_some(),
        items,
        next_cursor,
    }
}

/// A post a search found, as the platform describes it.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// The media id.
    pub id: String,
    /// Its text or caption.
    pub text: Option<String>,
    /// When it was published.
    pub created_at: DateTime<Utc>,
    /// The link people open.
    pub permalink: Option<String>,
    /// The author's username, when the platform gives it (Instagram's hashtag search does not).
    pub username: Option<String>,
    /// The author's profile URL.
    pub profile_url: Option<String>,
}

impl Found {
    /// The found post as an interaction of kind [`InteractionKind::Post`]: not addressed to the
    /// channel, so `post` is `None`; the reference carries the post itself (to reply to it).
    pub(crate) fn into_interaction(self, platform: &str) -> Interaction {
        let mut post = PostRef::new(platform, self.id.clone());
        if let Some(url) = self.permalink {
            post = post.with_url(url);
        }
        Interaction {
            reference: InteractionRef::new(platform, self.id).with_post(post),
            kind: InteractionKind::Post,
            author: Author {
                id: String::new(),
                handle: self.username.unwrap_or_default(),
                display_name: None,
                followers: None,
                url: self.profile_url,
            },
            text: self.text,
            created_at: self.created_at,
            post: None,
            conversation: None,
            language: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashtags_only() -> SearchLimits {
        SearchLimits {
            words: false,
            max_page: 50,
            ..SearchLimits::default()
        }
    }

    #[test]
    fn empty_and_plain_words_are_refused_before_sending() {
        let e = check("instagram", &hashtags_only(), &SearchQuery::new("  ")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.to_string().contains("instagram"), "{e}");
        let e = check(
            "instagram",
            &hashtags_only(),
            &SearchQuery::new("#acme outage"),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(
            e.to_string().contains("instagram searches hashtags only"),
            "{e}"
        );
        assert!(e.to_string().contains("\"outage\""), "{e}");
        let e = check(
            "instagram",
            &hashtags_only(),
            &SearchQuery::new("#acme @bob"),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(check("instagram", &hashtags_only(), &SearchQuery::new("#acme")).is_ok());
        assert!(
            check(
                "threads",
                &SearchLimits::default(),
                &SearchQuery::new("acme outage")
            )
            .is_ok()
        );
    }

    #[test]
    fn windows_and_page_sizes() {
        let t: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let q = SearchQuery::new("x").since(t).until(t);
        assert_eq!(
            check("threads", &SearchLimits::default(), &q)
                .unwrap_err()
                .kind(),
            ErrorKind::Validation
        );
        let q = SearchQuery::new("x")
            .since(t)
            .until(t + chrono::Duration::hours(1));
        assert!(in_window(&q, t));
        assert!(!in_window(&q, t + chrono::Duration::hours(1)));
        assert!(!in_window(&q, t - chrono::Duration::seconds(1)));
        assert_eq!(
            page_size(&hashtags_only(), &SearchQuery::new("#a").limit(0)),
            1
        );
        assert_eq!(
            page_size(&hashtags_only(), &SearchQuery::new("#a").limit(500)),
            50
        );
    }

    #[test]
    fn found_posts_become_post_interactions() {
        let t: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let i = Found {
            id: "17".into(),
            text: Some("hello #acme".into()),
            created_at: t,
            permalink: Some("https://www.threads.net/@bob/post/x".into()),
            username: Some("bob".into()),
            profile_url: Some("https://www.threads.net/@bob".into()),
        }
        .into_interaction("threads");
        assert_eq!(i.kind, InteractionKind::Post);
        assert_eq!(i.author.handle, "bob");
        assert_eq!(i.reference.post.as_ref().unwrap().id, "17");
        assert!(i.post.is_none());
    }
}
