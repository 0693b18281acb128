//! The audience simulation, as pure functions of (seed, account, post, hour): what happened to
//! a post in its n-th hour, and what happened to the account in the n-th hour of its life.
//!
//! Nothing here keeps state or reads a clock. The world materializes events up to "now" in
//! timestamp order; because every event's content and instant are fixed by its key, the result
//! is the same whether one reads every second or once a week.

use chrono::{DateTime, Duration, Utc};

use super::audience::SandboxAudience;
use super::rng::Key;
use super::texts::{self, Tone};
use crate::model::{Author, InteractionKind};

pub(crate) use super::audience::HORIZON_HOURS;
/// Most interactions of one kind in one hour of one post (or of the account): a bound on
/// memory for extreme configurations, far above what realistic ones produce.
const MAX_EVENTS_PER_HOUR: u64 = 1_000;
/// Followers up to which mentions, direct messages and organic follows grow (beyond, a world
/// of many years would hold millions of them).
const CHANNEL_EVENT_FOLLOWERS: u64 = 10_000;

/// `t + d`, saturating at the end of time (a clock set absurdly far must not panic).
pub(crate) fn later(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// What the simulation needs to know about a post, fixed when it is published.
#[derive(Debug, Clone)]
pub(crate) struct PostSim {
    /// The post's own random stream.
    pub key: Key,
    /// The post's id in its account.
    pub id: u64,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// Expected impressions over its life at average activity.
    pub base: f64,
    /// Whether it carries a link (clicks are link clicks).
    pub link: bool,
    /// Whether it asks a question (twice the replies).
    pub question: bool,
}

/// What happened to a post in one hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct HourOutcome {
    pub impressions: u64,
    pub reach: u64,
    pub likes: u64,
    pub reposts: u64,
    pub replies: u64,
    pub quotes: u64,
    pub clicks: u64,
    pub saves: u64,
    pub follows: u64,
}

/// Totals that the simulation computes without materializing events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Views {
    pub impressions: u64,
    pub reach: u64,
    pub clicks: u64,
    pub saves: u64,
}

/// A message a simulated person writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub text: String,
    pub language: Option<String>,
    /// The simulation's ground truth; `None` for a text a caller chose.
    pub tone: Option<Tone>,
}

/// One simulated interaction, before the world gives it a sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub at: DateTime<Utc>,
    pub kind: InteractionKind,
    /// The account's post it belongs to.
    pub post: Option<u64>,
    pub author: Author,
    pub message: Option<Message>,
    /// Tie-break among events at the same instant.
    pub order: (u64, u64, u64),
}

// Stream labels, so that different decisions never share random numbers.
const IMPRESSIONS: u64 = 1;
const REACH: u64 = 2;
const ENGAGE: u64 = 3;
const EVENT: u64 = 4;
const CHANNEL: u64 = 5;
const QUALITY: u64 = 6;
const CHATTER: u64 = 7;

/// How long a post's hashtags stay in the conversation about the account.
const TAG_MEMORY_DAYS: i64 = 7;

/// A public post someone writes about the account (not addressed to it), for search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chatter {
    pub at: DateTime<Utc>,
    pub author: Author,
    pub message: Message,
}

const KINDS: [InteractionKind; 5] = [
    InteractionKind::Like,
    InteractionKind::Repost,
    InteractionKind::Reply,
    InteractionKind::Quote,
    InteractionKind::Follow,
];

/// The simulation of one account's audience.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Simulation<'a> {
    pub audience: &'a SandboxAudience,
    /// The account's stream (seed and name).
    pub key: Key,
    /// The account's handle, for texts that mention it.
    pub handle: &'a str,
    /// Followers the account started with (sets the size of the crowd and of channel events).
    pub followers: u64,
}

