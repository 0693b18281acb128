//! Google Business Profile, behind the cargo feature `google_business`: one business location
//! publishing local posts and answering its Google reviews through the Business Profile APIs
//! (`https://mybusiness.googleapis.com/v4/`). Sources: the API reference
//! <https://developers.google.com/my-business/reference/rest>, the posts guide
//! <https://developers.google.com/my-business/content/posts-data>, the reviews guide
//! <https://developers.google.com/my-business/content/review-data>, Google's OAuth pages
//! ([`crate::auth::google`]) and its error model (each module names what it took).
//!
//! - **Auth**: Google OAuth 2.0 with PKCE and offline access, scope `business.manage`
//!   ([`oauth`]); the locations the token may manage listed to choose from ([`connect`]);
//!   tokens refreshed through the channel's token manager.
//! - **Publish**: a post's text is a `STANDARD` local post's summary (1,500 characters), its
//!   link a "Learn more" button, an image by public URL its photo;
//!   [`GoogleBusiness::publish_local_post`] makes events and offers ([`LocalPostDraft`],
//!   [`Topic`]) with their title, period (in the location's IANA zone), coupon, redemption
//!   URL and terms, and the other buttons ([`Action`]). **Delete**: `localPosts.delete`.
//! - **Reviews** are the inbox's interactions (`Comment`, with the star rating in the
//!   reference's meta) read with a cursor ([`reviews`](self#reviews)); **reply** creates or
//!   replaces the owner's reply ([`GoogleBusiness::set_review_reply`] to update it,
//!   [`GoogleBusiness::delete_review_reply`] to remove it). They reach the unified inbox and
//!   its SLA like comments ([`crate::inbox`]).
//! - **Channel metrics**: `channel()` reads `reviews.list` (one review per page) and reports
//!   its `totalReviewCount` as [`ChannelMetrics::reviews`](crate::model::ChannelMetrics) and
//!   its `averageRating` as [`ChannelMetrics::average_rating`](crate::model::ChannelMetrics)
//!   (a [`Rating`](crate::model::Rating) in hundredths of a star); followers, following and
//!   posts stay `None` (the API has none). [`GoogleBusiness::review_summary`] gives the two
//!   alone. Post metrics are not offered (the v4 post insights were retired for the
//!   Performance API, which reports per location).
//! - **No idempotency key**: a post is sent once and an in-doubt one is reconciled through
//!   `localPosts.list`; a reply is a PUT and safe to repeat.
//!
//! # Unverified
//!
//! No live location was used. Checked against the reference since: `reviews.list` takes
//! `pageSize` up to 50 and `orderBy` `updateTime desc` (also its default; `rating` and
//! `rating desc` are the other orders), and answers `averageRating` as a plain number on the
//! 1–5 scale with no stated precision, hence [`Rating`](crate::model::Rating) in hundredths
//! (<https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list>);
//! the 4,096-byte reply is `ReviewReply.comment`'s "maximum length is 4096 bytes"
//! (<https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#ReviewReply>,
//! read through a copy of the field's description). Unverified: the 1,500-character summary
//! and 58-character event title (Google Help and vendor docs, not the API reference); how long
//! `reviews.list` page tokens last; the 429 `Retry-After` (a minute is assumed); that a new
//! local post appears in `localPosts.list` at once while its state is `PROCESSING`; and, for
//! the connect flow, that `accounts.list` puts the personal account first and that every
//! location's `name` is `locations/{id}` as the Business Information reference shows.
//!
//! # Reviews
//!
//! See [`reviews`] for the cursor over `reviews.list`.

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub mod config;
pub mod connect;
pub mod errors;
pub mod oauth;
pub mod posts;
pub mod reviews;
#[cfg(feature = "testkit")]
pub mod twin;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use url::Url;

pub use config::GoogleBusinessConfig;
pub use posts::{Action, EventDetails, LocalPostDraft, Topic};
pub use reviews::ReviewSummary;

use crate::adapters::base::Adapter;
use crate::auth::{Secret, TokenManager, channel_tokens};
use crate::http::{Call, Client, Response};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Page, Post,
    PostRef, PublishOptions, Published, RecentPost,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Operation, Platform};
use crate::text::{Counting, TextRule};
use crate::{Registry, Result};

use errors::BusinessErrors;

/// The platform's name.
///
/// ```
/// assert_eq!(socialkit::adapters::google_business::PLATFORM, "google_business");
/// ```
pub const PLATFORM: &str = "google_business";
/// Longest summary: 1,500 characters (unverified, see the module docs).
pub const MAX_SUMMARY: usize = 1500;
/// Longest event or offer title: 58 characters (unverified).
pub const MAX_EVENT_TITLE: usize = 58;
/// Longest review reply: 4,096 bytes (`ReviewReply.comment` in the v4 reference).
pub const MAX_REPLY_BYTES: usize = 4096;

