//! Forward paging over Bluesky's backward notification list.
//!
//! `app.bsky.notification.listNotifications` lists newest first and pages *backwards* (its
//! cursor is the `sortAt` of the last item, and the next page holds older ones). socialkit's
//! [`InteractionQuery`](crate::model::InteractionQuery) pages *forwards*: oldest first, resuming
//! right after the newest item returned. This module turns one into the other.
//!
//! The AppView orders notifications by `sortAt` = min(`createdAt`, `indexedAt`) of the record
//! that caused them (its `indexedAt` field in the answer). Because `createdAt` comes from the
//! author's client, a notification can appear *after* newer ones were already read, with a
//! `sortAt` slightly in the past (client clock skew). A plain "newest timestamp seen" cursor
//! would skip it. So the cursor keeps:
//!
//! - a **floor** instant: everything older was delivered (or is deliberately out of range),
//! - the **set of notifications already delivered at or after the floor** (48-bit hashes of
//!   their AT-URIs, with their `sortAt`).
//!
//! After a page the floor moves to (newest delivered − [`SKEW_WINDOW_MS`]), the 2-minute
//! `CLOCK_SKEW_WINDOW` the Bluesky docs recommend. A read pages back through
//! `listNotifications` until it passes the floor, drops what the set already holds, and
//! delivers the rest oldest first: nothing is skipped, nothing repeated, and a notification
//! backdated by less than the window is still delivered. One backdated by more (an import of
//! old posts) is not. The set is capped at [`MAX_SEEN`] entries (the floor rises when the cap
//! is hit), which bounds the cursor's size to a few kilobytes.
//!
//! The cursor is an opaque string `bsky1.<base64url JSON>`.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// How far back a read looks for notifications that arrived late (2 minutes, the Bluesky
/// docs' recommended clock-skew window).
///
/// ```
/// assert_eq!(socialkit::adapters::bluesky::SKEW_WINDOW_MS, 2 * 60 * 1000);
/// ```
pub const SKEW_WINDOW_MS: i64 = 120_000;
/// The most delivered notifications a cursor remembers.
///
/// ```
/// assert!(socialkit::adapters::bluesky::MAX_SEEN >= 100);
/// ```
pub const MAX_SEEN: usize = 300;

const PREFIX: &str = "bsky1.";

/// The decoded cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CursorState {
    /// Milliseconds since the epoch; notifications older than this are out of range.
    #[serde(rename = "f")]
    pub floor: i64,
    /// Delivered notifications at or after the floor: (sortAt ms − floor, hash).
    #[serde(rename = "s", default)]
    pub seen: Vec<(i64, String)>,
}

impl CursorState {
    /// A state that reads everything at or after `floor`.
    pub fn from_floor(floor: i64) -> Self {
        CursorState {
            floor,
            seen: Vec::new(),
        }
    }

    /// The opaque string form.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        )
    }

    /// Parses a cursor made by [`CursorState::encode`].
    pub fn decode(s: &str) -> Result<Self> {
        let invalid = || {
            Error::validation("this is not a Bluesky interactions cursor made by socialkit")
                .with_platform("bluesky")
        };
        let b64 = s.strip_prefix(PREFIX).ok_or_else(invalid)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }

    /// The same cursor with everything older than `floor` out of range.
    pub fn raise_floor(&self, floor: i64) -> CursorState {
        if floor <= self.floor {
            return self.clone();
        }
        CursorState {
            floor,
            seen: self
                .seen
                .iter()
                .map(|(d, h)| (self.floor.saturating_add(*d), h))
                .filter(|(at, _)| *at >= floor)
                .map(|(at, h)| (at - floor, h.clone()))
                .collect(),
        }
    }

    fn contains(&self, at: i64, hash: &str) -> bool {
        self.seen
            .iter()
            .any(|(d, h)| self.floor.saturating_add(*d) == at && h == hash)
    }
}

/// A 48-bit hash of an AT-URI, as 12 hex digits.
pub(crate) fn uri_hash(uri: &str) -> String {
    let d = Sha256::digest(uri.as_bytes());
    d[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// One notification as the selection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// `sortAt` (the answer's `indexedAt`) in ms since the epoch.
    pub at: i64,
    /// The notification's AT-URI.
    pub uri: String,
    /// Whether the caller wants it (kind supported and asked for).
    pub wanted: bool,
}

/// What to deliver and where to resume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    /// Indexes into the fetched items, oldest first, of the notifications to deliver.
    pub deliver: Vec<usize>,
    /// The cursor after this page.
    pub next: CursorState,
    /// Whether more wanted notifications are waiting after `next`.
    pub has_more: bool,
}

