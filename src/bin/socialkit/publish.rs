//! `post`, `queue`, `approve`, `reject` and `worker`.

use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use socialkit::engine::EventKind;
use socialkit::engine::schedule::resolve_local;
use socialkit::model::{Media, Post};
use socialkit::store::{ChannelId, Delivery, DeliveryFilter, DeliveryState, PostId};
use socialkit::{Error, ErrorKind, Result};

use crate::app::PostArgs;
use crate::config::App;
use crate::output;

/// Parses `--at`: `YYYY-MM-DD HH:MM Zone/Name`, `YYYY-MM-DD HH:MM` (UTC) or RFC 3339.
pub fn parse_at(s: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    let (date_time, zone) = match parts.as_slice() {
        [d, t, z] => (format!("{d} {t}"), *z),
        [d, t] => (format!("{d} {t}"), "UTC"),
        _ => {
            return Err(Error::validation(format!(
                "--at '{s}': write \"YYYY-MM-DD HH:MM Zone/Name\", e.g. \"2026-12-24 09:00 Europe/Berlin\""
            )));
        }
    };
    let zone: Tz = zone.parse().map_err(|_| {
        Error::validation(format!(
            "--at: unknown time zone '{zone}'; use an IANA name such as Europe/Berlin"
        ))
    })?;
    let local = NaiveDateTime::parse_from_str(&date_time, "%Y-%m-%d %H:%M").map_err(|e| {
        Error::validation(format!(
            "--at '{s}': {e}; write \"YYYY-MM-DD HH:MM Zone/Name\""
        ))
    })?;
    Ok(resolve_local(zone, local))
}

fn mime_of(path: &Path) -> Result<&'static str> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    Ok(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        _ => {
            return Err(Error::validation(format!(
                "--media {}: unknown file type; use png, jpg, gif, webp, mp4 or mov",
                path.display()
            )));
        }
    })
}

