//! Reviews as interactions, their replies, and the rating summary. Sources:
//! `accounts.locations.reviews.list` (`pageSize` ≤ 50, `pageToken`, `orderBy=updateTime desc`,
//! `averageRating`, `totalReviewCount`), `updateReply` (`PUT …/reviews/{id}/reply`: creates
//! or replaces the reply) and `deleteReply` (`DELETE …/reviews/{id}/reply`) under
//! <https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews>.
//!
//! Reviews are read forward with a [`HighWater`] cursor on `updateTime` (newest first, paged
//! back to the mark), as `Comment` interactions whose text is the review and whose
//! reference carries `star_rating` (1–5) in its meta; an edited review comes again with the
//! same id (the inbox keeps the first). A reply is a `PUT`: sending it again replaces it with
//! the same text, so it is safe to retry and the engine's outbox may send it again after a
//! doubt; it is at most 4,096 bytes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::api::{Review, ReviewList, ReviewReply};
use super::{GoogleBusiness, MAX_REPLY_BYTES, PLATFORM};
use crate::http::{Call, HighWater, Retry};
use crate::model::{
    Author, ChannelMetrics, Interaction, InteractionKind, InteractionQuery, InteractionRef, Page,
    Post, PostRef, Published, Rating,
};
use crate::{Error, Result};

/// Most pages one read takes.
const MAX_PAGES: usize = 10;

/// A location's rating: what Google shows beside its name. `channel()` reports the same two
/// numbers as [`ChannelMetrics::average_rating`] and [`ChannelMetrics::reviews`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    /// The average star rating, 1–5 in hundredths of a star (`None` before the first
    /// review, or when Google sends a value outside 1–5).
    pub average_rating: Option<Rating>,
    /// How many reviews there are.
    pub total_review_count: Option<u64>,
}

impl ReviewSummary {
    /// The summary as channel metrics: reviews and average rating, the other fields `None`.
    ///
    /// ```
    /// use socialkit::adapters::google_business::ReviewSummary;
    /// use socialkit::model::Rating;
    /// let s = ReviewSummary { average_rating: Rating::from_stars(4.3), total_review_count: Some(87) };
    /// let m = s.metrics();
    /// assert_eq!((m.reviews, m.average_rating.unwrap().as_f64()), (Some(87), 4.3));
    /// assert_eq!(m.followers, None, "a location has no followers in the API");
    /// ```
    pub fn metrics(&self) -> ChannelMetrics {
        ChannelMetrics {
            reviews: self.total_review_count,
            average_rating: self.average_rating,
            ..ChannelMetrics::default()
        }
    }
}

fn stars(s: &str) -> Option<u8> {
    Some(match s {
        "ONE" => 1,
        "TWO" => 2,
        "THREE" => 3,
        "FOUR" => 4,
        "FIVE" => 5,
        _ => return None,
    })
}

impl GoogleBusiness {
    fn reviews_url(&self) -> Result<url::Url> {
        let c = self.config();
        c.endpoint(&format!("{}/reviews", c.location_name()))
    }

    fn review_name(&self, id: &str) -> String {
        if id.starts_with("accounts/") {
            id.to_string()
        } else {
            format!("{}/reviews/{id}", self.config().location_name())
        }
    }

    /// The location's average rating and review count (`reviews.list`, one review).
    pub async fn review_summary(&self) -> Result<ReviewSummary> {
        let call = Call::get(PLATFORM, "channel", self.reviews_url()?).query([("pageSize", "1")]);
        let list: ReviewList = self.send(call).await?.json()?;
        Ok(ReviewSummary {
            average_rating: list.average_rating.and_then(Rating::from_stars),
            total_review_count: list.total_review_count,
        })
    }

