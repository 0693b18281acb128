//! Reading LinkedIn: the channel, recent posts, comments (as interactions), metrics, deletes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::api::{Collection, Comment, PostEntity, ShareStatistics, SocialMetadata};
use super::{LinkedIn, PLATFORM, encode, post_url};
use crate::http::{Call, Retry};
use crate::model::{
    Author, Channel, ChannelMetrics, Interaction, InteractionKind, InteractionQuery,
    InteractionRef, Page, PostMetrics, PostRef, Profile, RecentPost,
};
use crate::{Error, ErrorKind, Result};

fn ms(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A comment cursor: `created ms` and comment id of the last comment returned.
fn cursor_of(c: &Comment) -> String {
    format!("{}:{}", c.created.as_ref().map_or(0, |s| s.time), c.id)
}

fn parse_cursor(s: &str) -> Option<(i64, String)> {
    let (t, id) = s.split_once(':')?;
    Some((t.parse().ok()?, id.to_string()))
}

impl LinkedIn {
    /// `GET /v2/userinfo` (OpenID): the member's id and name.
    pub(crate) async fn userinfo(&self) -> Result<(String, Option<String>, Option<String>)> {
        let call = Call::get(PLATFORM, "channel", self.endpoint("v2/userinfo")?);
        let response = self.send(call).await?;
        let v: Value = response.json()?;
        let sub = v
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| response.error(ErrorKind::Unexpected, "linkedin userinfo has no sub"))?;
        let name = v.get("name").and_then(Value::as_str).map(str::to_string);
        let picture = v.get("picture").and_then(Value::as_str).map(str::to_string);
        Ok((sub.to_string(), name, picture))
    }

    pub(crate) async fn read_channel(&self) -> Result<Channel> {
        let author = self.author().await?;
        if let Some(id) = author.strip_prefix("urn:li:organization:") {
            let call = Call::get(
                PLATFORM,
                "channel",
                self.endpoint(&format!("rest/organizations/{}", encode(id)))?,
            );
            let org: Value = self.send(call).await?.json()?;
            let vanity = org
                .get("vanityName")
                .and_then(Value::as_str)
                .unwrap_or(id)
                .to_string();
            // Follower count: `GET /rest/networkSizes/{org URN}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`
            // → `{"firstDegreeSize": n}` (LinkedIn's "Retrieve Organization Follower Count"
            // request, as its Postman collection gives it; republished in api-evangelist/linkedin).
            let url = self.endpoint(&format!("rest/networkSizes/{}", encode(&author)))?;
            let call = Call::get(PLATFORM, "channel", url)
                .query([("edgeType", "COMPANY_FOLLOWED_BY_MEMBER")]);
            let followers = self
                .send(call)
                .await?
                .json::<Value>()?
                .get("firstDegreeSize")
                .and_then(Value::as_u64);
            let text = |k: &str| org.get(k).and_then(Value::as_str).map(str::to_string);
            let mut c = Channel::new(PLATFORM, &author, &vanity).with_profile(Profile {
                display_name: text("localizedName"),
                bio: text("localizedDescription"),
                avatar: None,
                website: text("localizedWebsite"),
            });
            c.url = Some(format!("https://www.linkedin.com/company/{vanity}/"));
            c.metrics = ChannelMetrics {
                followers,
                ..ChannelMetrics::default()
            };
            return Ok(c);
        }
        let (sub, name, picture) = self.userinfo().await?;
        let handle = name.clone().unwrap_or_else(|| sub.clone());
        Ok(
            Channel::new(PLATFORM, &author, handle).with_profile(Profile {
                display_name: name,
                avatar: picture,
                ..Profile::default()
            }),
        )
    }

    /// Deletes a post, or a comment (a reply) through the Comments API: a reference that is a
    /// comment URN or carries the post it comments on never goes to `/rest/posts`.
    ///
    /// Posts API (<https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api>,
    /// "Delete Posts"): `DELETE /rest/posts/{encoded URN}` → 204, also for a post already
    /// gone. The `X-RestLi-Method: DELETE` header goes along, as LinkedIn's own client sends a
    /// Rest.li method header with every request (linkedin-developers/linkedin-api-js-client
    /// `lib/utils/api-utils.ts`, `getRestliRequestHeaders`).
    pub(crate) async fn delete_post(&self, post: &PostRef) -> Result<()> {
        if post.id.starts_with("urn:li:comment:") || post.meta("post").is_some() {
            return self.delete_comment(post).await;
        }
        let url = self.endpoint(&format!("rest/posts/{}", encode(&post.id)))?;
        // LinkedIn answers 204 for a post already deleted: look first, so a missing post is
        // NotFound. A token that may not read posts deletes blind.
        if self.config.grant().read_social {
            match self.send(Call::get(PLATFORM, "delete", url.clone())).await {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::PermissionDenied => {}
                Err(e) => return Err(e),
            }
        }
        let call = Call::delete(PLATFORM, "delete", url)
            .header("X-RestLi-Method", "DELETE")
            .retry(Retry::Idempotent);
        self.send(call).await?;
        Ok(())
    }

    /// Comments API, "Delete a Comment":
    /// `DELETE {rest|v2}/socialActions/{target}/comments/{comment id}?actor={actor}` → 204,
    /// where the target is what the comment was made on: the post, or the parent comment of a
    /// nested reply (by analogy with "Create a Comment"; **unverified** for nested replies).
    async fn delete_comment(&self, comment: &PostRef) -> Result<()> {
        let not_comment = || {
            Error::new(ErrorKind::NotFound, "not a linkedin comment reference")
                .with_platform(PLATFORM)
        };
        let (inner_target, id) = split_comment_urn(&comment.id).ok_or_else(not_comment)?;
        let target = comment
            .meta("parent")
            .or(comment.meta("post"))
            .unwrap_or(inner_target);
        let actor = self.author().await?;
        let api = self.config.grant().comments_api();
        let url = self.endpoint(&format!(
            "{api}/socialActions/{}/comments/{}",
            encode(target),
            encode(id)
        ))?;
        let call = Call::delete(PLATFORM, "delete", url)
            .header("X-RestLi-Method", "DELETE")
            .query([("actor", actor)]);
        self.send(call).await?;
        Ok(())
    }

    /// Refuses, before any request, a read the token's scopes do not allow.
    fn require_read(&self, what: &str) -> Result<()> {
        if self.config.grant().read_social {
            return Ok(());
        }
        Err(self.scope_missing(what))
    }

    /// The error for a read of `what` the token's scopes do not allow.
    pub(crate) fn scope_missing(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::Unsupported,
            format!(
                "reading {what} on linkedin needs the r_member_social scope (granted to approved \
                 developers only); this channel's scopes do not include it (set `scopes` in the \
                 channel config if the token has it)"
            ),
        )
        .with_platform(PLATFORM)
    }

    /// The author's posts, newest first (`q=author`, `sortBy=CREATED`).
    ///
    /// Posts API, "Find Posts by Authors": `GET /rest/posts?author={urn}&q=author&count=&sortBy=`
    /// with `X-RestLi-Method: FINDER` → `{elements: [post], paging}`; needs `r_member_social`
    /// or `r_organization_social`.
    async fn posts(&self, count: usize) -> Result<Vec<PostEntity>> {
        self.require_read("recent posts")?;
        let author = self.author().await?;
        let call = Call::get(PLATFORM, "recent_posts", self.endpoint("rest/posts")?)
            .header("X-RestLi-Method", "FINDER")
            .query([
                ("author", author.as_str()),
                ("q", "author"),
                ("count", &count.clamp(1, 100).to_string()),
                ("sortBy", "CREATED"),
            ]);
        Ok(self
            .send(call)
            .await?
            .json::<Collection<PostEntity>>()?
            .elements)
    }

    pub(crate) async fn read_recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let mut out: Vec<RecentPost> = self
            .posts(limit)
            .await?
            .into_iter()
            .filter(|p| !p.id.is_empty())
            .map(|p| RecentPost {
                post: PostRef::new(PLATFORM, &p.id).with_url(post_url(&p.id)),
                created_at: ms(p.created_at.or(p.published_at).unwrap_or(0)),
                text: crate::text::linkedin::unescape_little_text(&p.commentary),
                idempotency_key: None,
                in_reply_to: None,
            })
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        out.truncate(limit);
        Ok(out)
    }

    /// Comments on the recent posts, oldest first after the cursor (see the module docs).
    pub(crate) async fn read_comments(&self, q: &InteractionQuery) -> Result<Page<Interaction>> {
        let me = self.author().await?;
        let after = q.cursor.as_deref().and_then(parse_cursor);
        let since_ms = q.since.map(|s| s.timestamp_millis());
        let mut all: Vec<Comment> = Vec::new();
        let api = self.config.grant().comments_api();
        for post in self.posts(self.config.scan_posts).await? {
            let url = self.endpoint(&format!(
                "{api}/socialActions/{}/comments",
                encode(&post.id)
            ))?;
            let call = Call::get(PLATFORM, "interactions", url).query([("count", "100")]);
            let mut comments = self
                .send(call)
                .await?
                .json::<Collection<Comment>>()?
                .elements;
            for c in comments.iter_mut() {
                c.object.get_or_insert_with(|| post.id.clone());
            }
            all.extend(comments);
        }
        let key = |c: &Comment| (c.created.as_ref().map_or(0, |s| s.time), c.id.clone());
        all.retain(|c| c.actor != me && !c.id.is_empty());
        all.retain(|c| after.as_ref().is_none_or(|a| key(c) > *a));
        all.retain(|c| since_ms.is_none_or(|s| key(c).0 >= s));
        all.sort_by_key(key);
        all.dedup_by(|a, b| a.id == b.id);
        let wanted = q.wants(InteractionKind::Comment);
        let limit = q.limit.clamp(1, 100);
        let has_more = wanted && all.len() > limit;
        all.truncate(limit);
        let next_cursor = all.last().map(cursor_of).or_else(|| q.cursor.clone());
        let items = if wanted {
            all.iter().map(interaction).collect()
        } else {
            Vec::new()
        };
        Ok(Page {
            items,
            next_cursor,
            has_more,
        })
    }

    /// Social Metadata API for likes and comments, and for pages the share statistics.
    pub(crate) async fn read_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        self.require_read("post metrics")?;
        let stats = if self.config.is_organization() {
            self.share_statistics(posts).await?
        } else {
            HashMap::new()
        };
        let mut out = Vec::with_capacity(posts.len());
        for p in posts {
            let url = self.endpoint(&format!("rest/socialMetadata/{}", encode(&p.id)))?;
            let meta: SocialMetadata = self
                .send(Call::get(PLATFORM, "post_metrics", url))
                .await?
                .json()?;
            let mut m = PostMetrics::new(p.clone(), self.client.now());
            m.likes = Some(meta.reactions());
            m.replies = Some(meta.comment_summary.map_or(0, |c| c.count));
            // Share statistics exist only for organisation posts. A post they do not list
            // yet, or a field they leave out, is "not reported" (`None`), never zero.
            if let Some(t) = stats.get(&p.id) {
                m.impressions = t.impression_count;
                m.reach = t.unique_impressions_count;
                m.clicks = t.click_count;
                m.reposts = t.share_count;
            }
            out.push(m);
        }
        Ok(out)
    }

    async fn share_statistics(
        &self,
        posts: &[PostRef],
    ) -> Result<HashMap<String, super::api::Totals>> {
        let author = self.author().await?;
        let list = |prefix: &str| -> Vec<String> {
            posts
                .iter()
                .filter(|p| p.id.starts_with(prefix))
                .map(|p| encode(&p.id))
                .collect()
        };
        let (shares, ugc) = (list("urn:li:share:"), list("urn:li:ugcPost:"));
        // Rest.li lists are written raw (`List(urn%3Ali%3Ashare%3A1,…)`), so the query is built
        // by hand instead of through form encoding.
        let mut query = format!(
            "q=organizationalEntity&organizationalEntity={}",
            encode(&author)
        );
        if !shares.is_empty() {
            query.push_str(&format!("&shares=List({})", shares.join(",")));
        }
        if !ugc.is_empty() {
            query.push_str(&format!("&ugcPosts=List({})", ugc.join(",")));
        }
        let mut url = self.endpoint("rest/organizationalEntityShareStatistics")?;
        url.set_query(Some(&query));
        let elements = self
            .send(Call::get(PLATFORM, "post_metrics", url))
            .await?
            .json::<Collection<ShareStatistics>>()?
            .elements;
        Ok(elements
            .into_iter()
            .filter_map(|e| Some((e.share.or(e.ugc_post)?, e.total_share_statistics)))
            .collect())
    }
}

