//! Page access tokens from a user token: what an app runs once when a Page is connected.
//!
//! Facebook Login gives a short-lived user token; [`fb_exchange_token`](crate::auth::meta::fb_exchange_token)
//! trades it for a long-lived one (about 60 days); `GET /me/accounts` then lists the Pages the
//! user manages with a Page access token each. Page tokens obtained from a long-lived user
//! token do not expire (until the user changes the password, loses the Page role or removes the
//! app), so a channel keeps working without refreshes.

use std::fmt;

use serde::Deserialize;
use url::Url;

use super::PLATFORM;
use crate::adapters::graph::TokenPlacement;
use crate::adapters::graph::api::{From, id_string};
use crate::adapters::graph::client::Graph;
use crate::auth::{Secret, Token, TokenManager, meta};
use crate::http::Client;
use crate::{Error, Result};

/// A Page the user can manage, with its Page access token.
///
/// ```
/// use socialkit::adapters::facebook::PageAccount;
/// let p = PageAccount { id: "1".into(), name: "ACME".into(), access_token: "EAAP".into(), instagram_business_account: None };
/// assert!(!format!("{p:?}").contains("EAAP"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PageAccount {
    /// The Page's id.
    pub id: String,
    /// The Page's name.
    pub name: String,
    /// The Page access token (does not expire when it comes from a long-lived user token).
    pub access_token: Secret,
    /// The Instagram professional account linked to the Page, when there is one (its id is the
    /// `ig_user_id` of an [`InstagramConfig`](crate::adapters::instagram::InstagramConfig)).
    pub instagram_business_account: Option<String>,
}

impl fmt::Debug for PageAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageAccount")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("access_token", &self.access_token)
            .field(
                "instagram_business_account",
                &self.instagram_business_account,
            )
            .finish()
    }
}

#[derive(Deserialize)]
struct Account {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    instagram_business_account: Option<From>,
}

/// Lists the Pages `user_token` can manage (`GET /me/accounts?fields=id,name,access_token,
/// instagram_business_account`), following cursors. `graph` is the versioned API base
/// (`https://graph.facebook.com/v23.0`). Pages the answer gives no token for are left out.
///
/// ```no_run
/// # async fn demo(http: socialkit::http::Client) -> socialkit::Result<()> {
/// use socialkit::adapters::facebook::{FacebookConfig, page_accounts};
/// let graph = url::Url::parse("https://graph.facebook.com/v23.0")?;
/// let pages = page_accounts(&http, &graph, &"EAAUSER".into()).await?;
/// let page = &pages[0];
/// let config = FacebookConfig::new(page.id.clone(), page.access_token.clone())?;
/// # let _ = config; Ok(()) }
/// ```
pub async fn page_accounts(
    http: &Client,
    graph: &Url,
    user_token: &Secret,
) -> Result<Vec<PageAccount>> {
    let mut base = graph.clone();
    base.set_query(None);
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    if base.cannot_be_a_base() {
        return Err(Error::config("the Graph base URL cannot hold a path").with_platform(PLATFORM));
    }
    let tokens = TokenManager::fixed(PLATFORM, Token::new(user_token.clone()));
    let client = Graph::new(
        PLATFORM,
        "me",
        http.clone(),
        base,
        tokens,
        TokenPlacement::Query,
    );
    let accounts: Vec<Account> = client
        .list(
            "page_accounts",
            &["me", "accounts"],
            &[
                ("fields", "id,name,access_token,instagram_business_account"),
                ("limit", "100"),
            ],
            1000,
        )
        .await?;
    Ok(accounts
        .into_iter()
        .filter_map(|a| {
            Some(PageAccount {
                access_token: Secret::new(a.access_token.filter(|t| !t.is_empty())?),
                name: a.name.unwrap_or_default(),
                instagram_business_account: a.instagram_business_account.and_then(|i| i.id),
                id: a.id,
            })
        })
        .collect())
}

