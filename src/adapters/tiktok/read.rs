//! Reading: the account (`GET /v2/user/info/`,
//! <https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info>), video metrics
//! (`POST /v2/video/query/`, <https://developers.tiktok.com/doc/tiktok-api-v2-video-query>,
//! at most 20 ids a call) and the creator's recent videos (`POST /v2/video/list/`,
//! <https://developers.tiktok.com/doc/tiktok-api-v2-video-list>, at most 20 a page, paged by
//! the `cursor` it returns).

use chrono::{DateTime, Utc};

use super::api::{USER_FIELDS, UserData, VIDEO_FIELDS, Video, Videos};
use super::{PLATFORM, TikTok};
use crate::Result;
use crate::http::{Call, Retry};
use crate::model::{Channel, ChannelMetrics, PostMetrics, PostRef, Profile, RecentPost};

/// Most ids per `video/query`, most videos per `video/list` page.
pub(crate) const PAGE: usize = 20;

/// Whether a reference is still a `publish_id` (no public video id yet).
fn is_publish_id(id: &str) -> bool {
    id.contains("pub_") || id.contains('~')
}

impl TikTok {
    pub(crate) async fn read_channel(&self) -> Result<Channel> {
        let mut url = self.config.endpoint("v2/user/info/")?;
        url.query_pairs_mut().append_pair("fields", USER_FIELDS);
        let data: UserData = self
            .api(Call::get(PLATFORM, "channel", url).retry(Retry::Idempotent))
            .await?;
        let u = data.user;
        let handle = u.username.clone().unwrap_or_else(|| u.open_id.clone());
        let mut c = Channel::new(PLATFORM, u.open_id, handle.clone()).with_profile(Profile {
            display_name: u.display_name,
            bio: u.bio_description,
            avatar: u.avatar_url,
            website: None,
        });
        c.url = u
            .profile_deep_link
            .or_else(|| u.username.map(|n| format!("https://www.tiktok.com/@{n}")));
        c.metrics = ChannelMetrics {
            followers: u.follower_count,
            following: u.following_count,
            posts: u.video_count,
            ..ChannelMetrics::default()
        };
        Ok(c)
    }

    async fn query_videos(&self, ids: &[String]) -> Result<Vec<Video>> {
        let mut url = self.config.endpoint("v2/video/query/")?;
        url.query_pairs_mut().append_pair("fields", VIDEO_FIELDS);
        let call = Call::post(PLATFORM, "post_metrics", url)
            .json(&serde_json::json!({ "filters": { "video_ids": ids } }))
            .retry(Retry::Idempotent);
        let data: Videos = self.api(call).await?;
        Ok(data.videos)
    }

    pub(crate) async fn read_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        let now = self.now();
        let ids: Vec<String> = posts
            .iter()
            .filter(|p| !is_publish_id(&p.id))
            .map(|p| p.id.clone())
            .collect();
        let mut found = Vec::new();
        for batch in ids.chunks(PAGE) {
            found.extend(self.query_videos(batch).await?);
        }
        Ok(posts
            .iter()
            .map(|p| {
                let mut m = PostMetrics::new(p.clone(), now);
                if let Some(v) = found.iter().find(|v| v.id == p.id) {
                    m.video_views = v.view_count;
                    m.likes = v.like_count;
                    m.replies = v.comment_count;
                    m.reposts = v.share_count;
                }
                m
            })
            .collect())
    }

    pub(crate) async fn read_recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let mut out = Vec::new();
        let mut cursor: Option<i64> = None;
        // Bounded: at most limit / 20 + 1 pages, and a page must move the cursor.
        for _ in 0..=(limit / PAGE) {
            if out.len() >= limit {
                break;
            }
            let mut url = self.config.endpoint("v2/video/list/")?;
            url.query_pairs_mut().append_pair("fields", VIDEO_FIELDS);
            let mut body = serde_json::json!({ "max_count": PAGE.min(limit - out.len()).max(1) });
            if let Some(c) = cursor {
                body["cursor"] = c.into();
            }
            let call = Call::post(PLATFORM, "recent_posts", url)
                .json(&body)
                .retry(Retry::Idempotent);
            let page: Videos = self.api(call).await?;
            for v in page.videos {
                let created_at = v
                    .create_time
                    .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
                    .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
                let mut post = PostRef::new(PLATFORM, v.id);
                if let Some(u) = v.share_url {
                    post = post.with_url(u);
                }
                out.push(RecentPost {
                    post,
                    text: v.title.or(v.video_description).unwrap_or_default(),
                    created_at,
                    idempotency_key: None,
                    in_reply_to: None,
                });
            }
            if !page.has_more || page.cursor.is_none() || page.cursor == cursor {
                break;
            }
            cursor = page.cursor;
        }
        out.truncate(limit);
        Ok(out)
    }
}
