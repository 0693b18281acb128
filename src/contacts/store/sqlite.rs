//! The contact layer in SQLite, in the engine's database: tables `contact_contacts`,
//! `contact_identities`, `contact_touches`, `contact_audit`, `contact_signals` and
//! `contact_settings`, scoped by workspace, created and migrated by the contact layer itself
//! (feature `contacts` through the store's [`SqliteHandle`](crate::store::SqliteHandle)).
//! A contact's aggregates (interactions, first and last, sentiment sum and count, platforms,
//! tags) are columns beside its JSON, so a segment query reads one narrow row per contact
//! and never the history. Every query runs on tokio's blocking pool in one transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::rewrite::Scrubber;
use super::{ContactStore, Forget, Relink, Segment, key_digest, storage};
use crate::contacts::model::{
    AuditEntry, Contact, ContactId, ContactStats, Identity, IdentityKey, Touch,
};
use crate::contacts::privacy::RetentionPolicy;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{SqliteHandle, SqliteStore, WorkspaceId};

/// The schema steps (feature `contacts`); `STEPS[i]` goes from version `i` to `i + 1`.
/// Append; never edit a step that has shipped.
const STEPS: &[&str] = &[
    // 1: times are microseconds since the epoch; `tags` and `platforms` are `,a,b,` lists
    // (so `LIKE '%,a,%'` finds one); records are JSON in `data`.
    r#"
    CREATE TABLE contact_contacts (
        workspace TEXT NOT NULL,
        id TEXT NOT NULL,
        owner TEXT,
        vip INTEGER NOT NULL DEFAULT 0,
        tags TEXT NOT NULL DEFAULT ',',
        platforms TEXT NOT NULL DEFAULT ',',
        touches INTEGER NOT NULL DEFAULT 0,
        first_at INTEGER,
        last_at INTEGER,
        sentiment_sum REAL NOT NULL DEFAULT 0,
        sentiment_n INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, id)
    );
    CREATE TABLE contact_identities (
        workspace TEXT NOT NULL,
        platform TEXT NOT NULL,
        id TEXT NOT NULL,
        contact TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, platform, id)
    );
    CREATE INDEX contact_identities_contact ON contact_identities(workspace, contact);
    CREATE TABLE contact_touches (
        workspace TEXT NOT NULL,
        key TEXT NOT NULL,
        platform TEXT NOT NULL,
        identity TEXT NOT NULL,
        at INTEGER NOT NULL,
        sentiment REAL,
        data TEXT NOT NULL,
        PRIMARY KEY (workspace, key)
    );
    CREATE INDEX contact_touches_identity ON contact_touches(workspace, platform, identity, at);
    CREATE INDEX contact_touches_at ON contact_touches(workspace, at);
    CREATE TABLE contact_audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX contact_audit_workspace ON contact_audit(workspace, seq);
    CREATE TABLE contact_signals (
        workspace TEXT NOT NULL,
        contact TEXT NOT NULL,
        rule TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (workspace, contact, rule, fingerprint)
    );
    CREATE TABLE contact_settings (
        workspace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (workspace, key)
    );
    "#,
    // 2: salted digests of the inbox item keys of erased people
    // (`ContactStore::erased_keys`); the salt is `contact_settings` key `erasure_salt`.
    r#"
    CREATE TABLE contact_erased (
        workspace TEXT NOT NULL,
        digest TEXT NOT NULL,
        PRIMARY KEY (workspace, digest)
    );
    "#,
];

/// A [`ContactStore`] in SQLite, scoped to one workspace, in an engine store's database.
///
/// ```
/// use socialkit::contacts::{ContactStore, SqliteContactStore, IdentityKey};
/// use socialkit::store::SqliteStore;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let db = SqliteStore::in_memory().unwrap();
/// let contacts = SqliteContactStore::new(&db.handle(), &"acme".into()).unwrap();
/// assert!(contacts.contact_of(&IdentityKey::new("x", "1")).await.unwrap().is_none());
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SqliteContactStore {
    db: SqliteHandle,
    workspace: String,
}

impl SqliteContactStore {
    /// The contacts of workspace `workspace` in the database of `handle`
    /// ([`SqliteStore::handle`]); creates or migrates the tables (blocks briefly: open it at
    /// start-up).
    pub fn new(handle: &SqliteHandle, workspace: &WorkspaceId) -> Result<Self> {
        handle.migrate_feature("contacts", STEPS, |_| Ok(0))?;
        Ok(SqliteContactStore {
            db: handle.clone(),
            workspace: workspace.as_str().to_string(),
        })
    }

    /// A private in-memory database (the empty workspace).
    ///
    /// ```
    /// let s = socialkit::contacts::SqliteContactStore::open_in_memory().unwrap();
    /// # let _ = s;
    /// ```
    pub fn open_in_memory() -> Result<Self> {
        Self::new(&SqliteStore::in_memory()?.handle(), &WorkspaceId::from(""))
    }

