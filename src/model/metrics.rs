use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::PostRef;

/// One normalized per-post metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Times the post was shown.
    Impressions,
    /// Distinct accounts the post was shown to.
    Reach,
    /// Likes, favourites, reactions.
    Likes,
    /// Reposts, reblogs, retweets, shares.
    Reposts,
    /// Replies and comments.
    Replies,
    /// Quote posts.
    Quotes,
    /// Link clicks.
    Clicks,
    /// Saves.
    Saves,
    /// Bookmarks.
    Bookmarks,
    /// Video views.
    VideoViews,
}

impl Metric {
    /// Every metric, in a fixed order.
    pub const ALL: [Metric; 10] = [
        Metric::Impressions,
        Metric::Reach,
        Metric::Likes,
        Metric::Reposts,
        Metric::Replies,
        Metric::Quotes,
        Metric::Clicks,
        Metric::Saves,
        Metric::Bookmarks,
        Metric::VideoViews,
    ];
}

/// Normalized metrics of one post at one moment.
///
/// Every field is an `Option`: `None` means "this platform does not report it", never zero.
///
/// ```
/// use socialkit::model::{PostMetrics, PostRef, RateBasis};
/// let mut m = PostMetrics::new(PostRef::new("sandbox", "1"), chrono::Utc::now());
/// m.impressions = Some(1000);
/// m.likes = Some(30);
/// m.replies = Some(10);
/// let rate = m.engagement_rate(RateBasis::Impressions, None).unwrap();
/// assert!((rate.value - 0.04).abs() < 1e-9);
/// assert_eq!(rate.basis, RateBasis::Impressions);
/// // The platform reports no reach, so a rate by reach is unknown, not zero.
/// assert!(m.engagement_rate(RateBasis::Reach, None).is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostMetrics {
    /// The post.
    pub post: PostRef,
    /// When the numbers were read.
    pub collected_at: DateTime<Utc>,
    /// Times shown.
    pub impressions: Option<u64>,
    /// Distinct accounts reached.
    pub reach: Option<u64>,
    /// Likes / favourites / reactions.
    pub likes: Option<u64>,
    /// Reposts / reblogs / shares.
    pub reposts: Option<u64>,
    /// Replies / comments.
    pub replies: Option<u64>,
    /// Quotes.
    pub quotes: Option<u64>,
    /// Link clicks.
    pub clicks: Option<u64>,
    /// Saves.
    pub saves: Option<u64>,
    /// Bookmarks.
    pub bookmarks: Option<u64>,
    /// Video views.
    pub video_views: Option<u64>,
}

impl PostMetrics {
    /// Metrics with every field unknown.
    pub fn new(post: PostRef, collected_at: DateTime<Utc>) -> Self {
        PostMetrics {
            post,
            collected_at,
            impressions: None,
            reach: None,
            likes: None,
            reposts: None,
            replies: None,
            quotes: None,
            clicks: None,
            saves: None,
            bookmarks: None,
            video_views: None,
        }
    }

    /// Reads one metric.
    pub fn get(&self, metric: Metric) -> Option<u64> {
        match metric {
            Metric::Impressions => self.impressions,
            Metric::Reach => self.reach,
            Metric::Likes => self.likes,
            Metric::Reposts => self.reposts,
            Metric::Replies => self.replies,
            Metric::Quotes => self.quotes,
            Metric::Clicks => self.clicks,
            Metric::Saves => self.saves,
            Metric::Bookmarks => self.bookmarks,
            Metric::VideoViews => self.video_views,
        }
    }

    /// Sets one metric.
    pub fn set(&mut self, metric: Metric, value: Option<u64>) {
        let slot = match metric {
            Metric::Impressions => &mut self.impressions,
            Metric::Reach => &mut self.reach,
            Metric::Likes => &mut self.likes,
            Metric::Reposts => &mut self.reposts,
            Metric::Replies => &mut self.replies,
            Metric::Quotes => &mut self.quotes,
            Metric::Clicks => &mut self.clicks,
            Metric::Saves => &mut self.saves,
            Metric::Bookmarks => &mut self.bookmarks,
            Metric::VideoViews => &mut self.video_views,
        };
        *slot = value;
    }

    /// Engagements: likes + reposts + replies + quotes + clicks + saves, over the metrics the
    /// platform reports; `None` when it reports none of them.
    pub fn engagements(&self) -> Option<u64> {
        let parts = [
            self.likes,
            self.reposts,
            self.replies,
            self.quotes,
            self.clicks,
            self.saves,
        ];
        if parts.iter().all(Option::is_none) {
            return None;
        }
        Some(parts.iter().flatten().sum())
    }

    /// Engagement rate with its denominator stated: engagements ÷ impressions, ÷ reach, or ÷
    /// followers (give the channel's follower count). `None` when the numerator or the
    /// denominator is unknown or the denominator is zero.
    pub fn engagement_rate(
        &self,
        basis: RateBasis,
        followers: Option<u64>,
    ) -> Option<EngagementRate> {
        let denominator = match basis {
            RateBasis::Impressions => self.impressions,
            RateBasis::Reach => self.reach,
            RateBasis::Followers => followers,
        }?;
        if denominator == 0 {
            return None;
        }
        let engagements = self.engagements()?;
        Some(EngagementRate {
            value: engagements as f64 / denominator as f64,
            basis,
            engagements,
            denominator,
        })
    }
}

