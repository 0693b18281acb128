//! `inbox sync/list/show/reply/assign/resolve/views`.

use clap::Args;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socialkit::clock::SystemClock;
use socialkit::inbox::sla::SlaPolicy;
use socialkit::inbox::{
    AssigneeFilter, Inbox, InboxFilter, InboxItem, ItemState, PageRequest, SlaFilter, SortOrder,
    View,
};
use socialkit::listen::query::Query;
use socialkit::report::printable_key;
use socialkit::{Error, ErrorKind, Result};

use crate::app::InboxCmd;
use crate::config::App;
use crate::output;

/// The workspace setting with the saved views.
const VIEWS_SETTING: &str = "cli.inbox.views";
/// The workspace setting with the SLA policy (default: [`SlaPolicy::default`]).
pub const SLA_SETTING: &str = "cli.inbox.sla";

#[derive(Debug, Args)]
pub struct ListArgs {
    /// A saved view by name (see `inbox views`); filters below narrow it further.
    #[arg(long)]
    pub view: Option<String>,
    /// States: new, pending, resolved.
    #[arg(long, value_delimiter = ',')]
    pub state: Vec<String>,
    /// Intents: question, complaint, praise, spam, other.
    #[arg(long, value_delimiter = ',')]
    pub intent: Vec<String>,
    /// Sentiment: positive, neutral, negative.
    #[arg(long, value_delimiter = ',')]
    pub sentiment: Vec<String>,
    /// Channels.
    #[arg(long, value_delimiter = ',')]
    pub channel: Vec<String>,
    /// Assignee: a member, `me` or `unassigned`.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only items past their SLA.
    #[arg(long)]
    pub breached: bool,
    /// A listening query over the text (`refund OR "money back"`).
    #[arg(long)]
    pub query: Option<String>,
    /// Order: priority, newest, oldest, sla.
    #[arg(long)]
    pub sort: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Save these filters as a view under this name.
    #[arg(long)]
    pub save_view: Option<String>,
}

fn parse_enum<T: DeserializeOwned>(what: &str, s: &str, known: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase()))
        .map_err(|_| Error::validation(format!("unknown {what} '{s}'; known: {known}")))
}

/// The inbox of the workspace, on the store's tables, with the engine for replies.
pub async fn open(app: &App) -> Result<Inbox> {
    let store = app.inbox_store().await?;
    let sla = stored_sla(&*app.store, app.ws()).await?;
    let mut inbox = Inbox::new(store, std::sync::Arc::new(SystemClock))
        .with_engine(app.engine.clone(), app.ws().clone())
        .with_sla(sla);
    for (id, p) in &app.platforms {
        inbox.connect(id.clone(), p.clone());
    }
    Ok(inbox)
}

async fn views(app: &App) -> Result<Vec<View>> {
    let mut all = View::presets();
    if let Some(v) = app.store.setting(app.ws(), VIEWS_SETTING).await? {
        let saved: Vec<View> = serde_json::from_value(v)
            .map_err(|e| Error::config(format!("the saved views are damaged: {e}")))?;
        all.extend(saved);
    }
    Ok(all)
}

/// `channel/platform/id` back to the inbox's key.
fn key_of(s: &str) -> Result<String> {
    let mut parts = s.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(c), Some(p), Some(id)) if !c.is_empty() && !p.is_empty() && !id.is_empty() => {
            Ok(format!("{c}\u{1f}{p}\u{1f}{id}"))
        }
        _ => Err(Error::validation(format!(
            "'{s}' is not an inbox key: write channel/platform/id as `inbox list` shows it"
        ))),
    }
}

#[derive(Serialize)]
struct ItemRow {
    key: String,
    channel: String,
    kind: String,
    author: String,
    created_at: chrono::DateTime<chrono::Utc>,
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    intent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sentiment: Option<f64>,
    text: String,
}

fn name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn item_row(i: &InboxItem) -> ItemRow {
    let c = i.classification.as_ref();
    ItemRow {
        key: printable_key(&i.key),
        channel: i.channel.clone(),
        kind: name(&i.interaction.kind),
        author: i.interaction.author.handle.clone(),
        created_at: i.opened_at(),
        state: name(&i.state),
        assignee: i.assignee.clone(),
        intent: c.map(|c| name(&c.intent)),
        priority: c.map(|c| name(&c.priority)),
        sentiment: c.map(|c| c.sentiment.compound),
        text: i.interaction.text.clone().unwrap_or_default(),
    }
}

