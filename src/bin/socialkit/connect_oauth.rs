//! `channel add --connect x | linkedin | reddit`: OAuth 2.0 authorization code with the app
//! the user registered on the platform.
//!
//! 1. The app's client id (and secret) from `--client-id`/`--client-secret` or
//!    `SOCIALKIT_<PLATFORM>_CLIENT_ID`/`_CLIENT_SECRET`; the secret is never printed.
//! 2. A local callback server on `127.0.0.1` ([`LocalCallback`]); its redirect URI
//!    (`http://127.0.0.1:PORT/callback`, fix the port with `--port`) must be registered with
//!    the app.
//! 3. The authorization URL (state; PKCE S256 where the platform takes it: X) is printed on
//!    stderr; the browser's redirect is checked (state, denial), the code exchanged, the
//!    granted scopes checked ([`PendingConnect`]).
//! 4. The platform is asked who the account is with the new token; only then is the channel
//!    stored, as a config whose token slots the engine refreshes in the vault: the access
//!    token, its expiry and `refresh` (client id, secret, refresh token) for X and LinkedIn,
//!    the `auth` token of Reddit's config.
//!
//! `--api URL` points everything (authorize, token, API) at another base: a twin in tests.

// Builds without some of these platforms leave parts of the shared flow unused.
#![cfg_attr(
    not(all(feature = "x", feature = "linkedin", feature = "reddit")),
    allow(dead_code, unused_imports)
)]

use socialkit::auth::connect::{LocalCallback, PendingConnect};
use socialkit::auth::{OAuth2Client, OAuth2Config, OAuth2Refresh, Secret, Token};
use socialkit::store::vault::ChannelSource;
use socialkit::{ChannelConfig, Error, ErrorKind, Registry, Result};

use crate::channels::AddArgs;
use crate::connect::Connected;

/// The app's credentials for `platform`: flag, else `SOCIALKIT_<PLATFORM>_CLIENT_ID` /
/// `_CLIENT_SECRET`.
fn app_credentials(platform: &str, args: &AddArgs) -> (Option<String>, Option<Secret>) {
    let var = |suffix: &str| {
        std::env::var(format!(
            "SOCIALKIT_{}_{suffix}",
            platform.to_ascii_uppercase()
        ))
        .ok()
        .filter(|v| !v.trim().is_empty())
    };
    let id = args.client_id.clone().or_else(|| var("CLIENT_ID"));
    let secret = args
        .client_secret
        .clone()
        .or_else(|| var("CLIENT_SECRET"))
        .map(Secret::new);
    (id, secret)
}

fn need<T>(value: Option<T>, platform: &str, what: &str, flag: &str, env: &str) -> Result<T> {
    value.ok_or_else(|| {
        Error::validation(format!(
            "--connect {platform} needs the {what} of your registered app: {flag} or SOCIALKIT_{}_{env}",
            platform.to_ascii_uppercase()
        ))
    })
}

/// `--api`, parsed.
pub fn api_base(args: &AddArgs) -> Result<Option<url::Url>> {
    args.api
        .as_deref()
        .map(|a| {
            let a = if a.ends_with('/') {
                a.to_string()
            } else {
                format!("{a}/")
            };
            url::Url::parse(&a).map_err(|e| Error::validation(format!("--api is not a URL: {e}")))
        })
        .transpose()
}

pub fn join(base: &url::Url, path: &str) -> Result<url::Url> {
    base.join(path)
        .map_err(|e| Error::validation(format!("--api: {e}")))
}

/// Prints the authorization URL, waits for the redirect, checks it, exchanges the code and
/// checks the granted scopes.
pub async fn authorize(
    oauth: &OAuth2Client,
    pkce: bool,
    callback: &LocalCallback,
    http: &socialkit::http::Client,
) -> Result<Token> {
    let (url, pending) = PendingConnect::start(oauth, pkce, http.now());
    eprintln!(
        "Open this URL in a browser and approve the app:\n  {url}\nWaiting for the redirect to {} …",
        callback.redirect_uri()
    );
    let back = callback.wait(crate::connect::wait()).await?;
    pending.complete(oauth, http, &back).await
}

fn refresh_of(token: &Token, client_id: &str, secret: Option<&Secret>) -> Option<OAuth2Refresh> {
    token.refresh_token.as_ref().map(|r| {
        let refresh = OAuth2Refresh::new(client_id, r.clone());
        match secret {
            Some(s) => refresh.with_client_secret(s.clone()),
            None => refresh,
        }
    })
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::unexpected(e.to_string()))
}

