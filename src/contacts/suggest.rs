//! Suggestions to link identities into one contact, from evidence: the same website or link
//! in two profiles, the same handle on two platforms, an account that names another in its
//! messages. A suggestion is only a suggestion: contacts are merged by a person
//! ([`Contacts::merge`](super::Contacts::merge)) or by a rule the caller switched to
//! [`RuleMode::AutoMerge`] ([`Contacts::auto_merge`](super::Contacts::auto_merge)).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::model::{ContactId, Identity, IdentityKey, base_handle, normalise_handle};

/// What a rule does with its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleMode {
    /// Nothing.
    Off,
    /// Suggests; a person decides.
    #[default]
    Suggest,
    /// Merges without asking (audited as `rule:<name>`).
    AutoMerge,
}

/// Which evidence counts, and how. By default every rule suggests and none merges.
///
/// ```
/// use socialkit::contacts::{RuleMode, SuggestRules};
/// let r = SuggestRules::default();
/// assert_eq!(r.same_link, RuleMode::Suggest);
/// assert!(!r.merges());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SuggestRules {
    /// The same website or link in bio ([`Identity::links`]).
    pub same_link: RuleMode,
    /// The same handle (its account part) on two platforms.
    pub same_handle: RuleMode,
    /// An identity's messages name an account on another platform.
    pub mention: RuleMode,
}

impl SuggestRules {
    /// Whether any rule merges by itself.
    pub fn merges(&self) -> bool {
        [self.same_link, self.same_handle, self.mention].contains(&RuleMode::AutoMerge)
    }

    pub(crate) fn mode(&self, e: &Evidence) -> RuleMode {
        match e {
            Evidence::SameLink { .. } => self.same_link,
            Evidence::SameHandle { .. } => self.same_handle,
            Evidence::Mention { .. } => self.mention,
        }
    }
}

/// Why two identities may be one person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "evidence", rename_all = "snake_case")]
pub enum Evidence {
    /// Both profiles carry this link.
    SameLink {
        /// The link, normalised.
        link: String,
        /// The two identities.
        identities: [IdentityKey; 2],
    },
    /// Both use this handle.
    SameHandle {
        /// The handle's account part.
        handle: String,
        /// The two identities.
        identities: [IdentityKey; 2],
    },
    /// `from` named `to`'s handle in a message.
    Mention {
        /// Who wrote.
        from: IdentityKey,
        /// Whom it named.
        to: IdentityKey,
    },
}

impl Evidence {
    /// The rule's name (`same_link`, `same_handle`, `mention`).
    pub fn rule(&self) -> &'static str {
        match self {
            Evidence::SameLink { .. } => "same_link",
            Evidence::SameHandle { .. } => "same_handle",
            Evidence::Mention { .. } => "mention",
        }
    }
}

/// Two contacts that may be one person, with all the evidence found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The two contacts (the smaller id first).
    pub contacts: [ContactId; 2],
    /// The evidence.
    pub evidence: Vec<Evidence>,
}

/// A link as compared: lower case, without scheme, `www.` and trailing `/`.
///
/// ```
/// use socialkit::contacts::normalise_link;
/// assert_eq!(normalise_link("https://WWW.Ann.example/"), "ann.example");
/// ```
pub fn normalise_link(link: &str) -> String {
    let l = link.trim().to_lowercase();
    let l = l
        .strip_prefix("https://")
        .or_else(|| l.strip_prefix("http://"))
        .unwrap_or(&l);
    let l = l.strip_prefix("www.").unwrap_or(l);
    l.trim_end_matches('/').to_string()
}

/// The suggestions over `identities` and `mentions` (identity, normalised handle it named)
/// under `rules`, for pairs of identities of different contacts.
pub(crate) fn suggest(
    identities: &[Identity],
    mentions: &[(IdentityKey, String)],
    rules: &SuggestRules,
) -> Vec<Suggestion> {
    let mut found: BTreeMap<[ContactId; 2], BTreeSet<Evidence>> = BTreeMap::new();
    let by_key: BTreeMap<&IdentityKey, &Identity> =
        identities.iter().map(|i| (&i.key, i)).collect();
    let mut add = |a: &Identity, b: &Identity, e: Evidence| {
        if a.contact == b.contact || rules.mode(&e) == RuleMode::Off {
            return;
        }
        let mut pair = [a.contact.clone(), b.contact.clone()];
        pair.sort();
        found.entry(pair).or_default().insert(e);
    };
    // Identities sharing a key; `across` asks for two platforms (a handle is unique on one).
    let mut groups = |across: bool,
                      key_of: &dyn Fn(&Identity) -> Vec<String>,
                      make: &dyn Fn(String, [IdentityKey; 2]) -> Evidence| {
        let mut by: BTreeMap<String, Vec<&Identity>> = BTreeMap::new();
        for i in identities {
            for k in key_of(i) {
                by.entry(k).or_default().push(i);
            }
        }
        for (k, ids) in by {
            for (n, a) in ids.iter().enumerate() {
                for b in &ids[n + 1..] {
                    if !across || a.key.platform != b.key.platform {
                        add(a, b, make(k.clone(), [a.key.clone(), b.key.clone()]));
                    }
                }
            }
        }
    };
    if rules.same_link != RuleMode::Off {
        groups(
            false,
            &|i| {
                i.links
                    .iter()
                    .map(|l| normalise_link(l))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect()
            },
            &|link, identities| Evidence::SameLink { link, identities },
        );
    }
    if rules.same_handle != RuleMode::Off {
        groups(
            true,
            &|i| {
                let h = base_handle(&i.handle);
                if h.len() < 3 { vec![] } else { vec![h] }
            },
            &|handle, identities| Evidence::SameHandle { handle, identities },
        );
    }
    if rules.mention != RuleMode::Off {
        let mut by_handle: BTreeMap<String, Vec<&Identity>> = BTreeMap::new();
        for i in identities {
            by_handle
                .entry(normalise_handle(&i.handle))
                .or_default()
                .push(i);
        }
        for (from, handle) in mentions {
            let Some(a) = by_key.get(from) else { continue };
            for b in by_handle.get(handle).into_iter().flatten() {
                if b.key.platform != a.key.platform {
                    add(
                        a,
                        b,
                        Evidence::Mention {
                            from: a.key.clone(),
                            to: b.key.clone(),
                        },
                    );
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(contacts, e)| Suggestion {
            contacts,
            evidence: e.into_iter().collect(),
        })
        .collect()
}
