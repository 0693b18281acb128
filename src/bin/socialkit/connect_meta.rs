//! `channel add --connect facebook | instagram | threads`: Meta's logins, run from a terminal.
//!
//! - `facebook` and `instagram` use Facebook Login with the Meta app's id and secret
//!   (`--client-id`/`--client-secret` or `SOCIALKIT_META_APP_ID`/`SOCIALKIT_META_APP_SECRET`):
//!   the dialog (`www.facebook.com/v23.0/dialog/oauth`, state, no PKCE) → the code redeemed
//!   for a short-lived user token ([`meta::fb_exchange_code`]) → the granted permissions read
//!   from `debug_token` (authenticated as the app) and checked → the long-lived user token and
//!   the Pages with their Page tokens ([`connect_accounts`](socialkit::adapters::facebook::connect_accounts)).
//!   `facebook` stores a Page (its Page token, which does not expire when it comes from a
//!   long-lived user token), `instagram` the Instagram professional account linked to a Page
//!   (with that Page's token). One account is taken as it is; several are listed, and
//!   `--account ID` picks one.
//! - `threads` uses Threads' own login with the *Threads* app id and secret, which differ from
//!   the Meta app's (`SOCIALKIT_THREADS_APP_ID`/`SOCIALKIT_THREADS_APP_SECRET`; Threads'
//!   get-started guide: "use the Threads app ID and its corresponding app secret"): the
//!   authorization window (`threads.net/oauth/authorize`) → `POST graph.threads.net/oauth/
//!   access_token` → the long-lived token ([`meta::th_exchange_token`], about 60 days) stored
//!   with its expiry as `token_expires_at`, so the adapter refreshes it with
//!   `th_refresh_token` a week before it runs out. Its permissions are read from Threads'
//!   `debug_token` when Threads answers (it answers for the app's testers).
//!
//! A missing required permission stops the flow before anything is stored
//! (`PermissionDenied`, exit code 5, naming the permission); a missing optional one is a
//! warning that says what will not work. Then the platform is asked who the account is, and
//! only then is the channel stored. Tokens and the app secret are never printed.
//!
//! `--api URL` points the dialog, the token endpoints and the Graph API at another base: a
//! twin in tests.

// Builds without some of these platforms leave parts of the flow unused.
#![cfg_attr(
    not(all(feature = "facebook", feature = "instagram", feature = "threads")),
    allow(dead_code, unused_imports)
)]

use socialkit::auth::connect::{AccountKind, LocalCallback, PendingConnect, choose};
use socialkit::auth::meta::{self, TokenInfo};
use socialkit::auth::{ClientAuth, OAuth2Client, OAuth2Config, Secret};
use socialkit::{Error, ErrorKind, Result};

use crate::channels::AddArgs;
use crate::connect::Connected;
use crate::connect_oauth::{api_base, authorize, finish, join};

/// The Graph API version the flows use (the adapters' default).
const FACEBOOK_VERSION: &str = "v23.0";
const THREADS_VERSION: &str = "v1.0";

/// The permissions a login asks for: those the channel cannot work without, then those a
/// part of it needs (with what stops working without them).
struct Permissions {
    required: &'static [&'static str],
    optional: &'static [(&'static str, &'static str)],
}

impl Permissions {
    fn requested(&self) -> Vec<&'static str> {
        let mut all = self.required.to_vec();
        all.extend(self.optional.iter().map(|(p, _)| *p));
        all
    }

    /// Fails on a missing required permission; warns about missing optional ones.
    fn check(&self, platform: &str, info: &TokenInfo) -> Result<()> {
        info.require_scopes(platform, self.required)?;
        for (permission, needed_for) in self.optional {
            if !info.missing_scopes(&[*permission]).is_empty() {
                eprintln!(
                    "Warning: {permission} was not granted: {needed_for} will not work on this channel (connect again and approve it to change that)."
                );
            }
        }
        Ok(())
    }
}

/// Facebook Pages: listing the Pages (`pages_show_list`), reading them
/// (`pages_read_engagement`) and posting (`pages_manage_posts`); source: the Pages API's
/// permissions, <https://developers.facebook.com/docs/pages-api/overview#permissions>.
const FACEBOOK: Permissions = Permissions {
    required: &[
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_posts",
    ],
    optional: &[
        ("pages_read_user_content", "reading comments (the inbox)"),
        ("pages_manage_engagement", "replying to comments"),
        ("read_insights", "post metrics"),
    ],
};

