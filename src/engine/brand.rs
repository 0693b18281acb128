//! Brand rules per workspace, so a company presents itself the same everywhere: forbidden and
//! required words, a disclosure (such as `#ad`) on posts labelled as paid, hashtag sets, UTM
//! parameters on links per campaign and channel — and a check that compares the channels'
//! public profiles.
//!
//! Rules are applied when a post is resolved for a channel (hashtag sets, UTM) and checked
//! before review (or before scheduling, for those who need no review).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{Engine, Permission};
use crate::model::{Post, Profile};
use crate::store::{ChannelId, WorkspaceId};
use crate::{Error, ErrorKind, ErrorRecord, Result};

const BRAND_KEY: &str = "brand";

/// A disclosure a labelled post must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    /// The label that requires it (`"paid"`).
    pub label: String,
    /// Any one of these must appear in the text (`["#ad", "#sponsored", "Anzeige"]`).
    pub any_of: Vec<String>,
}

/// A named set of hashtags; a post labelled `hashtags:<name>` gets the ones it lacks appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashtagSet {
    /// The set's name.
    pub name: String,
    /// The hashtags, with `#`.
    pub tags: Vec<String>,
}

/// UTM parameters added to links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtmRules {
    /// `utm_medium` (`"social"`).
    pub medium: String,
    /// `utm_source` per channel; a channel not listed uses its platform's name.
    #[serde(default)]
    pub source_by_channel: BTreeMap<ChannelId, String>,
    /// Also set `utm_content` to the channel's id (tells channels of one platform apart).
    #[serde(default)]
    pub content_is_channel: bool,
    /// Only links to these hosts (and their subdomains) are tagged; empty = every link.
    /// Tag your own sites only: other sites do not need your campaign data.
    #[serde(default)]
    pub hosts: Vec<String>,
}

/// A workspace's brand rules (stored as its `brand` setting).
///
/// ```
/// use socialkit::engine::{BrandRules, Disclosure};
/// use socialkit::model::Post;
/// let rules = BrandRules {
///     forbidden_words: vec!["cheap".into()],
///     disclosure: Some(Disclosure { label: "paid".into(), any_of: vec!["#ad".into()] }),
///     ..BrandRules::default()
/// };
/// let post = Post::text("Cheap anvils!").with_label("paid");
/// let found: Vec<String> = rules.check(&post).iter().map(|v| v.to_string()).collect();
/// assert_eq!(found, ["forbidden word \"cheap\"", "posts labelled paid need one of: #ad"]);
/// assert!(rules.check(&Post::text("Fine anvils #ad").with_label("paid")).is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandRules {
    /// Words or phrases that must not appear (case-insensitive, whole words).
    #[serde(default)]
    pub forbidden_words: Vec<String>,
    /// Words or phrases every post must contain.
    #[serde(default)]
    pub required_words: Vec<String>,
    /// A disclosure labelled posts must carry.
    #[serde(default)]
    pub disclosure: Option<Disclosure>,
    /// Named hashtag sets.
    #[serde(default)]
    pub hashtag_sets: Vec<HashtagSet>,
    /// UTM parameters for links.
    #[serde(default)]
    pub utm: Option<UtmRules>,
    /// The profile every channel should show (fields left `None` are only compared across
    /// channels).
    #[serde(default)]
    pub profile: Option<Profile>,
}

/// A broken brand rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Violation {
    /// A forbidden word appears.
    Forbidden {
        /// The word.
        word: String,
    },
    /// A required word is missing.
    MissingRequired {
        /// The word.
        word: String,
    },
    /// A labelled post lacks its disclosure.
    MissingDisclosure {
        /// The label.
        label: String,
        /// What would satisfy it.
        any_of: Vec<String>,
    },
    /// A post asks for a hashtag set that does not exist.
    UnknownHashtagSet {
        /// The name asked for.
        name: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Forbidden { word } => write!(f, "forbidden word \"{word}\""),
            Violation::MissingRequired { word } => write!(f, "required word \"{word}\" is missing"),
            Violation::MissingDisclosure { label, any_of } => {
                write!(
                    f,
                    "posts labelled {label} need one of: {}",
                    any_of.join(", ")
                )
            }
            Violation::UnknownHashtagSet { name } => write!(f, "no hashtag set named \"{name}\""),
        }
    }
}

