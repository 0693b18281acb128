//! The inbox in PostgreSQL, in the engine's database: tables `inbox_cursors`, `inbox_items`,
//! `inbox_item_data` and `inbox_policy`, scoped by workspace, created and migrated by the
//! inbox itself (feature `inbox`, through the store's [`PgHandle`], under the store's
//! migration lock). The layout is SQLite's (`src/inbox/store/sqlite.rs`): one narrow row of
//! facts per item, what pages filter and sort on and the SLA report aggregates, and the item
//! as JSON beside it, read only for the rows a page returns. Keys sort bytewise (`COLLATE
//! "C"`), as in every other store.
//!
//! Many processes may write one inbox at once. Each write reads, under a shared row lock, the
//! SLA policy the workspace's facts were computed under and computes the new row's facts
//! under that one; a query under another policy takes the row's exclusive lock and computes
//! every row again first. So facts never mix two policies.

use async_trait::async_trait;
use deadpool_postgres::{Pool, Transaction};
use futures::{StreamExt, pin_mut};
use tokio_postgres::types::ToSql;

use super::query::{self, Binder, Columns};
use super::{InboxStore, PageCursor, SlaNote, note_on, policy_id};
use crate::error::{Error, ErrorKind, Result};
use crate::inbox::sla::{GroupStats, SlaKind, SlaPolicy, SlaReport, Stats};
use crate::inbox::{InboxItem, Narrowing, SortOrder};
use crate::store::{PgHandle, WorkspaceId};

fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::new(ErrorKind::Storage, "the inbox store failed").with_source(e)
}

/// The inbox's schema steps on PostgreSQL (feature `inbox`); `STEPS[i]` goes from version `i`
/// to `i + 1`. Append; never edit a step that has shipped.
const STEPS: &[&str] = &[
    // 1: the inbox's tables, as on SQLite after its step 2. Times are microseconds;
    // `priority` is the rank of `Priority` (low 0 … urgent 3); `urgency` is 3 − that rank, 9
    // unclassified; `next_due` is the soonest due instant of a running target, i64::MAX for
    // none; `*_time` are business times in µs. `inbox_policy` holds the SLA policy (its
    // fingerprint and its JSON) the workspace's facts were computed under.
    r#"
    CREATE TABLE inbox_cursors (
        workspace TEXT NOT NULL,
        channel TEXT NOT NULL,
        cursor TEXT NOT NULL,
        PRIMARY KEY (workspace, channel)
    );
    CREATE TABLE inbox_items (
        workspace TEXT NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        channel TEXT NOT NULL,
        state TEXT NOT NULL,
        assignee TEXT,
        intent TEXT,
        priority BIGINT,
        opened_at BIGINT NOT NULL,
        resolved_at BIGINT,
        first_response_at BIGINT,
        member TEXT,
        polarity TEXT,
        tags TEXT[],
        urgency BIGINT NOT NULL,
        breached BOOLEAN NOT NULL,
        awaiting_reply BOOLEAN NOT NULL,
        measured BOOLEAN NOT NULL,
        first_response_due BIGINT,
        resolution_due BIGINT,
        next_due BIGINT NOT NULL,
        first_response_time BIGINT,
        resolution_time BIGINT,
        PRIMARY KEY (workspace, key)
    );
    CREATE TABLE inbox_item_data (
        workspace TEXT NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, key)
    );
    CREATE TABLE inbox_policy (
        workspace TEXT PRIMARY KEY,
        policy TEXT NOT NULL,
        sla TEXT NOT NULL
    );
    CREATE INDEX inbox_items_state ON inbox_items (workspace, state, opened_at);
    CREATE INDEX inbox_items_assignee ON inbox_items (workspace, assignee, state);
    CREATE INDEX inbox_items_resolved ON inbox_items (workspace, resolved_at)
        WHERE resolved_at IS NOT NULL;
    CREATE INDEX inbox_items_by_priority ON inbox_items (workspace, urgency, opened_at, key);
    CREATE INDEX inbox_items_by_age ON inbox_items (workspace, opened_at, key);
    CREATE INDEX inbox_items_by_due ON inbox_items (workspace, next_due, opened_at, key);
    CREATE INDEX inbox_items_awaiting ON inbox_items (workspace, key) WHERE awaiting_reply;
    CREATE INDEX inbox_items_channel_fr ON inbox_items (workspace, channel, first_response_time)
        WHERE first_response_time IS NOT NULL;
    CREATE INDEX inbox_items_channel_res ON inbox_items (workspace, channel, resolution_time)
        WHERE resolution_time IS NOT NULL;
    CREATE INDEX inbox_items_member_fr ON inbox_items (workspace, member, first_response_time)
        WHERE first_response_time IS NOT NULL AND member IS NOT NULL;
    CREATE INDEX inbox_items_member_res ON inbox_items (workspace, member, resolution_time)
        WHERE resolution_time IS NOT NULL AND member IS NOT NULL;
    "#,
];

