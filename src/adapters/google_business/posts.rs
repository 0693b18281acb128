//! Local posts: standard updates, events and offers ([`LocalPostDraft`]), created with
//! `localPosts.create`, deleted with `localPosts.delete`, listed with `localPosts.list`.
//! Sources: the posts guide <https://developers.google.com/my-business/content/posts-data>
//! and the `accounts.locations.localPosts` reference (wire types in the crate-private `api` module).
//!
//! Event and offer times are instants (UTC, as everywhere in socialkit) turned into the
//! location's local `Date` and `TimeOfDay` in its IANA zone ([`GoogleBusinessConfig::time_zone`](super::GoogleBusinessConfig::time_zone)).

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::api::{
    self, CallToAction, CreatedLocalPost, LocalPost, LocalPostEvent, LocalPostOffer, MediaItem,
    TimeInterval,
};
use super::{GoogleBusiness, MAX_EVENT_TITLE, MAX_SUMMARY, PLATFORM};
use crate::http::Call;
use crate::model::{MediaKind, MediaSource, Post, PostRef, Published, RecentPost};
use crate::{Error, ErrorKind, Result};

/// The button of a post (`CallToAction.actionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    /// Book an appointment.
    Book,
    /// Order.
    Order,
    /// Browse products.
    Shop,
    /// Read more (the default for a post's link).
    LearnMore,
    /// Register.
    SignUp,
    /// Call the business (no URL: the location's phone).
    Call,
}

impl Action {
    /// The API's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Book => "BOOK",
            Action::Order => "ORDER",
            Action::Shop => "SHOP",
            Action::LearnMore => "LEARN_MORE",
            Action::SignUp => "SIGN_UP",
            Action::Call => "CALL",
        }
    }
}

/// An event's name and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetails {
    /// The name (58 characters, unverified).
    pub title: String,
    /// Starts.
    pub start: DateTime<Utc>,
    /// Ends (after the start).
    pub end: DateTime<Utc>,
}

/// What a post is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// An update (`STANDARD`).
    Standard,
    /// An event (`EVENT`).
    Event(EventDetails),
    /// An offer (`OFFER`): its period, and how to redeem it.
    Offer {
        /// Its name and period.
        event: EventDetails,
        /// A coupon code.
        coupon_code: Option<String>,
        /// Where to redeem online.
        redeem_url: Option<String>,
        /// Terms and conditions.
        terms: Option<String>,
    },
}

/// A local post before it is sent.
///
/// ```
/// use chrono::{Duration, Utc};
/// use socialkit::adapters::google_business::{Action, EventDetails, LocalPostDraft, Topic};
/// let start = Utc::now() + Duration::days(3);
/// let mut d = LocalPostDraft::standard("Open late on Friday");
/// d.topic = Topic::Event(EventDetails { title: "Late night".into(), start, end: start + Duration::hours(4) });
/// d.button = Some((Action::Book, Some("https://acme.example/book".into())));
/// assert!(d.validate().is_ok());
/// d.topic = Topic::Event(EventDetails { title: "Backwards".into(), start, end: start - Duration::hours(1) });
/// assert_eq!(d.validate().unwrap_err().kind(), socialkit::ErrorKind::Validation);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalPostDraft {
    /// The text (1,500 characters).
    pub summary: String,
    /// Standard, event or offer.
    pub topic: Topic,
    /// The button and its URL (not on offers: Google ignores it there).
    pub button: Option<(Action, Option<String>)>,
    /// A photo by public URL (Google fetches it).
    pub photo_url: Option<String>,
}

fn invalid(m: impl Into<String>) -> Error {
    Error::validation(m.into()).with_platform(PLATFORM)
}

fn web_url(u: &str, what: &str) -> Result<()> {
    match url::Url::parse(u) {
        Ok(p) if matches!(p.scheme(), "http" | "https") => Ok(()),
        _ => Err(invalid(format!("the {what} must be an http(s) URL"))),
    }
}

fn local(zone: Tz, at: DateTime<Utc>) -> (api::Date, api::TimeOfDay) {
    let l = at.with_timezone(&zone);
    (
        api::Date {
            year: l.year(),
            month: l.month(),
            day: l.day(),
        },
        api::TimeOfDay {
            hours: l.hour(),
            minutes: l.minute(),
            seconds: l.second(),
            nanos: 0,
        },
    )
}

impl LocalPostDraft {
    /// An update with text only.
    pub fn standard(summary: impl Into<String>) -> Self {
        LocalPostDraft {
            summary: summary.into(),
            topic: Topic::Standard,
            button: None,
            photo_url: None,
        }
    }

