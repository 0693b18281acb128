//! `init` and `channel add/list/remove`.

use serde::Serialize;
use socialkit::store::{ChannelRecord, DeliveryFilter, DeliveryState};
use socialkit::{Error, ErrorKind, Registry, Result};

use crate::config::{App, Context, StoredChannel};
use crate::output;

/// `socialkit init`: the store, the workspace with the user as owner, and the config file.
pub async fn init(ctx: &Context, name: Option<&str>) -> Result<()> {
    let store = ctx.open_store(true)?;
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
    let wrote_config = if ctx.config_path.exists() {
        false
    } else {
        let text = format!(
            "# socialkit settings; flags and SOCIALKIT_* variables override them.\nstore = {:?}\nworkspace = {:?}\nuser = {:?}\n",
            ctx.store.display(),
            ctx.workspace.as_str(),
            ctx.user
        );
        std::fs::write(&ctx.config_path, text).map_err(|e| {
            Error::config(format!("cannot write {}: {e}", ctx.config_path.display()))
        })?;
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
    #[serde(skip_serializing_if = "Option::is_none")]
    min_spacing_secs: Option<i64>,
}

/// `socialkit channel add URL [--id ID]`.
pub async fn add(
    app: &App,
    url: Option<String>,
    id: Option<String>,
    min_spacing_minutes: Option<i64>,
    connect: Option<String>,
) -> Result<()> {
    if let Some(platform) = connect {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "`channel add --connect {platform}` (the connect flow with a local callback) is not available yet: it needs the credential vault that is being built; connect with a channel URL instead (`socialkit channel add URL`)"
            ),
        ));
    }
    let url = url.ok_or_else(|| {
        Error::validation("give a channel URL (e.g. sandbox://acme) or --connect PLATFORM")
    })?;
    let platform = Registry::default().from_url(&url)?;
    let id = match id {
        Some(id) => id,
        None => default_id(&url)?,
    };
    if id.is_empty() || id.contains(char::is_whitespace) || id.contains([',', '/']) {
        return Err(Error::validation(format!(
            "channel id '{id}' must be non-empty, without spaces, commas or slashes"
        )));
    }
    let mut stored = app.stored_channels().await?;
    if stored.contains_key(&id) {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("channel '{id}' exists already: remove it first or choose another --id"),
        ));
    }
    let mut record = ChannelRecord::new(id.as_str(), platform.name());
    if let Some(m) = min_spacing_minutes {
        record = record.with_min_spacing_secs(m * 60);
    }
    app.engine
        .connect(app.ws(), app.who(), record, platform.clone())
        .await?;
    stored.insert(id.clone(), StoredChannel { url: url.clone() });
    app.save_channels(&stored).await?;
    let row = ChannelRow {
        id: id.clone(),
        platform: platform.name().to_string(),
        url: public_url(&url),
        health: "connected".into(),
        handle: None,
        followers: None,
        min_spacing_secs: min_spacing_minutes.map(|m| m * 60),
    };
    if app.ctx.json {
        return output::json(&row);
    }
    output::line(&format!(
        "Connected channel '{id}' ({}, {}).",
        row.platform, row.url
    ));
    Ok(())
}

/// `socialkit channel list [--check]`.
pub async fn list(app: &App, check: bool) -> Result<()> {
    let stored = app.stored_channels().await?;
    let records = app.store.channels(app.ws()).await?;
    let mut rows = Vec::new();
    for (id, ch) in &stored {
        let record = records.iter().find(|r| r.id.as_str() == id);
        let mut row = ChannelRow {
            id: id.clone(),
            platform: record.map(|r| r.platform.clone()).unwrap_or_default(),
            url: public_url(&ch.url),
            health: String::new(),
            handle: None,
            followers: None,
            min_spacing_secs: record.and_then(|r| r.min_spacing_secs),
        };
        row.health = match (app.platforms.get(id), app.broken.get(id)) {
            (_, Some(reason)) => format!("unavailable ({reason})"),
            (Some(p), None) if check => match p.channel().await {
                Ok(c) => {
                    row.handle = Some(c.handle.clone());
                    row.followers = c.metrics.followers;
                    "ok (checked)".into()
                }
                Err(e) => match e.kind() {
                    ErrorKind::Unauthenticated | ErrorKind::PermissionDenied => {
                        format!("needs re-authorisation ({})", e.kind())
                    }
                    k => format!("error ({k})"),
                },
            },
            (Some(_), None) => "connected".into(),
            (None, None) => "unknown".into(),
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
    let mut stored = app.stored_channels().await?;
    if !stored.contains_key(id) {
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
    stored.remove(id);
    app.save_channels(&stored).await?;
    if app.ctx.json {
        return output::json(&serde_json::json!({ "removed": id }));
    }
    output::line(&format!(
        "Removed channel '{id}': its credentials are deleted; its published posts stay in the history."
    ));
    Ok(())
}