/// An [`InboxStore`] in PostgreSQL, scoped to one workspace, in the database of a
/// [`PgStore`](crate::store::PgStore) (sharing its pool). Cheap to clone.
///
/// ```no_run
/// use socialkit::inbox::{InboxStore, PgInboxStore, sla::SlaPolicy};
/// use socialkit::store::PgStore;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = PgStore::connect(&std::env::var("SOCIALKIT_POSTGRES_URL").unwrap()).await.unwrap();
/// let acme = PgInboxStore::new(&store.handle(), &"acme".into()).await.unwrap();
/// acme.commit_page("mastodon", &[], Some("c1"), &SlaPolicy::default()).await.unwrap();
/// assert_eq!(acme.cursor("mastodon").await.unwrap().as_deref(), Some("c1"));
/// # });
/// ```
#[derive(Clone)]
pub struct PgInboxStore {
    pool: Pool,
    workspace: String,
}

impl std::fmt::Debug for PgInboxStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgInboxStore")
            .field("workspace", &self.workspace)
            .finish_non_exhaustive()
    }
}

type Arg = Box<dyn ToSql + Sync + Send>;

/// Arguments of one PostgreSQL statement (`$1`, `$2`, …).
#[derive(Default)]
struct Args(Vec<Arg>);

impl Args {
    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }

    fn push(&mut self, v: Arg) -> String {
        self.0.push(v);
        format!("${}", self.0.len())
    }
}

impl Binder for Args {
    fn int(&mut self, v: i64) -> String {
        self.push(Box::new(v))
    }

    fn text(&mut self, v: String) -> String {
        self.push(Box::new(v))
    }

    fn has_tag(&mut self, tag: String) -> String {
        format!("{} = ANY(i.tags)", self.text(tag))
    }
}

/// The row of `item` in `inbox_items`.
fn row(ws: &str, item: &InboxItem, sla: &SlaPolicy) -> Result<Args> {
    let c = Columns::of(item, sla)?;
    let f = c.facts;
    Ok(Args(vec![
        Box::new(ws.to_string()),
        Box::new(item.key.clone()),
        Box::new(c.channel),
        Box::new(c.state),
        Box::new(c.assignee),
        Box::new(c.intent),
        Box::new(c.priority),
        Box::new(f.opened_at),
        Box::new(f.resolved_at),
        Box::new(f.first_response_at),
        Box::new(f.member),
        Box::new(c.polarity),
        Box::new(c.tags),
        Box::new(f.urgency),
        Box::new(f.breached),
        Box::new(f.awaiting_reply),
        Box::new(f.measured),
        Box::new(f.first_response_due),
        Box::new(f.resolution_due),
        Box::new(f.next_due),
        Box::new(f.first_response_time),
        Box::new(f.resolution_time),
    ]))
}

fn insert_sql(tail: &str) -> String {
    query::insert_sql(|i| format!("${i}"), tail)
}

const DATA: &str = "SELECT d.data FROM inbox_items i JOIN inbox_item_data d
    ON d.workspace = i.workspace AND d.key = i.key WHERE i.workspace = ";