    /// A standard post for a [`Post`]: its text, its link as a "Learn more" button, an image
    /// given by URL as the photo.
    pub fn from_post(post: &Post) -> Result<Self> {
        let mut d = LocalPostDraft::standard(post.text.trim());
        if let Some(link) = &post.link {
            d.button = Some((Action::LearnMore, Some(link.clone())));
        }
        if let Some(m) = post.media.first() {
            match (&m.source, m.kind) {
                (MediaSource::Url(u), MediaKind::Image) => d.photo_url = Some(u.clone()),
                _ => {
                    return Err(invalid(
                        "Google Business Profile posts take a photo by public URL (Media::from_url), not uploaded bytes",
                    ));
                }
            }
        }
        d.validate()?;
        Ok(d)
    }

    /// Checks the draft (nothing is sent): summary length, event title and period, the
    /// button's URL, an offer without a button.
    pub fn validate(&self) -> Result<()> {
        let n = self.summary.chars().count();
        if n > MAX_SUMMARY {
            return Err(Error::too_long(PLATFORM, n, MAX_SUMMARY, "characters"));
        }
        let event = match &self.topic {
            Topic::Standard => {
                if self.summary.trim().is_empty() && self.photo_url.is_none() {
                    return Err(invalid("a standard post needs text or a photo"));
                }
                None
            }
            Topic::Event(e) => Some(e),
            Topic::Offer {
                event, redeem_url, ..
            } => {
                if self.button.is_some() {
                    return Err(invalid(
                        "Google ignores a button on an offer: use redeem_url",
                    ));
                }
                if let Some(u) = redeem_url {
                    web_url(u, "redeem URL")?;
                }
                Some(event)
            }
        };
        if let Some(e) = event {
            let t = e.title.chars().count();
            if e.title.trim().is_empty() {
                return Err(invalid("an event or offer needs a title"));
            }
            if t > MAX_EVENT_TITLE {
                return Err(Error::too_long(
                    PLATFORM,
                    t,
                    MAX_EVENT_TITLE,
                    "title characters",
                ));
            }
            if e.end <= e.start {
                return Err(invalid("an event or offer ends after it starts"));
            }
        }
        match &self.button {
            Some((Action::Call, Some(_))) => return Err(invalid("a Call button takes no URL")),
            Some((Action::Call, None)) | None => {}
            Some((_, None)) => return Err(invalid("the button needs a URL")),
            Some((_, Some(u))) => web_url(u, "button URL")?,
        }
        if let Some(u) = &self.photo_url {
            web_url(u, "photo URL")?;
        }
        Ok(())
    }

    /// The LocalPost resource, times in `zone`.
    pub(crate) fn resource(&self, language: &str, zone: Tz) -> LocalPost {
        let interval = |e: &EventDetails| {
            let (start_date, start_time) = local(zone, e.start);
            let (end_date, end_time) = local(zone, e.end);
            LocalPostEvent {
                title: e.title.clone(),
                schedule: TimeInterval {
                    start_date,
                    start_time,
                    end_date,
                    end_time,
                },
            }
        };
        let (topic, event, offer) = match &self.topic {
            Topic::Standard => ("STANDARD", None, None),
            Topic::Event(e) => ("EVENT", Some(interval(e)), None),
            Topic::Offer {
                event,
                coupon_code,
                redeem_url,
                terms,
            } => (
                "OFFER",
                Some(interval(event)),
                Some(LocalPostOffer {
                    coupon_code: coupon_code.clone(),
                    redeem_online_url: redeem_url.clone(),
                    terms_conditions: terms.clone(),
                }),
            ),
        };
        LocalPost {
            language_code: language.to_string(),
            summary: self.summary.clone(),
            topic_type: topic.to_string(),
            call_to_action: self.button.as_ref().map(|(a, u)| CallToAction {
                action_type: a.as_str().to_string(),
                url: u.clone(),
            }),
            event,
            offer,
            media: self
                .photo_url
                .iter()
                .map(|u| MediaItem {
                    media_format: "PHOTO".into(),
                    source_url: u.clone(),
                })
                .collect(),
            ..LocalPost::default()
        }
    }
}