/// Instagram with Facebook Login: the content publishing requirements
/// (<https://developers.facebook.com/docs/instagram-platform/content-publishing>:
/// `instagram_basic`, `instagram_content_publish`, `pages_read_engagement`; `pages_show_list`
/// to find the Page the account is linked to).
const INSTAGRAM: Permissions = Permissions {
    required: &[
        "instagram_basic",
        "instagram_content_publish",
        "pages_show_list",
        "pages_read_engagement",
    ],
    optional: &[
        (
            "instagram_manage_comments",
            "reading and replying to comments",
        ),
        ("instagram_manage_insights", "post metrics"),
    ],
};

/// Threads: <https://developers.facebook.com/docs/threads/get-started> lists what each
/// endpoint needs.
const THREADS: Permissions = Permissions {
    required: &["threads_basic", "threads_content_publish"],
    optional: &[
        ("threads_read_replies", "reading replies (the inbox)"),
        ("threads_manage_replies", "replying"),
        ("threads_manage_insights", "post metrics and followers"),
    ],
};

/// The Meta app's id and secret.
struct MetaApp {
    id: String,
    secret: Secret,
}

/// `--client-id`/`--client-secret`, else `SOCIALKIT_META_APP_ID`/`_SECRET` (Facebook,
/// Instagram) or `SOCIALKIT_THREADS_APP_ID`/`_SECRET` (Threads).
fn app(platform: &str, args: &AddArgs) -> Result<MetaApp> {
    let (prefix, which) = if platform == "threads" {
        (
            "SOCIALKIT_THREADS_APP",
            "Threads app id and secret (App Dashboard → App settings → Basic → Threads App ID)",
        )
    } else {
        (
            "SOCIALKIT_META_APP",
            "Meta app's id and secret (App Dashboard → App settings → Basic)",
        )
    };
    let var = |suffix: &str| {
        std::env::var(format!("{prefix}_{suffix}"))
            .ok()
            .filter(|v| !v.trim().is_empty())
    };
    let id = args.client_id.clone().or_else(|| var("ID"));
    let secret = args.client_secret.clone().or_else(|| var("SECRET"));
    match (id, secret) {
        (Some(id), Some(secret)) => Ok(MetaApp {
            id,
            secret: Secret::new(secret),
        }),
        (id, _) => {
            let missing = if id.is_none() {
                format!("--client-id or {prefix}_ID")
            } else {
                format!("--client-secret or {prefix}_SECRET")
            };
            Err(Error::validation(format!(
                "--connect {platform} needs the {which}: {missing}"
            )))
        }
    }
}

/// Runs the flow of `platform` (`facebook`, `instagram` or `threads`); `None` when it only
/// listed the accounts to choose from.
pub async fn run(platform: &str, args: &AddArgs, json: bool) -> Result<Option<Connected>> {
    let app = app(platform, args)?;
    let http = socialkit::http::Client::default();
    match platform {
        "facebook" => facebook_login("facebook", &FACEBOOK, &app, args, &http, json).await,
        "instagram" => facebook_login("instagram", &INSTAGRAM, &app, args, &http, json).await,
        "threads" => threads(&app, args, &http).await.map(Some),
        other => Err(Error::new(
            ErrorKind::Unsupported,
            format!("no Meta connect flow for {other}"),
        )),
    }
}