    /// The inbox of this store's workspace in this store's database, resolving contacts on
    /// the way in as [`Contacts::resolving`](crate::contacts::Contacts::resolving) does, but
    /// with each page's identities, touches, items and cursor written in ONE transaction
    /// (one commit per page instead of two; an error anywhere rolls the whole page back).
    /// Give it to [`Inbox::new`](crate::inbox::Inbox::new); creates or migrates the inbox's
    /// tables (blocks briefly: open it at start-up).
    ///
    /// ```
    /// use socialkit::contacts::{ContactStore, IdentityKey, SqliteContactStore};
    /// use socialkit::inbox::{InboxItem, sla::SlaPolicy};
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// use socialkit::store::SqliteStore;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = SqliteStore::in_memory().unwrap();
    /// let contacts = SqliteContactStore::new(&db.handle(), &"acme".into()).unwrap();
    /// let inbox = contacts.resolving_inbox().unwrap();
    /// let at = "2026-06-01T08:00:00Z".parse().unwrap();
    /// let author = Author { id: "7".into(), handle: "ann".into(), ..Author::default() };
    /// let said = Interaction {
    ///     reference: InteractionRef::new("x", "m1"),
    ///     kind: InteractionKind::Mention,
    ///     author,
    ///     text: Some("@acme hi".into()),
    ///     created_at: at,
    ///     post: None,
    ///     conversation: None,
    ///     language: None,
    /// };
    /// let item = InboxItem::new("acme-x", said, at);
    /// inbox.commit_page("acme-x", &[item], Some("c1"), &SlaPolicy::default()).await.unwrap();
    /// assert!(contacts.contact_of(&IdentityKey::new("x", "7")).await.unwrap().is_some());
    /// assert_eq!(inbox.cursor("acme-x").await.unwrap().as_deref(), Some("c1"));
    /// # });
    /// ```
    pub fn resolving_inbox(&self) -> Result<std::sync::Arc<dyn crate::inbox::InboxStore>> {
        let ws = WorkspaceId::from(self.workspace.as_str());
        Ok(std::sync::Arc::new(
            super::sqlite_resolving::SqliteResolving {
                db: self.db.clone(),
                workspace: self.workspace.clone(),
                inbox: crate::inbox::SqliteInboxStore::new(&self.db, &ws)?,
            },
        ))
    }

    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &str) -> Result<T> + Send + 'static,
    {
        let ws = self.workspace.clone();
        self.db.write(move |tx| f(tx, &ws)).await
    }

    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &str) -> Result<T> + Send + 'static,
    {
        let ws = self.workspace.clone();
        self.db.read(move |tx| f(tx, &ws)).await
    }
}

fn us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn from_us(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.and_then(DateTime::from_timestamp_micros)
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let mut s = String::from(",");
    for i in items {
        s.push_str(i.as_ref());
        s.push(',');
    }
    s
}

fn identity_by_key(c: &Connection, ws: &str, key: &IdentityKey) -> Result<Option<Identity>> {
    let data: Option<String> = c
        .prepare_cached(
            "SELECT data FROM contact_identities WHERE workspace = ?1 AND platform = ?2 AND id = ?3",
        )
        .map_err(storage)?
        .query_row(params![ws, key.platform, key.id], |r| r.get(0))
        .optional()
        .map_err(storage)?;
    Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
}

fn write_identity(c: &Connection, ws: &str, i: &Identity) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO contact_identities (workspace, platform, id, contact, data)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(workspace, platform, id) DO UPDATE SET contact = excluded.contact,
             data = excluded.data",
    )
    .map_err(storage)?
    .execute(params![
        ws,
        i.key.platform,
        i.key.id,
        i.contact.as_str(),
        serde_json::to_string(i)?
    ])
    .map_err(storage)?;
    Ok(())
}

/// Writes a contact's own fields (its aggregates stay as stored, or zero for a new one).
fn write_contact(c: &Connection, ws: &str, contact: &Contact) -> Result<()> {
    let mut plain = contact.clone();
    plain.stats = ContactStats::default();
    c.prepare_cached(
        "INSERT INTO contact_contacts (workspace, id, owner, vip, tags, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(workspace, id) DO UPDATE SET owner = excluded.owner, vip = excluded.vip,
             tags = excluded.tags, data = excluded.data",
    )
    .map_err(storage)?
    .execute(params![
        ws,
        contact.id.as_str(),
        contact.owner,
        contact.vip,
        list(&contact.tags),
        serde_json::to_string(&plain)?
    ])
    .map_err(storage)?;
    Ok(())
}

const CONTACT_COLUMNS: &str =
    "data, touches, first_at, last_at, sentiment_sum, sentiment_n, platforms";

fn contact_of_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, ContactStats)> {
    let platforms: String = r.get(6)?;
    Ok((
        r.get(0)?,
        ContactStats {
            touches: r.get::<_, i64>(1)?.max(0) as u64,
            first_at: from_us(r.get(2)?),
            last_at: from_us(r.get(3)?),
            sentiment_sum: r.get(4)?,
            sentiment_n: r.get::<_, i64>(5)?.max(0) as u64,
            platforms: platforms
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        },
    ))
}

