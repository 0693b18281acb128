//! LinkedIn (Posts API, versioned REST), behind the cargo feature `linkedin`.
//!
//! Every call carries `X-Restli-Protocol-Version: 2.0.0`; calls to the versioned `/rest` APIs
//! also `LinkedIn-Version: YYYYMM` (from the config, default
//! [`config::DEFAULT_VERSION`]). LinkedIn serves each monthly version for about a year and
//! answers 426 `NONEXISTENT_VERSION` for a retired one: that is a `ConfigInvalid` error that
//! names the version sent and says to set `version=YYYYMM`.
//!
//! - **Authors**: a member (`urn:li:person:…`) or an organization page
//!   (`urn:li:organization:…`); without one in the config, the member behind the token.
//! - **What the token may do** ([`grant`]): capabilities follow the scopes granted (`scopes`
//!   in the config, e.g. from the token answer's `scope`). A self-serve member app
//!   (`w_member_social`) posts, comments and deletes but reads nothing: no recent posts (so the
//!   engine knows an in-doubt delivery cannot be checked by listing), no comments, no metrics —
//!   those need the restricted `r_member_social`. Unknown scopes: a member is taken to be
//!   self-serve, a page to have Community Management.
//! - **Publish** `POST /rest/posts` (201, the post URN in `x-restli-id`): the text becomes
//!   little-text `commentary` ([`crate::text::linkedin::commentary`]: hashtags stay hashtags,
//!   every other reserved character is escaped, so LinkedIn never cuts the post). **What
//!   counts**: the text is checked against 3000 UTF-16 units as written, and then the
//!   escaped commentary is checked again (LinkedIn does not say whether escapes count; counting
//!   them can only refuse a post LinkedIn would take, never let one through that it would cut).
//!   One image or video or PDF document (`content.media`, alt text), several images
//!   (`multiImage`, up to 20), or a link (`content.article`); media kinds are not mixed.
//!   Uploads: images and documents `initializeUpload` → `PUT`; videos `initializeUpload` →
//!   `PUT` every byte range collecting the `ETag`s → `finalizeUpload`; then polling until
//!   `AVAILABLE` (images and documents whose status the token may not read are used after
//!   the upload). A post with `reply_to` becomes a comment on that post.
//! - **No threads**: LinkedIn has none, so `threads` is `false` and a thread is refused
//!   before any request with `Unsupported` naming linkedin (split it into a post and your own
//!   comments, or several posts).
//! - **No idempotency**: creates are sent once; `DUPLICATE_POST` maps to `Duplicate`;
//!   reconciliation reads [`recent_posts`](Platform::recent_posts) where the grant allows it.
//! - **Delete** `DELETE /rest/posts/{urn}` (with `X-RestLi-Method: DELETE`) after a `GET` of
//!   the post where the token may read it, because LinkedIn's delete answers 204 for a post
//!   already gone: a missing post is then `NotFound` as on every platform (a self-serve member
//!   cannot tell, and its second delete succeeds). A comment (a reply) is deleted through the
//!   Comments API, never `/rest/posts`.
//! - **Interactions**: comments (`GET /{rest|v2}/socialActions/{urn}/comments`) on the author's
//!   [`scan_posts`](LinkedInConfig::scan_posts) most recent posts, oldest first from a
//!   cursor; replies are comments: `POST /rest/socialActions/{target}/comments` with Community
//!   Management access, `/v2/socialActions` for a self-serve member; a nested reply is created
//!   on its parent comment's path with `parentComment`, under the top-level comment (LinkedIn
//!   nests one level).
//! - **Metrics**: reactions and comments from `socialMetadata`; for organizations also
//!   impressions, reach, clicks and reshares from `organizationalEntityShareStatistics`.
//! - **Tokens** live 60 days: [`LinkedIn::token_expires_at`] and
//!   [`LinkedIn::reconnect_due`] warn ahead; an expired or revoked token is an
//!   `Unauthenticated` error that says to reconnect.
//! - **Rate limits**: no headers; a 429 waits until the next 00:00 UTC ([`errors`]).
//!
//! Every endpoint, its source and what is unverified: `docs/api-audit.md`.
//!
//! ```no_run
//! use socialkit::adapters::linkedin::LinkedIn;
//! use socialkit::PlatformExt;
//! # async fn demo() -> socialkit::Result<()> {
//! let li = LinkedIn::from_url_str("linkedin://TOKEN@api.linkedin.com?author=urn:li:organization:123")?;
//! let published = li.publish_text("We are hiring #rust (remote)").await?;
//! println!("{}", published.url().unwrap_or_default());
//! # Ok(()) }
//! ```