static URL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"https?://[^\s<>"]+"#).unwrap_or_else(|_| unreachable!()));

/// Whether `text` contains `word` as a whole word (or phrase), ignoring case.
fn contains_word(text: &str, word: &str) -> bool {
    let w = word.trim();
    if w.is_empty() {
        return false;
    }
    let pattern = format!(
        r"(?i)(?:^|[^\p{{L}}\p{{N}}_]){}(?:$|[^\p{{L}}\p{{N}}_])",
        regex::escape(w)
    );
    Regex::new(&pattern).is_ok_and(|re| re.is_match(text))
}

const SET_LABEL: &str = "hashtags:";

impl BrandRules {
    /// Applies the rules that change content, for one channel: appends the hashtag sets the
    /// post asks for (labels `hashtags:<name>`) and adds UTM parameters to links.
    ///
    /// ```
    /// use socialkit::engine::{BrandRules, HashtagSet, UtmRules};
    /// use socialkit::model::Post;
    /// let rules = BrandRules {
    ///     hashtag_sets: vec![HashtagSet { name: "launch".into(), tags: vec!["#anvil".into(), "#acme".into()] }],
    ///     utm: Some(UtmRules { medium: "social".into(), source_by_channel: Default::default(), content_is_channel: false, hosts: vec!["acme.example".into()] }),
    ///     ..BrandRules::default()
    /// };
    /// let mut post = Post::text("New #anvil: https://acme.example/anvil. And https://other.example/x")
    ///     .with_label("hashtags:launch")
    ///     .with_campaign("spring");
    /// rules.apply(&mut post, "mastodon", &"acme-social".into());
    /// assert_eq!(
    ///     post.text,
    ///     "New #anvil: https://acme.example/anvil?utm_source=mastodon&utm_medium=social&utm_campaign=spring. And https://other.example/x #acme"
    /// );
    /// ```
    pub fn apply(&self, post: &mut Post, platform: &str, channel: &ChannelId) {
        let mut extra: Vec<&str> = Vec::new();
        for set in self.requested_sets(post).filter_map(|n| self.set(n)) {
            for tag in &set.tags {
                if !contains_word(&post.text, tag) && !extra.contains(&tag.as_str()) {
                    extra.push(tag);
                }
            }
        }
        if !extra.is_empty() {
            post.text = format!("{} {}", post.text.trim_end(), extra.join(" "));
        }
        if let Some(utm) = &self.utm {
            let campaign = post.campaign.clone();
            let tag = |u: &str| utm.tag(u, platform, channel, campaign.as_deref());
            post.text = tag_links(&post.text, &tag);
            post.link = post.link.as_deref().map(tag);
            for part in &mut post.thread {
                part.text = tag_links(&part.text, &tag);
                part.link = part.link.as_deref().map(tag);
            }
        }
    }

    /// The rules a post (resolved for a channel) breaks; empty when it keeps them all.
    pub fn check(&self, post: &Post) -> Vec<Violation> {
        let text: String = post
            .parts()
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let mut out = Vec::new();
        for w in &self.forbidden_words {
            if contains_word(&text, w) {
                out.push(Violation::Forbidden { word: w.clone() });
            }
        }
        for w in &self.required_words {
            if !contains_word(&text, w) {
                out.push(Violation::MissingRequired { word: w.clone() });
            }
        }
        if let Some(d) = &self.disclosure {
            let labelled = post.labels.iter().any(|l| l.eq_ignore_ascii_case(&d.label));
            if labelled && !d.any_of.iter().any(|t| contains_word(&post.text, t)) {
                out.push(Violation::MissingDisclosure {
                    label: d.label.clone(),
                    any_of: d.any_of.clone(),
                });
            }
        }
        for name in self.requested_sets(post) {
            if self.set(name).is_none() {
                out.push(Violation::UnknownHashtagSet {
                    name: name.to_string(),
                });
            }
        }
        out
    }

    fn requested_sets<'a>(&self, post: &'a Post) -> impl Iterator<Item = &'a str> {
        post.labels
            .iter()
            .filter_map(|l| l.strip_prefix(SET_LABEL).map(str::trim))
    }

    fn set(&self, name: &str) -> Option<&HashtagSet> {
        self.hashtag_sets.iter().find(|s| s.name == name)
    }
}