fn print_items(rows: &[ItemRow]) {
    output::table(
        &[
            "key",
            "when (UTC)",
            "state",
            "intent",
            "priority",
            "assignee",
            "text",
        ],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.key.clone(),
                    r.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    r.state.clone(),
                    r.intent.clone().unwrap_or_default(),
                    r.priority.clone().unwrap_or_default(),
                    r.assignee.clone().unwrap_or_default(),
                    output::short(&r.text, 50),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

fn filter_of(args: &ListArgs, base: InboxFilter) -> Result<InboxFilter> {
    let mut f = base;
    for s in &args.state {
        f.states
            .push(parse_enum("state", s, "new, pending, resolved")?);
    }
    for s in &args.intent {
        f.intents.push(parse_enum(
            "intent",
            s,
            "question, complaint, praise, spam, other",
        )?);
    }
    for s in &args.sentiment {
        f.sentiment
            .push(parse_enum("sentiment", s, "positive, neutral, negative")?);
    }
    f.channels.extend(args.channel.iter().cloned());
    if let Some(a) = &args.assignee {
        f.assignee = Some(match a.as_str() {
            "me" => AssigneeFilter::Me,
            "unassigned" => AssigneeFilter::Unassigned,
            "anyone" => AssigneeFilter::Anyone,
            m => AssigneeFilter::Member(m.to_string()),
        });
    }
    if args.breached {
        f.sla = Some(SlaFilter::Breached);
    }
    if let Some(q) = &args.query {
        f.text = Some(Query::parse(q)?);
    }
    Ok(f)
}

/// Runs an inbox command.
pub async fn run(app: &App, cmd: InboxCmd) -> Result<()> {
    let inbox = open(app).await?;
    let me = Some(app.who());
    match cmd {
        InboxCmd::Sync => {
            let bar = output::spinner(app.ctx.json);
            bar.set_message("reading interactions from every channel");
            let r = inbox.sync().await;
            bar.finish_and_clear();
            let r = r?;
            let recorded = inbox.record_replies().await?.len();
            if app.ctx.json {
                return output::json(&serde_json::json!({
                    "new": r.new, "duplicates": r.duplicates, "pages": r.pages,
                    "failed": r.failed.iter().map(|(c, e)| serde_json::json!({"channel": c, "error": e})).collect::<Vec<_>>(),
                    "replies_recorded": recorded,
                }));
            }
            output::line(&format!(
                "{} new, {} duplicates, {} pages read; {} replies recorded as sent.",
                r.new, r.duplicates, r.pages, recorded
            ));
            for (c, e) in &r.failed {
                output::line(&format!("  {c}: failed: {e}"));
            }
            Ok(())
        }
        InboxCmd::List(args) => {
            let all_views = views(app).await?;
            let base = match &args.view {
                Some(v) => Some(
                    all_views
                        .iter()
                        .find(|x| x.name.eq_ignore_ascii_case(v))
                        .cloned()
                        .ok_or_else(|| {
                            Error::new(
                                ErrorKind::NotFound,
                                format!("no view '{v}': see `socialkit inbox views`"),
                            )
                        })?,
                ),
                None => None,
            };
            let filter = filter_of(
                &args,
                base.as_ref().map(|v| v.filter.clone()).unwrap_or_default(),
            )?;
            let sort = match args.sort.as_deref() {
                None => base.as_ref().map(|v| v.sort).unwrap_or(SortOrder::Newest),
                Some("priority") => SortOrder::PriorityThenAge,
                Some("newest") => SortOrder::Newest,
                Some("oldest") => SortOrder::Oldest,
                Some("sla") => SortOrder::SlaDueSoonest,
                Some(s) => {
                    return Err(Error::validation(format!(
                        "unknown sort '{s}'; known: priority, newest, oldest, sla"
                    )));
                }
            };
            let view = View::new(
                args.save_view.clone().unwrap_or_else(|| "(ad hoc)".into()),
                filter,
                sort,
            );
            if let Some(name) = &args.save_view {
                let mut saved: Vec<View> = match app.store.setting(app.ws(), VIEWS_SETTING).await? {
                    Some(v) => serde_json::from_value(v).unwrap_or_default(),
                    None => Vec::new(),
                };
                saved.retain(|v| &v.name != name);
                saved.push(view.clone());
                app.store
                    .put_setting(
                        app.ws(),
                        VIEWS_SETTING,
                        &serde_json::to_value(&saved).map_err(Error::from)?,
                    )
                    .await?;
                if !app.ctx.json {
                    output::line(&format!("Saved view '{name}'."));
                }
            }
            let page = inbox
                .view(&view, me, PageRequest::first(args.limit))
                .await?;
            let rows: Vec<ItemRow> = page.items.iter().map(item_row).collect();
            if app.ctx.json {
                return output::json(&rows);
            }
            if rows.is_empty() {
                output::line("No items (run `socialkit inbox sync` to read new interactions).");
                return Ok(());
            }
            print_items(&rows);
            if page.has_more() {
                let total = inbox.count(&view, me).await?;
                output::line(&format!("… {} of {} shown (--limit)", rows.len(), total));
            }
            Ok(())
        }
        InboxCmd::Show { key } => {
            let item = inbox.item(&key_of(&key)?).await?;
            if app.ctx.json {
                return output::json(&item);
            }
            let r = item_row(&item);
            output::line(&format!(
                "{}  ({} on {}, {})",
                r.key,
                r.kind,
                r.channel,
                r.created_at.format("%Y-%m-%d %H:%M UTC")
            ));
            output::line(&format!("from:      @{}", r.author));
            output::line(&format!(
                "state:     {}{}",
                r.state,
                r.assignee
                    .map(|a| format!(", assigned to {a}"))
                    .unwrap_or_default()
            ));
            if let Some(c) = &item.classification {
                output::line(&format!(
                    "class:     {} · {} priority · sentiment {:.2}{}",
                    name(&c.intent),
                    name(&c.priority),
                    c.sentiment.compound,
                    if c.tags.is_empty() {
                        String::new()
                    } else {
                        format!(" · tags {}", c.tags.join(", "))
                    }
                ));
            }
            if let Some(p) = &item.reply {
                output::line(&format!("replied:   {}", p.url().unwrap_or("(sent)")));
            } else if item.reply_delivery.is_some() {
                output::line("replied:   queued (the worker sends it)");
            }
            output::line("");
            output::line(&r.text);
            Ok(())
        }
        InboxCmd::Reply { key, text } => {
            if text.trim().is_empty() {
                return Err(Error::validation("the reply is empty"));
            }
            let status = inbox.reply(&key_of(&key)?, app.who(), &text).await?;
            if app.ctx.json {
                return output::json(&serde_json::json!({
                    "key": key,
                    "delivery": status.delivery().to_string(),
                    "published": status.published().is_some(),
                }));
            }
            output::line(&format!(
                "Reply {} (delivery {}); `socialkit worker` sends it exactly once.",
                if status.published().is_some() {
                    "sent"
                } else {
                    "queued"
                },
                status.delivery()
            ));
            Ok(())
        }
        InboxCmd::Assign { key, member } => {
            let item = inbox.assign(&key_of(&key)?, &member).await?;
            if app.ctx.json {
                return output::json(&item_row(&item));
            }
            output::line(&format!(
                "Assigned {} to {member}.",
                printable_key(&item.key)
            ));
            Ok(())
        }
        InboxCmd::Resolve { key } => {
            let item = inbox.set_state(&key_of(&key)?, ItemState::Resolved).await?;
            if app.ctx.json {
                return output::json(&item_row(&item));
            }
            output::line(&format!("Resolved {}.", printable_key(&item.key)));
            Ok(())
        }
        InboxCmd::Views => {
            let all = views(app).await?;
            let counts = inbox.counts(&all, me).await?;
            if app.ctx.json {
                return output::json(
                    &counts
                        .iter()
                        .map(|(n, c)| serde_json::json!({"view": n, "count": c}))
                        .collect::<Vec<_>>(),
                );
            }
            output::table(
                &["view", "items"],
                &counts
                    .iter()
                    .map(|(n, c)| vec![n.clone(), c.to_string()])
                    .collect::<Vec<_>>(),
            );
            Ok(())
        }
    }
}

/// The workspace's stored SLA policy, or the default.
pub async fn stored_sla(
    store: &dyn socialkit::store::Store,
    ws: &socialkit::store::WorkspaceId,
) -> Result<SlaPolicy> {
    Ok(match store.setting(ws, SLA_SETTING).await? {
        Some(v) => serde_json::from_value(v)
            .map_err(|e| Error::config(format!("the stored SLA policy is damaged: {e}")))?,
        None => SlaPolicy::default(),
    })
}
