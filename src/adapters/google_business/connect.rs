//! Connecting a location. After Google's authorization-code exchange with PKCE ([`oauth`](super::oauth),
//! [`crate::auth::connect`]) the token shows whom it belongs to only through the accounts it
//! may manage: [`locations`] lists them with the Account Management API's `accounts.list`
//! (`GET https://mybusinessaccountmanagement.googleapis.com/v1/accounts`, 20 a page;
//! <https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts/list>)
//! and each account's locations with the Business Information API's `accounts.locations.list`
//! (`GET https://mybusinessbusinessinformation.googleapis.com/v1/{parent=accounts/*}/locations`,
//! `readMask` required, 100 a page;
//! <https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list>).
//!
//! Every location becomes an [`Account`] whose settings are a [`GoogleBusinessConfig`] with
//! the access token, its expiry and the refresh setup (client id, secret and refresh token):
//! the caller lets the user pick one ([`choose`](crate::auth::connect::choose)) and stores it
//! with `Engine::connect_stored(…, ChannelSource::from(account))`, where the vault seals it.
//!
//! ```no_run
//! # async fn demo(http: socialkit::http::Client, cb: socialkit::auth::connect::Callback,
//! #     pending: socialkit::auth::connect::PendingConnect) -> socialkit::Result<()> {
//! use socialkit::adapters::google_business::{connect, oauth};
//! use socialkit::auth::connect::choose;
//! let config = oauth::config("app.apps.googleusercontent.com", "https://app.example/cb")
//!     .with_client_secret("GOCSPX-…");
//! let client = socialkit::auth::OAuth2Client::new("google_business", config.clone());
//! let token = pending.complete(&client, &http, &cb).await?;
//! let found = connect::locations(&http, &config, &token, &connect::Hosts::production()).await?;
//! for l in &found { println!("{} {}", l.id, l.name); }
//! let chosen = choose(found, "accounts/1/locations/2")?;
//! # let _ = chosen; Ok(()) }
//! ```

use url::Url;

use super::api::{AccountList, LocationList};
use super::config::API_BASE;
use super::errors::BusinessErrors;
use super::{GoogleBusinessConfig, PLATFORM};
use crate::auth::connect::{Account, AccountKind};
use crate::auth::{OAuth2Config, OAuth2Refresh, Token, google};
use crate::http::{Call, Client};
use crate::{Error, Result};

/// The Account Management API's host.
pub const ACCOUNT_MANAGEMENT: &str = "https://mybusinessaccountmanagement.googleapis.com/";
/// The Business Information API's host.
pub const BUSINESS_INFORMATION: &str = "https://mybusinessbusinessinformation.googleapis.com/";
/// Most pages read of each list (200 accounts, 1,000 locations an account).
const MAX_PAGES: usize = 10;

/// Where the three Business Profile APIs are: production, or one twin for all.
///
/// ```
/// use socialkit::adapters::google_business::connect::Hosts;
/// let p = Hosts::production();
/// assert_eq!(p.business_profile.as_str(), "https://mybusiness.googleapis.com/");
/// let t = Hosts::all_at(&url::Url::parse("http://127.0.0.1:9/").unwrap());
/// assert_eq!(t.account_management, t.business_information);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hosts {
    /// `accounts.list`.
    pub account_management: Url,
    /// `accounts.locations.list`.
    pub business_information: Url,
    /// Local posts and reviews (v4): the stored channel's `base_url`.
    pub business_profile: Url,
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| unreachable!("the Business Profile hosts are valid URLs"))
}

impl Hosts {
    /// Google's hosts.
    pub fn production() -> Self {
        Hosts {
            account_management: url(ACCOUNT_MANAGEMENT),
            business_information: url(BUSINESS_INFORMATION),
            business_profile: url(API_BASE),
        }
    }

    /// Every API at `base` (a twin).
    pub fn all_at(base: &Url) -> Self {
        Hosts {
            account_management: base.clone(),
            business_information: base.clone(),
            business_profile: base.clone(),
        }
    }
}