#[allow(
    dead_code,
    reason = "wire types mirror the documented shapes; not every field is read by the adapter"
)]
pub(crate) mod api;
pub mod config;
pub mod errors;
pub mod grant;
mod media;
pub mod oauth;
mod publish;
mod read;
#[cfg(feature = "testkit")]
pub mod twin;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;
use url::Url;

pub use config::LinkedInConfig;
pub use grant::Grant;

use crate::adapters::base::Adapter;
use crate::auth::{Secret, TokenManager, channel_tokens};
use crate::http::{Call, Client, Response};
use crate::model::{
    Channel, Interaction, InteractionKind, InteractionQuery, InteractionRef, MediaKind, Metric,
    Page, Post, PostMetrics, PostRef, PublishOptions, Published, RecentPost,
};
use crate::platform::{Capabilities, Idempotency, MediaLimits, Operation, Platform};
use crate::{Error, Registry, Result};

use errors::LinkedInErrors;

/// The platform's name.
///
/// ```
/// assert_eq!(socialkit::adapters::linkedin::PLATFORM, "linkedin");
/// ```
pub const PLATFORM: &str = "linkedin";
/// The Rest.li protocol version sent with every call.
pub const RESTLI_PROTOCOL: &str = "2.0.0";

/// Registers the `linkedin` scheme.
pub(crate) fn register(registry: &mut Registry) {
    registry.register(
        PLATFORM,
        Arc::new(|url: &Url| {
            Ok(Arc::new(LinkedIn::new(LinkedInConfig::from_url(url)?)) as Arc<dyn Platform>)
        }),
        Arc::new(|value: serde_json::Value| {
            let config: LinkedInConfig = crate::registry::settings(PLATFORM, value)?;
            Ok(Arc::new(LinkedIn::new(config)) as Arc<dyn Platform>)
        }),
    );
}

/// LinkedIn's capabilities for a member (`organization == false`) or an organization page
/// whose token has `grant` ([`grant`] says which scope allows what).
///
/// What can be read follows the grant: a member app without the restricted `r_member_social`
/// lists no recent posts (so the engine knows an in-doubt delivery cannot be checked by
/// listing), reads no comments and no metrics; it can still post, comment and delete.
///
/// ```
/// use socialkit::adapters::linkedin::{capabilities, grant::Grant};
/// use socialkit::model::Metric;
/// let self_serve = capabilities(false, Grant::of(false, None));
/// assert!(!self_serve.post_threads && self_serve.reply && self_serve.delete);
/// assert!(!self_serve.recent_posts && self_serve.interactions.is_empty() && self_serve.metrics.is_empty());
/// let approved = capabilities(false, Grant::of(false, Some(&["w_member_social".into(), "r_member_social".into()])));
/// assert!(approved.recent_posts && approved.metrics.contains(&Metric::Likes));
/// assert!(!approved.metrics.contains(&Metric::Impressions));
/// let org = capabilities(true, Grant::of(true, None));
/// assert!(org.recent_posts && org.metrics.contains(&Metric::Impressions));
/// ```
pub fn capabilities(organization: bool, grant: Grant) -> Capabilities {
    let mut c = Capabilities::new(PLATFORM, crate::text::rules::linkedin());
    c.media = MediaLimits {
        max_count: media::MAX_IMAGES,
        kinds: vec![
            MediaKind::Image,
            MediaKind::Gif,
            MediaKind::Video,
            MediaKind::Document,
        ],
        mime_types: [
            "image/jpeg",
            "image/png",
            "image/gif",
            "video/mp4",
            "application/pdf",
        ]
        .map(String::from)
        .to_vec(),
        max_image_bytes: Some(media::MAX_IMAGE_BYTES),
        max_video_bytes: Some(media::MAX_VIDEO_BYTES),
        max_videos: 1,
        alt_text_max: Some(4086),
        alt_text_required: false,
    };
    c.post_threads = false;
    c.link_cards = true;
    c.delete = true;
    c.reply = true;
    c.interactions = if grant.read_social {
        vec![InteractionKind::Comment]
    } else {
        Vec::new()
    };
    c.metrics = Vec::new();
    if organization && grant.statistics {
        c.metrics.extend([
            Metric::Impressions,
            Metric::Reach,
            Metric::Reposts,
            Metric::Clicks,
        ]);
    }
    if grant.read_social {
        c.metrics.extend([Metric::Likes, Metric::Replies]);
    }
    c.idempotency = Idempotency::None;
    c.recent_posts = grant.read_social;
    c
}