impl Simulation<'_> {
    /// The random quality of post `id` (log-normal, mean 1).
    pub(crate) fn quality(&self, id: u64) -> f64 {
        (0.5 * self.key.with(QUALITY).with(id).normal() - 0.125).exp()
    }

    fn hour_start(post: &PostSim, b: i64) -> DateTime<Utc> {
        later(post.published_at, Duration::hours(b))
    }

    /// What happened to `post` in hour `b` (0 = the first hour after publishing).
    pub(crate) fn hour(&self, post: &PostSim, b: i64) -> HourOutcome {
        if !(0..HORIZON_HOURS).contains(&b) {
            return HourOutcome::default();
        }
        let mid = later(Self::hour_start(post, b), Duration::minutes(30));
        let activity = self.audience.activity.at(mid, self.audience.time_zone);
        let lambda = post.base * activity * self.audience.attention_share(b);
        let k = post.key.with(b as u64);
        let impressions = k.with(IMPRESSIONS).poisson(lambda);
        let reach_share = 0.7 + 0.2 * k.with(REACH).unit();
        let reach = ((impressions as f64) * reach_share).floor() as u64;
        let rates = &self.audience.rates;
        let n = impressions as f64;
        let e = k.with(ENGAGE);
        let reply_rate = if post.question {
            rates.reply * 2.0
        } else {
            rates.reply
        };
        let click_rate = if post.link {
            rates.click_with_link
        } else {
            rates.click_without_link
        };
        HourOutcome {
            impressions,
            reach,
            likes: e.with(1).poisson(n * rates.like),
            reposts: e.with(2).poisson(n * rates.repost),
            replies: e.with(3).poisson(n * reply_rate),
            quotes: e.with(4).poisson(n * rates.quote),
            clicks: e.with(5).poisson(n * click_rate),
            saves: e.with(6).poisson(n * rates.save),
            follows: e.with(7).poisson(n * rates.follow),
        }
    }

    /// Impressions, reach, clicks and saves of `post` at instant `t`: whole hours, plus the
    /// elapsed share of the current hour. (Callers cap `t` at a deletion.)
    pub(crate) fn views(&self, post: &PostSim, t: DateTime<Utc>) -> Views {
        let mut v = Views::default();
        let elapsed = t - post.published_at;
        if elapsed <= Duration::zero() {
            return v;
        }
        let whole = elapsed.num_hours().min(HORIZON_HOURS);
        for b in 0..whole {
            let o = self.hour(post, b);
            v.impressions += o.impressions;
            v.reach += o.reach;
            v.clicks += o.clicks;
            v.saves += o.saves;
        }
        if whole < HORIZON_HOURS {
            let o = self.hour(post, whole);
            let into = (elapsed - Duration::hours(whole)).num_milliseconds() as f64;
            let frac = (into / 3_600_000.0).clamp(0.0, 1.0);
            let part = |n: u64| (n as f64 * frac).floor() as u64;
            v.impressions += part(o.impressions);
            v.reach += part(o.reach);
            v.clicks += part(o.clicks);
            v.saves += part(o.saves);
        }
        v
    }

    /// Events of `post` in hour `b`, each at its own instant in `(start, start + 1h]`.
    pub(crate) fn post_events(&self, post: &PostSim, b: i64, out: &mut Vec<Event>) {
        let o = self.hour(post, b);
        let counts = [o.likes, o.reposts, o.replies, o.quotes, o.follows];
        let counts = counts.map(|n| n.min(MAX_EVENTS_PER_HOUR));
        let start = Self::hour_start(post, b);
        for (kind_index, (kind, count)) in KINDS.iter().zip(counts).enumerate() {
            for i in 0..count {
                let k = post
                    .key
                    .with(b as u64)
                    .with(EVENT)
                    .with(kind_index as u64)
                    .with(i);
                let at = later(start, Duration::seconds(1 + k.with(0).below(3600) as i64));
                let message = matches!(kind, InteractionKind::Reply | InteractionKind::Quote)
                    .then(|| self.message(k.with(1), post.question));
                out.push(Event {
                    at,
                    kind: *kind,
                    post: (*kind != InteractionKind::Follow).then_some(post.id),
                    author: self.person(k.with(2)),
                    message,
                    order: (post.id, b as u64 * 8 + kind_index as u64, i),
                });
            }
        }
    }

    /// Events of the account (mentions, direct messages, follows no post brought) in the
    /// `h`-th hour after `origin`.
    pub(crate) fn channel_events(&self, origin: DateTime<Utc>, h: i64, out: &mut Vec<Event>) {
        let start = later(origin, Duration::hours(h));
        let mid = later(start, Duration::minutes(30));
        let activity = self.audience.activity.at(mid, self.audience.time_zone);
        let followers = self.followers.min(CHANNEL_EVENT_FOLLOWERS);
        let scale = followers as f64 / 1000.0 * activity / 24.0;
        let a = self.audience;
        let kinds = [
            (InteractionKind::Mention, a.mentions_per_day),
            (InteractionKind::DirectMessage, a.direct_messages_per_day),
            (InteractionKind::Follow, a.organic_follows_per_day),
        ];
        let hk = self.key.with(CHANNEL).with(h as u64);
        for (kind_index, (kind, per_day)) in kinds.into_iter().enumerate() {
            let count = hk
                .with(kind_index as u64)
                .poisson(per_day * scale)
                .min(MAX_EVENTS_PER_HOUR);
            for i in 0..count {
                let k = hk.with(kind_index as u64).with(EVENT).with(i);
                let at = later(start, Duration::seconds(1 + k.with(0).below(3600) as i64));
                let message = kind.has_text().then(|| {
                    let mut m = self.message(k.with(1), false);
                    if kind == InteractionKind::Mention {
                        m.text = format!("@{} {}", self.handle, m.text);
                    }
                    m
                });
                out.push(Event {
                    at,
                    kind,
                    post: None,
                    author: self.person(k.with(2)),
                    message,
                    order: (u64::MAX, h as u64 * 8 + kind_index as u64, i),
                });
            }
        }
    }

    /// How many people post about the account in the `h`-th hour after `origin` (see
    /// [`SandboxAudience::chatter_per_day`]).
    pub(crate) fn chatter_count(&self, origin: DateTime<Utc>, h: i64) -> u64 {
        let mid = later(origin, Duration::hours(h) + Duration::minutes(30));
        let activity = self.audience.activity.at(mid, self.audience.time_zone);
        let followers = self.followers.min(CHANNEL_EVENT_FOLLOWERS);
        let lambda = self.audience.chatter_per_day * followers as f64 / 1000.0 * activity / 24.0;
        self.key
            .with(CHATTER)
            .with(h as u64)
            .poisson(lambda)
            .min(MAX_EVENTS_PER_HOUR)
    }

    /// The `i`-th post about the account in the `h`-th hour after `origin`. `tags` are the
    /// hashtags of the account's public posts with their instants (people pick up a hashtag
    /// for a week after the account used it); `brand` is the account's name.
    pub(crate) fn chatter(
        &self,
        origin: DateTime<Utc>,
        h: i64,
        i: u64,
        tags: &[(DateTime<Utc>, String)],
        brand: &str,
    ) -> Chatter {
        let k = self.key.with(CHATTER).with(h as u64).with(EVENT).with(i);
        let start = later(origin, Duration::hours(h));
        let at = later(start, Duration::seconds(1 + k.with(0).below(3600) as i64));
        let mut message = self.message(k.with(1), false);
        let recent: Vec<&String> = tags
            .iter()
            .filter(|(t, _)| *t < at && at - *t <= Duration::days(TAG_MEMORY_DAYS))
            .map(|(_, tag)| tag)
            .collect();
        let tag = match recent.len() {
            0 => texts::brand_tag(self.handle),
            n if k.with(3).unit() < 0.5 => recent[k.with(4).below(n as u64) as usize].clone(),
            _ => texts::brand_tag(self.handle),
        };
        let tone = message.tone.unwrap_or(Tone::Neutral);
        let language = message.language.clone().unwrap_or_else(|| "en".into());
        message.text = texts::chatter(tone, &language, self.handle, brand, &tag, k.with(5));
        Chatter {
            at,
            author: self.person(k.with(2)),
            message,
        }
    }

    /// A message in one of the audience's languages, in its mood; questions invite more
    /// questions.
    pub(crate) fn message(&self, k: Key, invites_questions: bool) -> Message {
        let langs: Vec<(&String, &f64)> = self.audience.languages.iter().collect();
        let weights: Vec<f64> = langs.iter().map(|(_, w)| **w).collect();
        let language = langs
            .get(k.with(1).weighted(&weights))
            .and_then(|(l, _)| texts::LANGUAGES.iter().find(|known| **known == l.as_str()))
            .copied()
            .unwrap_or("en");
        let mut mood = self.audience.mood.weights();
        if invites_questions {
            mood[Tone::Question as usize] *= 2.0;
        }
        let tone = Tone::ALL[k.with(2).weighted(&mood)];
        Message {
            text: texts::message(tone, language, self.handle, k.with(3)),
            language: Some(language.to_string()),
            tone: Some(tone),
        }
    }

    /// A simulated person of the audience.
    pub(crate) fn person(&self, k: Key) -> Author {
        let crowd = (self.followers.saturating_mul(3)).max(100);
        let n = k.with(1).below(crowd);
        let (handle, display) = texts::person(n);
        let followers = (4.0 + 1.5 * k.with(2).normal()).exp().min(5e6).round() as u64;
        Author {
            id: format!("u{n}"),
            url: Some(format!("https://sandbox.invalid/@{handle}")),
            handle,
            display_name: Some(display),
            followers: Some(followers),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(audience: &SandboxAudience) -> Simulation<'_> {
        Simulation {
            audience,
            key: Key::new(7).with_str("acme"),
            handle: "acme",
            followers: 1000,
        }
    }

    fn post(at: &str) -> PostSim {
        PostSim {
            key: Key::new(7).with(1),
            id: 1,
            published_at: at.parse().unwrap(),
            base: 300.0,
            link: false,
            question: false,
        }
    }

    #[test]
    fn views_grow_monotonically_and_stop_at_the_horizon() {
        let a = SandboxAudience::default();
        let s = sim(&a);
        let p = post("2026-03-03T18:00:00Z");
        let mut last = 0;
        for minutes in (0..(8 * 24 * 60)).step_by(17) {
            let v = s.views(&p, p.published_at + Duration::minutes(minutes));
            assert!(v.impressions >= last);
            assert!(v.reach <= v.impressions);
            last = v.impressions;
        }
        let end = s.views(&p, p.published_at + Duration::days(7));
        assert_eq!(end, s.views(&p, p.published_at + Duration::days(30)));
    }

    #[test]
    fn events_fall_inside_their_hour() {
        let a = SandboxAudience::default();
        let s = sim(&a);
        let mut p = post("2026-03-03T18:00:00Z");
        p.base = 5000.0;
        let mut out = Vec::new();
        for b in 0..5 {
            s.post_events(&p, b, &mut out);
        }
        assert!(!out.is_empty());
        for e in &out {
            let b = (e.order.1 / 8) as i64;
            assert!(e.at > p.published_at + Duration::hours(b));
            assert!(e.at <= p.published_at + Duration::hours(b + 1));
            assert_eq!(e.kind.has_text(), e.message.is_some());
        }
    }
}