fn tag_links(text: &str, tag: &dyn Fn(&str) -> String) -> String {
    URL_RE
        .replace_all(text, |c: &regex::Captures<'_>| {
            let m = &c[0];
            // Sentence punctuation after a link is not part of it.
            let end = m
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\''])
                .len();
            format!("{}{}", tag(&m[..end]), &m[end..])
        })
        .into_owned()
}

impl UtmRules {
    /// `link` with the UTM parameters added (those it has already are kept); unchanged when it
    /// is not a URL or its host is not one of [`hosts`](UtmRules::hosts).
    ///
    /// ```
    /// use socialkit::engine::UtmRules;
    /// let u = UtmRules { medium: "social".into(), source_by_channel: [("acme-li".into(), "linkedin-company".into())].into(), content_is_channel: true, hosts: vec![] };
    /// assert_eq!(
    ///     u.tag("https://acme.example/?utm_medium=email", "linkedin", &"acme-li".into(), None),
    ///     "https://acme.example/?utm_medium=email&utm_source=linkedin-company&utm_content=acme-li"
    /// );
    /// ```
    pub fn tag(
        &self,
        link: &str,
        platform: &str,
        channel: &ChannelId,
        campaign: Option<&str>,
    ) -> String {
        let Ok(mut url) = Url::parse(link) else {
            return link.to_string();
        };
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let ours = self.hosts.is_empty()
            || self.hosts.iter().any(|h| {
                let h = h.to_ascii_lowercase();
                host == h || host.ends_with(&format!(".{h}"))
            });
        if !ours {
            return link.to_string();
        }
        let source = self
            .source_by_channel
            .get(channel)
            .map(String::as_str)
            .unwrap_or(platform);
        let mut wanted: Vec<(&str, &str)> =
            vec![("utm_source", source), ("utm_medium", &self.medium)];
        if let Some(c) = campaign {
            wanted.push(("utm_campaign", c));
        }
        if self.content_is_channel {
            wanted.push(("utm_content", channel.as_str()));
        }
        let present: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        let missing: Vec<_> = wanted
            .into_iter()
            .filter(|(k, _)| !present.iter().any(|p| p == k))
            .collect();
        if missing.is_empty() {
            return link.to_string();
        }
        url.query_pairs_mut().extend_pairs(missing);
        url.to_string()
    }
}

/// One profile field that differs between channels (or from the brand's profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDifference {
    /// `"display_name"`, `"bio"` or `"website"`.
    pub field: String,
    /// The brand's value, where the rules give one.
    pub expected: Option<String>,
    /// Each distinct value (as the first channel showing it has it; `None`: not set) and the
    /// channels that show it.
    pub values: Vec<(Option<String>, Vec<ChannelId>)>,
}

/// The result of comparing the channels' public profiles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileReport {
    /// Each channel's profile as read from the platform.
    pub profiles: Vec<(ChannelId, Profile)>,
    /// What differs.
    pub differences: Vec<ProfileDifference>,
    /// Channels whose profile could not be read.
    pub errors: Vec<(ChannelId, ErrorRecord)>,
}

