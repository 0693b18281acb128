//! `init` and `channel add/list/remove`.

use serde::Serialize;
use socialkit::store::vault::ChannelSource;
use socialkit::store::{ChannelRecord, DeliveryFilter, DeliveryState};
use socialkit::{Error, ErrorKind, Registry, Result};

use crate::config::{App, Context, health_text};
use crate::output;

/// `socialkit init`: the store, the workspace with the user as owner, and the config file.
pub async fn init(ctx: &Context, name: Option<&str>) -> Result<()> {
    let store = ctx.open_store(true).await?.store();
    let created = match store.workspace(&ctx.workspace).await {
        Ok(_) => false,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let engine = socialkit::engine::Engine::builder(store.clone()).build();
            engine
                .create_workspace(
                    ctx.workspace.clone(),
                    name.unwrap_or(ctx.workspace.as_str()),
                    &ctx.user,
                )
                .await?;
            true
        }
        Err(e) => return Err(e),
    };
    let key_file_existed = ctx.key_file.exists();
    ctx.keys(true)?;
    let wrote_key = !key_file_existed && std::env::var_os("SOCIALKIT_VAULT_KEYS").is_none();
    let wrote_config = if ctx.config_path.exists() {
        false
    } else {
        let text = format!(
            "# socialkit settings; flags and SOCIALKIT_* variables override them.\nstore = {:?}\nworkspace = {:?}\nuser = {:?}\n",
            ctx.store.config_value(),
            ctx.workspace.as_str(),
            ctx.user
        );
        if ctx.store.has_secret() {
            // The store's URL carries its password: a file only its owner reads.
            crate::config::write_private(&ctx.config_path, &text)?;
        } else {
            std::fs::write(&ctx.config_path, text).map_err(|e| {
                Error::config(format!("cannot write {}: {e}", ctx.config_path.display()))
            })?;
        }
        true
    };
    if ctx.json {
        return output::json(&serde_json::json!({
            "store": ctx.store.display(),
            "workspace": ctx.workspace.as_str(),
            "owner": ctx.user,
            "created": created,
            "config": ctx.config_path.display().to_string(),
            "config_written": wrote_config,
            "vault_key_file": wrote_key.then(|| ctx.key_file.display().to_string()),
        }));
    }
    if created {
        output::line(&format!(
            "Created workspace '{}' in {} with {} as owner.",
            ctx.workspace,
            ctx.store.display(),
            ctx.user
        ));
    } else {
        output::line(&format!(
            "Workspace '{}' already exists in {}.",
            ctx.workspace,
            ctx.store.display()
        ));
    }
    if wrote_config {
        output::line(&format!("Wrote {}.", ctx.config_path.display()));
    }
    if wrote_key {
        output::line(&format!(
            "Wrote the vault key to {} (owner-only): channel credentials are sealed with it. Keep it secret and backed up, or set SOCIALKIT_VAULT_KEYS instead.",
            ctx.key_file.display()
        ));
    }
    output::line("Next: socialkit channel add sandbox://acme --id acme");
    Ok(())
}

/// A channel URL without credentials: scheme, host and port.
pub fn public_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("");
            match u.port() {
                Some(p) => format!("{}://{host}:{p}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            }
        }
        Err(_) => "(unparsable URL)".into(),
    }
}

fn default_id(url: &str) -> Result<String> {
    let u =
        url::Url::parse(url).map_err(|e| Error::validation(format!("not a channel URL: {e}")))?;
    let host = u.host_str().unwrap_or("channel").to_string();
    Ok(if u.scheme() == "sandbox" {
        host
    } else {
        format!("{}-{host}", u.scheme())
    })
}

#[derive(Serialize)]
struct ChannelRow {
    id: String,
    platform: String,
    url: String,
    health: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    followers: Option<u64>,
    /// Reviews and average star rating (Google Business Profile), with `--json` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    reviews: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    average_rating: Option<socialkit::model::Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_spacing_secs: Option<i64>,
}