/// The post the arguments describe, checked before anything is stored.
pub fn build_post(args: &PostArgs) -> Result<Post> {
    if args.text.trim().is_empty() {
        return Err(Error::validation("the post's text is empty"));
    }
    if args.alt.len() > args.media.len() {
        return Err(Error::validation(format!(
            "{} --alt texts for {} --media files: give one alt text per file, in order",
            args.alt.len(),
            args.media.len()
        )));
    }
    let mut post = Post::text(args.text.clone());
    for (i, path) in args.media.iter().enumerate() {
        if !path.is_file() {
            return Err(Error::validation(format!(
                "--media {}: no such file",
                path.display()
            )));
        }
        let mut media = Media::from_path(mime_of(path)?, path.clone());
        if let Some(alt) = args.alt.get(i) {
            media = media.with_alt(alt.clone());
        }
        post = post.with_media(media);
    }
    for part in &args.thread {
        post = post.then(part.clone());
    }
    if let Some(at) = &args.at {
        let at = parse_at(at)?;
        if at < Utc::now() - chrono::Duration::minutes(1) {
            return Err(Error::validation(format!(
                "--at {} is in the past",
                at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        post = post.scheduled_at(at);
    }
    if let Some(c) = &args.campaign {
        post = post.with_label(c.clone());
    }
    Ok(post)
}

#[derive(Serialize)]
struct Row {
    post: String,
    delivery: String,
    channel: String,
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_for: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_kind: Option<String>,
    attempts: u32,
    reply: bool,
    text: String,
}

/// Why a delivery stands where it does, for people.
fn reason(d: &Delivery, last_why: Option<&str>) -> Option<String> {
    if d.needs_decision() {
        return Some(
            "in doubt: the platform may have it; look and settle it before anything is sent again"
                .into(),
        );
    }
    if let Some(e) = &d.error {
        return Some(format!("{}: {}", e.kind, e.message));
    }
    last_why.map(str::to_string)
}

async fn row(app: &App, d: &Delivery) -> Result<Row> {
    let history = app.store.history(app.ws(), &d.id).await?;
    Ok(Row {
        post: d.post.to_string(),
        delivery: d.id.to_string(),
        channel: d.channel.to_string(),
        state: d.state.as_str().to_string(),
        scheduled_for: d.scheduled_for.or(d.due_at),
        url: d.result.as_ref().and_then(|r| r.url().map(str::to_string)),
        reason: reason(d, history.last().map(|h| h.why.as_str())),
        error_kind: d.error.as_ref().map(|e| e.kind.as_str().to_string()),
        attempts: d.attempts,
        reply: d.is_reply(),
        text: d.content.text.clone(),
    })
}

fn print_rows(rows: &[Row]) {
    output::table(
        &[
            "post",
            "channel",
            "state",
            "when (UTC)",
            "reason / url",
            "text",
        ],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.post.clone(),
                    r.channel.clone(),
                    r.state.clone(),
                    r.scheduled_for
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default(),
                    output::short(r.url.as_deref().or(r.reason.as_deref()).unwrap_or(""), 60),
                    output::short(&r.text, 40),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

/// `socialkit post`.
pub async fn post(app: &App, args: PostArgs) -> Result<()> {
    let post = build_post(&args)?;
    let channels: Vec<ChannelId> = args.to.iter().map(|c| ChannelId::new(c.trim())).collect();
    for c in &channels {
        if !app.platforms.contains_key(c.as_str()) {
            let why = app
                .broken
                .get(c.as_str())
                .map_or_else(String::new, |b| format!(" ({b})"));
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("channel '{c}' is not connected{why}: see `socialkit channel list`"),
            ));
        }
    }
    let submitted = if args.submit_for_approval {
        let s = app
            .engine
            .draft(app.ws(), app.who(), post, &channels)
            .await?;
        app.engine
            .request_review(app.ws(), app.who(), &s.post)
            .await?;
        app.engine.deliveries(app.ws(), &s.post).await?
    } else {
        app.engine
            .submit(app.ws(), app.who(), post, &channels)
            .await?
            .deliveries
    };
    let mut rows = Vec::new();
    for d in &submitted {
        rows.push(row(app, d).await?);
    }
    if app.ctx.json {
        return output::json(&rows);
    }
    let post_id = submitted
        .first()
        .map(|d| d.post.to_string())
        .unwrap_or_default();
    let state = submitted
        .first()
        .map(|d| d.state)
        .unwrap_or(DeliveryState::Draft);
    output::line(&format!(
        "Post {post_id}: {} deliver{} {}.",
        submitted.len(),
        if submitted.len() == 1 { "y" } else { "ies" },
        match state {
            DeliveryState::InReview => "in review (socialkit approve POST)".to_string(),
            DeliveryState::Scheduled => "scheduled; `socialkit worker` publishes them".to_string(),
            s => s.as_str().to_string(),
        }
    ));
    print_rows(&rows);
    Ok(())
}

/// `socialkit queue`.
pub async fn queue(
    app: &App,
    states: &[String],
    channel: Option<String>,
    post: Option<String>,
    limit: usize,
) -> Result<()> {
    let mut filter = DeliveryFilter {
        channel: channel.map(ChannelId::new),
        post: post.map(PostId::new),
        ..DeliveryFilter::default()
    };
    for s in states {
        let state = DeliveryState::parse(s).ok_or_else(|| {
            Error::validation(format!(
                "unknown state '{s}'; known: draft, in_review, changes_requested, approved, scheduled, publishing, published, failed, cancelled, paused"
            ))
        })?;
        filter.states.push(state);
    }
    let all = app.store.deliveries(app.ws(), &filter).await?;
    let skip = all.len().saturating_sub(limit);
    let mut rows = Vec::new();
    for d in &all[skip..] {
        rows.push(row(app, d).await?);
    }
    if app.ctx.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        output::line("The queue is empty.");
        return Ok(());
    }
    print_rows(&rows);
    Ok(())
}

async fn post_id(app: &App, id: &str) -> Result<PostId> {
    let id = PostId::new(id);
    app.store.post(app.ws(), &id).await?;
    Ok(id)
}

/// `socialkit approve POST`.
pub async fn approve(app: &App, post: &str, why: &str) -> Result<()> {
    let id = post_id(app, post).await?;
    let out = app.engine.approve(app.ws(), app.who(), &id, why).await?;
    finish_move(app, &out, "approved").await
}

/// `socialkit reject POST`.
pub async fn reject(app: &App, post: &str, why: &str, cancel: bool) -> Result<()> {
    let id = post_id(app, post).await?;
    let out = if cancel {
        app.engine.cancel(app.ws(), app.who(), &id, why).await?
    } else {
        app.engine
            .request_changes(app.ws(), app.who(), &id, why)
            .await?
    };
    finish_move(
        app,
        &out,
        if cancel {
            "cancelled"
        } else {
            "sent back for changes"
        },
    )
    .await
}

async fn finish_move(app: &App, out: &[Delivery], what: &str) -> Result<()> {
    let mut rows = Vec::new();
    for d in out {
        rows.push(row(app, d).await?);
    }
    if app.ctx.json {
        return output::json(&rows);
    }
    output::line(&format!("{} deliveries {what}.", rows.len()));
    print_rows(&rows);
    Ok(())
}

#[derive(Default, Serialize)]
struct WorkerSummary {
    published: usize,
    failed: usize,
    retried: usize,
    reconciled: usize,
    events: Vec<serde_json::Value>,
}

/// `socialkit worker [--once]`.
pub async fn worker(app: &App, once: bool) -> Result<()> {
    let mut summary = WorkerSummary::default();
    if once {
        // Publish what is due now: the outbox until a round claims nothing.
        app.engine.recover().await?;
        let bar = output::spinner(app.ctx.json);
        for _ in 0..10_000 {
            let r = app.engine.run_once().await?;
            summary.published += r.published;
            summary.failed += r.failed;
            summary.retried += r.retried;
            summary.reconciled += r.reconciled;
            bar.set_message(format!(
                "published {} · failed {} · retrying {}",
                summary.published, summary.failed, summary.retried
            ));
            if r.claimed == 0 {
                break;
            }
        }
        bar.finish_and_clear();
    } else {
        let mut events = app.engine.subscribe();
        let worker = app.engine.spawn_worker();
        if !app.ctx.json {
            eprintln!(
                "worker started on {} ({} channels); Ctrl-C to stop",
                app.ctx.store.display(),
                app.platforms.len()
            );
        }
        let bar = output::spinner(app.ctx.json);
        bar.set_message("working; Ctrl-C stops after in-flight posts finish".to_string());
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                ev = events.recv() => match ev {
                    Ok(ev) => {
                        let line = match &ev.kind {
                            EventKind::Published { channel, result, .. } => {
                                summary.published += 1;
                                Some(format!("published on {channel}: {}", result.url().unwrap_or("(no url)")))
                            }
                            EventKind::Replied { channel, .. } => {
                                summary.published += 1;
                                Some(format!("replied on {channel}"))
                            }
                            EventKind::Failed { channel, error, .. } => {
                                summary.failed += 1;
                                Some(format!("failed on {channel}: {}: {}", error.kind, error.message))
                            }
                            EventKind::NeedsReauth { channel, .. } => {
                                Some(format!("channel {channel} needs re-authorisation"))
                            }
                            _ => None,
                        };
                        if let Some(l) = line {
                            if app.ctx.json {
                                summary.events.push(serde_json::to_value(&ev).unwrap_or_default());
                            } else {
                                bar.suspend(|| output::line(&l));
                            }
                        }
                        bar.set_message(format!(
                            "published {} · failed {} · Ctrl-C to stop",
                            summary.published, summary.failed
                        ));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                },
            }
            if worker.is_finished() {
                break;
            }
        }
        bar.set_message("stopping: finishing in-flight posts".to_string());
        worker.shutdown().await?;
        bar.finish_and_clear();
        if !app.ctx.json {
            eprintln!("worker stopped");
        }
    }
    if app.ctx.json {
        return output::json(&summary);
    }
    output::line(&format!(
        "published {} · failed {} · retrying {} · reconciled {}",
        summary.published, summary.failed, summary.retried, summary.reconciled
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_reads_local_time_in_a_zone() {
        let t = parse_at("2026-12-24 09:00 Europe/Berlin").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-24T08:00:00+00:00");
        assert_eq!(
            parse_at("2026-07-01T10:00:00+02:00").unwrap().to_rfc3339(),
            "2026-07-01T08:00:00+00:00"
        );
        assert_eq!(
            parse_at("tomorrow").unwrap_err().kind(),
            ErrorKind::Validation
        );
        assert_eq!(
            parse_at("2026-12-24 09:00 Mars/Olympus")
                .unwrap_err()
                .kind(),
            ErrorKind::Validation
        );
    }
}