/// What an engagement rate is divided by. There is no single industry definition, so every
/// rate says which one it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateBasis {
    /// engagements ÷ impressions
    Impressions,
    /// engagements ÷ reach
    Reach,
    /// engagements ÷ followers
    Followers,
}

/// An engagement rate and how it was computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EngagementRate {
    /// The rate as a fraction (0.04 = 4 %).
    pub value: f64,
    /// The denominator used.
    pub basis: RateBasis,
    /// The numerator.
    pub engagements: u64,
    /// The denominator's value.
    pub denominator: u64,
}

/// Metrics of a channel; `None` = not reported by the platform.
///
/// Build one with struct update syntax so that fields added later stay `None`:
///
/// ```
/// let m = socialkit::model::ChannelMetrics { followers: Some(10), ..Default::default() };
/// assert_eq!(m.following, None);
/// assert_eq!(m.reviews, None);
/// ```
///
/// Stored or exported metrics written before `reviews` and `average_rating` existed still
/// read (the fields are then `None`), and the two are left out of the JSON when unknown:
///
/// ```
/// use socialkit::model::{ChannelMetrics, Rating};
/// let old: ChannelMetrics =
///     serde_json::from_str(r#"{"followers":5,"following":null,"posts":2}"#).unwrap();
/// assert_eq!((old.followers, old.reviews, old.average_rating), (Some(5), None, None));
///
/// let gbp = ChannelMetrics {
///     reviews: Some(120),
///     average_rating: Rating::from_stars(4.6),
///     ..Default::default()
/// };
/// let json = serde_json::to_string(&gbp).unwrap();
/// assert_eq!(json, r#"{"followers":null,"following":null,"posts":null,"reviews":120,"average_rating":4.6}"#);
/// assert_eq!(serde_json::from_str::<ChannelMetrics>(&json).unwrap(), gbp);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelMetrics {
    /// Followers / subscribers.
    pub followers: Option<u64>,
    /// Accounts followed.
    pub following: Option<u64>,
    /// Posts published.
    pub posts: Option<u64>,
    /// Reviews the channel has received (Google Business Profile's `totalReviewCount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviews: Option<u64>,
    /// The average star rating of those reviews (Google Business Profile's `averageRating`);
    /// `None` before the first review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_rating: Option<Rating>,
}

/// An average star rating on the 1–5 scale of review platforms, kept in hundredths of a star
/// so that it compares exactly (`Eq`, `Ord`) and a stored value reads back unchanged.
///
/// Google Business Profile's `averageRating` is a JSON number with no stated precision
/// (<https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list>),
/// so it is rounded to the nearest hundredth. A value outside 1–5 or not finite is no rating.
/// It serializes as a number of stars.
///
/// ```
/// use socialkit::model::Rating;
/// let r = Rating::from_stars(4.456).unwrap();
/// assert_eq!(r.hundredths(), 446);
/// assert_eq!(r.as_f64(), 4.46);
/// assert_eq!(r.to_string(), "4.46");
/// assert!(Rating::from_stars(5.2).is_none() && Rating::from_stars(f64::NAN).is_none());
/// assert!(Rating::from_stars(0.0).is_none(), "0 means no reviews yet, not a rating");
/// assert!(serde_json::from_str::<Rating>("7").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Rating(u16);

impl Rating {
    /// The lowest rating, one star.
    pub const MIN: Rating = Rating(100);
    /// The highest rating, five stars.
    pub const MAX: Rating = Rating(500);

    /// A rating from a number of stars, rounded to hundredths; `None` outside 1–5 stars or
    /// when not finite.
    pub fn from_stars(stars: f64) -> Option<Rating> {
        if !stars.is_finite() {
            return None;
        }
        let h = (stars * 100.0).round();
        if !(f64::from(Self::MIN.0)..=f64::from(Self::MAX.0)).contains(&h) {
            return None;
        }
        // In 100..=500 after the check above, so the cast is exact.
        Some(Rating(h as u16))
    }

    /// A rating from hundredths of a star (100–500); `None` outside that range.
    ///
    /// ```
    /// assert_eq!(socialkit::model::Rating::from_hundredths(420).unwrap().as_f64(), 4.2);
    /// assert!(socialkit::model::Rating::from_hundredths(99).is_none());
    /// ```
    pub fn from_hundredths(hundredths: u16) -> Option<Rating> {
        (Self::MIN.0..=Self::MAX.0)
            .contains(&hundredths)
            .then_some(Rating(hundredths))
    }

    /// Hundredths of a star (100–500).
    pub fn hundredths(self) -> u16 {
        self.0
    }

    /// Stars as a number (4.46).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl std::fmt::Display for Rating {
    /// Stars with two decimals (`4.60`); use `{:.1}` for one decimal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let places = f.precision().unwrap_or(2);
        write!(f, "{:.*}", places, self.as_f64())
    }
}

impl TryFrom<f64> for Rating {
    type Error = String;

    fn try_from(stars: f64) -> Result<Self, Self::Error> {
        Rating::from_stars(stars).ok_or_else(|| format!("{stars} is not a 1–5 star rating"))
    }
}

impl From<Rating> for f64 {
    fn from(r: Rating) -> f64 {
        r.as_f64()
    }
}