/// How `channel add` gets its channel.
#[derive(Debug, Default, clap::Args)]
pub struct AddArgs {
    /// The channel URL (credentials in it are stored, never printed).
    pub url: Option<String>,
    /// The workspace's name for it (default: the platform and handle).
    #[arg(long)]
    pub id: Option<String>,
    /// Least minutes between two posts on it.
    #[arg(long)]
    pub min_spacing_minutes: Option<i64>,
    /// Run the platform's connect flow (mastodon, x, linkedin, reddit, facebook, instagram,
    /// threads: OAuth with a local callback; bluesky: app password).
    #[arg(long, value_name = "PLATFORM", conflicts_with = "url")]
    pub connect: Option<String>,
    /// The Mastodon-API server for `--connect mastodon`.
    #[arg(long, value_name = "URL")]
    pub instance: Option<String>,
    /// The Bluesky handle for `--connect bluesky`.
    #[arg(long)]
    pub handle: Option<String>,
    /// The Bluesky PDS for `--connect bluesky` (default https://bsky.social).
    #[arg(long, value_name = "URL")]
    pub pds: Option<String>,
    /// The local callback port for OAuth flows (default: any free port); register
    /// `http://127.0.0.1:PORT/callback` as the app's redirect URI.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Your registered app's client id (x, linkedin, reddit; the Meta app id for facebook and
    /// instagram; the Threads app id for threads); default SOCIALKIT_<PLATFORM>_CLIENT_ID,
    /// SOCIALKIT_META_APP_ID (facebook, instagram) or SOCIALKIT_THREADS_APP_ID (threads).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Your registered app's client secret (linkedin, facebook, instagram, threads; x and
    /// reddit confidential apps); default SOCIALKIT_<PLATFORM>_CLIENT_SECRET,
    /// SOCIALKIT_META_APP_SECRET or SOCIALKIT_THREADS_APP_SECRET (preferred: flags show in
    /// `ps`). Never printed.
    #[arg(long, hide_default_value = true)]
    pub client_secret: Option<String>,
    /// Another base URL for the platform's authorize, token and API endpoints (a twin in
    /// tests).
    #[arg(long, value_name = "URL")]
    pub api: Option<String>,
    /// Reddit's required User-Agent, `<platform>:<app ID>:<version> (by /u/<name>)`;
    /// default SOCIALKIT_REDDIT_USER_AGENT.
    #[arg(long)]
    pub user_agent: Option<String>,
    /// The subreddit a Reddit channel posts to (default: the account's profile).
    #[arg(long)]
    pub subreddit: Option<String>,
    /// The account to connect when the login offers several: a LinkedIn organization URN
    /// (with `--organization`), a Facebook Page id, an Instagram account id; without it
    /// they are listed.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// LinkedIn: ask for the organization scopes and list the organizations you
    /// administer (then choose one with --account).
    #[arg(long)]
    pub organization: bool,
}

/// `socialkit channel add URL | --connect PLATFORM`: builds the channel, seals it into the
/// vault and attaches it.
pub async fn add(app: &App, args: AddArgs) -> Result<()> {
    let (source, default, mut handle) = match (&args.connect, &args.url) {
        (Some(platform), _) => match crate::connect::run(platform, &args, app.ctx.json).await? {
            Some(c) => (c.source, c.default_id, c.checked_handle),
            // Only listed the accounts to choose from.
            None => return Ok(()),
        },
        (None, Some(url)) => (ChannelSource::Url(url.clone()), default_id(url)?, None),
        (None, None) => {
            return Err(Error::validation(
                "give a channel URL (e.g. sandbox://acme) or --connect PLATFORM",
            ));
        }
    };
    // Builds once before anything is stored: a bad URL is an error and nothing is kept.
    match &source {
        ChannelSource::Url(u) => Registry::default().from_url(u)?,
        ChannelSource::Config(c) => Registry::default().from_config(c)?,
    };
    let id = args.id.clone().unwrap_or(default);
    if id.is_empty() || id.contains(char::is_whitespace) || id.contains([',', '/']) {
        return Err(Error::validation(format!(
            "channel id '{id}' must be non-empty, without spaces, commas or slashes"
        )));
    }
    let vault = app.vault()?;
    if vault
        .store()
        .get(app.ws(), &id.as_str().into())
        .await?
        .is_some()
    {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("channel '{id}' exists already: remove it first or choose another --id"),
        ));
    }
    let platform_name = source.platform();
    let mut record = ChannelRecord::new(id.as_str(), platform_name.as_str());
    if let Some(m) = args.min_spacing_minutes {
        record = record.with_min_spacing_secs(m * 60);
    }
    let platform = app
        .engine
        .connect_stored(app.ws(), app.who(), record, source.clone())
        .await?;
    // A connect flow's credentials are checked now unless the flow did (a Bluesky app
    // password signs in here); a refusal removes the channel again, so nothing
    // half-connected stays.
    if args.connect.is_some() && handle.is_none() {
        match platform.channel().await {
            Ok(c) => handle = Some(c.handle),
            Err(e) => {
                app.engine
                    .disconnect_stored(app.ws(), app.who(), &id.as_str().into())
                    .await?;
                return Err(e);
            }
        }
    }
    let row = ChannelRow {
        id: id.clone(),
        platform: platform.name().to_string(),
        url: public_source(&source),
        health: "connected".into(),
        handle,
        followers: None,
        reviews: None,
        average_rating: None,
        min_spacing_secs: args.min_spacing_minutes.map(|m| m * 60),
    };
    if app.ctx.json {
        return output::json(&row);
    }
    output::line(&format!(
        "Connected channel '{id}' ({}, {}); its credentials are sealed in the vault.",
        row.platform, row.url
    ));
    Ok(())
}