/// Asks the platform who the account is with the config about to be stored.
async fn who_am_i(config: &ChannelConfig) -> Result<socialkit::model::Channel> {
    Registry::default().from_config(config)?.channel().await
}

/// Runs the flow of `platform` (`x`, `linkedin` or `reddit`); `None` when it only listed the
/// accounts to choose from (LinkedIn `--organization` without `--account`).
pub async fn run(platform: &str, args: &AddArgs, json: bool) -> Result<Option<Connected>> {
    let (client_id, secret) = app_credentials(platform, args);
    let client_id = need(client_id, platform, "client id", "--client-id", "CLIENT_ID")?;
    let api = api_base(args)?;
    let http = socialkit::http::Client::default();
    let settings = match platform {
        "x" => x(&client_id, secret, api, args, &http).await?,
        "linkedin" => {
            let secret = need(
                secret,
                platform,
                "client secret",
                "--client-secret",
                "CLIENT_SECRET",
            )?;
            return linkedin(&client_id, secret, api, args, &http, json).await;
        }
        "reddit" => reddit(&client_id, secret, api, args, &http).await?,
        other => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("no OAuth connect flow for {other}"),
            ));
        }
    };
    finish(platform, settings).await.map(Some)
}

/// Asks who the account is, then hands the config over to be stored.
pub async fn finish(platform: &str, settings: serde_json::Value) -> Result<Connected> {
    let mut config = ChannelConfig {
        platform: platform.into(),
        settings,
    };
    let me = who_am_i(&config).await?;
    // Saves the lookups the adapters would make for it.
    if let Some(s) = config.settings.as_object_mut() {
        match platform {
            "x" => {
                s.insert("user_id".into(), me.id.clone().into());
                s.insert("username".into(), me.handle.clone().into());
            }
            "linkedin" => {
                s.entry("author").or_insert_with(|| me.id.clone().into());
            }
            "reddit" => {
                s.insert("username".into(), me.handle.clone().into());
            }
            // The connect flow asked as `me`.
            "threads" => {
                s.insert("user_id".into(), me.id.clone().into());
            }
            _ => {}
        }
    }
    Ok(Connected {
        source: ChannelSource::Config(config),
        default_id: format!("{platform}-{}", me.handle),
        checked_handle: Some(me.handle),
    })
}

#[cfg(feature = "x")]
async fn x(
    client_id: &str,
    secret: Option<Secret>,
    api: Option<url::Url>,
    args: &AddArgs,
    http: &socialkit::http::Client,
) -> Result<serde_json::Value> {
    use socialkit::adapters::x::{XConfig, oauth};
    let callback = LocalCallback::bind(args.port).await?;
    let mut config: OAuth2Config = match &api {
        Some(base) => {
            let mut c = oauth::config_at(base, client_id, callback.redirect_uri());
            c.authorize_url = join(base, "i/oauth2/authorize")?;
            c
        }
        None => oauth::config(client_id, callback.redirect_uri()),
    };
    if let Some(s) = &secret {
        config = config.with_client_secret(s.clone());
    }
    let oauth = OAuth2Client::new("x", config);
    let token = authorize(&oauth, true, &callback, http).await?;
    let mut c = XConfig::new(token.access_token.clone())?;
    c.expires_at = token.expires_at;
    c.refresh = refresh_of(&token, client_id, secret.as_ref());
    if let Some(base) = api {
        c.base_url = base;
    }
    to_value(&c)
}

#[cfg(not(feature = "x"))]
async fn x(
    _: &str,
    _: Option<Secret>,
    _: Option<url::Url>,
    _: &AddArgs,
    _: &socialkit::http::Client,
) -> Result<serde_json::Value> {
    Err(without("x"))
}

#[cfg(not(all(feature = "x", feature = "linkedin", feature = "reddit")))]
fn without(feature: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("this socialkit was built without the {feature} feature"),
    )
}