/// The parts of a comment URN: `urn:li:comment:(urn:li:activity:1,2)` → (`urn:li:activity:1`, `2`).
fn split_comment_urn(urn: &str) -> Option<(&str, &str)> {
    let inner = urn.strip_prefix("urn:li:comment:(")?.strip_suffix(')')?;
    let (on, id) = inner.rsplit_once(',')?;
    (!on.is_empty() && !id.is_empty()).then_some((on, id))
}

fn interaction(c: &Comment) -> Interaction {
    let on = c.object.clone().unwrap_or_default();
    let urn = c
        .comment_urn
        .clone()
        .unwrap_or_else(|| format!("urn:li:comment:({on},{})", c.id));
    let mut reference = InteractionRef::new(PLATFORM, &urn).with_meta("post", &on);
    if let Some(parent) = c.parent_comment.as_deref().filter(|p| !p.is_empty()) {
        reference = reference.with_meta("parent", parent);
    }
    Interaction {
        reference,
        kind: InteractionKind::Comment,
        author: Author {
            id: c.actor.clone(),
            handle: c.actor.clone(),
            ..Author::default()
        },
        text: c
            .message
            .as_ref()
            .map(|m| crate::text::linkedin::unescape_little_text(&m.text)),
        created_at: ms(c.created.as_ref().map_or(0, |s| s.time)),
        post: Some(PostRef::new(PLATFORM, &on).with_url(post_url(&on))),
        conversation: c.parent_comment.clone(),
        language: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_urns_and_cursors() {
        assert_eq!(
            split_comment_urn("urn:li:comment:(urn:li:activity:1,22)"),
            Some(("urn:li:activity:1", "22"))
        );
        assert_eq!(split_comment_urn("urn:li:share:1"), None);
        assert_eq!(split_comment_urn("urn:li:comment:(,22)"), None);
        assert_eq!(parse_cursor("1700:abc"), Some((1700, "abc".into())));
        assert_eq!(parse_cursor("x:abc"), None);
    }
}
