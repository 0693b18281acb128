//! The contact layer in PostgreSQL, in the engine's database: tables `contact_contacts`,
//! `contact_identities`, `contact_touches`, `contact_audit`, `contact_signals`,
//! `contact_settings` and `contact_erased`, scoped by workspace, created and migrated by the
//! contact layer itself (feature `contacts`, through the store's [`PgHandle`], under the
//! store's migration lock). The layout is SQLite's (`src/contacts/store/sqlite.rs`): a
//! contact's aggregates are columns beside its JSON (tags and platforms as `TEXT[]`), so a
//! segment query reads one narrow row per contact and never the history. Ids and keys sort
//! bytewise (`COLLATE "C"`), as in every other store. Every method is one transaction.
//!
//! Many processes may resolve contacts at once: an identity is created with `ON CONFLICT DO
//! NOTHING`, and a process that loses the race drops the contact it made and joins the
//! identity the winner wrote, so no identity ever has two contacts.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool, Transaction};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::rewrite::Scrubber;
use super::{ContactStore, Forget, Relink, Segment, key_digest, storage};
use crate::contacts::model::{
    AuditEntry, Contact, ContactId, ContactStats, Identity, IdentityKey, Touch,
};
use crate::contacts::privacy::RetentionPolicy;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{PgHandle, WorkspaceId};

/// The schema steps on PostgreSQL (feature `contacts`); `STEPS[i]` goes from version `i` to
/// `i + 1`. Append; never edit a step that has shipped.
const STEPS: &[&str] = &[
    // 1: times are microseconds since the epoch; records are JSON in `data`;
    // `contact_erased` holds salted digests of the inbox item keys of erased people
    // (`ContactStore::erased_keys`).
    r#"
    CREATE TABLE contact_contacts (
        workspace TEXT NOT NULL,
        id TEXT COLLATE "C" NOT NULL,
        owner TEXT,
        vip BOOLEAN NOT NULL DEFAULT FALSE,
        tags TEXT[] NOT NULL DEFAULT '{}',
        platforms TEXT[] NOT NULL DEFAULT '{}',
        touches BIGINT NOT NULL DEFAULT 0,
        first_at BIGINT,
        last_at BIGINT,
        sentiment_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
        sentiment_n BIGINT NOT NULL DEFAULT 0,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, id)
    );
    CREATE INDEX contact_contacts_last ON contact_contacts (workspace, last_at);
    CREATE INDEX contact_contacts_tags ON contact_contacts USING GIN (tags);
    CREATE TABLE contact_identities (
        workspace TEXT NOT NULL,
        platform TEXT COLLATE "C" NOT NULL,
        id TEXT COLLATE "C" NOT NULL,
        contact TEXT COLLATE "C" NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, platform, id)
    );
    CREATE INDEX contact_identities_contact ON contact_identities (workspace, contact);
    CREATE TABLE contact_touches (
        workspace TEXT NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        platform TEXT COLLATE "C" NOT NULL,
        identity TEXT COLLATE "C" NOT NULL,
        at BIGINT NOT NULL,
        sentiment DOUBLE PRECISION,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, key)
    );
    CREATE INDEX contact_touches_identity ON contact_touches (workspace, platform, identity, at);
    CREATE INDEX contact_touches_at ON contact_touches (workspace, at);
    CREATE TABLE contact_audit (
        seq BIGSERIAL PRIMARY KEY,
        workspace TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX contact_audit_workspace ON contact_audit (workspace, seq);
    CREATE TABLE contact_signals (
        workspace TEXT NOT NULL,
        contact TEXT NOT NULL,
        rule TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (workspace, contact, rule, fingerprint)
    );
    CREATE TABLE contact_settings (
        workspace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (workspace, key)
    );
    CREATE TABLE contact_erased (
        workspace TEXT NOT NULL,
        digest TEXT NOT NULL,
        PRIMARY KEY (workspace, digest)
    );
    "#,
];

/// A [`ContactStore`] in PostgreSQL, scoped to one workspace, in the database of a
/// [`PgStore`](crate::store::PgStore) (sharing its pool). Cheap to clone.
///
/// ```no_run
/// use socialkit::contacts::{ContactStore, IdentityKey, PgContactStore};
/// use socialkit::store::PgStore;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = PgStore::connect(&std::env::var("SOCIALKIT_POSTGRES_URL").unwrap()).await.unwrap();
/// let acme = PgContactStore::new(&store.handle(), &"acme".into()).await.unwrap();
/// assert!(acme.contact_of(&IdentityKey::new("x", "1")).await.unwrap().is_none());
/// # });
/// ```
#[derive(Clone)]
pub struct PgContactStore {
    pool: Pool,
    handle: PgHandle,
    workspace: String,
}

impl std::fmt::Debug for PgContactStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgContactStore")
            .field("workspace", &self.workspace)
            .finish_non_exhaustive()
    }
}