impl GoogleBusiness {
    /// Creates a local post (`localPosts.create`). Sent once: the API has no idempotency key,
    /// an in-doubt post is reconciled through [`Platform::recent_posts`](crate::Platform::recent_posts).
    pub async fn publish_local_post(&self, draft: &LocalPostDraft) -> Result<Published> {
        draft.validate()?;
        let c = self.config();
        let url = self.endpoints.get("localPosts", || {
            c.endpoint(&format!("{}/localPosts", c.location_name()))
        })?;
        let call = Call::post(PLATFORM, "publish", url)
            .json(&draft.resource(&c.language_code, c.time_zone));
        let post: CreatedLocalPost = self.send(call).await?.json()?;
        if post.name.is_empty() {
            return Err(Error::new(
                ErrorKind::Unexpected,
                "Google answered the post without its name",
            )
            .with_platform(PLATFORM)
            .with_operation("publish"));
        }
        let at = post.create_time.unwrap_or_else(|| self.client().now());
        let mut r = PostRef::new(PLATFORM, post.name.clone());
        if let Some(u) = &post.search_url {
            r = r.with_url(u.clone());
        }
        if let Some(s) = &post.state {
            r = r.with_meta("state", s.clone());
        }
        Ok(Published::single(r, at))
    }

    /// Deletes a local post (`localPosts.delete`); the reference's id is the post's name.
    pub(crate) async fn delete_post(&self, post: &PostRef) -> Result<()> {
        let prefix = format!("{}/localPosts/", self.config().location_name());
        if !post.id.starts_with(&prefix) {
            return Err(invalid("not a local post of this location"));
        }
        let call = Call::delete(PLATFORM, "delete", self.config().endpoint(&post.id)?);
        self.send(call).await?;
        Ok(())
    }

    /// The location's latest posts, newest first (`localPosts.list`).
    pub(crate) async fn read_recent(&self, limit: usize) -> Result<Vec<RecentPost>> {
        let c = self.config();
        let mut out = Vec::new();
        let mut page: Option<String> = None;
        while out.len() < limit {
            let size = (limit - out.len()).clamp(1, 100).to_string();
            let mut call = Call::get(
                PLATFORM,
                "recent posts",
                c.endpoint(&format!("{}/localPosts", c.location_name()))?,
            )
            .query([("pageSize", size.as_str())]);
            if let Some(p) = &page {
                call = call.query([("pageToken", p.as_str())]);
            }
            let list: api::LocalPostList = self.send(call).await?.json()?;
            for p in list.local_posts.into_iter().filter(|p| !p.name.is_empty()) {
                out.push(RecentPost {
                    post: PostRef::new(PLATFORM, p.name.clone()),
                    text: p.summary,
                    created_at: p.create_time.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                    idempotency_key: None,
                    in_reply_to: None,
                });
            }
            page = list.next_page_token.filter(|p| !p.is_empty());
            if page.is_none() {
                break;
            }
        }
        out.truncate(limit);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn events_are_sent_in_the_locations_time() {
        let start = Utc.with_ymd_and_hms(2026, 3, 29, 8, 30, 0).unwrap();
        let d = LocalPostDraft {
            summary: "Spring sale".into(),
            topic: Topic::Offer {
                event: EventDetails {
                    title: "Spring sale".into(),
                    start,
                    end: start + chrono::Duration::days(2),
                },
                coupon_code: Some("SPRING".into()),
                redeem_url: None,
                terms: None,
            },
            button: None,
            photo_url: None,
        };
        d.validate().unwrap();
        // 29 March 2026 is the day Berlin moves to summer time: 08:30 UTC is 10:30 CEST.
        let r = d.resource("de", chrono_tz::Europe::Berlin);
        let e = r.event.unwrap();
        assert_eq!(
            (e.schedule.start_time.hours, e.schedule.start_time.minutes),
            (10, 30)
        );
        assert_eq!(e.schedule.start_date.day, 29);
        assert_eq!(r.topic_type, "OFFER");
        assert_eq!(r.offer.unwrap().coupon_code.as_deref(), Some("SPRING"));
    }

    #[test]
    fn drafts_are_checked() {
        let too_long = LocalPostDraft::standard("x".repeat(1501));
        assert!(
            too_long
                .validate()
                .unwrap_err()
                .to_string()
                .contains("1 over")
        );
        let mut d = LocalPostDraft::standard("Hi");
        d.button = Some((Action::Book, None));
        assert!(d.validate().is_err());
        d.button = Some((Action::Call, None));
        assert!(d.validate().is_ok());
        d.button = Some((Action::Shop, Some("ftp://x".into())));
        assert!(d.validate().is_err());
        let p = Post::text("Hi").with_media(crate::model::Media::image_bytes("image/png", vec![1]));
        assert!(LocalPostDraft::from_post(&p).is_err());
        let p = Post::text("Hi")
            .with_link("https://acme.example")
            .with_media(crate::model::Media::from_url(
                "image/jpeg",
                "https://acme.example/a.jpg",
            ));
        let d = LocalPostDraft::from_post(&p).unwrap();
        assert_eq!(
            d.button,
            Some((Action::LearnMore, Some("https://acme.example".into())))
        );
        assert!(d.photo_url.is_some());
    }
}
