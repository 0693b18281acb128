//! The sources behind every number the strategy module uses.
//!
//! Each fact in [`facts`](super::facts), each KPI formula in [`kpi`](super::kpi) and each content
//! rule in [`mix`](super::mix) names the sources it rests on by id. The ids resolve here to a
//! title and an address, so a plan can list what it was built on. The catalogue is the one in
//! the project's `strategy-notes.md`; where a number reached the notes through a copy or a
//! summary of the original page, the title says so.
//!
//! ```
//! use socialkit::strategy::sources::source;
//! let s = source("hubspot-frequency").unwrap();
//! assert!(s.url.starts_with("https://"));
//! assert!(source("no-such-source").is_none());
//! ```

use serde::{Deserialize, Serialize};

/// A cited source: a stable id, what it is, and where it was read.
///
/// ```
/// use socialkit::strategy::sources::ALL;
/// assert!(ALL.iter().all(|s| !s.id.is_empty() && !s.title.is_empty()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// Stable id used by facts (`"rivaliq-2023"`).
    pub id: &'static str,
    /// What the source is and what it says, in a few words.
    pub title: &'static str,
    /// Where it was read.
    pub url: &'static str,
}

/// An owned copy of a [`SourceRef`], as a [`Plan`](super::Plan) carries it.
///
/// ```
/// use socialkit::strategy::sources::{source, Source};
/// let s: Source = source("rivaliq-2023").unwrap().into();
/// assert_eq!(s.id, "rivaliq-2023");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    /// Stable id.
    pub id: String,
    /// What the source is.
    pub title: String,
    /// Where it was read.
    pub url: String,
}

impl From<SourceRef> for Source {
    fn from(s: SourceRef) -> Self {
        Source {
            id: s.id.to_string(),
            title: s.title.to_string(),
            url: s.url.to_string(),
        }
    }
}