fn parse_contact((data, stats): (String, ContactStats)) -> Result<Contact> {
    let mut c: Contact = serde_json::from_str(&data)?;
    c.stats = stats;
    Ok(c)
}

fn read_contact(c: &Connection, ws: &str, id: &ContactId) -> Result<Option<Contact>> {
    c.prepare_cached(&format!(
        "SELECT {CONTACT_COLUMNS} FROM contact_contacts WHERE workspace = ?1 AND id = ?2"
    ))
    .map_err(storage)?
    .query_row(params![ws, id.as_str()], contact_of_row)
    .optional()
    .map_err(storage)?
    .map(parse_contact)
    .transpose()
}

/// Recomputes the aggregates of `contact` from its identities' touches. `CROSS JOIN` fixes
/// the loop order (identities of the contact outside, their touches by index inside):
/// without statistics the planner may scan every touch once per contact.
fn restat(c: &Connection, ws: &str, contact: &str) -> Result<()> {
    c.prepare_cached(
        "UPDATE contact_contacts SET (touches, first_at, last_at, sentiment_sum, sentiment_n,
             platforms) = (
            SELECT COUNT(t.key), MIN(t.at), MAX(t.at), COALESCE(SUM(t.sentiment), 0),
                COUNT(t.sentiment), ',' || COALESCE(group_concat(DISTINCT t.platform), '') || ','
            FROM contact_identities i CROSS JOIN contact_touches t
                ON t.workspace = i.workspace AND t.platform = i.platform AND t.identity = i.id
            WHERE i.workspace = ?1 AND i.contact = ?2)
         WHERE workspace = ?1 AND id = ?2",
    )
    .map_err(storage)?
    .execute(params![ws, contact])
    .map_err(storage)?;
    // `group_concat` of one platform gives ",x,", of none ",,": normalise the empty list.
    c.prepare_cached(
        "UPDATE contact_contacts SET platforms = ',' WHERE workspace = ?1 AND id = ?2
             AND platforms = ',,'",
    )
    .map_err(storage)?
    .execute(params![ws, contact])
    .map_err(storage)?;
    Ok(())
}

fn append_audit(c: &Connection, ws: &str, e: &AuditEntry) -> Result<()> {
    c.prepare_cached("INSERT INTO contact_audit (workspace, data) VALUES (?1, ?2)")
        .map_err(storage)?
        .execute(params![ws, serde_json::to_string(e)?])
        .map_err(storage)?;
    Ok(())
}

fn all_audit(c: &Connection, ws: &str) -> Result<Vec<(i64, AuditEntry)>> {
    let mut stmt = c
        .prepare_cached("SELECT seq, data FROM contact_audit WHERE workspace = ?1 ORDER BY seq")
        .map_err(storage)?;
    let rows = stmt
        .query_map([ws], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .map_err(storage)?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, data) = row.map_err(storage)?;
        let mut e: AuditEntry = serde_json::from_str(&data)?;
        e.seq = seq.max(0) as u64;
        out.push((seq, e));
    }
    Ok(out)
}

fn touches_where(c: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Touch>> {
    let mut stmt = c.prepare_cached(sql).map_err(storage)?;
    let rows = stmt
        .query_map(args, |r| r.get::<_, String>(0))
        .map_err(storage)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(serde_json::from_str(&row.map_err(storage)?)?);
    }
    Ok(out)
}

fn identities_where(
    c: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Identity>> {
    let mut stmt = c.prepare_cached(sql).map_err(storage)?;
    let rows = stmt
        .query_map(args, |r| r.get::<_, String>(0))
        .map_err(storage)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(serde_json::from_str(&row.map_err(storage)?)?);
    }
    Ok(out)
}

fn owner_of(c: &Connection, ws: &str, key: &IdentityKey) -> Result<Option<String>> {
    c.prepare_cached(
        "SELECT contact FROM contact_identities WHERE workspace = ?1 AND platform = ?2 AND id = ?3",
    )
    .map_err(storage)?
    .query_row(params![ws, key.platform, key.id], |r| r.get(0))
    .optional()
    .map_err(storage)
}