impl PgContactStore {
    /// The contacts of workspace `workspace` in the database of `handle`
    /// ([`PgStore::handle`](crate::store::PgStore::handle)); creates or migrates the tables
    /// (once, however many processes open it together). A database whose contact tables are
    /// newer than this code is refused with [`ConfigInvalid`](ErrorKind::ConfigInvalid).
    pub async fn new(handle: &PgHandle, workspace: &WorkspaceId) -> Result<Self> {
        handle.migrate_feature("contacts", STEPS).await?;
        Ok(PgContactStore {
            pool: handle.pool().clone(),
            handle: handle.clone(),
            workspace: workspace.as_str().to_string(),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(storage)
    }

    /// The inbox of this store's workspace in this store's database, resolving contacts on
    /// the way in as [`Contacts::resolving`](crate::contacts::Contacts::resolving) does, but
    /// with each page's identities, touches, items and cursor written in ONE transaction
    /// (one commit per page instead of two; an error anywhere rolls the whole page back).
    /// Give it to [`Inbox::new`](crate::inbox::Inbox::new); creates or migrates the inbox's
    /// tables.
    ///
    /// ```no_run
    /// use socialkit::contacts::PgContactStore;
    /// use socialkit::store::PgStore;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = PgStore::connect(&std::env::var("SOCIALKIT_POSTGRES_URL").unwrap()).await.unwrap();
    /// let acme = PgContactStore::new(&store.handle(), &"acme".into()).await.unwrap();
    /// let inbox = acme.resolving_inbox().await.unwrap();
    /// assert_eq!(inbox.cursor("acme-x").await.unwrap(), None);
    /// # });
    /// ```
    pub async fn resolving_inbox(&self) -> Result<std::sync::Arc<dyn crate::inbox::InboxStore>> {
        let ws = WorkspaceId::from(self.workspace.as_str());
        Ok(std::sync::Arc::new(
            super::postgres_resolving::PgResolving {
                pool: self.pool.clone(),
                workspace: self.workspace.clone(),
                inbox: crate::inbox::PgInboxStore::new(&self.handle, &ws).await?,
            },
        ))
    }
}

fn us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_us(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.and_then(DateTime::from_timestamp_micros)
}

fn json_of<T: serde::de::DeserializeOwned>(r: &Row) -> Result<T> {
    Ok(serde_json::from_str(r.get::<_, &str>(0))?)
}

async fn rows(c: &impl GenericClient, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
    let st = c.prepare_cached(sql).await.map_err(storage)?;
    c.query(&st, args).await.map_err(storage)
}

async fn exec(c: &impl GenericClient, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<u64> {
    let st = c.prepare_cached(sql).await.map_err(storage)?;
    c.execute(&st, args).await.map_err(storage)
}

async fn identity_by_key(
    c: &impl GenericClient,
    ws: &str,
    key: &IdentityKey,
    lock: bool,
) -> Result<Option<Identity>> {
    let sql = if lock {
        "SELECT data FROM contact_identities WHERE workspace = $1 AND platform = $2 AND id = $3
         FOR UPDATE"
    } else {
        "SELECT data FROM contact_identities WHERE workspace = $1 AND platform = $2 AND id = $3"
    };
    rows(c, sql, &[&ws, &key.platform, &key.id])
        .await?
        .first()
        .map(json_of)
        .transpose()
}

async fn write_identity(c: &impl GenericClient, ws: &str, i: &Identity) -> Result<()> {
    exec(
        c,
        "INSERT INTO contact_identities (workspace, platform, id, contact, data)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (workspace, platform, id) DO UPDATE SET contact = excluded.contact,
             data = excluded.data",
        &[
            &ws,
            &i.key.platform,
            &i.key.id,
            &i.contact.as_str(),
            &serde_json::to_string(i)?,
        ],
    )
    .await?;
    Ok(())
}

/// Writes a contact's own fields (its aggregates stay as stored, or zero for a new one).
async fn write_contact(c: &impl GenericClient, ws: &str, contact: &Contact) -> Result<()> {
    let mut plain = contact.clone();
    plain.stats = ContactStats::default();
    let tags: Vec<String> = contact.tags.iter().cloned().collect();
    exec(
        c,
        "INSERT INTO contact_contacts (workspace, id, owner, vip, tags, data)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (workspace, id) DO UPDATE SET owner = excluded.owner, vip = excluded.vip,
             tags = excluded.tags, data = excluded.data",
        &[
            &ws,
            &contact.id.as_str(),
            &contact.owner,
            &contact.vip,
            &tags,
            &serde_json::to_string(&plain)?,
        ],
    )
    .await?;
    Ok(())
}

const CONTACT_COLUMNS: &str =
    "data, touches, first_at, last_at, sentiment_sum, sentiment_n, platforms";

fn parse_contact(r: &Row) -> Result<Contact> {
    let mut c: Contact = json_of(r)?;
    let platforms: Vec<String> = r.get(6);
    c.stats = ContactStats {
        touches: r.get::<_, i64>(1).max(0) as u64,
        first_at: from_us(r.get(2)),
        last_at: from_us(r.get(3)),
        sentiment_sum: r.get(4),
        sentiment_n: r.get::<_, i64>(5).max(0) as u64,
        platforms: platforms.into_iter().collect(),
    };
    Ok(c)
}

async fn read_contact(c: &impl GenericClient, ws: &str, id: &ContactId) -> Result<Option<Contact>> {
    rows(
        c,
        &format!("SELECT {CONTACT_COLUMNS} FROM contact_contacts WHERE workspace = $1 AND id = $2"),
        &[&ws, &id.as_str()],
    )
    .await?
    .first()
    .map(parse_contact)
    .transpose()
}

/// Recomputes the aggregates of `contact` from its identities' touches.
async fn restat(c: &impl GenericClient, ws: &str, contact: &str) -> Result<()> {
    exec(
        c,
        "UPDATE contact_contacts c SET touches = s.n, first_at = s.f, last_at = s.l,
             sentiment_sum = s.ss, sentiment_n = s.sn, platforms = s.p
         FROM (SELECT COUNT(t.key) AS n, MIN(t.at) AS f, MAX(t.at) AS l,
                 COALESCE(SUM(t.sentiment), 0) AS ss, COUNT(t.sentiment) AS sn,
                 COALESCE(array_agg(DISTINCT t.platform::text)
                     FILTER (WHERE t.platform IS NOT NULL), '{}'::text[]) AS p
               FROM contact_identities i JOIN contact_touches t
                 ON t.workspace = i.workspace AND t.platform = i.platform AND t.identity = i.id
               WHERE i.workspace = $1 AND i.contact = $2) s
         WHERE c.workspace = $1 AND c.id = $2",
        &[&ws, &contact],
    )
    .await?;
    Ok(())
}

async fn append_audit(c: &impl GenericClient, ws: &str, e: &AuditEntry) -> Result<()> {
    exec(
        c,
        "INSERT INTO contact_audit (workspace, data) VALUES ($1, $2)",
        &[&ws, &serde_json::to_string(e)?],
    )
    .await?;
    Ok(())
}

async fn all_audit(c: &impl GenericClient, ws: &str) -> Result<Vec<(i64, AuditEntry)>> {
    let mut out = Vec::new();
    for r in rows(
        c,
        "SELECT data, seq FROM contact_audit WHERE workspace = $1 ORDER BY seq",
        &[&ws],
    )
    .await?
    {
        let seq: i64 = r.get(1);
        let mut e: AuditEntry = json_of(&r)?;
        e.seq = seq.max(0) as u64;
        out.push((seq, e));
    }
    Ok(out)
}

async fn json_rows<T: serde::de::DeserializeOwned>(
    c: &impl GenericClient,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<T>> {
    rows(c, sql, args).await?.iter().map(json_of).collect()
}

async fn owner_of(c: &impl GenericClient, ws: &str, key: &IdentityKey) -> Result<Option<String>> {
    Ok(rows(
        c,
        "SELECT contact FROM contact_identities WHERE workspace = $1 AND platform = $2 AND id = $3",
        &[&ws, &key.platform, &key.id],
    )
    .await?
    .first()
    .map(|r| r.get(0)))
}

/// The workspace's erasure salt, made on first use.
async fn salt(c: &impl GenericClient, ws: &str) -> Result<String> {
    let fresh = hex::encode(rand::random::<[u8; 16]>());
    exec(
        c,
        "INSERT INTO contact_settings (workspace, key, value) VALUES ($1, 'erasure_salt', $2)
         ON CONFLICT (workspace, key) DO NOTHING",
        &[&ws, &fresh],
    )
    .await?;
    Ok(rows(
        c,
        "SELECT value FROM contact_settings WHERE workspace = $1 AND key = 'erasure_salt'",
        &[&ws],
    )
    .await?
    .first()
    .map(|r| r.get(0))
    .unwrap_or(fresh))
}

/// The identities of `keys` (with `lock`, locked for the transaction in key order), by key.
async fn identities_by_keys(
    tx: &Transaction<'_>,
    ws: &str,
    keys: &[&IdentityKey],
    lock: bool,
) -> Result<BTreeMap<IdentityKey, Identity>> {
    let platforms: Vec<&str> = keys.iter().map(|k| k.platform.as_str()).collect();
    let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
    let sql = format!(
        "SELECT i.data FROM contact_identities i
             JOIN unnest($2::text[], $3::text[]) AS k(platform, id)
             ON i.platform = k.platform AND i.id = k.id
         WHERE i.workspace = $1
         ORDER BY i.platform, i.id{}",
        if lock { " FOR UPDATE OF i" } else { "" }
    );
    let found: Vec<Identity> = json_rows(tx, &sql, &[&ws, &platforms, &ids]).await?;
    Ok(found.into_iter().map(|i| (i.key.clone(), i)).collect())
}

/// Records a batch of identities and touches in a few statements whatever its size: the
/// identities seen (merged in batch order) are read at once, unknown ones created with their
/// contacts in bulk (`ON CONFLICT DO NOTHING`: an identity another process made meanwhile
/// is joined and our contact for it dropped), the touches inserted (or, with `replace`,
/// updated) in bulk, and the aggregates of the contacts whose touches changed recomputed in
/// one statement. Returns how many touches were new.
pub(super) async fn observe_batch(
    tx: &Transaction<'_>,
    ws: &str,
    seen: &[(Identity, Touch)],
    replace: bool,
) -> Result<usize> {
    let mut merged: BTreeMap<IdentityKey, Identity> = BTreeMap::new();
    for (i, _) in seen {
        merged
            .entry(i.key.clone())
            .and_modify(|k| k.absorb(i))
            .or_insert_with(|| i.clone());
    }
    let keys: Vec<&IdentityKey> = merged.keys().collect();
    let mut known = identities_by_keys(tx, ws, &keys, true).await?;
    let mut changed_contacts: BTreeSet<String> = BTreeSet::new();
    // Unknown identities: a contact each, in bulk.
    let mut fresh: Vec<Identity> = Vec::new();
    let mut racing: BTreeSet<IdentityKey> = BTreeSet::new();
    let mut ids = Vec::new();
    let mut datas = Vec::new();
    for i in merged.values().filter(|i| !known.contains_key(&i.key)) {
        let c = Contact::new(i.first_seen);
        let mut i = i.clone();
        i.contact = c.id.clone();
        ids.push(c.id.as_str().to_string());
        datas.push(serde_json::to_string(&c)?);
        fresh.push(i);
    }
    if !fresh.is_empty() {
        exec(
            tx,
            "INSERT INTO contact_contacts (workspace, id, data)
             SELECT $1, c.id, c.data FROM unnest($2::text[], $3::text[]) AS c(id, data)",
            &[&ws, &ids, &datas],
        )
        .await?;
        let platforms: Vec<&str> = fresh.iter().map(|i| i.key.platform.as_str()).collect();
        let accounts: Vec<&str> = fresh.iter().map(|i| i.key.id.as_str()).collect();
        let contacts: Vec<&str> = fresh.iter().map(|i| i.contact.as_str()).collect();
        let data = fresh
            .iter()
            .map(serde_json::to_string)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let won: BTreeSet<(String, String)> = rows(
            tx,
            "INSERT INTO contact_identities (workspace, platform, id, contact, data)
             SELECT $1, k.platform, k.id, k.contact, k.data
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
                 AS k(platform, id, contact, data)
             ON CONFLICT (workspace, platform, id) DO NOTHING
             RETURNING platform, id",
            &[&ws, &platforms, &accounts, &contacts, &data],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        let mut lost = Vec::new();
        for i in fresh {
            if won.contains(&(i.key.platform.clone(), i.key.id.clone())) {
                changed_contacts.insert(i.contact.as_str().to_string());
                known.insert(i.key.clone(), i);
            } else {
                lost.push(i);
            }
        }
        if !lost.is_empty() {
            // Made by another process meanwhile (committed: the insert waited for it): join
            // its contacts, drop ours. Read without a lock and left as that process wrote
            // it — locking it now, after our own inserts, could deadlock with a writer
            // that locked it first and waits for one of them.
            let ours: Vec<&str> = lost.iter().map(|i| i.contact.as_str()).collect();
            exec(
                tx,
                "DELETE FROM contact_contacts WHERE workspace = $1 AND id = ANY($2)",
                &[&ws, &ours],
            )
            .await?;
            let keys: Vec<&IdentityKey> = lost.iter().map(|i| &i.key).collect();
            let theirs = identities_by_keys(tx, ws, &keys, false).await?;
            for i in &lost {
                let Some(t) = theirs.get(&i.key).cloned() else {
                    return Err(Error::new(
                        ErrorKind::Storage,
                        "an identity vanished while it was made",
                    ));
                };
                known.insert(t.key.clone(), t);
                racing.insert(i.key.clone());
            }
        }
    }
    // The profile facts of identities known before (a fresh one holds them already; one
    // another process just made keeps its facts until seen again).
    for (key, seen) in &merged {
        if let Some(k) = known.get_mut(key).filter(|_| !racing.contains(key)) {
            let before = k.clone();
            k.absorb(seen);
            if *k != before {
                write_identity(tx, ws, k).await?;
            }
        }
    }
    // The touches, in bulk: the last of each key in the batch wins.
    let mut touches: BTreeMap<&str, &Touch> = BTreeMap::new();
    for (_, t) in seen {
        touches.insert(t.key.as_str(), t);
    }
    let (mut tk, mut tp, mut ti, mut ta, mut tsent, mut td) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for t in touches.values() {
        tk.push(t.key.as_str());
        tp.push(t.identity.platform.as_str());
        ti.push(t.identity.id.as_str());
        ta.push(us(t.at));
        tsent.push(t.sentiment);
        td.push(serde_json::to_string(t)?);
    }
    let new: BTreeSet<String> = rows(
        tx,
        "INSERT INTO contact_touches (workspace, key, platform, identity, at, sentiment, data)
         SELECT $1, t.key, t.platform, t.identity, t.at, t.sentiment, t.data
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[], $7::text[])
             AS t(key, platform, identity, at, sentiment, data)
         ON CONFLICT (workspace, key) DO NOTHING
         RETURNING key",
        &[&ws, &tk, &tp, &ti, &ta, &tsent, &td],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    let mut changed_keys: BTreeSet<String> = new.clone();
    if replace && new.len() < touches.len() {
        changed_keys.extend(
            rows(
                tx,
                "UPDATE contact_touches c SET at = t.at, sentiment = t.sentiment, data = t.data
                 FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::text[])
                     AS t(key, at, sentiment, data)
                 WHERE c.workspace = $1 AND c.key = t.key AND c.data <> t.data
                 RETURNING c.key",
                &[&ws, &tk, &ta, &tsent, &td],
            )
            .await?
            .iter()
            .map(|r| r.get::<_, String>(0)),
        );
    }
    // A page read again changes nothing: its contacts keep their aggregates.
    for t in touches.values() {
        if changed_keys.contains(t.key.as_str())
            && let Some(i) = known.get(&t.identity)
        {
            changed_contacts.insert(i.contact.as_str().to_string());
        }
    }
    let changed: Vec<String> = changed_contacts.into_iter().collect();
    restat_many(tx, ws, &changed).await?;
    Ok(new.len())
}

/// [`restat`] of many contacts in one statement.
async fn restat_many(tx: &Transaction<'_>, ws: &str, contacts: &[String]) -> Result<()> {
    if contacts.is_empty() {
        return Ok(());
    }
    // Rows locked in id order first: two writers updating overlapping contacts wait for each
    // other instead of deadlocking.
    rows(
        tx,
        "SELECT 1 FROM contact_contacts WHERE workspace = $1 AND id = ANY($2)
         ORDER BY id FOR UPDATE",
        &[&ws, &contacts],
    )
    .await?;
    exec(
        tx,
        "UPDATE contact_contacts c SET touches = s.n, first_at = s.f, last_at = s.l,
             sentiment_sum = s.ss, sentiment_n = s.sn, platforms = s.p
         FROM (SELECT i.contact, COUNT(t.key) AS n, MIN(t.at) AS f, MAX(t.at) AS l,
                 COALESCE(SUM(t.sentiment), 0) AS ss, COUNT(t.sentiment) AS sn,
                 COALESCE(array_agg(DISTINCT t.platform::text)
                     FILTER (WHERE t.platform IS NOT NULL), '{}'::text[]) AS p
               FROM contact_identities i LEFT JOIN contact_touches t
                 ON t.workspace = i.workspace AND t.platform = i.platform AND t.identity = i.id
               WHERE i.workspace = $1 AND i.contact = ANY($2)
               GROUP BY i.contact) s
         WHERE c.workspace = $1 AND c.id = s.contact",
        &[&ws, &contacts],
    )
    .await?;
    Ok(())
}

/// Arguments of one statement (`$1`, `$2`, …).
#[derive(Default)]
struct Args(Vec<Box<dyn ToSql + Sync + Send>>);

impl Args {
    fn push(&mut self, v: impl ToSql + Sync + Send + 'static) -> String {
        self.0.push(Box::new(v));
        format!("${}", self.0.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// The SQL and arguments of a segment page.
fn segment_sql(ws: &str, s: &Segment, after: Option<&ContactId>, limit: usize) -> (String, Args) {
    let mut a = Args::default();
    let mut sql = format!(
        "SELECT {CONTACT_COLUMNS} FROM contact_contacts WHERE workspace = {} AND id > {}",
        a.push(ws.to_string()),
        a.push(after.map(|c| c.as_str().to_string()).unwrap_or_default())
    );
    if !s.tags.is_empty() {
        sql += &format!(" AND tags @> {}", a.push(s.tags.clone()));
    }
    if !s.platforms.is_empty() {
        sql += &format!(" AND platforms && {}", a.push(s.platforms.clone()));
    }
    if let Some(t) = s.active_since {
        sql += &format!(" AND last_at >= {}", a.push(us(t)));
    }
    if let Some(t) = s.quiet_since {
        sql += &format!(" AND last_at < {}", a.push(us(t)));
    }
    if let Some(n) = s.min_touches {
        sql += &format!(
            " AND touches >= {}",
            a.push(i64::try_from(n).unwrap_or(i64::MAX))
        );
    }
    if let Some(m) = s.min_sentiment {
        sql += &format!(
            " AND sentiment_n > 0 AND sentiment_sum / sentiment_n >= {}",
            a.push(m)
        );
    }
    if let Some(m) = s.max_sentiment {
        sql += &format!(
            " AND sentiment_n > 0 AND sentiment_sum / sentiment_n <= {}",
            a.push(m)
        );
    }
    if let Some(v) = s.vip {
        sql += &format!(" AND vip = {}", a.push(v));
    }
    if let Some(o) = &s.owner {
        sql += &format!(" AND owner = {}", a.push(o.clone()));
    }
    sql += &format!(
        " ORDER BY id LIMIT {}",
        a.push(i64::try_from(limit).unwrap_or(i64::MAX))
    );
    (sql, a)
}

/// See [`ContactStore::erased_keys`].
pub(super) async fn erased_keys(
    c: &impl GenericClient,
    ws: &str,
    keys: &[String],
) -> Result<BTreeSet<String>> {
    // No salt yet: nobody was erased.
    let Some(salt) = rows(
        c,
        "SELECT value FROM contact_settings WHERE workspace = $1 AND key = 'erasure_salt'",
        &[&ws],
    )
    .await?
    .first()
    .map(|r| r.get::<_, String>(0)) else {
        return Ok(BTreeSet::new());
    };
    let digests: Vec<String> = keys.iter().map(|k| key_digest(&salt, k)).collect();
    let found: BTreeSet<String> = rows(
        c,
        "SELECT digest FROM contact_erased WHERE workspace = $1 AND digest = ANY($2)",
        &[&ws, &digests],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    Ok(keys
        .iter()
        .zip(&digests)
        .filter(|(_, d)| found.contains(*d))
        .map(|(k, _)| k.clone())
        .collect())
}

#[async_trait]
impl ContactStore for PgContactStore {
    async fn observe(&self, seen: &[(Identity, Touch)], replace: bool) -> Result<usize> {
        if seen.is_empty() {
            return Ok(0);
        }
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        let new = observe_batch(&tx, &self.workspace, seen, replace).await?;
        tx.commit().await.map_err(storage)?;
        Ok(new)
    }

    async fn contact(&self, id: &ContactId) -> Result<Option<Contact>> {
        read_contact(&self.client().await?, &self.workspace, id).await
    }

    async fn contact_of(&self, key: &IdentityKey) -> Result<Option<ContactId>> {
        Ok(owner_of(&self.client().await?, &self.workspace, key)
            .await?
            .map(|s| ContactId::from(s.as_str())))
    }

    async fn identity(&self, key: &IdentityKey) -> Result<Option<Identity>> {
        identity_by_key(&self.client().await?, &self.workspace, key, false).await
    }

    async fn identities(&self, contact: &ContactId) -> Result<Vec<Identity>> {
        json_rows(
            &self.client().await?,
            "SELECT data FROM contact_identities WHERE workspace = $1 AND contact = $2
             ORDER BY platform, id",
            &[&self.workspace, &contact.as_str()],
        )
        .await
    }

    async fn all_identities(&self) -> Result<Vec<Identity>> {
        json_rows(
            &self.client().await?,
            "SELECT data FROM contact_identities WHERE workspace = $1 ORDER BY platform, id",
            &[&self.workspace],
        )
        .await
    }

    async fn put_identity(&self, identity: &Identity, audit: &AuditEntry) -> Result<()> {
        let ws = self.workspace.as_str();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        if identity_by_key(&tx, ws, &identity.key, true)
            .await?
            .is_none()
        {
            return Err(Error::new(ErrorKind::NotFound, "no such identity"));
        }
        write_identity(&tx, ws, identity).await?;
        append_audit(&tx, ws, audit).await?;
        tx.commit().await.map_err(storage)
    }

    async fn touches(&self, identities: &[IdentityKey]) -> Result<Vec<Touch>> {
        let c = self.client().await?;
        let mut out: Vec<Touch> = Vec::new();
        for k in identities {
            out.extend(
                json_rows::<Touch>(
                    &c,
                    "SELECT data FROM contact_touches
                     WHERE workspace = $1 AND platform = $2 AND identity = $3 ORDER BY at, key",
                    &[&self.workspace, &k.platform, &k.id],
                )
                .await?,
            );
        }
        out.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
        Ok(out)
    }

    async fn mentions(&self) -> Result<Vec<(IdentityKey, String)>> {
        // Only touches whose JSON names mentions are parsed.
        let found = rows(
            &self.client().await?,
            "SELECT DISTINCT t.platform, t.identity, m.value COLLATE \"C\"
             FROM contact_touches t,
                 jsonb_array_elements_text(t.data::jsonb -> 'mentions') AS m(value)
             WHERE t.workspace = $1 AND strpos(t.data, '\"mentions\"') > 0
             ORDER BY 1, 2, 3",
            &[&self.workspace],
        )
        .await?;
        Ok(found
            .iter()
            .map(|r| {
                (
                    IdentityKey::new(r.get::<_, String>(0), r.get::<_, String>(1)),
                    r.get::<_, String>(2),
                )
            })
            .collect())
    }

    async fn put_contact(&self, contact: &Contact, audit: &AuditEntry) -> Result<()> {
        let ws = self.workspace.as_str();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        let found = rows(
            &tx,
            "SELECT 1 FROM contact_contacts WHERE workspace = $1 AND id = $2 FOR UPDATE",
            &[&ws, &contact.id.as_str()],
        )
        .await?;
        if found.is_empty() {
            return Err(Error::new(ErrorKind::NotFound, "no such contact"));
        }
        write_contact(&tx, ws, contact).await?;
        append_audit(&tx, ws, audit).await?;
        tx.commit().await.map_err(storage)
    }

    async fn relink(&self, change: &Relink) -> Result<()> {
        let ws = self.workspace.as_str();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        let mut moving = Vec::new();
        for (key, to) in &change.moves {
            let Some(mut i) = identity_by_key(&tx, ws, key, true).await? else {
                return Err(Error::new(ErrorKind::NotFound, "no such identity"));
            };
            i.contact = to.clone();
            moving.push(i);
        }
        for contact in &change.upsert {
            write_contact(&tx, ws, contact).await?;
        }
        for i in &moving {
            write_identity(&tx, ws, i).await?;
        }
        for id in &change.remove {
            exec(
                &tx,
                "DELETE FROM contact_contacts WHERE workspace = $1 AND id = $2",
                &[&ws, &id.as_str()],
            )
            .await?;
        }
        for contact in &change.upsert {
            restat(&tx, ws, contact.id.as_str()).await?;
        }
        append_audit(&tx, ws, &change.audit).await?;
        tx.commit().await.map_err(storage)
    }

    async fn segment(
        &self,
        segment: &Segment,
        after: Option<&ContactId>,
        limit: usize,
    ) -> Result<Vec<Contact>> {
        let (sql, args) = segment_sql(&self.workspace, segment, after, limit);
        rows(&self.client().await?, &sql, &args.refs())
            .await?
            .iter()
            .map(parse_contact)
            .collect()
    }

    async fn audit(
        &self,
        filter: Option<(Option<&ContactId>, &[IdentityKey])>,
    ) -> Result<Vec<AuditEntry>> {
        Ok(all_audit(&self.client().await?, &self.workspace)
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| filter.is_none_or(|(c, ids)| e.names(c, ids)))
            .collect())
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        append_audit(&self.client().await?, &self.workspace, entry).await
    }

    async fn note_signal(
        &self,
        contact: &ContactId,
        rule: &str,
        fingerprint: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let n = exec(
            &self.client().await?,
            "INSERT INTO contact_signals (workspace, contact, rule, fingerprint, at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[
                &self.workspace,
                &contact.as_str(),
                &rule,
                &fingerprint,
                &us(at),
            ],
        )
        .await?;
        Ok(n == 1)
    }

    async fn signal_raised(&self, contact: &ContactId, rule: &str, fp: &str) -> Result<bool> {
        Ok(!rows(
            &self.client().await?,
            "SELECT 1 FROM contact_signals WHERE workspace = $1 AND contact = $2 AND rule = $3
                 AND fingerprint = $4",
            &[&self.workspace, &contact.as_str(), &rule, &fp],
        )
        .await?
        .is_empty())
    }

    async fn forget(&self, f: &Forget, audit: &AuditEntry) -> Result<BTreeMap<String, u64>> {
        let ws = self.workspace.as_str();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        let mut counts = BTreeMap::new();
        let (mut n, mut t) = (0u64, 0u64);
        for k in &f.identities {
            n += exec(
                &tx,
                "DELETE FROM contact_identities WHERE workspace = $1 AND platform = $2 AND id = $3",
                &[&ws, &k.platform, &k.id],
            )
            .await?;
            // The touches stay for the aggregates, under the pseudonym, without mentions and
            // without who answered.
            let touches: Vec<Touch> = json_rows(
                &tx,
                "SELECT data FROM contact_touches
                 WHERE workspace = $1 AND platform = $2 AND identity = $3 FOR UPDATE",
                &[&ws, &k.platform, &k.id],
            )
            .await?;
            for mut touch in touches {
                touch.identity = IdentityKey::new("erased", f.pseudonym.clone());
                touch.mentions.clear();
                touch.replied_by = None;
                t += exec(
                    &tx,
                    "UPDATE contact_touches SET platform = 'erased', identity = $3, data = $4
                     WHERE workspace = $1 AND key = $2",
                    &[
                        &ws,
                        &touch.key,
                        &f.pseudonym,
                        &serde_json::to_string(&touch)?,
                    ],
                )
                .await?;
            }
        }
        counts.insert("contact_identities".to_string(), n);
        counts.insert("contact_touches".to_string(), t);
        let mut n = 0u64;
        let mut gone = None;
        if let Some(id) = &f.contact {
            let left = rows(
                &tx,
                "SELECT 1 FROM contact_identities WHERE workspace = $1 AND contact = $2 LIMIT 1",
                &[&ws, &id.as_str()],
            )
            .await?;
            if !left.is_empty() {
                restat(&tx, ws, id.as_str()).await?;
            } else {
                gone = Some(id.clone());
                n += exec(
                    &tx,
                    "DELETE FROM contact_contacts WHERE workspace = $1 AND id = $2",
                    &[&ws, &id.as_str()],
                )
                .await?;
                exec(
                    &tx,
                    "DELETE FROM contact_signals WHERE workspace = $1 AND contact = $2",
                    &[&ws, &id.as_str()],
                )
                .await?;
            }
        }
        counts.insert("contact_contacts".to_string(), n);
        let pseudonym = IdentityKey::new("erased", f.pseudonym.clone());
        let mut n = 0u64;
        for (seq, mut e) in all_audit(&tx, ws).await? {
            let before = (e.contacts.len(), e.identities.len());
            if let Some(id) = &gone {
                e.contacts.retain(|x| x != id);
            }
            e.identities.retain(|i| !f.identities.contains(i));
            if before != (e.contacts.len(), e.identities.len()) {
                e.identities.push(pseudonym.clone());
                exec(
                    &tx,
                    "UPDATE contact_audit SET data = $2 WHERE seq = $1",
                    &[&seq, &serde_json::to_string(&e)?],
                )
                .await?;
                n += 1;
            }
        }
        counts.insert("contact_audit".to_string(), n);
        if !f.keys.is_empty() {
            let salt = salt(&tx, ws).await?;
            for k in &f.keys {
                exec(
                    &tx,
                    "INSERT INTO contact_erased (workspace, digest) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING",
                    &[&ws, &key_digest(&salt, k)],
                )
                .await?;
            }
        }
        append_audit(&tx, ws, audit).await?;
        tx.commit().await.map_err(storage)?;
        Ok(counts)
    }

    async fn erased_keys(&self, keys: &[String]) -> Result<BTreeSet<String>> {
        if keys.is_empty() {
            return Ok(BTreeSet::new());
        }
        erased_keys(&self.client().await?, &self.workspace, keys).await
    }

    async fn scrub(&self, needles: &[String], replacement: &str) -> Result<BTreeMap<String, u64>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        let counts = scrub(&tx, &self.workspace, needles, replacement).await?;
        tx.commit().await.map_err(storage)?;
        Ok(counts)
    }

    async fn touches_before(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Touch>> {
        json_rows(
            &self.client().await?,
            "SELECT data FROM contact_touches WHERE workspace = $1 AND at < $2
             ORDER BY at, key LIMIT $3",
            &[
                &self.workspace,
                &us(before),
                &i64::try_from(limit).unwrap_or(i64::MAX),
            ],
        )
        .await
    }

    async fn drop_touches(&self, keys: &[String], audit: &AuditEntry) -> Result<()> {
        let ws = self.workspace.as_str();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(storage)?;
        let owners: BTreeSet<String> = rows(
            &tx,
            "SELECT DISTINCT i.contact FROM contact_touches t JOIN contact_identities i
                 ON i.workspace = t.workspace AND i.platform = t.platform AND i.id = t.identity
             WHERE t.workspace = $1 AND t.key = ANY($2)",
            &[&ws, &keys],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        exec(
            &tx,
            "DELETE FROM contact_touches WHERE workspace = $1 AND key = ANY($2)",
            &[&ws, &keys],
        )
        .await?;
        for o in &owners {
            restat(&tx, ws, o).await?;
        }
        append_audit(&tx, ws, audit).await?;
        tx.commit().await.map_err(storage)
    }

    async fn retention(&self) -> Result<RetentionPolicy> {
        let found = rows(
            &self.client().await?,
            "SELECT value FROM contact_settings WHERE workspace = $1 AND key = 'retention'",
            &[&self.workspace],
        )
        .await?;
        Ok(found.first().map(json_of).transpose()?.unwrap_or_default())
    }

    async fn set_retention(&self, policy: &RetentionPolicy) -> Result<()> {
        exec(
            &self.client().await?,
            "INSERT INTO contact_settings (workspace, key, value) VALUES ($1, 'retention', $2)
             ON CONFLICT (workspace, key) DO UPDATE SET value = excluded.value",
            &[&self.workspace, &serde_json::to_string(policy)?],
        )
        .await?;
        Ok(())
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every column of every base table of the current schema that can hold text: `(table,
/// column, the type to cast a rewritten text value back to)` — `text`, `varchar`, `bpchar`,
/// `json`, `jsonb` and arrays of the first three (from `information_schema`).
async fn text_columns(c: &impl GenericClient) -> Result<Vec<(String, String, String)>> {
    let found = rows(
        c,
        "SELECT c.table_name::text, c.column_name::text, c.udt_name::text
         FROM information_schema.columns c JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
             AND c.udt_name IN ('text', 'varchar', 'bpchar', 'json', 'jsonb',
                 '_text', '_varchar', '_bpchar')
         ORDER BY 1, 2",
        &[],
    )
    .await?;
    Ok(found
        .iter()
        .map(|r| {
            let udt: String = r.get(2);
            let cast = match udt.strip_prefix('_') {
                Some(element) => format!("{element}[]"),
                None => udt,
            };
            (r.get(0), r.get(1), cast)
        })
        .collect())
}

/// See [`ContactStore::scrub`]: one scan per column finds the rows of workspace `ws` (every
/// row of a table without a `workspace` column) holding any form of any needle (locked);
/// each value is rewritten by the [`Scrubber`] (JSON string values only, through the
/// record's type where it is known) and written back cast to its column's type.
async fn scrub(
    tx: &Transaction<'_>,
    ws: &str,
    needles: &[String],
    with: &str,
) -> Result<BTreeMap<String, u64>> {
    let scrubber = Scrubber::new(needles, with);
    let forms = scrubber.forms().to_vec();
    let mut counts = BTreeMap::new();
    if forms.is_empty() {
        return Ok(counts);
    }
    let columns = text_columns(tx).await?;
    let scoped: BTreeSet<&str> = columns
        .iter()
        .filter(|(_, col, _)| col == "workspace")
        .map(|(table, _, _)| table.as_str())
        .collect();
    for (table, col, cast) in &columns {
        if !scrubber.column(col) {
            continue;
        }
        let (t, c) = (quote(table), quote(col));
        let scope = if scoped.contains(table.as_str()) {
            "workspace = $2"
        } else {
            "$2::text IS NOT NULL"
        };
        let hits = tx
            .query(
                &format!(
                    "SELECT ctid::text, {c}::text FROM {t}
                     WHERE {scope} AND EXISTS (SELECT 1 FROM unnest($1::text[]) AS n(v)
                                   WHERE strpos({c}::text, n.v) > 0)
                     FOR UPDATE"
                ),
                &[&forms, &ws],
            )
            .await
            .map_err(storage)?;
        let mut changed = 0u64;
        for r in hits {
            let (ctid, text): (String, String) = (r.get(0), r.get(1));
            let Some(new) = scrubber.value(table, col, &text) else {
                continue;
            };
            changed += tx
                .execute(
                    &format!("UPDATE {t} SET {c} = $1::text::{cast} WHERE ctid = $2::text::tid"),
                    &[&new, &ctid],
                )
                .await
                .map_err(storage)?;
        }
        if changed > 0 {
            *counts.entry(table.clone()).or_default() += changed;
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_becomes_one_parameterised_query() {
        let s = Segment {
            tags: vec!["churn".into()],
            platforms: vec!["x".into(), "bluesky".into()],
            vip: Some(true),
            ..Segment::default()
        };
        let (sql, args) = segment_sql("acme", &s, None, 10);
        assert_eq!(
            sql,
            format!(
                "SELECT {CONTACT_COLUMNS} FROM contact_contacts WHERE workspace = $1 AND id > $2 \
                 AND tags @> $3 AND platforms && $4 AND vip = $5 ORDER BY id LIMIT $6"
            )
        );
        assert_eq!(args.0.len(), 6);
    }
}
