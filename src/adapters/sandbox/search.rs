//! Search over a sandbox world's public content: every account's public posts, the public
//! texts its audience writes to it (replies, mentions, quotes — never direct messages), and the
//! simulated chatter about it ([`SandboxAudience::chatter_per_day`](super::SandboxAudience)).
//!
//! Results run newest first; ties at one instant are broken by account, source and sequence,
//! so the order is total and the same in every run. The cursor is the position of the last
//! result returned (`<millis>:<source>:<seq>:<sub>:<account>`), so what arrives while someone
//! pages never shifts a page: the next page holds what sorts after that position.
//!
//! Chatter is never stored: it is a pure function of the account's seed and the hour, worked
//! out only for the hours a search covers, so worlds that are never searched pay nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::account::{Account, BASE_URL, CHANNEL_HOURS};
use super::simulation::later;
use crate::model::{
    Interaction, InteractionKind, InteractionRef, Page, PostRef, SearchQuery, Visibility,
};
use crate::text::search::{Terms, language_passes};
use crate::{Error, ErrorKind, Result};

const PLATFORM: &str = "sandbox";
/// The largest page of search results.
pub(crate) const MAX_PAGE: usize = 100;

/// Where a result comes from, in the order ties at one instant sort (descending).
const POST: u8 = 2;
const RECEIVED: u8 = 1;
const CHATTER: u8 = 0;

/// The position of a result in the total order (compared descending: newest first).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Position {
    millis: i64,
    account: String,
    source: u8,
    seq: u64,
    sub: u64,
}

impl Position {
    fn cursor(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}",
            self.millis, self.source, self.seq, self.sub, self.account
        )
    }

    fn parse(c: &str) -> Option<Position> {
        let mut parts = c.splitn(5, ':');
        let millis = parts.next()?.parse().ok()?;
        let source = parts.next()?.parse().ok()?;
        let seq = parts.next()?.parse().ok()?;
        let sub = parts.next()?.parse().ok()?;
        let account = parts.next()?.to_string();
        (source <= POST && !account.is_empty()).then_some(Position {
            millis,
            account,
            source,
            seq,
            sub,
        })
    }
}

/// A checked query: what to match, the time window and where to continue.
#[derive(Debug)]
pub(crate) struct Plan {
    terms: Terms,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    language: Option<String>,
    after: Option<Position>,
    limit: usize,
}

impl Plan {
    /// Checks `q` before anything is read: a query with something to match, a page of at
    /// least one, a time range that is not empty, a cursor of this platform.
    pub(crate) fn new(q: &SearchQuery) -> Result<Plan> {
        let bad = |m: String| Err(Error::validation(m).with_platform(PLATFORM));
        let terms = Terms::checked(q, PLATFORM)?;
        let after = match &q.cursor {
            None => None,
            Some(c) => match Position::parse(c) {
                Some(p) => Some(p),
                None => return bad(format!("'{c}' is not a sandbox search cursor")),
            },
        };
        Ok(Plan {
            terms,
            since: q.since,
            until: q.until,
            language: q.language.clone(),
            after,
            limit: q.limit.min(MAX_PAGE),
        })
    }

    /// Whether an instant is inside the window (and not after `now`).
    fn in_window(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        at <= now
            && self.since.is_none_or(|s| at >= s)
            && self.until.is_none_or(|u| at < u)
            && self
                .after
                .as_ref()
                .is_none_or(|p| at.timestamp_millis() <= p.millis)
    }

    fn keeps(&self, position: &Position, text: &str, language: Option<&str>) -> bool {
        self.after.as_ref().is_none_or(|p| position < p)
            && language_passes(self.language.as_deref(), language)
            && self.terms.matches(text)
    }
}