/// Connects Pages after Facebook Login: trades the short-lived user token for a long-lived one
/// ([`meta::fb_exchange_token`]), then lists the Pages with their (non-expiring) Page tokens.
/// Returns the long-lived user token too (about 60 days; it cannot be refreshed, only renewed
/// by a new login).
///
/// ```no_run
/// # async fn demo(http: socialkit::http::Client) -> socialkit::Result<()> {
/// use socialkit::adapters::facebook::connect_pages;
/// let graph = url::Url::parse("https://graph.facebook.com/v23.0")?;
/// let (user, pages) = connect_pages(&http, &graph, "app-id", &"app-secret".into(), &"short".into()).await?;
/// println!("user token expires {:?}; {} pages", user.expires_at, pages.len());
/// # Ok(()) }
/// ```
pub async fn connect_pages(
    http: &Client,
    graph: &Url,
    app_id: &str,
    app_secret: &Secret,
    short_lived_user_token: &Secret,
) -> Result<(Token, Vec<PageAccount>)> {
    let long =
        meta::fb_exchange_token(http, graph, app_id, app_secret, short_lived_user_token).await?;
    let pages = page_accounts(http, graph, &long.access_token).await?;
    Ok((long, pages))
}

/// The accounts a Facebook Login lets the user choose from, ready to store: every Page (a
/// `facebook` channel with its Page token) and every Instagram professional account linked to
/// one (an `instagram` channel with the same Page token, as Instagram's Graph API through
/// Facebook Login expects). Each token's expiry is discovered with Meta's token debug endpoint
/// ([`meta::discover_expiry`], authenticated as the app `APP_ID|APP_SECRET`) and kept as
/// `token_expires_at` — Page tokens from a long-lived user token report none.
///
/// Choose one with [`choose`](crate::auth::connect::choose) and store it with
/// `Engine::connect_stored(…, ChannelSource::from(account))`.
///
/// ```no_run
/// # async fn demo(http: socialkit::http::Client) -> socialkit::Result<()> {
/// use socialkit::adapters::facebook::connect_accounts;
/// use socialkit::auth::connect::choose;
/// let graph = url::Url::parse("https://graph.facebook.com/v23.0")?;
/// let (_user, accounts) = connect_accounts(&http, &graph, "app-id", &"app-secret".into(), &"short".into()).await?;
/// for a in &accounts { println!("{:?} {} {}", a.kind, a.id, a.name); }
/// let chosen = choose(accounts, "1234")?;
/// # let _ = chosen; Ok(()) }
/// ```
pub async fn connect_accounts(
    http: &Client,
    graph: &Url,
    app_id: &str,
    app_secret: &Secret,
    short_lived_user_token: &Secret,
) -> Result<(Token, Vec<crate::auth::connect::Account>)> {
    use crate::auth::connect::{Account, AccountKind};
    let (user, pages) =
        connect_pages(http, graph, app_id, app_secret, short_lived_user_token).await?;
    let app_token = Secret::new(format!("{app_id}|{}", app_secret.expose()));
    // Where the channels reach the Graph API: a non-default host (a twin) and the version.
    let base = (graph.host_str() != Some("graph.facebook.com")).then(|| {
        let mut origin = graph.clone();
        origin.set_path("/");
        origin.set_query(None);
        origin.to_string()
    });
    let version = graph
        .path_segments()
        .and_then(|mut s| s.find(|p| p.starts_with('v') && p.len() > 1))
        .map(str::to_string);
    let mut out = Vec::new();
    for page in pages {
        let mut token = Token::new(page.access_token.clone());
        meta::discover_expiry(http, graph, &mut token, &app_token).await?;
        let mut settings = serde_json::json!({ "token": page.access_token.expose() });
        if let Some(b) = &base {
            settings["base_url"] = b.clone().into();
        }
        if let Some(v) = &version {
            settings["version"] = v.clone().into();
        }
        if let Some(at) = token.expires_at {
            settings["token_expires_at"] = serde_json::json!(at);
        }
        if let Some(ig) = &page.instagram_business_account {
            let mut ig_settings = settings.clone();
            ig_settings["ig_user_id"] = ig.clone().into();
            out.push(Account::new(
                AccountKind::InstagramAccount,
                ig.clone(),
                format!("Instagram account of {}", page.name),
                "instagram",
                ig_settings,
            ));
        }
        settings["page_id"] = page.id.clone().into();
        out.push(Account::new(
            AccountKind::FacebookPage,
            page.id.clone(),
            page.name.clone(),
            PLATFORM,
            settings,
        ));
    }
    Ok((user, out))
}
