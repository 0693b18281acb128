//! `channel add --connect PLATFORM`: the platform's connect flow, run from a terminal.
//!
//! - `mastodon` (any Mastodon-API server): registers an app on `--instance`
//!   (`POST /api/v1/apps`) with a redirect to a local callback server on `127.0.0.1`, prints
//!   the authorization URL (state + PKCE S256), waits for the browser's redirect, checks the
//!   state, exchanges the code and checks the granted scopes ([`PendingConnect`]), then asks
//!   who the account is.
//! - `x`, `linkedin`, `reddit`: the app the user registered, see [`crate::connect_oauth`].
//! - `facebook`, `instagram` (Facebook Login: a Page, or the Instagram account linked to one)
//!   and `threads` (Threads' own login): the Meta app, see [`crate::connect_meta`].
//! - `bluesky`: the app password (Settings → App passwords) from `SOCIALKIT_APP_PASSWORD` or a
//!   line on stdin; `channel add` signs in once to check it, and the session is kept in the
//!   vault from then on.
//!
//! Nothing is stored unless the flow completes and the credentials work.

use std::time::Duration;

use socialkit::store::vault::ChannelSource;
use socialkit::{Error, ErrorKind, Result};

use crate::channels::AddArgs;

/// What a connect flow produced: the channel's source, a default id, and the account's
/// handle when the flow already asked the platform who the account is.
#[derive(Debug)]
pub struct Connected {
    pub source: ChannelSource,
    pub default_id: String,
    pub checked_handle: Option<String>,
}

impl Connected {
    fn unchecked((source, default_id): (ChannelSource, String)) -> Connected {
        Connected {
            source,
            default_id,
            checked_handle: None,
        }
    }
}

/// Runs `platform`'s connect flow; `None` when the flow only listed the accounts to choose
/// from (nothing to store).
pub async fn run(platform: &str, args: &AddArgs, json: bool) -> Result<Option<Connected>> {
    match platform {
        "mastodon" => mastodon(args).await.map(Some),
        "bluesky" => bluesky(args).map(Connected::unchecked).map(Some),
        "x" | "linkedin" | "reddit" => crate::connect_oauth::run(platform, args, json).await,
        "facebook" | "instagram" | "threads" => {
            crate::connect_meta::run(platform, args, json).await
        }
        other => Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "`--connect {other}` is not available from the command line: it connects mastodon, bluesky, x, linkedin, reddit, facebook, instagram and threads; for {other}, run the library's connect flow (socialkit::auth::connect) with your registered app, or add the channel by URL"
            ),
        )),
    }
}

/// One account a login offers, as `--json` lists it.
#[cfg(any(feature = "linkedin", feature = "facebook"))]
#[derive(serde::Serialize)]
struct Choice<'a> {
    id: &'a str,
    name: &'a str,
    kind: socialkit::auth::connect::AccountKind,
}

/// Lists the accounts a login offers (a table under `heading`, or `{"choose_one": […]}` with
/// `--json`) and says how to pick one with `--account`; nothing is stored. No account at all
/// is the `PermissionDenied` error of [`choose`](socialkit::auth::connect::choose).
#[cfg(any(feature = "linkedin", feature = "facebook"))]
pub fn offer(
    accounts: Vec<socialkit::auth::connect::Account>,
    json: bool,
    heading: &str,
    id_name: &str,
) -> Result<()> {
    if accounts.is_empty() {
        // `choose` says what that means and what to do.
        return socialkit::auth::connect::choose(accounts, "").map(drop);
    }
    let choices: Vec<Choice<'_>> = accounts
        .iter()
        .map(|a| Choice {
            id: &a.id,
            name: &a.name,
            kind: a.kind,
        })
        .collect();
    if json {
        crate::output::json(&serde_json::json!({ "choose_one": choices }))?;
    } else {
        crate::output::line(heading);
        crate::output::table(
            &["name", "account"],
            &choices
                .iter()
                .map(|c| vec![c.name.to_string(), c.id.to_string()])
                .collect::<Vec<_>>(),
        );
    }
    eprintln!("Nothing stored: choose one and run the command again with --account {id_name}.");
    Ok(())
}

/// How long a flow waits for the browser.
pub fn wait() -> Duration {
    socialkit::auth::connect::CONNECT_TIMEOUT
        .to_std()
        .unwrap_or(Duration::from_secs(900))
}

#[cfg(feature = "mastodon")]
async fn mastodon(args: &AddArgs) -> Result<Connected> {
    use socialkit::adapters::mastodon::MastodonConfig;
    use socialkit::adapters::mastodon::oauth::{AppRegistration, MastodonApp};
    use socialkit::auth::connect::{LocalCallback, PendingConnect};

    let instance = args.instance.as_deref().ok_or_else(|| {
        Error::validation("--connect mastodon needs --instance URL (e.g. https://mastodon.social)")
    })?;
    let instance = if instance.contains("://") {
        instance.to_string()
    } else {
        format!("https://{instance}")
    };
    let instance = url::Url::parse(&instance)
        .map_err(|e| Error::validation(format!("--instance is not a URL: {e}")))?;
    let callback = LocalCallback::bind(args.port).await?;
    let http = socialkit::http::Client::default();
    let registered = MastodonApp::register(
        &http,
        &instance,
        &AppRegistration::new("socialkit", callback.redirect_uri()),
    )
    .await?;
    let oauth = registered.oauth_client()?;
    let (url, pending) = PendingConnect::start(&oauth, true, http.now());
    eprintln!(
        "Open this URL in a browser and approve socialkit:\n  {url}\nWaiting for the redirect to {} …",
        callback.redirect_uri()
    );
    let back = callback.wait(wait()).await?;
    let token = pending.complete(&oauth, &http, &back).await?;
    let config = MastodonConfig::new(instance.as_str(), token.access_token.clone())?;
    let host = instance.host_str().unwrap_or("instance").to_string();
    // Who the account is, before anything is stored.
    let me = socialkit::Registry::default()
        .from_url(&config.to_url())?
        .channel()
        .await?;
    Ok(Connected {
        source: ChannelSource::Url(config.to_url()),
        default_id: format!("mastodon-{host}"),
        checked_handle: Some(me.handle),
    })
}

#[cfg(not(feature = "mastodon"))]
async fn mastodon(_: &AddArgs) -> Result<Connected> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "this socialkit was built without the mastodon feature",
    ))
}

fn bluesky(args: &AddArgs) -> Result<(ChannelSource, String)> {
    let handle = args.handle.as_deref().ok_or_else(|| {
        Error::validation("--connect bluesky needs --handle HANDLE (e.g. acme.bsky.social)")
    })?;
    let password = match std::env::var("SOCIALKIT_APP_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            eprintln!(
                "App password for {handle} (Bluesky: Settings → Privacy and security → App passwords), then Enter:"
            );
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Error::validation(format!("cannot read the app password: {e}")))?;
            line.trim().to_string()
        }
    };
    if password.is_empty() {
        return Err(Error::validation(
            "no app password given (SOCIALKIT_APP_PASSWORD or a line on stdin)",
        ));
    }
    let mut settings = serde_json::json!({ "identifier": handle, "app_password": password });
    if let Some(pds) = &args.pds {
        settings["pds"] = serde_json::json!(pds);
    }
    let source = ChannelSource::Config(socialkit::ChannelConfig {
        platform: "bluesky".into(),
        settings,
    });
    Ok((source, format!("bluesky-{handle}")))
}