fn join(base: &Url, path: &str) -> Result<Url> {
    base.join(path).map_err(|e| {
        Error::config(format!("cannot build the google_business URL: {e}")).with_platform(PLATFORM)
    })
}

fn malformed(what: &str, name: &str) -> Error {
    Error::unexpected(format!(
        "Google answered a {what} named '{name}', not one socialkit can address"
    ))
    .with_platform(PLATFORM)
    .with_operation("connect")
}

/// Reads every page of the list at `url` with the `query` pairs (at most [`MAX_PAGES`],
/// stopping at a repeated token): `each` takes an answer's items and returns its next token.
async fn pages<T: serde::de::DeserializeOwned>(
    http: &Client,
    token: &Token,
    url: Url,
    query: &[(&str, &str)],
    mut each: impl FnMut(T) -> Option<String>,
) -> Result<()> {
    let mut next: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut call = Call::get(PLATFORM, "connect", url.clone())
            .query(query.iter().copied())
            .bearer(&token.access_token);
        if let Some(p) = &next {
            call = call.query([("pageToken", p.as_str())]);
        }
        let answer: T = http.send(call, &BusinessErrors).await?.json()?;
        match each(answer).filter(|t| !t.is_empty()) {
            Some(t) if Some(&t) != next.as_ref() => next = Some(t),
            _ => return Ok(()),
        }
    }
    Ok(())
}

/// The locations `token` may manage, as accounts to choose from (see the [module docs](self)).
/// An account's id is the location's resource name `accounts/{a}/locations/{l}`, its name
/// the business's title and the account's name. A token without `business.manage` is
/// `PermissionDenied`; a name Google sends in another form is `Unexpected`.
pub async fn locations(
    http: &Client,
    oauth: &OAuth2Config,
    token: &Token,
    hosts: &Hosts,
) -> Result<Vec<Account>> {
    let mut accounts = Vec::new();
    pages(
        http,
        token,
        join(&hosts.account_management, "v1/accounts")?,
        &[("pageSize", "20")],
        |list: AccountList| {
            accounts.extend(list.accounts);
            list.next_page_token
        },
    )
    .await?;
    let mut out = Vec::new();
    for account in accounts {
        let account_id = account
            .name
            .strip_prefix("accounts/")
            .ok_or_else(|| malformed("account", &account.name))?;
        let mut found = Vec::new();
        pages(
            http,
            token,
            join(
                &hosts.business_information,
                &format!("v1/accounts/{account_id}/locations"),
            )?,
            &[("readMask", "name,title,languageCode"), ("pageSize", "100")],
            |list: LocationList| {
                found.extend(list.locations);
                list.next_page_token
            },
        )
        .await?;
        for location in found {
            let location_id = location
                .name
                .strip_prefix("locations/")
                .ok_or_else(|| malformed("location", &location.name))?;
            let mut config =
                GoogleBusinessConfig::new(token.access_token.clone(), account_id, location_id)
                    .map_err(|_| malformed("location", &location.name))?;
            config.expires_at = token.expires_at;
            config.refresh = token.refresh_token.clone().map(|rt| OAuth2Refresh {
                client_id: oauth.client_id.clone(),
                client_secret: oauth.client_secret.clone(),
                refresh_token: rt,
            });
            if oauth.token_url.as_str() != google::TOKEN_URL {
                config.token_url = Some(oauth.token_url.clone());
            }
            config.base_url = hosts.business_profile.clone();
            if let Some(l) = location.language_code.filter(|l| !l.trim().is_empty()) {
                config.language_code = l;
            }
            let settings = serde_json::to_value(&config)
                .map_err(|e| Error::unexpected(e.to_string()).with_platform(PLATFORM))?;
            let title = location.title.unwrap_or_else(|| location.name.clone());
            let name = match &account.account_name {
                Some(a) if !a.is_empty() && *a != title => format!("{title} ({a})"),
                _ => title,
            };
            out.push(Account::new(
                AccountKind::GoogleBusinessLocation,
                config.location_name(),
                name,
                PLATFORM,
                settings,
            ));
        }
    }
    Ok(out)
}