/// Runs `plan` over every account of the world, for `searcher` (whose own received texts keep
/// the post they belong to).
pub(crate) fn run(
    accounts: &BTreeMap<String, Account>,
    searcher: &str,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Page<Interaction> {
    let mut found: Vec<(Position, Interaction)> = Vec::new();
    for (name, account) in accounts {
        posts(name, account, plan, now, &mut found);
        received(name, account, name == searcher, plan, now, &mut found);
        chatter(name, account, plan, now, &mut found);
    }
    found.sort_by(|a, b| b.0.cmp(&a.0));
    let has_more = found.len() > plan.limit;
    found.truncate(plan.limit);
    let next_cursor = match found.last() {
        Some((p, _)) => Some(p.cursor()),
        None => plan.after.as_ref().map(Position::cursor),
    };
    Page {
        items: found.into_iter().map(|(_, i)| i).collect(),
        next_cursor,
        has_more,
    }
}

fn position(name: &str, at: DateTime<Utc>, source: u8, seq: u64, sub: u64) -> Position {
    Position {
        millis: at.timestamp_millis(),
        account: name.to_string(),
        source,
        seq,
        sub,
    }
}

fn posts(
    name: &str,
    account: &Account,
    plan: &Plan,
    now: DateTime<Utc>,
    out: &mut Vec<(Position, Interaction)>,
) {
    for p in account.posts() {
        if p.visibility != Visibility::Public
            || p.deleted_at.is_some()
            || !plan.in_window(p.created_at, now)
        {
            continue;
        }
        let at = position(name, p.created_at, POST, p.id, 0);
        if !plan.keeps(&at, &p.text, p.language.as_deref()) {
            continue;
        }
        let interaction = Interaction {
            reference: InteractionRef::new(PLATFORM, format!("{name}/{}", p.id))
                .with_post(account.post_ref(p.id)),
            kind: InteractionKind::Post,
            author: account.as_author(),
            text: Some(p.text.clone()),
            created_at: p.created_at,
            post: None,
            conversation: Some(format!("{name}/{}", p.root)),
            language: p.language.clone(),
        };
        out.push((at, interaction));
    }
}

/// Kinds whose texts are public posts of their authors.
fn public_text(kind: InteractionKind) -> bool {
    matches!(
        kind,
        InteractionKind::Reply
            | InteractionKind::Comment
            | InteractionKind::Mention
            | InteractionKind::Quote
    )
}

fn received(
    name: &str,
    account: &Account,
    own: bool,
    plan: &Plan,
    now: DateTime<Utc>,
    out: &mut Vec<(Position, Interaction)>,
) {
    for (index, i) in account.received().iter().enumerate() {
        let Some(text) = &i.text else { continue };
        if !public_text(i.kind) || !plan.in_window(i.created_at, now) {
            continue;
        }
        let seq = index as u64 + 1;
        let at = position(name, i.created_at, RECEIVED, seq, 0);
        if !plan.keeps(&at, text, i.language.as_deref()) {
            continue;
        }
        let mut post = PostRef::new(PLATFORM, format!("r{seq}")).with_meta("account", name);
        if let Some(url) = i.reference.post.as_ref().and_then(|p| p.url.clone()) {
            post = post.with_url(url);
        }
        let mut reference = InteractionRef::new(PLATFORM, format!("{name}/r{seq}")).with_post(post);
        reference.meta.extend(i.reference.meta.clone());
        out.push((
            at,
            Interaction {
                reference,
                kind: InteractionKind::Post,
                author: i.author.clone(),
                text: Some(text.clone()),
                created_at: i.created_at,
                post: if own { i.post.clone() } else { None },
                conversation: i.conversation.as_ref().map(|c| format!("{name}/{c}")),
                language: i.language.clone(),
            },
        ));
    }
}

/// The hashtags of the account's public posts, with when they were posted.
fn post_tags(account: &Account) -> Vec<(DateTime<Utc>, String)> {
    account
        .posts()
        .iter()
        .filter(|p| p.visibility == Visibility::Public)
        .flat_map(|p| {
            p.text
                .split(|c: char| c.is_whitespace())
                .filter_map(|w| w.strip_prefix('#'))
                .map(|t| {
                    t.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .to_lowercase()
                })
                .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .map(|t| (p.created_at, t))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The hours of the account's life whose chatter can fall in the window.
fn chatter_hours(account: &Account, plan: &Plan, now: DateTime<Utc>) -> Option<(i64, i64)> {
    let origin = account.created_at();
    let mut upper = now;
    if let Some(u) = plan.until {
        upper = upper.min(u);
    }
    if let Some(p) = &plan.after {
        upper = upper.min(DateTime::from_timestamp_millis(p.millis)?);
    }
    let lower = plan.since.unwrap_or(origin).max(origin);
    if upper <= origin || upper < lower {
        return None;
    }
    let first = ((lower - origin).num_seconds() / 3600 - 1).max(0);
    let last = ((upper - origin).num_seconds() / 3600).min(CHANNEL_HOURS);
    Some((first, last))
}

fn chatter(
    name: &str,
    account: &Account,
    plan: &Plan,
    now: DateTime<Utc>,
    out: &mut Vec<(Position, Interaction)>,
) {
    let Some((first, last)) = chatter_hours(account, plan, now) else {
        return;
    };
    let sim = account.simulation();
    let origin = account.created_at();
    let tags = post_tags(account);
    for h in first..=last {
        for i in 0..sim.chatter_count(origin, h) {
            let c = sim.chatter(origin, h, i, &tags, account.brand());
            if !plan.in_window(c.at, now) {
                continue;
            }
            let at = position(name, c.at, CHATTER, h as u64, i);
            if !plan.keeps(&at, &c.message.text, c.message.language.as_deref()) {
                continue;
            }
            out.push((at, chatter_interaction(name, h, i, c)));
        }
    }
}

fn chatter_interaction(name: &str, h: i64, i: u64, c: super::simulation::Chatter) -> Interaction {
    let local = format!("c{h}.{i}");
    let post = PostRef::new(PLATFORM, local.clone())
        .with_url(format!("{BASE_URL}/@{}/{name}-{local}", c.author.handle))
        .with_meta("account", name);
    let mut reference = InteractionRef::new(PLATFORM, format!("{name}/{local}")).with_post(post);
    if let Some(tone) = c.message.tone {
        reference = reference.with_meta("mood", tone.as_str());
    }
    Interaction {
        conversation: Some(reference.id.clone()),
        reference,
        kind: InteractionKind::Post,
        author: c.author,
        text: Some(c.message.text),
        created_at: c.at,
        post: None,
        language: c.message.language,
    }
}

/// What a reply to search result `id` (`<account>/<local>`) replies to, as the replying
/// account `me` stores it: a local id for its own posts and received texts, else the whole
/// `<account>/<local>`. Fails with [`NotFound`](ErrorKind::NotFound) for a result that does
/// not exist (or no longer does).
pub(crate) fn reply_target(
    accounts: &BTreeMap<String, Account>,
    me: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let missing = || {
        Error::new(
            ErrorKind::NotFound,
            format!("search result {id} does not exist in this sandbox world"),
        )
        .with_platform(PLATFORM)
    };
    let (name, local) = id.split_once('/').ok_or_else(missing)?;
    let account = accounts.get(name).ok_or_else(missing)?;
    let exists = if let Some(seq) = local.strip_prefix('r') {
        let seq: usize = seq.parse().map_err(|_| missing())?;
        seq > 0
            && account
                .received()
                .get(seq - 1)
                .is_some_and(|i| public_text(i.kind) && i.text.is_some())
    } else if let Some(rest) = local.strip_prefix('c') {
        let (h, i) = rest.split_once('.').ok_or_else(missing)?;
        let h: i64 = h.parse().map_err(|_| missing())?;
        let i: u64 = i.parse().map_err(|_| missing())?;
        let sim = account.simulation();
        let origin = account.created_at();
        (0..=CHANNEL_HOURS).contains(&h)
            && later(origin, Duration::hours(h)) < now
            && i < sim.chatter_count(origin, h)
            && sim.chatter(origin, h, i, &[], account.brand()).at <= now
    } else {
        let n: u64 = local.parse().map_err(|_| missing())?;
        account
            .posts()
            .get((n as usize).wrapping_sub(1))
            .is_some_and(|p| n > 0 && p.deleted_at.is_none() && p.visibility != Visibility::Direct)
    };
    if !exists {
        return Err(missing());
    }
    let own_local = name == me && !local.starts_with('c');
    Ok(if own_local {
        local.to_string()
    } else {
        id.to_string()
    })
}