#[cfg(feature = "facebook")]
async fn facebook_login(
    platform: &'static str,
    permissions: &Permissions,
    app: &MetaApp,
    args: &AddArgs,
    http: &socialkit::http::Client,
    json: bool,
) -> Result<Option<Connected>> {
    use socialkit::adapters::facebook::connect_accounts;
    let (dialog, graph) = match api_base(args)? {
        Some(base) => (
            join(&base, &format!("{FACEBOOK_VERSION}/dialog/oauth"))?,
            join(&base, &format!("{FACEBOOK_VERSION}/"))?,
        ),
        None => (
            url::Url::parse(&format!(
                "{}/{FACEBOOK_VERSION}/dialog/oauth",
                meta::FACEBOOK_DIALOG
            ))?,
            url::Url::parse(&format!("{}/{FACEBOOK_VERSION}/", meta::FACEBOOK_GRAPH))?,
        ),
    };
    let callback = LocalCallback::bind(args.port).await?;
    let config = OAuth2Config::new(
        app.id.clone(),
        dialog,
        join(&graph, "oauth/access_token")?,
        callback.redirect_uri(),
    )
    .with_scopes(permissions.requested())
    .with_scope_separator(",");
    let oauth = OAuth2Client::new(platform, config);
    // Facebook Login's manual flow takes no PKCE; the code is redeemed with a GET.
    let (url, pending) = PendingConnect::start(&oauth, false, http.now());
    eprintln!(
        "Open this URL in a browser, log in to Facebook and approve the app:\n  {url}\nWaiting for the redirect to {} …",
        callback.redirect_uri()
    );
    let back = callback.wait(crate::connect::wait()).await?;
    let code = Secret::new(pending.check(&back, http.now())?);
    let short = meta::fb_exchange_code(
        http,
        &graph,
        &app.id,
        &app.secret,
        callback.redirect_uri(),
        &code,
    )
    .await?;
    let app_token = Secret::new(format!("{}|{}", app.id, app.secret.expose()));
    let info = meta::debug_token(http, &graph, &short.access_token, &app_token).await?;
    permissions.check(platform, &info)?;
    let (_user, accounts) =
        connect_accounts(http, &graph, &app.id, &app.secret, &short.access_token).await?;
    let kind = if platform == "facebook" {
        AccountKind::FacebookPage
    } else {
        AccountKind::InstagramAccount
    };
    let mut accounts: Vec<_> = accounts.into_iter().filter(|a| a.kind == kind).collect();
    let chosen = match args.account.as_deref() {
        Some(wanted) => choose(accounts, wanted)?,
        None if accounts.len() == 1 => accounts.remove(0),
        None => {
            let heading = if platform == "facebook" {
                "The Pages you manage:"
            } else {
                "The Instagram accounts linked to the Pages you manage:"
            };
            crate::connect::offer(accounts, json, heading, "ID")?;
            return Ok(None);
        }
    };
    finish(platform, chosen.settings).await.map(Some)
}

#[cfg(not(feature = "facebook"))]
async fn facebook_login(
    platform: &'static str,
    _: &Permissions,
    _: &MetaApp,
    _: &AddArgs,
    _: &socialkit::http::Client,
    _: bool,
) -> Result<Option<Connected>> {
    Err(Error::new(
        ErrorKind::Unsupported,
        format!(
            "--connect {platform} uses Facebook Login: this socialkit was built without the facebook feature"
        ),
    ))
}

#[cfg(feature = "threads")]
async fn threads(
    app: &MetaApp,
    args: &AddArgs,
    http: &socialkit::http::Client,
) -> Result<Connected> {
    let (authorize_url, origin) = match api_base(args)? {
        Some(base) => (join(&base, "oauth/authorize")?, base),
        None => (
            url::Url::parse(meta::THREADS_AUTHORIZE)?,
            url::Url::parse(meta::THREADS_GRAPH)?,
        ),
    };
    let callback = LocalCallback::bind(args.port).await?;
    let config = OAuth2Config::new(
        app.id.clone(),
        authorize_url,
        join(&origin, "oauth/access_token")?,
        callback.redirect_uri(),
    )
    .with_client_secret(app.secret.clone())
    .with_client_auth(ClientAuth::RequestBody)
    .with_scopes(THREADS.requested())
    .with_scope_separator(",");
    let oauth = OAuth2Client::new("threads", config);
    // Threads documents no PKCE.
    let short = authorize(&oauth, false, &callback, http).await?;
    let long = meta::th_exchange_token(http, &origin, &app.secret, &short.access_token).await?;
    let graph = join(&origin, &format!("{THREADS_VERSION}/"))?;
    // Threads' debug_token takes a tester's token; for others it may refuse to say.
    match meta::debug_token(http, &graph, &long.access_token, &long.access_token).await {
        Ok(info) => THREADS.check("threads", &info)?,
        Err(e) => eprintln!(
            "Warning: Threads did not say which permissions were granted ({}); publishing fails later if threads_content_publish is missing.",
            e.kind()
        ),
    }
    let mut settings = serde_json::json!({
        // Asked as `me`; `finish` keeps the id Threads answers with.
        "user_id": "me",
        "token": long.access_token.expose(),
    });
    if let Some(at) = long.expires_at {
        settings["token_expires_at"] = serde_json::json!(at);
    }
    if args.api.is_some() {
        settings["base_url"] = origin.as_str().into();
    }
    finish("threads", settings).await
}

#[cfg(not(feature = "threads"))]
async fn threads(_: &MetaApp, _: &AddArgs, _: &socialkit::http::Client) -> Result<Connected> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "this socialkit was built without the threads feature",
    ))
}