/// One LinkedIn author, as socialkit talks to it. See the [module docs](self).
///
/// ```
/// use socialkit::adapters::linkedin::{LinkedIn, LinkedInConfig};
/// let li = LinkedIn::new(LinkedInConfig::new("secret-token").unwrap());
/// assert!(!format!("{li:?}").contains("secret-token"));
/// ```
pub struct LinkedIn {
    config: LinkedInConfig,
    client: Client,
    tokens: TokenManager,
    caps: Capabilities,
    author: OnceCell<String>,
    /// The fixed endpoints' URLs, built once.
    endpoints: crate::http::Endpoints,
}

impl fmt::Debug for LinkedIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkedIn")
            .field("base_url", &self.config.base_url.as_str())
            .field("author", &self.config.author)
            .field("version", &self.config.version)
            .field("token", &"***")
            .finish()
    }
}

impl LinkedIn {
    /// An adapter with the default HTTP client. No network call is made here.
    pub fn new(config: LinkedInConfig) -> Self {
        Self::with_client(config, Client::default())
    }

    /// An adapter from a channel URL (see [`config`]).
    pub fn from_url_str(url: &str) -> Result<Self> {
        Ok(Self::new(LinkedInConfig::from_url_str(url)?))
    }

    /// Like [`LinkedIn::new`], sending through `client` (its clock paces media polling and
    /// token expiry).
    pub fn with_client(config: LinkedInConfig, client: Client) -> Self {
        let tokens = channel_tokens(
            PLATFORM,
            &config.token,
            config.expires_at,
            config.refresh.as_ref(),
            |r| {
                let mut c = oauth::config(&r.client_id, "", "", &[]);
                c.client_secret = None;
                c
            },
            &client,
        );
        Self::with_tokens(config, client, tokens)
    }

    /// Like [`LinkedIn::with_client`], with a token manager of your own.
    pub fn with_tokens(config: LinkedInConfig, client: Client, tokens: TokenManager) -> Self {
        let caps = capabilities(config.is_organization(), config.grant());
        let author = OnceCell::new_with(config.author.clone());
        LinkedIn {
            config,
            client,
            tokens,
            caps,
            author,
            endpoints: crate::http::Endpoints::default(),
        }
    }

    /// The token manager.
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    /// When the access token expires, when known (from the config or a refresh).
    pub async fn token_expires_at(&self) -> Option<DateTime<Utc>> {
        self.tokens.token().await.expires_at
    }

    /// Whether the account should be reconnected now: its token expires within `within`
    /// (or has expired) and cannot be refreshed. The engine turns this into a "needs
    /// reconnect" event ahead of the 60-day expiry.
    ///
    /// ```
    /// use socialkit::adapters::linkedin::{LinkedIn, LinkedInConfig};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut config = LinkedInConfig::new("t").unwrap();
    /// config.expires_at = Some(chrono::Utc::now() + chrono::Duration::days(5));
    /// let li = LinkedIn::new(config);
    /// assert!(li.reconnect_due(chrono::Duration::days(7)).await);
    /// assert!(!li.reconnect_due(chrono::Duration::days(1)).await);
    /// # });
    /// ```
    pub async fn reconnect_due(&self, within: chrono::Duration) -> bool {
        let token = self.tokens.token().await;
        token.refresh_token.is_none()
            && oauth::reconnect_due(token.expires_at, self.client.now(), within)
    }