/// Every source the module cites, sorted by id.
pub const ALL: &[SourceRef] = &[
    SourceRef {
        id: "buffer-2025",
        title: "Buffer 2025 engagement benchmarks by impressions (IG 1.16%, FB 5.07%, X 2.31%, LinkedIn 6.50%, TikTok 4.86%, YouTube 4.41%), via shortsintel",
        url: "https://www.shortsintel.com/statistics/social-media-engagement-benchmarks",
    },
    SourceRef {
        id: "buffer-best-time-method",
        title: "Buffer, How we calculate best times to post (2025): per-post engagement rate grouped by local hour and day",
        url: "https://symphonious-shortbread-cd2770.netlify.app/posts/best-time-to-post-methodology/index.html",
    },
    SourceRef {
        id: "clickdimensions-spacing",
        title: "Click Social automatic scheduling: never within 30 min of another post on the profile, daytime only",
        url: "https://support.clickdimensions.com/hc/en-us/articles/36253933886989-How-Automagically-Schedule-Works",
    },
    SourceRef {
        id: "ferncolab-thirds",
        title: "Rule of thirds, 5-3-1 and 4-1-1 content ratios",
        url: "https://ferncolab.com/the-rule-of-thirds-for-social-media/",
    },
    SourceRef {
        id: "hootsuite-best-times-2023",
        title: "Hootsuite 2023 best times (PST): Facebook Mon 10 AM, Instagram Mon 9 AM, Twitter Fri 9 AM, LinkedIn Mon 1 PM, TikTok Sun 1 PM (copy)",
        url: "https://18to10k.com/best-time-to-post-on-social-media-in-2023-all-networks",
    },
    SourceRef {
        id: "hootsuite-cadence-2023",
        title: "Hootsuite, How often to post (2023): Instagram 3-7 feed posts/week, Facebook 1-2/day, X 1-5/day, LinkedIn 1-5/day (mirror)",
        url: "https://tmp.4pmtech.com/kak-chasto-publikovat-soobshheniya-v-soczialnyh-setyah-v-2023-godu",
    },
    SourceRef {
        id: "hootsuite-er-formulas",
        title: "Hootsuite: six engagement-rate formulas (by reach, by followers, by impressions, daily; averages of per-post rates)",
        url: "https://blog.hootsuite.com/calculate-engagement-rate/",
    },
    SourceRef {
        id: "hootsuite-inbox",
        title: "Hootsuite Inbox: Facebook PMs and comments, Instagram comments and DMs, X DMs and mentions, LinkedIn page comments",
        url: "https://help.hootsuite.com/hc/en-us/articles/1260804250150-Engage-with-and-assign-conversations-in-Inbox",
    },
    SourceRef {
        id: "hubspot-frequency",
        title: "HubSpot (13,500+ customers): Facebook pages under 10k followers got 50% fewer clicks per post at 2 posts/day; LinkedIn plateaus after 2/week, drops above 5/week",
        url: "https://revlocal.com/blog/social-media-marketing/how-often-should-your-business-post-on-social-media",
    },
    SourceRef {
        id: "hubspot-linkedin-twitter",
        title: "HubSpot: LinkedIn benefits plateau after 2 posts/week and drop above 5/week; time of day matters little on Twitter",
        url: "https://glean.info/truth-post-social-media",
    },
    SourceRef {
        id: "kanuri-2018",
        title: "Kanuri, Chen, Sridhar, Scheduling Content on Social Media, J. Marketing 2018: time x content x paid promotion, +8% gross profit",
        url: "https://sage.cnpereading.com/doi/10.1177/0022242918805411",
    },
    SourceRef {
        id: "lithium-2013",
        title: "Lithium / Millward Brown 2013 (n=501): 53% expect a brand reply on Twitter within 1 h, 72% for complaints",
        url: "https://www.clickz.com/social-users-expect-one-hour-response-time-from-brands-on-twitter-study/35321/",
    },
    SourceRef {
        id: "mosseri-2021",
        title: "Mosseri (June 2021): 2 Instagram feed posts/week and 2 stories/day, via the Hootsuite mirror",
        url: "https://tmp.4pmtech.com/kak-chasto-publikovat-soobshheniya-v-soczialnyh-setyah-v-2023-godu",
    },
    SourceRef {
        id: "mutualmind-sov",
        title: "Share of voice = brand mentions / (brand + competitor mentions) x 100",
        url: "http://www.mutualmind.com/2013/01/social-metrics-that-matter-share-of-voice/",
    },
    SourceRef {
        id: "organicindia-kpis",
        title: "KPI list: impressions, reach, engagement, link clicks, CTR, leads, ROI, assisted conversions",
        url: "https://organicindiatoday.com/10-essentielle-social-media-kennzahlen-die-jeder-social-media-bericht-enthalten-sollte",
    },
    SourceRef {
        id: "rivaliq-2023",
        title: "Rival IQ 2023 report (2022 data), median engagement by followers: IG 0.47%, FB 0.06%, X 0.035%, TikTok 5.69%; posts/week FB 5.04, IG 4.5, X 3.9",
        url: "https://wishu.io/rival-iqs-social-media-report-top-highlights-we-read-it-so-you-dont-have-to/",
    },
    SourceRef {
        id: "rivaliq-2023-cadence",
        title: "Rival IQ 2023 posting frequency: Facebook 5.04/week, Instagram 4.5/week, Twitter 3.9/week",
        url: "https://teknojava.com/social-media-engagement-rates-falling-on-the-top-networks/",
    },
    SourceRef {
        id: "rivaliq-er-definition",
        title: "Rival IQ engagement rate: engagements per post / followers, organic and boosted",
        url: "https://roundabout.social/post/rival-iq-has-published-its-latest-social-media-benchmarks-report",
    },
    SourceRef {
        id: "smmu-80-20",
        title: "80/20 content rule: 80% inform, educate or entertain, 20% promote (attributed to Hootsuite)",
        url: "https://thesmmu.com/post/social-media-marketing-content-mix-finding-the-right-balance",
    },
    SourceRef {
        id: "socialinsider-2025",
        title: "Socialinsider (70M posts, 2024-2025) engagement by followers: IG 0.48%, FB 0.15%, X 0.12%, LinkedIn 3.85%, TikTok 3.70%",
        url: "https://www.shortsintel.com/statistics/social-media-engagement-benchmarks",
    },
    SourceRef {
        id: "spasojevic-2015",
        title: "Spasojevic et al., When-To-Post on Social Networks, KDD 2015: up to +17% reactions on Facebook, +4% on Twitter",
        url: "https://www.arxiv-vanity.com/papers/1506.02089/",
    },
    SourceRef {
        id: "sprout-ost",
        title: "Sprout Social Optimal Send Times model card v3.1: 16 weeks of history, fallback to network + timezone aggregates when data is thin",
        url: "https://support.sproutsocial.com/hc/en-us/articles/40898294672909-Optimal-Send-Times-Model-Card",
    },
    SourceRef {
        id: "sprout-team-report",
        title: "Sprout Social Team Report: average and median reply time, business vs off hours",
        url: "https://support.sproutsocial.com/hc/en-us/articles/208762436-Team-Report",
    },
    SourceRef {
        id: "wiselytics-half-life",
        title: "Wiselytics post half-life: tweet 24 min, Facebook post 90 min",
        url: "https://eproductions.gr/blog/the-best-time-to-post-on-facebook-twitter-and-instagram",
    },
    SourceRef {
        id: "zendesk-frt",
        title: "Zendesk: first reply time = creation to first agent reply",
        url: "https://zendesk2-en-sandbox-hub.insided.com/unmapped-56/what-is-the-first-reply-time-and-next-reply-time-slas-beta-about-19863",
    },
];

/// Looks a source up by id.
///
/// ```
/// assert_eq!(socialkit::strategy::sources::source("sprout-ost").unwrap().id, "sprout-ost");
/// ```
pub fn source(id: &str) -> Option<SourceRef> {
    ALL.iter().copied().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_sorted() {
        for w in ALL.windows(2) {
            assert!(w[0].id < w[1].id, "{} before {}", w[0].id, w[1].id);
        }
    }
}