impl PgInboxStore {
    /// The inbox of workspace `workspace` in the database of `handle`
    /// ([`PgStore::handle`](crate::store::PgStore::handle)); creates or migrates the inbox's
    /// tables (once, however many processes open it together). A database whose inbox tables
    /// are newer than this code is refused with [`ConfigInvalid`](ErrorKind::ConfigInvalid).
    pub async fn new(handle: &PgHandle, workspace: &WorkspaceId) -> Result<Self> {
        handle.migrate_feature("inbox", STEPS).await?;
        Ok(PgInboxStore {
            pool: handle.pool().clone(),
            workspace: workspace.as_str().to_string(),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(storage)
    }

    /// [`InboxStore::commit_page`] inside the caller's transaction `tx` on this store's
    /// database: for a layer above (the contact layer) that stores its own rows of the page
    /// in the same transaction, so the page is stored whole or not at all.
    pub(crate) async fn commit_page_in(
        &self,
        tx: &Transaction<'_>,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
        sla: &SlaPolicy,
    ) -> Result<usize> {
        let ws = self.workspace.as_str();
        let sla = recorded_policy(tx, ws, sla).await?;
        let insert = tx
            .prepare_cached(&insert_sql("ON CONFLICT (workspace, key) DO NOTHING"))
            .await
            .map_err(storage)?;
        let mut new = 0;
        for item in items {
            if tx
                .execute(&insert, &row(ws, item, &sla)?.refs())
                .await
                .map_err(storage)?
                == 1
            {
                write_data(tx, ws, item).await?;
                new += 1;
            }
        }
        if let Some(cur) = cursor {
            tx.execute(
                "INSERT INTO inbox_cursors (workspace, channel, cursor) VALUES ($1, $2, $3)
                 ON CONFLICT (workspace, channel) DO UPDATE SET cursor = excluded.cursor",
                &[&ws, &channel, &cur],
            )
            .await
            .map_err(storage)?;
        }
        Ok(new)
    }

    /// [`InboxStore::put`] inside the caller's transaction `tx` (see
    /// [`commit_page_in`](Self::commit_page_in)).
    pub(crate) async fn put_in(
        &self,
        tx: &Transaction<'_>,
        item: &InboxItem,
        sla: &SlaPolicy,
    ) -> Result<()> {
        let ws = self.workspace.as_str();
        let sla = recorded_policy(tx, ws, sla).await?;
        write_facts(tx, ws, item, &sla).await?;
        write_data(tx, ws, item).await
    }

    /// Computes the facts again if they were computed under another policy than `sla`.
    async fn measure(&self, sla: &SlaPolicy) -> Result<()> {
        let id = policy_id(sla);
        let c = self.client().await?;
        let st = c
            .prepare_cached("SELECT policy FROM inbox_policy WHERE workspace = $1")
            .await
            .map_err(storage)?;
        let current: Option<String> = c
            .query_opt(&st, &[&self.workspace])
            .await
            .map_err(storage)?
            .map(|r| r.get(0));
        if current.as_deref() == Some(id.as_str()) {
            return Ok(());
        }
        let mut c = c;
        let tx = c.transaction().await.map_err(storage)?;
        align(&tx, &self.workspace, sla, &id).await?;
        tx.commit().await.map_err(storage)
    }
}

/// Brings the facts of every row of `ws` under `sla` (fingerprint `id`) unless they are,
/// holding the policy row's exclusive lock.
async fn align(tx: &Transaction<'_>, ws: &str, sla: &SlaPolicy, id: &str) -> Result<()> {
    let json = serde_json::to_string(sla)?;
    tx.execute(
        "INSERT INTO inbox_policy (workspace, policy, sla) VALUES ($1, '', $2)
         ON CONFLICT (workspace) DO NOTHING",
        &[&ws, &json],
    )
    .await
    .map_err(storage)?;
    let recorded: String = tx
        .query_one(
            "SELECT policy FROM inbox_policy WHERE workspace = $1 FOR UPDATE",
            &[&ws],
        )
        .await
        .map_err(storage)?
        .get(0);
    if recorded == id {
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let rows = tx
            .query(
                "SELECT data FROM inbox_item_data WHERE workspace = $1 AND key > $2
                 ORDER BY key LIMIT 1000",
                &[&ws, &after],
            )
            .await
            .map_err(storage)?;
        let items = rows
            .iter()
            .map(|r| Ok(serde_json::from_str::<InboxItem>(r.get(0))?))
            .collect::<Result<Vec<_>>>()?;
        let Some(last) = items.last() else {
            break;
        };
        after = last.key.clone();
        for item in &items {
            write_facts(tx, ws, item, sla).await?;
        }
    }
    tx.execute(
        "UPDATE inbox_policy SET policy = $2, sla = $3 WHERE workspace = $1",
        &[&ws, &id, &json],
    )
    .await
    .map_err(storage)?;
    Ok(())
}

/// The policy the facts of `ws` are computed under, holding the policy row's shared lock
/// until `tx` ends (so no query realigns them meanwhile); `sla` is recorded when there is
/// none yet.
async fn recorded_policy(tx: &Transaction<'_>, ws: &str, sla: &SlaPolicy) -> Result<SlaPolicy> {
    let st = tx
        .prepare_cached("SELECT policy, sla FROM inbox_policy WHERE workspace = $1 FOR SHARE")
        .await
        .map_err(storage)?;
    if let Some(r) = tx.query_opt(&st, &[&ws]).await.map_err(storage)? {
        let id: &str = r.get(0);
        if id == policy_id(sla) {
            return Ok(sla.clone());
        }
        return Ok(serde_json::from_str(r.get(1))?);
    }
    // No policy yet: record this one (no rows exist whose facts it would change).
    tx.execute(
        "INSERT INTO inbox_policy (workspace, policy, sla) VALUES ($1, $2, $3)
         ON CONFLICT (workspace) DO NOTHING",
        &[&ws, &policy_id(sla), &serde_json::to_string(sla)?],
    )
    .await
    .map_err(storage)?;
    let r = tx.query_one(&st, &[&ws]).await.map_err(storage)?;
    Ok(serde_json::from_str(r.get(1))?)
}

async fn write_data(tx: &Transaction<'_>, ws: &str, item: &InboxItem) -> Result<()> {
    let st = tx
        .prepare_cached(
            "INSERT INTO inbox_item_data (workspace, key, data) VALUES ($1, $2, $3)
             ON CONFLICT (workspace, key) DO UPDATE SET data = excluded.data",
        )
        .await
        .map_err(storage)?;
    tx.execute(&st, &[&ws, &item.key, &serde_json::to_string(item)?])
        .await
        .map_err(storage)?;
    Ok(())
}

/// Replaces (or inserts) the facts of `item`.
async fn write_facts(
    tx: &Transaction<'_>,
    ws: &str,
    item: &InboxItem,
    sla: &SlaPolicy,
) -> Result<()> {
    let st = tx
        .prepare_cached(&insert_sql(&query::upsert_tail()))
        .await
        .map_err(storage)?;
    tx.execute(&st, &row(ws, item, sla)?.refs())
        .await
        .map_err(storage)?;
    Ok(())
}

/// Item `key` of workspace `ws`, locked for the write with `lock`.
async fn read_one(
    c: &impl deadpool_postgres::GenericClient,
    ws: &str,
    key: &str,
    lock: bool,
) -> Result<Option<InboxItem>> {
    let sql = if lock {
        "SELECT data FROM inbox_item_data WHERE workspace = $1 AND key = $2 FOR UPDATE"
    } else {
        "SELECT data FROM inbox_item_data WHERE workspace = $1 AND key = $2"
    };
    let st = c.prepare_cached(sql).await.map_err(storage)?;
    let row = c.query_opt(&st, &[&ws, &key]).await.map_err(storage)?;
    Ok(row
        .map(|r| serde_json::from_str::<InboxItem>(r.get(0)))
        .transpose()?)
}

/// The nearest-rank median and 90th percentile ([`Stats::of`]) of `value` per `group`, in one
/// query: each row's rank in its group, and only the two ranks wanted returned.
async fn stats(
    c: &deadpool_postgres::Object,
    ws: &str,
    group: &str,
    value: &str,
) -> Result<std::collections::BTreeMap<String, Stats>> {
    let st = c
        .prepare_cached(&format!(
            "SELECT g, n, rank, v FROM (
                SELECT {group} AS g, {value} AS v,
                    row_number() OVER (PARTITION BY {group} ORDER BY {value}) AS rank,
                    count(*) OVER (PARTITION BY {group}) AS n
                FROM inbox_items
                WHERE workspace = $1 AND {value} IS NOT NULL AND {group} IS NOT NULL
             ) ranked
             WHERE rank = (n + 1) / 2 OR rank = (9 * n + 9) / 10"
        ))
        .await
        .map_err(storage)?;
    let mut out: std::collections::BTreeMap<String, Stats> = std::collections::BTreeMap::new();
    for r in c.query(&st, &[&ws]).await.map_err(storage)? {
        let (g, n, rank, v): (String, i64, i64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        let s = out.entry(g).or_insert(Stats {
            count: usize::try_from(n).unwrap_or(0),
            median: chrono::Duration::zero(),
            p90: chrono::Duration::zero(),
        });
        let v = chrono::Duration::microseconds(v);
        if rank == (n + 1) / 2 {
            s.median = v;
        }
        if rank == (9 * n + 9) / 10 {
            s.p90 = v;
        }
    }
    Ok(out)
}

/// The groups (channels or members) with a measured time, with their stats.
async fn groups(
    c: &deadpool_postgres::Object,
    ws: &str,
    group: &str,
) -> Result<std::collections::BTreeMap<String, GroupStats>> {
    let mut out: std::collections::BTreeMap<String, GroupStats> = std::collections::BTreeMap::new();
    for (g, s) in stats(c, ws, group, "first_response_time").await? {
        out.entry(g).or_default().first_response = Some(s);
    }
    for (g, s) in stats(c, ws, group, "resolution_time").await? {
        out.entry(g).or_default().resolution = Some(s);
    }
    Ok(out)
}

/// Runs `sql` (selecting one JSON column) and hands each item to `each` until it says stop;
/// rows stream in as the server sends them, so a stop early reads no more.
async fn each_item_while(
    c: &deadpool_postgres::Object,
    sql: &str,
    args: &Args,
    mut each: impl FnMut(InboxItem) -> bool,
) -> Result<()> {
    let st = c.prepare_cached(sql).await.map_err(storage)?;
    let rows = c.query_raw(&st, args.refs()).await.map_err(storage)?;
    pin_mut!(rows);
    while let Some(row) = rows.next().await {
        let row = row.map_err(storage)?;
        if !each(serde_json::from_str(row.get(0))?) {
            break;
        }
    }
    Ok(())
}

#[async_trait]
impl InboxStore for PgInboxStore {
    async fn cursor(&self, channel: &str) -> Result<Option<String>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT cursor FROM inbox_cursors WHERE workspace = $1 AND channel = $2",
            )
            .await
            .map_err(storage)?;
        Ok(c.query_opt(&st, &[&self.workspace, &channel])
            .await
            .map_err(storage)?
            .map(|r| r.get(0)))
    }