    /// Sends `call` with the token and LinkedIn's headers and errors. `LinkedIn-Version` goes
    /// to the versioned `/rest` APIs only (the `/v2` ones are unversioned); a version LinkedIn
    /// no longer serves is a `ConfigInvalid` error naming the version sent.
    pub(crate) async fn send(&self, call: Call) -> Result<Response> {
        let mut call = call.header("X-Restli-Protocol-Version", RESTLI_PROTOCOL);
        if call.url().path().contains("/rest/") {
            call = call.header("LinkedIn-Version", &self.config.version);
        }
        self.tokens
            .send(&self.client, &LinkedInErrors, |token: &Secret| {
                call.clone().bearer(token)
            })
            .await
            .map_err(|e| self.version_error(e))
    }

    /// Names the version sent in a [`errors::NONEXISTENT_VERSION`] error.
    fn version_error(&self, e: crate::Error) -> crate::Error {
        if e.kind() != crate::ErrorKind::ConfigInvalid || e.context().http_status.is_none() {
            return e;
        }
        let mut out = crate::Error::config(format!(
            "{} (this channel sends LinkedIn-Version {}; socialkit's default is {})",
            errors::VERSION_ADVICE,
            self.config.version,
            config::DEFAULT_VERSION
        ))
        .with_platform(PLATFORM);
        let ctx = e.context();
        if let Some(op) = ctx.operation.clone() {
            out = out.with_operation(op);
        }
        if let Some(status) = ctx.http_status {
            out = out.with_http_status(status);
        }
        if let Some(code) = ctx.platform_code.clone() {
            out = out.with_platform_code(code);
        }
        if let Some(m) = ctx.platform_message.clone() {
            out = out.with_platform_message(m);
        }
        out
    }

    pub(crate) fn endpoint(&self, path: &str) -> Result<Url> {
        self.config.endpoint(path)
    }

    /// The author URN: from the config, else the member behind the token (once).
    pub(crate) async fn author(&self) -> Result<String> {
        self.author
            .get_or_try_init(|| async {
                let me = self.userinfo().await?;
                Ok(format!("urn:li:person:{}", me.0))
            })
            .await
            .cloned()
    }
}

/// Percent-encodes a URN for a path segment or a Rest.li list.
pub(crate) fn encode(urn: &str) -> String {
    url::form_urlencoded::byte_serialize(urn.as_bytes()).collect()
}

/// The link of a post.
pub(crate) fn post_url(urn: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{urn}/")
}

#[async_trait]
impl Adapter for LinkedIn {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// A read the token's scopes do not allow says which scope is missing.
    fn unsupported(&self, op: Operation) -> Error {
        match op {
            Operation::Interactions => self.scope_missing("comments"),
            Operation::PostMetrics => self.scope_missing("post metrics"),
            Operation::RecentPosts => self.scope_missing("recent posts"),
            _ => Error::unsupported(PLATFORM, op.as_str()),
        }
    }

    async fn channel(&self) -> Result<Channel> {
        self.read_channel().await
    }

    async fn publish(&self, post: &Post, _opts: &PublishOptions) -> Result<Published> {
        self.publish_post(post).await
    }

    async fn delete(&self, post: &PostRef) -> Result<()> {
        self.delete_post(post).await
    }

    async fn interactions(&self, query: &InteractionQuery) -> Result<Page<Interaction>> {
        self.read_comments(query).await
    }

    async fn reply(
        &self,
        to: &InteractionRef,
        post: &Post,
        _opts: &PublishOptions,
    ) -> Result<Published> {
        self.reply_to_comment(to, post).await
    }