/// Chooses the page: the oldest `limit` wanted notifications not delivered yet, and the
/// cursor after them. Unwanted notifications before the last delivered one are passed over
/// for good (they count as read).
pub(crate) fn select(state: &CursorState, items: &[Item], limit: usize) -> Selection {
    let mut fresh: Vec<(usize, String)> = Vec::new();
    let mut uris_seen = std::collections::HashSet::new();
    for (i, it) in items.iter().enumerate() {
        if it.at < state.floor || !uris_seen.insert(it.uri.as_str()) {
            continue;
        }
        let h = uri_hash(&it.uri);
        if !state.contains(it.at, &h) {
            fresh.push((i, h));
        }
    }
    fresh.sort_by(|(a, _), (b, _)| {
        items[*a]
            .at
            .cmp(&items[*b].at)
            .then_with(|| items[*a].uri.cmp(&items[*b].uri))
    });

    let mut deliver = Vec::new();
    let mut processed: Vec<(i64, String)> = Vec::new();
    let mut first_unprocessed: Option<i64> = None;
    for (i, h) in fresh {
        let it = &items[i];
        if it.wanted {
            if deliver.len() == limit {
                first_unprocessed = Some(it.at);
                break;
            }
            deliver.push(i);
        }
        processed.push((it.at, h));
    }
    let has_more = first_unprocessed.is_some();

    let Some(newest) = processed.iter().map(|(at, _)| *at).max() else {
        return Selection {
            deliver,
            next: state.clone(),
            has_more,
        };
    };
    let mut floor = state.floor.max(newest.saturating_sub(SKEW_WINDOW_MS));
    if let Some(f) = first_unprocessed {
        floor = floor.min(f);
    }
    let mut seen: Vec<(i64, String)> = state
        .seen
        .iter()
        .map(|(d, h)| (state.floor.saturating_add(*d), h.clone()))
        .chain(processed)
        .filter(|(at, _)| *at >= floor)
        .collect();
    seen.sort();
    seen.dedup();
    if seen.len() > MAX_SEEN {
        let cut = seen.len() - MAX_SEEN;
        let mut raised = seen[cut - 1].0.saturating_add(1);
        if let Some(f) = first_unprocessed {
            raised = raised.min(f);
        }
        floor = floor.max(raised);
        seen.retain(|(at, _)| *at >= floor);
    }
    Selection {
        deliver,
        next: CursorState {
            floor,
            seen: seen
                .into_iter()
                .map(|(at, h)| (at.saturating_sub(floor), h))
                .collect(),
        },
        has_more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(at: i64, uri: &str) -> Item {
        Item {
            at,
            uri: uri.to_string(),
            wanted: true,
        }
    }

    /// Simulates the server: all notifications so far, and a reader polling with the cursor.
    fn read_all(server: &[Item], state: &CursorState, limit: usize) -> (Vec<String>, CursorState) {
        let mut out = Vec::new();
        let mut state = state.clone();
        loop {
            let sel = select(&state, server, limit);
            out.extend(sel.deliver.iter().map(|i| server[*i].uri.clone()));
            state = sel.next;
            if !sel.has_more {
                return (out, state);
            }
        }
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let s = CursorState {
            floor: 1_700_000_000_000,
            seen: vec![(5, "abcdef012345".into())],
        };
        let enc = s.encode();
        assert!(enc.starts_with("bsky1."));
        assert_eq!(CursorState::decode(&enc).unwrap(), s);
        for bad in [
            "",
            "bsky1.",
            "bsky1.!!!",
            "2022-07-15T00:54:07.914Z",
            "bsky1.e30",
        ] {
            let r = CursorState::decode(bad);
            if bad == "bsky1.e30" {
                // "{}" lacks the floor.
                assert!(r.is_err());
            } else {
                assert_eq!(r.unwrap_err().kind(), crate::ErrorKind::Validation, "{bad}");
            }
        }
    }

    #[test]
    fn pages_forward_oldest_first_without_gaps_or_repeats() {
        let server: Vec<Item> = (0..25)
            .map(|i| item(1000 + i * 10, &format!("n{i:02}")))
            .collect();
        let start = CursorState::from_floor(i64::MIN);
        let sel = select(&start, &server, 10);
        let uris: Vec<_> = sel
            .deliver
            .iter()
            .map(|i| server[*i].uri.as_str())
            .collect();
        assert_eq!(
            uris,
            (0..10).map(|i| format!("n{i:02}")).collect::<Vec<_>>()
        );
        assert!(sel.has_more);
        let sel2 = select(&sel.next, &server, 10);
        assert_eq!(server[sel2.deliver[0]].uri, "n10");
        let (all, state) = read_all(&server, &start, 10);
        assert_eq!(all.len(), 25);
        // Polling again gives nothing; a new one arrives and is delivered once.
        let (again, state) = read_all(&server, &state, 10);
        assert!(again.is_empty());
        let mut server2 = server.clone();
        server2.push(item(2000, "new"));
        let (news, state) = read_all(&server2, &state, 10);
        assert_eq!(news, vec!["new".to_string()]);
        let (none, _) = read_all(&server2, &state, 10);
        assert!(none.is_empty());
    }

    #[test]
    fn ties_at_the_page_boundary_are_not_lost() {
        let server: Vec<Item> = (0..6).map(|i| item(5000, &format!("t{i}"))).collect();
        let (all, _) = read_all(&server, &CursorState::from_floor(i64::MIN), 4);
        assert_eq!(all.len(), 6);
        let unique: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(unique.len(), 6);
    }

    #[test]
    fn late_arrivals_within_the_window_are_delivered() {
        let mut server = vec![item(100_000, "a"), item(200_000, "b")];
        let (first, state) = read_all(&server, &CursorState::from_floor(i64::MIN), 10);
        assert_eq!(first, vec!["a", "b"]);
        // A reply whose client clock ran 30 s behind shows up with an older sortAt.
        server.push(item(170_000, "late"));
        // One backdated by 10 minutes is out of the window.
        server.push(item(200_000 - 600_000, "imported"));
        let (second, _) = read_all(&server, &state, 10);
        assert_eq!(second, vec!["late"]);
    }

    #[test]
    fn unwanted_items_are_passed_over_but_do_not_count() {
        let mut server: Vec<Item> = (0..6).map(|i| item(i * 1000, &format!("n{i}"))).collect();
        server[1].wanted = false;
        server[2].wanted = false;
        let sel = select(&CursorState::from_floor(i64::MIN), &server, 2);
        let uris: Vec<_> = sel
            .deliver
            .iter()
            .map(|i| server[*i].uri.as_str())
            .collect();
        assert_eq!(uris, ["n0", "n3"]);
        assert!(sel.has_more);
        let (rest, _) = read_all(&server, &sel.next, 2);
        assert_eq!(rest, ["n4", "n5"]);
    }

    #[test]
    fn duplicates_across_fetched_pages_are_delivered_once() {
        let server = vec![item(10, "x"), item(10, "x"), item(20, "y")];
        let (all, _) = read_all(&server, &CursorState::from_floor(i64::MIN), 10);
        assert_eq!(all, ["x", "y"]);
    }

    #[test]
    fn the_seen_set_is_capped() {
        let n = MAX_SEEN as i64 + 50;
        let server: Vec<Item> = (0..n).map(|i| item(1_000 + i, &format!("n{i}"))).collect();
        let (all, state) = read_all(&server, &CursorState::from_floor(i64::MIN), 1000);
        assert_eq!(all.len(), n as usize);
        assert!(state.seen.len() <= MAX_SEEN);
        assert!(state.encode().len() < 16_000);
        let (again, _) = read_all(&server, &state, 1000);
        assert!(again.is_empty());
    }

    #[test]
    fn the_floor_respects_since() {
        let server = vec![item(10, "old"), item(20, "new")];
        let (all, _) = read_all(&server, &CursorState::from_floor(15), 10);
        assert_eq!(all, ["new"]);
    }

    proptest::proptest! {
        /// Notifications arrive over time, each with a sortAt up to 100 s before its arrival
        /// (client clock skew, inside the window); a reader polls at random moments with random
        /// page sizes. Every notification is delivered exactly once.
        #[test]
        fn exactly_once_under_skew(
            skews in proptest::collection::vec(0i64..100_000, 1..60),
            polls in proptest::collection::vec((0usize..60, 1usize..7), 1..20),
        ) {
            let mut server: Vec<Item> = Vec::new();
            let mut state = CursorState::from_floor(i64::MIN);
            let mut delivered: Vec<String> = Vec::new();
            let mut polls = polls;
            polls.sort();
            let mut next_poll = 0;
            for (n, skew) in skews.iter().enumerate() {
                let arrival = 1_000_000 + n as i64 * 1_000;
                server.push(item(arrival - skew, &format!("n{n}")));
                while next_poll < polls.len() && polls[next_poll].0 <= n {
                    let (_, limit) = polls[next_poll];
                    let sel = select(&state, &server, limit);
                    delivered.extend(sel.deliver.iter().map(|i| server[*i].uri.clone()));
                    state = sel.next;
                    next_poll += 1;
                }
            }
            let (rest, _) = read_all(&server, &state, 5);
            delivered.extend(rest);
            let mut sorted = delivered.clone();
            sorted.sort();
            sorted.dedup();
            proptest::prop_assert_eq!(sorted.len(), delivered.len(), "repeated: {:?}", delivered);
            proptest::prop_assert_eq!(delivered.len(), server.len());
        }
    }
}