/// See [`ContactStore::observe`]; the work of one ingest page in one transaction. Each
/// identity of the page is read and written once (its items absorbed in page order), each
/// touch is one insert, and a new touch adds itself to its contact's aggregates; only a
/// replaced touch (or a new identity whose touch was already stored) recomputes them from
/// the history ([`restat`]).
pub(super) fn observe(
    c: &Connection,
    ws: &str,
    seen: &[(Identity, Touch)],
    replace: bool,
) -> Result<usize> {
    // Each identity once, in order of first appearance: its owner after this page.
    let mut owners: HashMap<&IdentityKey, (String, bool)> = HashMap::new();
    let mut order: Vec<&IdentityKey> = Vec::new();
    let mut absorbed: HashMap<&IdentityKey, Vec<&Identity>> = HashMap::new();
    for (identity, _) in seen {
        absorbed
            .entry(&identity.key)
            .or_insert_with(|| {
                order.push(&identity.key);
                Vec::new()
            })
            .push(identity);
    }
    for key in order {
        let page = &absorbed[key];
        match identity_by_key(c, ws, key)? {
            Some(mut known) => {
                let before = known.clone();
                for i in page {
                    known.absorb(i);
                }
                if known != before {
                    write_identity(c, ws, &known)?;
                }
                owners.insert(key, (known.contact.as_str().to_string(), false));
            }
            None => {
                let contact = Contact::new(page[0].first_seen);
                write_contact(c, ws, &contact)?;
                let mut i = page[0].clone();
                i.contact = contact.id.clone();
                for later in &page[1..] {
                    i.absorb(later);
                }
                write_identity(c, ws, &i)?;
                owners.insert(key, (contact.id.as_str().to_string(), true));
            }
        }
    }
    let mut insert = c
        .prepare_cached(
            "INSERT INTO contact_touches (workspace, key, platform, identity, at, sentiment,
                 data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(workspace, key) DO NOTHING",
        )
        .map_err(storage)?;
    let mut add = c
        .prepare_cached(
            "UPDATE contact_contacts SET touches = touches + 1,
                 first_at = MIN(COALESCE(first_at, ?3), ?3),
                 last_at = MAX(COALESCE(last_at, ?3), ?3),
                 sentiment_sum = sentiment_sum + COALESCE(?4, 0),
                 sentiment_n = sentiment_n + (?4 IS NOT NULL),
                 platforms = CASE WHEN instr(platforms, ',' || ?5 || ',') > 0 THEN platforms
                     ELSE platforms || ?5 || ',' END
             WHERE workspace = ?1 AND id = ?2",
        )
        .map_err(storage)?;
    let mut new = 0;
    // Contacts whose aggregates must be recomputed from their history.
    let mut restats: BTreeSet<&str> = BTreeSet::new();
    for (identity, touch) in seen {
        let (contact, fresh) = &owners[&identity.key];
        let at = us(touch.at);
        if insert
            .execute(params![
                ws,
                touch.key,
                touch.identity.platform,
                touch.identity.id,
                at,
                touch.sentiment,
                serde_json::to_string(touch)?
            ])
            .map_err(storage)?
            == 1
        {
            new += 1;
            // A touch stored under another identity than its item's author would not be
            // this contact's: only the author's own touch is added incrementally.
            if touch.identity == identity.key {
                add.execute(params![
                    ws,
                    contact,
                    at,
                    touch.sentiment,
                    touch.identity.platform
                ])
                .map_err(storage)?;
            } else {
                restats.insert(contact);
            }
            continue;
        }
        // Stored before: a page read again changes nothing, a replaced touch (a reply, a
        // state change) may change the aggregates.
        let replaced = replace
            && c.prepare_cached(
                "UPDATE contact_touches SET at = ?3, sentiment = ?4, data = ?5
                 WHERE workspace = ?1 AND key = ?2 AND data <> ?5",
            )
            .map_err(storage)?
            .execute(params![
                ws,
                touch.key,
                at,
                touch.sentiment,
                serde_json::to_string(touch)?
            ])
            .map_err(storage)?
                > 0;
        if replaced || *fresh {
            restats.insert(contact);
        }
    }
    for contact in restats {
        restat(c, ws, contact)?;
    }
    Ok(new)
}