    async fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
        sla: &SlaPolicy,
    ) -> Result<usize> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        let new = self
            .commit_page_in(&tx, channel, items, cursor, sla)
            .await?;
        tx.commit().await.map_err(storage)?;
        Ok(new)
    }

    async fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        read_one(&self.client().await?, &self.workspace, key, false).await
    }

    async fn put(&self, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        self.put_in(&tx, item, sla).await?;
        tx.commit().await.map_err(storage)
    }

    async fn page(
        &self,
        query: &Narrowing,
        sort: SortOrder,
        after: Option<&PageCursor>,
        limit: usize,
        sla: &SlaPolicy,
    ) -> Result<Vec<InboxItem>> {
        self.measure(sla).await?;
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        let mut args = Args::default();
        let mut sql = format!("{DATA}{}", args.text(self.workspace.clone()));
        sql += &query::conditions(query, &mut args)?;
        let (after, order) = query::order(sort, after, &mut args);
        sql += &after;
        sql += &order;
        if query.text.is_none() {
            sql += &format!(
                " LIMIT {}",
                args.int(i64::try_from(limit).unwrap_or(i64::MAX))
            );
        }
        let c = self.client().await?;
        each_item_while(&c, &sql, &args, |i| {
            if query
                .text
                .as_ref()
                .is_none_or(|q| q.matches(&i.interaction))
            {
                out.push(i);
            }
            out.len() < limit
        })
        .await?;
        Ok(out)
    }

    async fn count(&self, query: &Narrowing, sla: &SlaPolicy) -> Result<usize> {
        self.measure(sla).await?;
        let mut args = Args::default();
        let ws = args.text(self.workspace.clone());
        let cond = query::conditions(query, &mut args)?;
        let c = self.client().await?;
        match &query.text {
            None => {
                let st = c
                    .prepare_cached(&format!(
                        "SELECT COUNT(*) FROM inbox_items i WHERE i.workspace = {ws}{cond}"
                    ))
                    .await
                    .map_err(storage)?;
                let n: i64 = c
                    .query_one(&st, &args.refs())
                    .await
                    .map_err(storage)?
                    .get(0);
                Ok(usize::try_from(n).unwrap_or(0))
            }
            Some(q) => {
                let mut n = 0;
                each_item_while(&c, &format!("{DATA}{ws}{cond}"), &args, |i| {
                    n += usize::from(q.matches(&i.interaction));
                    true
                })
                .await?;
                Ok(n)
            }
        }
    }

    async fn sla_report(&self, sla: &SlaPolicy) -> Result<SlaReport> {
        self.measure(sla).await?;
        let c = self.client().await?;
        Ok(SlaReport {
            channels: groups(&c, &self.workspace, "channel").await?,
            members: groups(&c, &self.workspace, "member").await?,
        })
    }

    async fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        let ws = self.workspace.as_str();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        let Some(mut item) = read_one(&tx, ws, key, true).await? else {
            return Ok(false);
        };
        let new = note_on(&mut item, kind, note);
        if new {
            // A note changes no fact but the breach flag.
            write_data(&tx, ws, &item).await?;
            tx.execute(
                "UPDATE inbox_items SET breached = $3 WHERE workspace = $1 AND key = $2",
                &[&ws, &key, &!item.breaches.is_empty()],
            )
            .await
            .map_err(storage)?;
        }
        tx.commit().await.map_err(storage)?;
        Ok(new)
    }
}