/// Where a stored channel lives, without credentials.
fn public_source(source: &ChannelSource) -> String {
    match source {
        ChannelSource::Url(u) => public_url(u),
        ChannelSource::Config(c) => {
            let s = &c.settings;
            let base = ["pds", "instance", "base_url"]
                .iter()
                .find_map(|k| s.get(*k).and_then(|v| v.as_str()))
                .map(public_url);
            match base {
                Some(b) => b.replacen("://", &format!("+{}://", c.platform), 1),
                None => format!("{}://", c.platform),
            }
        }
    }
}

/// `socialkit channel list [--check]`: every stored channel with its health.
pub async fn list(app: &App, check: bool) -> Result<()> {
    let vault = app.vault()?;
    let records = app.store.channels(app.ws()).await?;
    let mut rows = Vec::new();
    for stored in vault.store().list(Some(app.ws())).await? {
        let id = stored.channel.as_str().to_string();
        let record = records.iter().find(|r| r.id == stored.channel);
        let url = match vault.open_row(stored.clone()).await {
            Ok(o) => public_source(&o.source),
            Err(_) => format!("{}://", stored.platform),
        };
        let mut row = ChannelRow {
            id: id.clone(),
            platform: stored.platform.clone(),
            url,
            health: String::new(),
            handle: None,
            followers: None,
            reviews: None,
            average_rating: None,
            min_spacing_secs: record.and_then(|r| r.min_spacing_secs),
        };
        let health = app.engine.channel_health(app.ws(), &stored.channel).await?;
        row.health = match (app.platforms.get(&id), app.broken.get(&id)) {
            (_, Some(reason)) => format!("unavailable ({reason})"),
            (Some(p), None) if check => match p.channel().await {
                Ok(c) => {
                    row.handle = Some(c.handle.clone());
                    row.followers = c.metrics.followers;
                    row.reviews = c.metrics.reviews;
                    row.average_rating = c.metrics.average_rating;
                    format!("{} (checked)", health_text(&health))
                }
                Err(e) => match e.kind() {
                    ErrorKind::Unauthenticated | ErrorKind::PermissionDenied => {
                        format!("needs re-authorisation ({}): connect it again", e.kind())
                    }
                    k => format!("error ({k})"),
                },
            },
            _ => health_text(&health),
        };
        rows.push(row);
    }
    if app.ctx.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        output::line("No channels yet: socialkit channel add sandbox://acme --id acme");
        return Ok(());
    }
    output::table(
        &["id", "platform", "url", "health", "handle", "followers"],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.platform.clone(),
                    r.url.clone(),
                    r.health.clone(),
                    r.handle.clone().unwrap_or_default(),
                    r.followers.map(|f| f.to_string()).unwrap_or_default(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    Ok(())
}

/// `socialkit channel remove ID`: forgets the credentials; refuses while posts wait for it.
pub async fn remove(app: &App, id: &str) -> Result<()> {
    let vault = app.vault()?;
    if vault.store().get(app.ws(), &id.into()).await?.is_none() {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("no channel '{id}' in workspace {}", app.ws()),
        ));
    }
    let filter = DeliveryFilter {
        channel: Some(id.into()),
        states: vec![
            DeliveryState::Scheduled,
            DeliveryState::Publishing,
            DeliveryState::Approved,
            DeliveryState::InReview,
            DeliveryState::Paused,
        ],
        ..DeliveryFilter::default()
    };
    let waiting = app.store.deliveries(app.ws(), &filter).await?;
    if !waiting.is_empty() {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!(
                "{} deliveries still wait for channel '{id}': publish them (`socialkit worker --once`) or cancel their posts (`socialkit reject POST --cancel`) first",
                waiting.len()
            ),
        ));
    }
    app.engine
        .disconnect_stored(app.ws(), app.who(), &id.into())
        .await?;
    if app.ctx.json {
        return output::json(&serde_json::json!({ "removed": id }));
    }
    output::line(&format!(
        "Removed channel '{id}': its credentials are deleted; its published posts stay in the history."
    ));
    Ok(())
}