/// Registers `google_business`.
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(
                Arc::new(GoogleBusiness::new(GoogleBusinessConfig::from_url(url)?))
                    as Arc<dyn Platform>,
            )
        }),
        Arc::new(|value: serde_json::Value| {
            let config: GoogleBusinessConfig = crate::registry::settings(PLATFORM, value)?;
            config.validate()?;
            Ok(Arc::new(GoogleBusiness::new(config)) as Arc<dyn Platform>)
        }),
    );
}

/// The capabilities: text posts with a link button and a photo by URL, delete, reviews read
/// and answered, no post metrics.
///
/// ```
/// let caps = socialkit::adapters::google_business::capabilities();
/// assert_eq!(caps.text.max, 1500);
/// assert!(caps.delete && caps.reply && caps.link_cards && caps.recent_posts);
/// assert!(caps.metrics.is_empty());
/// ```
pub fn capabilities() -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, TextRule::new(Counting::Chars, MAX_SUMMARY));
    c.media = MediaLimits {
        max_count: 1,
        kinds: vec![MediaKind::Image],
        mime_types: vec!["image/jpeg".into(), "image/png".into()],
        max_image_bytes: None,
        max_video_bytes: None,
        max_videos: 0,
        alt_text_max: None,
        alt_text_required: false,
    };
    c.link_cards = true;
    c.delete = true;
    c.reply = true;
    c.interactions = vec![InteractionKind::Comment];
    c.idempotency = Idempotency::None;
    c.recent_posts = true;
    c
}

/// One Business Profile location.
///
/// ```
/// use socialkit::adapters::google_business::{GoogleBusiness, GoogleBusinessConfig};
/// let g = GoogleBusiness::new(GoogleBusinessConfig::new("ya29.s3cret", "1", "2").unwrap());
/// assert!(!format!("{g:?}").contains("s3cret"));
/// ```
pub struct GoogleBusiness {
    config: GoogleBusinessConfig,
    client: Client,
    tokens: TokenManager,
    caps: Capabilities,
    /// The fixed endpoints' URLs, built once.
    endpoints: crate::http::Endpoints,
}

impl fmt::Debug for GoogleBusiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleBusiness")
            .field("location", &self.config.location_name())
            .field("token", &"***")
            .finish()
    }
}

impl GoogleBusiness {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: GoogleBusinessConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL.
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(GoogleBusinessConfig::from_url_str(url)?))
    }

    /// Like [`GoogleBusiness::new`], sending through `client`.
    pub fn with_client(config: GoogleBusinessConfig, client: Client) -> Self {
        let token_url = config.token_url.clone();
        let tokens = channel_tokens(
            PLATFORM,
            &config.token,
            config.expires_at,
            config.refresh.as_ref(),
            |r| {
                let mut c = oauth::config(&r.client_id, "");
                if let Some(t) = token_url {
                    c.token_url = t;
                }
                c
            },
            &client,
        );
        GoogleBusiness {
            config,
            client,
            tokens,
            caps: capabilities(),
            endpoints: crate::http::Endpoints::default(),
        }
    }

    /// The config.
    pub fn config(&self) -> &GoogleBusinessConfig {
        &self.config
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) async fn send(&self, call: Call) -> Result<Response> {
        self.tokens
            .send(&self.client, &BusinessErrors, |token: &Secret| {
                call.clone().bearer(token)
            })
            .await
    }
}

#[async_trait]
impl Adapter for GoogleBusiness {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn fit(&self, post: Post, opts: &PublishOptions, op: Operation) -> Result<Post> {
        if op == Operation::Reply {
            let mut caps = self.caps.clone();
            caps.text =
                TextRule::new(Counting::Chars, MAX_REPLY_BYTES).with_max_bytes(MAX_REPLY_BYTES);
            caps.link_cards = false;
            caps.media = MediaLimits::none();
            caps.validate(&post)?;
            return Ok(post);
        }
        let post = self.caps.fit(post, opts)?;
        LocalPostDraft::from_post(&post)?;
        Ok(post)
    }

    async fn channel(&self) -> Result<Channel> {
        let s = self.review_summary().await?;
        let mut ch = Channel::new(
            PLATFORM,
            self.config.location_name(),
            self.config.location_name(),
        );
        ch.metrics = s.metrics();
        Ok(ch)
    }

    async fn publish(&self, post: &Post, _opts: &PublishOptions) -> Result<Published> {
        self.publish_local_post(&LocalPostDraft::from_post(post)?)
            .await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        self.delete_post(post).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        self.read_reviews(query).await
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        _opts: &PublishOptions,
    ) -> Result<Published> {
        self.reply_to_review(to, post).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.read_recent(limit).await
    }
}
