//! What a LinkedIn channel's token may do, from the scopes it was granted.
//!
//! LinkedIn splits its APIs by product, and the products by scope:
//!
//! | scope | product | what it allows |
//! |---|---|---|
//! | `w_member_social` | Share on LinkedIn (self-serve) | post, comment and delete as the member; comments go through `/v2/socialActions` |
//! | `r_member_social` | restricted ("granted to select developers only") | read the member's posts, their comments and social metadata |
//! | `w_member_social_feed`, `r_member_social_feed` | Community Management API | comments through the versioned `/rest/socialActions` |
//! | `w_organization_social`, `r_organization_social` | Community Management API | post, comment and read as a page the member administers |
//! | `rw_organization_admin` | Community Management API | organization lookups and share statistics |
//!
//! Sources: the Comments API's permission table
//! (<https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api>:
//! "`r_member_social` Restricted … granted to select developers only"), the Posts API's
//! (<https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api>),
//! and Share on LinkedIn
//! (<https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/share-on-linkedin>).
//! The `*_feed` member scopes are named by third-party clients only (**unverified** in a stored
//! LinkedIn page).
//!
//! Without a reading scope a member channel cannot list its recent posts, so its capabilities
//! say `recent_posts: false` and no interactions: the engine then knows an in-doubt delivery
//! cannot be checked by listing, and the inbox does not poll a channel whose every read would
//! be a 403.
//!
//! ```
//! use socialkit::adapters::linkedin::grant::Grant;
//! // A self-serve member app: post and comment, read nothing.
//! let g = Grant::of(false, Some(&["openid".into(), "profile".into(), "w_member_social".into()]));
//! assert!(!g.read_social && !g.community_management);
//! // Scopes unknown: a member is assumed self-serve, a page is assumed to have Community Management.
//! assert!(!Grant::of(false, None).read_social);
//! assert!(Grant::of(true, None).read_social);
//! ```

/// What the token of one channel may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Read the author's posts, their comments and social metadata (`r_member_social` for a
    /// member, `r_organization_social` for a page).
    pub read_social: bool,
    /// Community Management API access: comments are created and deleted through the
    /// versioned `/rest/socialActions` (otherwise through `/v2/socialActions`).
    pub community_management: bool,
    /// Organization share statistics (`rw_organization_admin`).
    pub statistics: bool,
}

/// The restricted member read scope.
pub const R_MEMBER_SOCIAL: &str = "r_member_social";
/// Community Management scopes for members (named by third-party clients; **unverified**).
pub const MEMBER_FEED_SCOPES: [&str; 2] = ["w_member_social_feed", "r_member_social_feed"];

impl Grant {
    /// The grant of a member (`organization == false`) or page channel whose token carries
    /// `scopes` (`None`: not known).
    ///
    /// Unknown scopes are read as the common case of each kind of author: a member app has the
    /// self-serve products only (nothing to read), a page app has Community Management (it
    /// cannot post as a page without it).
    pub fn of(organization: bool, scopes: Option<&[String]>) -> Grant {
        let has = |s: &str| scopes.is_some_and(|all| all.iter().any(|g| g == s));
        match (organization, scopes) {
            (true, None) => Grant {
                read_social: true,
                community_management: true,
                statistics: true,
            },
            (true, Some(_)) => Grant {
                read_social: has("r_organization_social"),
                community_management: true,
                statistics: has("rw_organization_admin"),
            },
            (false, _) => Grant {
                read_social: has(R_MEMBER_SOCIAL),
                community_management: MEMBER_FEED_SCOPES.iter().any(|s| has(s)),
                statistics: false,
            },
        }
    }

    /// The path prefix of the Comments API this grant may use: `rest` (versioned, Community
    /// Management) or `v2` (`w_member_social`).
    ///
    /// ```
    /// use socialkit::adapters::linkedin::grant::Grant;
    /// assert_eq!(Grant::of(false, None).comments_api(), "v2");
    /// assert_eq!(Grant::of(true, None).comments_api(), "rest");
    /// ```
    pub fn comments_api(&self) -> &'static str {
        if self.community_management {
            "rest"
        } else {
            "v2"
        }
    }
}

/// Splits a granted scope string as LinkedIn writes it (comma-separated in token answers,
/// space-separated in authorization URLs) into scopes.
///
/// ```
/// let s = socialkit::adapters::linkedin::grant::parse_scopes("openid,profile w_member_social");
/// assert_eq!(s, ["openid", "profile", "w_member_social"]);
/// ```
pub fn parse_scopes(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