    fn interaction(&self, r: &Review, at: DateTime<Utc>) -> Interaction {
        let name = if r.name.is_empty() {
            self.review_name(&r.review_id)
        } else {
            r.name.clone()
        };
        let mut reference =
            InteractionRef::new(PLATFORM, r.review_id.clone()).with_meta("review", name);
        if let Some(s) = stars(&r.star_rating) {
            reference = reference.with_meta("star_rating", s.to_string());
        }
        if let Some(reply) = &r.review_reply {
            reference = reference.with_meta("replied", reply.comment.clone());
        }
        let display = r
            .reviewer
            .display_name
            .clone()
            .filter(|_| !r.reviewer.is_anonymous);
        Interaction {
            reference,
            kind: InteractionKind::Comment,
            author: Author {
                id: String::new(),
                handle: display.clone().unwrap_or_else(|| "A Google user".into()),
                display_name: display,
                followers: None,
                url: None,
            },
            text: r.comment.clone(),
            created_at: r.create_time.unwrap_or(at),
            post: None,
            conversation: Some(r.review_id.clone()),
            language: None,
        }
    }

    /// Reviews newer than the cursor (see the [module docs](self)).
    pub(crate) async fn read_reviews(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        let mut cursor = HighWater::parse(PLATFORM, query.cursor.as_deref())?;
        if cursor.mark.is_none() && cursor.page.is_none() {
            cursor.mark = query.since;
        }
        let pages = query.limit.div_ceil(50).clamp(1, MAX_PAGES);
        let mut items = Vec::new();
        let mut page = cursor.page.take();
        let mut finished = false;
        for _ in 0..pages {
            let mut call = Call::get(PLATFORM, "interactions", self.reviews_url()?)
                .query([("pageSize", "50"), ("orderBy", "updateTime desc")]);
            if let Some(p) = &page {
                call = call.query([("pageToken", p.as_str())]);
            }
            let list: ReviewList = self.send(call).await?.json()?;
            let mut reached = false;
            for r in list.reviews.iter().filter(|r| !r.review_id.is_empty()) {
                let at = r
                    .update_time
                    .or(r.create_time)
                    .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
                if !cursor.is_new(at, &r.review_id) {
                    reached = true;
                    continue;
                }
                cursor.note_newest(at, &r.review_id);
                if query.wants(InteractionKind::Comment) {
                    items.push(self.interaction(r, at));
                }
            }
            page = list.next_page_token.filter(|p| !p.is_empty());
            if reached || page.is_none() {
                finished = true;
                break;
            }
        }
        if finished {
            cursor.finish();
        } else {
            cursor.page = page;
        }
        items.sort_by_key(|i| i.created_at);
        Ok(Page {
            items,
            next_cursor: Some(cursor.encode()),
            has_more: !finished,
        })
    }

    /// Replies to a review, or replaces the reply (`updateReply`).
    pub(crate) async fn reply_to_review(
        &self,
        to: &InteractionRef,
        post: &Post,
    ) -> Result<Published> {
        self.set_review_reply(&to.id, &post.text).await
    }

    /// Creates or replaces the reply to review `review_id` (a PUT: safe to send again).
    pub async fn set_review_reply(&self, review_id: &str, text: &str) -> Result<Published> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::validation("a review reply needs text").with_platform(PLATFORM));
        }
        if text.len() > MAX_REPLY_BYTES {
            return Err(Error::too_long(
                PLATFORM,
                text.len(),
                MAX_REPLY_BYTES,
                "bytes (UTF-8)",
            ));
        }
        let name = self.review_name(review_id);
        let url = self.config().endpoint(&format!("{name}/reply"))?;
        let call = Call::put(PLATFORM, "reply", url)
            .json(&ReviewReply {
                comment: text.to_string(),
                update_time: None,
            })
            .retry(Retry::Idempotent);
        let reply: ReviewReply = self.send(call).await?.json()?;
        let at = reply.update_time.unwrap_or_else(|| self.client().now());
        Ok(Published::single(
            PostRef::new(PLATFORM, format!("{name}/reply")).with_meta("review", name),
            at,
        ))
    }

    /// Deletes the reply to review `review_id` (`deleteReply`).
    pub async fn delete_review_reply(&self, review_id: &str) -> Result<()> {
        let name = self.review_name(review_id);
        let call = Call::delete(
            PLATFORM,
            "delete_reply",
            self.config().endpoint(&format!("{name}/reply"))?,
        );
        self.send(call).await?;
        Ok(())
    }
}