impl ProfileReport {
    /// Compares profiles, field by field, after normalising (trimmed, whitespace collapsed,
    /// case-insensitive names; websites without scheme, `www.` and trailing slash).
    ///
    /// ```
    /// use socialkit::engine::ProfileReport;
    /// use socialkit::model::Profile;
    /// let p = |name: &str, web: &str| Profile { display_name: Some(name.into()), website: Some(web.into()), ..Profile::default() };
    /// let r = ProfileReport::compare(vec![
    ///     ("x".into(), p("ACME", "https://acme.example/")),
    ///     ("m".into(), p("ACME ", "http://www.acme.example")),
    ///     ("b".into(), p("Acme Anvils", "https://acme.example")),
    /// ], None);
    /// assert_eq!(r.differences.len(), 1);
    /// assert_eq!(r.differences[0].field, "display_name");
    /// assert_eq!(r.differences[0].values[1].1, vec!["b".into()] as Vec<socialkit::store::ChannelId>);
    /// ```
    pub fn compare(profiles: Vec<(ChannelId, Profile)>, expected: Option<&Profile>) -> Self {
        type Get = fn(&Profile) -> Option<&String>;
        type Norm = fn(&str) -> String;
        let fields: [(&str, Get, Norm); 3] = [
            ("display_name", |p| p.display_name.as_ref(), norm_text),
            ("bio", |p| p.bio.as_ref(), norm_text),
            ("website", |p| p.website.as_ref(), norm_site),
        ];
        let mut differences = Vec::new();
        for (field, get, norm) in fields {
            let mut groups: Vec<(Option<String>, Option<String>, Vec<ChannelId>)> = Vec::new();
            for (ch, p) in &profiles {
                let raw = get(p).cloned();
                let key = raw.as_deref().map(norm).filter(|s| !s.is_empty());
                match groups.iter_mut().find(|g| g.0 == key) {
                    Some(g) => g.2.push(ch.clone()),
                    None => groups.push((key, raw, vec![ch.clone()])),
                }
            }
            let want = expected.and_then(get).cloned();
            let want_key = want.as_deref().map(norm);
            let off_brand = want_key.is_some() && groups.iter().any(|g| g.0 != want_key);
            if groups.len() > 1 || off_brand {
                differences.push(ProfileDifference {
                    field: field.to_string(),
                    expected: want,
                    values: groups.into_iter().map(|(_, raw, chs)| (raw, chs)).collect(),
                });
            }
        }
        ProfileReport {
            profiles,
            differences,
            errors: Vec::new(),
        }
    }
}

fn norm_text(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn norm_site(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').to_string()
}

impl Engine {
    /// The workspace's brand rules (empty when none are set).
    pub async fn brand_rules(&self, ws: &WorkspaceId) -> Result<BrandRules> {
        match self.setting_of(ws, BRAND_KEY).await? {
            Some(v) => serde_json::from_value(v).map_err(|e| {
                Error::new(ErrorKind::Storage, "stored brand rules are invalid").with_source(e)
            }),
            None => Ok(BrandRules::default()),
        }
    }

    /// Sets the workspace's brand rules (owners only).
    pub async fn set_brand_rules(
        &self,
        ws: &WorkspaceId,
        who: &str,
        rules: &BrandRules,
    ) -> Result<()> {
        self.require(ws, who, Permission::Manage).await?;
        let v = serde_json::to_value(rules)?;
        self.writing_workspace(ws, self.store().put_setting(ws, BRAND_KEY, &v))
            .await
    }

    /// Reads every connected channel's public profile and reports what differs between them
    /// and from the brand's profile (viewers and up).
    pub async fn profile_check(&self, ws: &WorkspaceId, who: &str) -> Result<ProfileReport> {
        self.require(ws, who, Permission::Read).await?;
        let rules = self.brand_rules(ws).await?;
        let mut profiles = Vec::new();
        let mut errors = Vec::new();
        for rec in self.store().channels(ws).await? {
            let Some(platform) = self.platform(ws, &rec.id) else {
                continue;
            };
            match platform.channel().await {
                Ok(c) => profiles.push((rec.id, c.profile)),
                Err(e) => errors.push((rec.id, e.to_record())),
            }
        }
        let mut report = ProfileReport::compare(profiles, rules.profile.as_ref());
        report.errors = errors;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert!(contains_word("Buy CHEAP now", "cheap"));
        assert!(!contains_word("cheapest", "cheap"));
        assert!(contains_word("Great deal #ad", "#ad"));
        assert!(!contains_word("#adventure", "#ad"));
        assert!(contains_word("we say ACME Anvils!", "acme anvils"));
    }

    #[test]
    fn unknown_sets_are_violations() {
        let r = BrandRules::default();
        let p = Post::text("x").with_label("hashtags:nope");
        assert_eq!(
            r.check(&p),
            vec![Violation::UnknownHashtagSet {
                name: "nope".into()
            }]
        );
    }

    #[test]
    fn expected_profile_flags_even_when_channels_agree() {
        let p = Profile {
            bio: Some("We make anvils".into()),
            ..Profile::default()
        };
        let want = Profile {
            bio: Some("We make the best anvils".into()),
            ..Profile::default()
        };
        let r = ProfileReport::compare(vec![("a".into(), p.clone()), ("b".into(), p)], Some(&want));
        assert_eq!(r.differences.len(), 1);
        assert_eq!(
            r.differences[0].expected.as_deref(),
            Some("We make the best anvils")
        );
    }
}