/// See [`ContactStore::erased_keys`].
pub(super) fn erased_keys(c: &Connection, ws: &str, keys: &[String]) -> Result<BTreeSet<String>> {
    // No salt yet: nobody was erased.
    let Some(salt) = c
        .query_row(
            "SELECT value FROM contact_settings WHERE workspace = ?1 AND key = 'erasure_salt'",
            [ws],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map_err(storage)?
    else {
        return Ok(BTreeSet::new());
    };
    let mut stmt = c
        .prepare_cached("SELECT COUNT(*) FROM contact_erased WHERE workspace = ?1 AND digest = ?2")
        .map_err(storage)?;
    let mut out = BTreeSet::new();
    for k in keys {
        let n: i64 = stmt
            .query_row(params![ws, key_digest(&salt, k)], |r| r.get(0))
            .map_err(storage)?;
        if n > 0 {
            out.insert(k.clone());
        }
    }
    Ok(out)
}

#[async_trait]
impl ContactStore for SqliteContactStore {
    async fn observe(&self, seen: &[(Identity, Touch)], replace: bool) -> Result<usize> {
        let seen = seen.to_vec();
        self.write(move |c, ws| observe(c, ws, &seen, replace))
            .await
    }

    async fn contact(&self, id: &ContactId) -> Result<Option<Contact>> {
        let id = id.clone();
        self.read(move |c, ws| read_contact(c, ws, &id)).await
    }

    async fn contact_of(&self, key: &IdentityKey) -> Result<Option<ContactId>> {
        let key = key.clone();
        self.read(move |c, ws| Ok(owner_of(c, ws, &key)?.map(|s| ContactId::from(s.as_str()))))
            .await
    }

    async fn identity(&self, key: &IdentityKey) -> Result<Option<Identity>> {
        let key = key.clone();
        self.read(move |c, ws| identity_by_key(c, ws, &key)).await
    }

    async fn identities(&self, contact: &ContactId) -> Result<Vec<Identity>> {
        let contact = contact.clone();
        self.read(move |c, ws| {
            identities_where(
                c,
                "SELECT data FROM contact_identities WHERE workspace = ?1 AND contact = ?2
                 ORDER BY platform, id",
                params![ws, contact.as_str()],
            )
        })
        .await
    }

    async fn all_identities(&self) -> Result<Vec<Identity>> {
        self.read(move |c, ws| {
            identities_where(
                c,
                "SELECT data FROM contact_identities WHERE workspace = ?1 ORDER BY platform, id",
                params![ws],
            )
        })
        .await
    }

    async fn put_identity(&self, identity: &Identity, audit: &AuditEntry) -> Result<()> {
        let (identity, audit) = (identity.clone(), audit.clone());
        self.write(move |c, ws| {
            if owner_of(c, ws, &identity.key)?.is_none() {
                return Err(Error::new(ErrorKind::NotFound, "no such identity"));
            }
            write_identity(c, ws, &identity)?;
            append_audit(c, ws, &audit)
        })
        .await
    }

    async fn touches(&self, identities: &[IdentityKey]) -> Result<Vec<Touch>> {
        let identities = identities.to_vec();
        self.read(move |c, ws| {
            let mut out = Vec::new();
            for k in &identities {
                out.extend(touches_where(
                    c,
                    "SELECT data FROM contact_touches
                     WHERE workspace = ?1 AND platform = ?2 AND identity = ?3 ORDER BY at, key",
                    params![ws, k.platform, k.id],
                )?);
            }
            out.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
            Ok(out)
        })
        .await
    }

    async fn mentions(&self) -> Result<Vec<(IdentityKey, String)>> {
        self.read(move |c, ws| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT DISTINCT t.platform, t.identity, m.value
                     FROM contact_touches t, json_each(t.data, '$.mentions') m
                     WHERE t.workspace = ?1 AND json_type(t.data, '$.mentions') = 'array'
                     ORDER BY 1, 2, 3",
                )
                .map_err(storage)?;
            let rows = stmt
                .query_map([ws], |r| {
                    Ok((
                        IdentityKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(storage)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(storage)
        })
        .await
    }

    async fn put_contact(&self, contact: &Contact, audit: &AuditEntry) -> Result<()> {
        let (contact, audit) = (contact.clone(), audit.clone());
        self.write(move |c, ws| {
            if read_contact(c, ws, &contact.id)?.is_none() {
                return Err(Error::new(ErrorKind::NotFound, "no such contact"));
            }
            write_contact(c, ws, &contact)?;
            append_audit(c, ws, &audit)
        })
        .await
    }

    async fn relink(&self, change: &Relink) -> Result<()> {
        let change = change.clone();
        self.write(move |c, ws| {
            for (key, _) in &change.moves {
                if owner_of(c, ws, key)?.is_none() {
                    return Err(Error::new(ErrorKind::NotFound, "no such identity"));
                }
            }
            for contact in &change.upsert {
                write_contact(c, ws, contact)?;
            }
            for (key, to) in &change.moves {
                if let Some(mut i) = identity_by_key(c, ws, key)? {
                    i.contact = to.clone();
                    write_identity(c, ws, &i)?;
                }
            }
            for id in &change.remove {
                c.execute(
                    "DELETE FROM contact_contacts WHERE workspace = ?1 AND id = ?2",
                    params![ws, id.as_str()],
                )
                .map_err(storage)?;
            }
            for contact in &change.upsert {
                restat(c, ws, contact.id.as_str())?;
            }
            append_audit(c, ws, &change.audit)
        })
        .await
    }

    async fn segment(
        &self,
        segment: &Segment,
        after: Option<&ContactId>,
        limit: usize,
    ) -> Result<Vec<Contact>> {
        let (s, after) = (segment.clone(), after.cloned());
        self.read(move |c, ws| {
            let mut sql = format!(
                "SELECT {CONTACT_COLUMNS} FROM contact_contacts WHERE workspace = ? AND id > ?"
            );
            let mut args: Vec<Value> = vec![
                Value::Text(ws.to_string()),
                Value::Text(after.map(|a| a.as_str().to_string()).unwrap_or_default()),
            ];
            for t in &s.tags {
                sql.push_str(" AND tags LIKE ? ESCAPE '\\'");
                args.push(Value::Text(format!("%,{},%", like_escape(t))));
            }
            if !s.platforms.is_empty() {
                let any = vec!["platforms LIKE ? ESCAPE '\\'"; s.platforms.len()].join(" OR ");
                sql.push_str(&format!(" AND ({any})"));
                args.extend(
                    s.platforms
                        .iter()
                        .map(|p| Value::Text(format!("%,{},%", like_escape(p)))),
                );
            }
            if let Some(t) = s.active_since {
                sql.push_str(" AND last_at >= ?");
                args.push(Value::Integer(us(t)));
            }
            if let Some(t) = s.quiet_since {
                sql.push_str(" AND last_at < ?");
                args.push(Value::Integer(us(t)));
            }
            if let Some(n) = s.min_touches {
                sql.push_str(" AND touches >= ?");
                args.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
            }
            if let Some(m) = s.min_sentiment {
                sql.push_str(" AND sentiment_n > 0 AND sentiment_sum / sentiment_n >= ?");
                args.push(Value::Real(m));
            }
            if let Some(m) = s.max_sentiment {
                sql.push_str(" AND sentiment_n > 0 AND sentiment_sum / sentiment_n <= ?");
                args.push(Value::Real(m));
            }
            if let Some(v) = s.vip {
                sql.push_str(" AND vip = ?");
                args.push(Value::Integer(v.into()));
            }
            if let Some(o) = &s.owner {
                sql.push_str(" AND owner = ?");
                args.push(Value::Text(o.clone()));
            }
            sql.push_str(" ORDER BY id LIMIT ?");
            args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
            let mut stmt = c.prepare_cached(&sql).map_err(storage)?;
            let rows = stmt
                .query_map(params_from_iter(args), contact_of_row)
                .map_err(storage)?;
            let mut out = Vec::new();
            for row in rows {
                out.push(parse_contact(row.map_err(storage)?)?);
            }
            Ok(out)
        })
        .await
    }

    async fn audit(
        &self,
        filter: Option<(Option<&ContactId>, &[IdentityKey])>,
    ) -> Result<Vec<AuditEntry>> {
        let filter = filter.map(|(c, ids)| (c.cloned(), ids.to_vec()));
        self.read(move |c, ws| {
            Ok(all_audit(c, ws)?
                .into_iter()
                .map(|(_, e)| e)
                .filter(|e| {
                    filter
                        .as_ref()
                        .is_none_or(|(c, ids)| e.names(c.as_ref(), ids))
                })
                .collect())
        })
        .await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        let entry = entry.clone();
        self.write(move |c, ws| append_audit(c, ws, &entry)).await
    }

    async fn note_signal(
        &self,
        contact: &ContactId,
        rule: &str,
        fingerprint: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let (contact, rule, fp) = (contact.clone(), rule.to_string(), fingerprint.to_string());
        self.write(move |c, ws| {
            let n = c
                .prepare_cached(
                    "INSERT INTO contact_signals (workspace, contact, rule, fingerprint, at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                )
                .map_err(storage)?
                .execute(params![ws, contact.as_str(), rule, fp, us(at)])
                .map_err(storage)?;
            Ok(n == 1)
        })
        .await
    }

    async fn signal_raised(&self, contact: &ContactId, rule: &str, fp: &str) -> Result<bool> {
        let (contact, rule, fp) = (contact.clone(), rule.to_string(), fp.to_string());
        self.read(move |c, ws| {
            let n: i64 = c
                .prepare_cached(
                    "SELECT COUNT(*) FROM contact_signals WHERE workspace = ?1 AND contact = ?2
                         AND rule = ?3 AND fingerprint = ?4",
                )
                .map_err(storage)?
                .query_row(params![ws, contact.as_str(), rule, fp], |r| r.get(0))
                .map_err(storage)?;
            Ok(n > 0)
        })
        .await
    }

    async fn forget(&self, f: &Forget, audit: &AuditEntry) -> Result<BTreeMap<String, u64>> {
        let (f, audit) = (f.clone(), audit.clone());
        self.write(move |c, ws| {
            let mut counts = BTreeMap::new();
            let mut n = 0u64;
            let mut t = 0u64;
            for k in &f.identities {
                n += c
                    .execute(
                        "DELETE FROM contact_identities
                         WHERE workspace = ?1 AND platform = ?2 AND id = ?3",
                        params![ws, k.platform, k.id],
                    )
                    .map_err(storage)? as u64;
                // The touches stay for the aggregates, under the pseudonym, without mentions
                // and without who answered.
                for mut touch in touches_where(
                    c,
                    "SELECT data FROM contact_touches
                     WHERE workspace = ?1 AND platform = ?2 AND identity = ?3",
                    params![ws, k.platform, k.id],
                )? {
                    touch.identity = IdentityKey::new("erased", f.pseudonym.clone());
                    touch.mentions.clear();
                    touch.replied_by = None;
                    t += c
                        .execute(
                            "UPDATE contact_touches SET platform = 'erased', identity = ?3,
                                 data = ?4 WHERE workspace = ?1 AND key = ?2",
                            params![ws, touch.key, f.pseudonym, serde_json::to_string(&touch)?],
                        )
                        .map_err(storage)? as u64;
                }
            }
            counts.insert("contact_identities".to_string(), n);
            counts.insert("contact_touches".to_string(), t);
            let mut n = 0u64;
            let mut gone = None;
            if let Some(id) = &f.contact {
                let left: i64 = c
                    .query_row(
                        "SELECT COUNT(*) FROM contact_identities WHERE workspace = ?1 AND contact = ?2",
                        params![ws, id.as_str()],
                        |r| r.get(0),
                    )
                    .map_err(storage)?;
                if left > 0 {
                    restat(c, ws, id.as_str())?;
                } else {
                    gone = Some(id.clone());
                    n += c
                        .execute(
                            "DELETE FROM contact_contacts WHERE workspace = ?1 AND id = ?2",
                            params![ws, id.as_str()],
                        )
                        .map_err(storage)? as u64;
                    c.execute(
                        "DELETE FROM contact_signals WHERE workspace = ?1 AND contact = ?2",
                        params![ws, id.as_str()],
                    )
                    .map_err(storage)?;
                }
            }
            counts.insert("contact_contacts".to_string(), n);
            let pseudonym = IdentityKey::new("erased", f.pseudonym.clone());
            let mut n = 0u64;
            for (seq, mut e) in all_audit(c, ws)? {
                let before = (e.contacts.len(), e.identities.len());
                if let Some(id) = &gone {
                    e.contacts.retain(|x| x != id);
                }
                e.identities.retain(|i| !f.identities.contains(i));
                if before != (e.contacts.len(), e.identities.len()) {
                    e.identities.push(pseudonym.clone());
                    c.execute(
                        "UPDATE contact_audit SET data = ?2 WHERE seq = ?1",
                        params![seq, serde_json::to_string(&e)?],
                    )
                    .map_err(storage)?;
                    n += 1;
                }
            }
            counts.insert("contact_audit".to_string(), n);
            if !f.keys.is_empty() {
                let salt = salt(c, ws)?;
                for k in &f.keys {
                    c.execute(
                        "INSERT INTO contact_erased (workspace, digest) VALUES (?1, ?2)
                         ON CONFLICT DO NOTHING",
                        params![ws, key_digest(&salt, k)],
                    )
                    .map_err(storage)?;
                }
            }
            append_audit(c, ws, &audit)?;
            Ok(counts)
        })
        .await
    }

    async fn erased_keys(&self, keys: &[String]) -> Result<BTreeSet<String>> {
        if keys.is_empty() {
            return Ok(BTreeSet::new());
        }
        let keys = keys.to_vec();
        self.read(move |c, ws| erased_keys(c, ws, &keys)).await
    }

    async fn scrub(&self, needles: &[String], replacement: &str) -> Result<BTreeMap<String, u64>> {
        let (needles, with) = (needles.to_vec(), replacement.to_string());
        self.write(move |c, ws| scrub(c, ws, &needles, &with)).await
    }

    async fn touches_before(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Touch>> {
        self.read(move |c, ws| {
            touches_where(
                c,
                "SELECT data FROM contact_touches WHERE workspace = ?1 AND at < ?2
                 ORDER BY at, key LIMIT ?3",
                params![ws, us(before), i64::try_from(limit).unwrap_or(i64::MAX)],
            )
        })
        .await
    }

    async fn drop_touches(&self, keys: &[String], audit: &AuditEntry) -> Result<()> {
        let (keys, audit) = (keys.to_vec(), audit.clone());
        self.write(move |c, ws| {
            let mut owners = BTreeSet::new();
            for k in &keys {
                let owner: Option<String> = c
                    .query_row(
                        "SELECT i.contact FROM contact_touches t JOIN contact_identities i
                             ON i.workspace = t.workspace AND i.platform = t.platform
                             AND i.id = t.identity
                         WHERE t.workspace = ?1 AND t.key = ?2",
                        params![ws, k],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(storage)?;
                owners.extend(owner);
                c.execute(
                    "DELETE FROM contact_touches WHERE workspace = ?1 AND key = ?2",
                    params![ws, k],
                )
                .map_err(storage)?;
            }
            for o in &owners {
                restat(c, ws, o)?;
            }
            append_audit(c, ws, &audit)
        })
        .await
    }

    async fn retention(&self) -> Result<RetentionPolicy> {
        self.read(move |c, ws| {
            let v: Option<String> = c
                .query_row(
                    "SELECT value FROM contact_settings WHERE workspace = ?1 AND key = 'retention'",
                    [ws],
                    |r| r.get(0),
                )
                .optional()
                .map_err(storage)?;
            Ok(v.map(|v| serde_json::from_str(&v))
                .transpose()?
                .unwrap_or_default())
        })
        .await
    }

    async fn set_retention(&self, policy: &RetentionPolicy) -> Result<()> {
        let v = serde_json::to_string(policy)?;
        self.write(move |c, ws| {
            c.execute(
                "INSERT INTO contact_settings (workspace, key, value) VALUES (?1, 'retention', ?2)
                 ON CONFLICT(workspace, key) DO UPDATE SET value = excluded.value",
                params![ws, v],
            )
            .map_err(storage)?;
            Ok(())
        })
        .await
    }
}

/// The workspace's erasure salt, made on first use.
fn salt(c: &Connection, ws: &str) -> Result<String> {
    c.execute(
        "INSERT INTO contact_settings (workspace, key, value) VALUES (?1, 'erasure_salt', ?2)
         ON CONFLICT(workspace, key) DO NOTHING",
        params![ws, hex::encode(rand::random::<[u8; 16]>())],
    )
    .map_err(storage)?;
    c.query_row(
        "SELECT value FROM contact_settings WHERE workspace = ?1 AND key = 'erasure_salt'",
        [ws],
        |r| r.get(0),
    )
    .map_err(storage)
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A table as [`scrub`] reads it.
struct TextTable {
    name: String,
    /// How its rows are named: `rowid`, or the primary key columns of a `WITHOUT ROWID`
    /// table.
    ids: Vec<String>,
    /// Its columns that may hold text.
    text: Vec<String>,
    /// Whether it has a `workspace` column (its rows belong to one workspace each).
    scoped: bool,
}

/// Every table of the database.
fn text_columns(c: &Connection) -> Result<Vec<TextTable>> {
    let mut out = Vec::new();
    let tables: Vec<(String, String)> = {
        let mut stmt = c
            .prepare(
                "SELECT name, COALESCE(sql, '') FROM sqlite_master
                 WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .map_err(storage)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(storage)?;
        rows.collect::<rusqlite::Result<_>>().map_err(storage)?
    };
    for (table, sql) in tables {
        let mut stmt = c
            .prepare(&format!(
                "SELECT name, type, pk FROM pragma_table_info({})",
                quote_lit(&table)
            ))
            .map_err(storage)?;
        let cols: Vec<(String, String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(storage)?
            .collect::<rusqlite::Result<_>>()
            .map_err(storage)?;
        let without_rowid = sql.to_ascii_uppercase().contains("WITHOUT ROWID");
        let mut pk: Vec<(i64, String)> = cols
            .iter()
            .filter(|(_, _, p)| *p > 0)
            .map(|(n, _, p)| (*p, n.clone()))
            .collect();
        pk.sort();
        let ids = if without_rowid {
            pk.into_iter().map(|(_, n)| n).collect()
        } else {
            vec!["rowid".to_string()]
        };
        let scoped = cols.iter().any(|(n, _, _)| n == "workspace");
        let text = cols
            .into_iter()
            .filter(|(_, ty, _)| {
                let ty = ty.to_ascii_uppercase();
                !(ty.contains("INT")
                    || ty.contains("REAL")
                    || ty.contains("FLOA")
                    || ty.contains("DOUB"))
            })
            .map(|(n, _, _)| n)
            .collect();
        out.push(TextTable {
            name: table,
            ids,
            text,
            scoped,
        });
    }
    Ok(out)
}

fn quote_lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// See [`ContactStore::scrub`]: per text column, one scan finds the rows of workspace `ws`
/// (every row of a table without a `workspace` column) holding any form of any needle; each
/// value is rewritten by the [`Scrubber`] (JSON string values only, through the record's type
/// where it is known) and written back.
pub(crate) fn scrub(
    c: &Connection,
    ws: &str,
    needles: &[String],
    with: &str,
) -> Result<BTreeMap<String, u64>> {
    let scrubber = Scrubber::new(needles, with);
    let forms = scrubber.forms();
    let mut counts = BTreeMap::new();
    if forms.is_empty() {
        return Ok(counts);
    }
    for TextTable {
        name: table,
        ids,
        text: cols,
        scoped,
    } in text_columns(c)?
    {
        let idlist = ids
            .iter()
            .map(|i| if i == "rowid" { i.clone() } else { quote(i) })
            .collect::<Vec<_>>();
        let cond = idlist
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{n} = ?{}", i + 2))
            .collect::<Vec<_>>()
            .join(" AND ");
        let mut changed = 0u64;
        for col in cols.iter().filter(|c| scrubber.column(c)) {
            let qc = quote(col);
            // ?1 is the workspace; the forms follow.
            let any = (0..forms.len())
                .map(|i| format!("instr({qc}, ?{}) > 0", i + 2))
                .collect::<Vec<_>>()
                .join(" OR ");
            let scope = if scoped {
                "workspace = ?1"
            } else {
                "?1 IS NOT NULL"
            };
            let sql = format!(
                "SELECT {}, {qc} FROM {} WHERE {scope} AND typeof({qc}) = 'text' AND ({any})",
                idlist.join(", "),
                quote(&table),
            );
            let hits: Vec<(Vec<Value>, String)> = {
                let mut stmt = c.prepare(&sql).map_err(storage)?;
                let n = idlist.len();
                let args = std::iter::once(ws).chain(forms.iter().map(String::as_str));
                let rows = stmt
                    .query_map(params_from_iter(args), |r| {
                        let mut id = Vec::with_capacity(n);
                        for i in 0..n {
                            id.push(r.get::<_, Value>(i)?);
                        }
                        Ok((id, r.get::<_, String>(n)?))
                    })
                    .map_err(storage)?;
                rows.collect::<rusqlite::Result<_>>().map_err(storage)?
            };
            let update = format!("UPDATE {} SET {qc} = ?1 WHERE {cond}", quote(&table));
            for (id, text) in hits {
                let Some(new) = scrubber.value(&table, col, &text) else {
                    continue;
                };
                let mut args = vec![Value::Text(new)];
                args.extend(id);
                changed += c
                    .execute(&update, params_from_iter(args))
                    .map_err(storage)? as u64;
            }
        }
        if changed > 0 {
            counts.insert(table, changed);
        }
    }
    Ok(counts)
}