    async fn post_metrics(&self, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
        self.read_metrics(posts).await
    }

    async fn recent_posts(&self, limit: usize) -> Result<Vec<RecentPost>> {
        self.read_recent(limit).await
    }
}

/// One entry of `GET /rest/organizationAcls?q=roleAssignee` (source:
/// <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role>:
/// `{"elements": [{"role", "organization", "roleAssignee", "state"}], "paging": {"start",
/// "count", "total"}}`).
#[derive(Debug, serde::Deserialize)]
struct OrganizationAcl {
    organization: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct OrganizationAcls {
    #[serde(default)]
    elements: Vec<OrganizationAcl>,
}

impl LinkedIn {
    /// The `localizedName` of organization `urn` (`GET /rest/organizations/{id}`); `None` when
    /// LinkedIn refuses or does not know it.
    async fn organization_name(&self, urn: &str) -> Result<Option<String>> {
        let id = urn.trim_start_matches("urn:li:organization:");
        let url = self.endpoint(&format!(
            "rest/organizations/{}",
            url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        ))?;
        match self.send(Call::get(PLATFORM, "organizations", url)).await {
            Ok(r) => Ok(r
                .json::<serde_json::Value>()?
                .get("localizedName")
                .and_then(|n| n.as_str())
                .filter(|n| !n.trim().is_empty())
                .map(str::to_string)),
            Err(e)
                if matches!(
                    e.kind(),
                    crate::ErrorKind::NotFound | crate::ErrorKind::PermissionDenied
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The organizations the token's member administers (approved `ADMINISTRATOR` role,
    /// `GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`), each as
    /// an account to choose in the connect flow: a channel config that posts as the
    /// organization (`author = urn:li:organization:…`) with this channel's token and settings.
    /// Needs the `rw_organization_admin` scope; without it LinkedIn answers 403
    /// (`PermissionDenied`).
    ///
    /// Each account is named by the organization's `localizedName`, looked up with
    /// `GET /rest/organizations/{id}` ("Retrieve an Administered Organization",
    /// <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api>);
    /// an organization LinkedIn will not describe (403/404) keeps its URN as its name.
    ///
    /// ```no_run
    /// # async fn demo(member: socialkit::adapters::linkedin::LinkedIn) -> socialkit::Result<()> {
    /// use socialkit::auth::connect::choose;
    /// let orgs = member.administered_organizations().await?;
    /// let chosen = choose(orgs, "urn:li:organization:2414183")?;
    /// # let _ = chosen; Ok(()) }
    /// ```
    pub async fn administered_organizations(&self) -> Result<Vec<crate::auth::connect::Account>> {
        use crate::auth::connect::{Account, AccountKind};
        let mut url = self.endpoint("rest/organizationAcls")?;
        url.query_pairs_mut()
            .append_pair("q", "roleAssignee")
            .append_pair("role", "ADMINISTRATOR")
            .append_pair("state", "APPROVED")
            .append_pair("count", "100");
        let answer: OrganizationAcls = self
            .send(Call::get(PLATFORM, "organizations", url))
            .await?
            .json()?;
        let token = self.tokens.token().await;
        let mut accounts = Vec::new();
        for acl in answer.elements {
            if acl.role.as_deref().is_some_and(|r| r != "ADMINISTRATOR")
                || acl.state.as_deref().is_some_and(|s| s != "APPROVED")
                || !acl.organization.starts_with("urn:li:organization:")
            {
                continue;
            }
            let mut config = self.config.clone();
            config.token = token.access_token.clone();
            config.expires_at = token.expires_at;
            config.author = Some(acl.organization.clone());
            let settings = serde_json::to_value(&config)
                .map_err(|e| crate::Error::unexpected(e.to_string()))?;
            let name = self.organization_name(&acl.organization).await?;
            accounts.push(Account::new(
                AccountKind::LinkedInOrganization,
                acl.organization.clone(),
                name.unwrap_or_else(|| acl.organization.clone()),
                PLATFORM,
                settings,
            ));
        }
        Ok(accounts)
    }
}