#[cfg(feature = "linkedin")]
async fn linkedin(
    client_id: &str,
    secret: Secret,
    api: Option<url::Url>,
    args: &AddArgs,
    http: &socialkit::http::Client,
    json: bool,
) -> Result<Option<Connected>> {
    use socialkit::adapters::linkedin::{LinkedIn, LinkedInConfig, oauth};
    let as_organization = args.organization || args.account.is_some();
    let scopes: Vec<&str> = if as_organization {
        oauth::ORGANIZATION_SCOPES.to_vec()
    } else {
        oauth::MEMBER_SCOPES.to_vec()
    };
    let callback = LocalCallback::bind(args.port).await?;
    let mut config = oauth::config(client_id, secret.expose(), callback.redirect_uri(), &scopes);
    if let Some(base) = &api {
        config.authorize_url = join(base, "oauth/v2/authorization")?;
        config.token_url = join(base, "oauth/v2/accessToken")?;
    }
    let oauth = OAuth2Client::new("linkedin", config);
    // LinkedIn does not take PKCE for web apps (authorization-code-flow docs).
    let token = authorize(&oauth, false, &callback, http).await?;
    let mut c = LinkedInConfig::new(token.access_token.clone())?;
    c.expires_at = token.expires_at;
    c.refresh = refresh_of(&token, client_id, Some(&secret));
    c.scopes = token.scope.as_deref().map(|s| {
        s.split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    });
    if let Some(base) = api {
        c.base_url = base;
    }
    if !as_organization {
        return finish("linkedin", to_value(&c)?).await.map(Some);
    }
    let member = LinkedIn::with_client(c, http.clone());
    let accounts = member.administered_organizations().await?;
    let Some(wanted) = args.account.as_deref() else {
        crate::connect::offer(accounts, json, "The organizations you administer:", "URN")?;
        return Ok(None);
    };
    let chosen = socialkit::auth::connect::choose(accounts, wanted)?;
    finish("linkedin", chosen.settings).await.map(Some)
}

#[cfg(not(feature = "linkedin"))]
async fn linkedin(
    _: &str,
    _: Secret,
    _: Option<url::Url>,
    _: &AddArgs,
    _: &socialkit::http::Client,
    _: bool,
) -> Result<Option<Connected>> {
    Err(without("linkedin"))
}

#[cfg(feature = "reddit")]
async fn reddit(
    client_id: &str,
    secret: Option<Secret>,
    api: Option<url::Url>,
    args: &AddArgs,
    http: &socialkit::http::Client,
) -> Result<serde_json::Value> {
    use socialkit::adapters::reddit::oauth;
    let user_agent = args
        .user_agent
        .clone()
        .or_else(|| std::env::var("SOCIALKIT_REDDIT_USER_AGENT").ok())
        .ok_or_else(|| {
            Error::validation(
                "--connect reddit needs --user-agent '<platform>:<app ID>:<version> (by /u/<name>)' (Reddit's API rules) or SOCIALKIT_REDDIT_USER_AGENT",
            )
        })?;
    let callback = LocalCallback::bind(args.port).await?;
    let mut config = oauth::config(
        client_id,
        secret.as_ref().map(Secret::expose),
        callback.redirect_uri(),
    );
    let token_url = match &api {
        Some(base) => join(base, "api/v1/access_token")?,
        None => config.token_url.clone(),
    };
    if let Some(base) = &api {
        config.authorize_url = join(base, "api/v1/authorize")?;
        config.token_url = token_url.clone();
    }
    let oauth = OAuth2Client::new("reddit", config);
    // Reddit's wiki documents no PKCE.
    let token = authorize(&oauth, false, &callback, http).await?;
    let mut auth = serde_json::json!({
        "type": "token",
        "access_token": token.access_token.expose(),
        "client_id": client_id,
    });
    if let Some(at) = token.expires_at {
        auth["expires_at"] = serde_json::json!(at);
    }
    if let Some(r) = &token.refresh_token {
        auth["refresh_token"] = r.expose().into();
    }
    if let Some(s) = &secret {
        auth["client_secret"] = s.expose().into();
    }
    let mut settings = serde_json::json!({
        "auth": auth,
        "user_agent": user_agent,
        "token_url": token_url.as_str(),
    });
    if let Some(base) = api {
        settings["base_url"] = base.as_str().into();
    }
    if let Some(sub) = &args.subreddit {
        settings["subreddit"] = sub.trim_start_matches("r/").into();
    }
    // Checked by the adapter's own config rules before anything is asked.
    let config: socialkit::adapters::reddit::RedditConfig =
        serde_json::from_value(settings.clone())
            .map_err(|e| Error::validation(format!("the reddit settings are not valid: {e}")))?;
    config.validate()?;
    Ok(settings)
}

#[cfg(not(feature = "reddit"))]
async fn reddit(
    _: &str,
    _: Option<Secret>,
    _: Option<url::Url>,
    _: &AddArgs,
    _: &socialkit::http::Client,
) -> Result<serde_json::Value> {
    Err(without("reddit"))
}
