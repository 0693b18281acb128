//! The events outbox on PostgreSQL (store/events.rs): events written in the transaction of
//! their change, claimed with `FOR UPDATE SKIP LOCKED` under leases.

use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::Client;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{Tx, deliveries_where, from_us, json, parse, pg, us};
use crate::store::events::{
    self, Emitter, EventFilter, EventId, EventLease, EventOutcome, EventStatus, Finished, NewEvent,
    OutboxEvent, Replay, StoredEvent,
};
use crate::store::{Delivery, WorkspaceId, not_found};
use crate::{Error, ErrorKind, Result};

pub(crate) const COLUMNS: &str = "seq, id, workspace, kind, payload, created_at, status, \
                                  attempts, next_at, lease_worker, lease_until, last_error";

pub(crate) fn row(r: &Row) -> Result<OutboxEvent> {
    let lease = match (r.get::<_, Option<String>>(9), r.get::<_, Option<i64>>(10)) {
        (Some(worker), Some(until)) => Some(EventLease {
            worker,
            until: from_us(until),
        }),
        _ => None,
    };
    Ok(OutboxEvent {
        event: StoredEvent {
            seq: r.get(0),
            id: EventId(r.get(1)),
            workspace: WorkspaceId(r.get(2)),
            kind: r.get(3),
            payload: parse(r.get::<_, &str>(4))?,
            created_at: from_us(r.get(5)),
        },
        status: EventStatus::parse(r.get::<_, &str>(6))?,
        attempts: u32::try_from(r.get::<_, i32>(7)).unwrap_or(0),
        next_at: from_us(r.get(8)),
        lease,
        last_error: r.get(11),
    })
}

pub(crate) async fn rows(
    tx: &Tx<'_>,
    sql: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Result<Vec<OutboxEvent>> {
    let st = tx.prepare_cached(sql).await.map_err(pg)?;
    tx.query(&st, args)
        .await
        .map_err(pg)?
        .iter()
        .map(row)
        .collect()
}

/// Writes events, Pending and due at `at`, in the caller's transaction.
pub(crate) async fn append(
    tx: &Tx<'_>,
    ws: &WorkspaceId,
    list: Vec<NewEvent>,
    at: DateTime<Utc>,
) -> Result<Vec<StoredEvent>> {
    let mut out = Vec::with_capacity(list.len());
    if list.is_empty() {
        return Ok(out);
    }
    let st = tx
        .prepare_cached(
            "INSERT INTO events (id, workspace, kind, payload, created_at, status, next_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $5) RETURNING seq",
        )
        .await
        .map_err(pg)?;
    for e in list {
        let id = EventId::generate(at);
        let r = tx
            .query_one(
                &st,
                &[
                    &id.as_str(),
                    &ws.as_str(),
                    &e.kind,
                    &json(&e.payload)?,
                    &us(at),
                ],
            )
            .await
            .map_err(pg)?;
        out.push(StoredEvent {
            id,
            seq: r.get(0),
            workspace: ws.clone(),
            kind: e.kind,
            payload: e.payload,
            created_at: at,
        });
    }
    Ok(out)
}

/// The events `emit` computes for `changed`, written in the caller's transaction. For the
/// post's view it locks the post's row first, so of two transactions ending a post's last
/// deliveries concurrently the second sees the first's (no deadlock: each holds its own
/// delivery, then queues on the one post row).
pub(crate) async fn emit_in(
    tx: &Tx<'_>,
    ws: &WorkspaceId,
    changed: &[Delivery],
    emit: &dyn Emitter,
    at: DateTime<Utc>,
) -> Result<Vec<StoredEvent>> {
    let mut list = emit.events(changed);
    if let Some(p) = emit.post(changed) {
        tx.query_opt(
            "SELECT 1 FROM posts WHERE workspace = $1 AND id = $2 FOR UPDATE",
            &[&ws.as_str(), &p.as_str()],
        )
        .await
        .map_err(pg)?;
        let all = deliveries_where(
            tx,
            "SELECT data, content FROM deliveries WHERE workspace = $1 AND post = $2
             ORDER BY created_at, id",
            &[&ws.as_str(), &p.as_str()],
        )
        .await?;
        list.extend(emit.post_events(&all));
    }
    append(tx, ws, list, at).await
}

/// Claims due events in one statement (its own transaction: the row locks of `FOR UPDATE
/// SKIP LOCKED` hold until the statement ends, so two senders never take the same event).
pub(crate) async fn claim(
    c: &Client,
    now: DateTime<Utc>,
    worker: &str,
    limit: usize,
    lease: Duration,
) -> Result<Vec<OutboxEvent>> {
    let sql = format!(
        "UPDATE events SET attempts = attempts + 1, lease_worker = $2, lease_until = $3
         WHERE seq IN (SELECT seq FROM events WHERE status = 'pending' AND next_at <= $1
                       AND (lease_until IS NULL OR lease_until <= $1)
                       ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING {COLUMNS}"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let st = c.prepare_cached(&sql).await.map_err(pg)?;
    let mut out = c
        .query(&st, &[&us(now), &worker, &us(now + lease), &limit])
        .await
        .map_err(pg)?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|e| e.event.seq);
    Ok(out)
}

/// Stores the outcomes of many sends in one statement (its own transaction): each row is
/// changed only while `worker` holds it (Pending, its lease, not ended), under the rules of
/// [`events::finish`] as [`events::outcome_columns`] spells them; an event not changed is
/// answered `Conflict` (not held) or `NotFound`.
pub(crate) async fn finish_many(
    c: &Client,
    worker: &str,
    done: &[Finished],
    now: DateTime<Utc>,
) -> Result<Vec<Result<()>>> {
    if done.is_empty() {
        return Ok(Vec::new());
    }
    let n = done.len();
    let (mut wss, mut ids, mut statuses) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut next, mut errors, mut keep) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for f in done {
        let (status, next_at, error) = events::outcome_columns(&f.outcome);
        wss.push(f.workspace.as_str());
        ids.push(f.id.as_str());
        statuses.push(status.as_str());
        next.push(next_at.map(us));
        keep.push(error.is_none());
        errors.push(error.flatten());
    }
    let st = c
        .prepare_cached(
            "WITH v AS (SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[],
                                             $5::TEXT[], $6::BOOL[])
                        AS v(workspace, id, status, next_at, last_error, keep_error)),
             done AS (
                UPDATE events e SET status = v.status,
                    next_at = COALESCE(v.next_at, e.next_at),
                    last_error = CASE WHEN v.keep_error THEN e.last_error ELSE v.last_error END,
                    lease_worker = NULL, lease_until = NULL
                FROM v
                WHERE e.id = v.id AND e.workspace = v.workspace AND e.status = 'pending'
                  AND e.lease_worker = $7 AND e.lease_until > $8
                RETURNING e.id)
             SELECT v.id, EXISTS (SELECT 1 FROM done WHERE done.id = v.id),
                    EXISTS (SELECT 1 FROM events e WHERE e.id = v.id AND e.workspace = v.workspace)
             FROM v",
        )
        .await
        .map_err(pg)?;
    let rows = c
        .query(
            &st,
            &[
                &wss,
                &ids,
                &statuses,
                &next,
                &errors,
                &keep,
                &worker,
                &us(now),
            ],
        )
        .await
        .map_err(pg)?;
    let mut answer: std::collections::HashMap<String, (bool, bool)> = rows
        .iter()
        .map(|r| (r.get::<_, String>(0), (r.get(1), r.get(2))))
        .collect();
    Ok(done
        .iter()
        .map(|f| match answer.remove(f.id.as_str()) {
            Some((true, _)) => Ok(()),
            Some((false, true)) => Err(events::not_held(&f.id, worker)),
            _ => Err(not_found("event", &f.id, &f.workspace)),
        })
        .collect())
}

pub(crate) async fn load(tx: &Tx<'_>, ws: &WorkspaceId, id: &EventId) -> Result<OutboxEvent> {
    let sql = format!("SELECT {COLUMNS} FROM events WHERE workspace = $1 AND id = $2 FOR UPDATE");
    rows(tx, &sql, &[&ws.as_str(), &id.as_str()])
        .await?
        .pop()
        .ok_or_else(|| not_found("event", id, ws))
}

pub(crate) async fn save(tx: &Tx<'_>, e: &OutboxEvent) -> Result<()> {
    let st = tx
        .prepare_cached(
            "UPDATE events SET status = $2, attempts = $3, next_at = $4, lease_worker = $5,
             lease_until = $6, last_error = $7 WHERE seq = $1",
        )
        .await
        .map_err(pg)?;
    tx.execute(
        &st,
        &[
            &e.event.seq,
            &e.status.as_str(),
            &i32::try_from(e.attempts).unwrap_or(i32::MAX),
            &us(e.next_at),
            &e.lease.as_ref().map(|l| l.worker.as_str()),
            &e.lease.as_ref().map(|l| us(l.until)),
            &e.last_error,
        ],
    )
    .await
    .map_err(pg)?;
    Ok(())
}

pub(crate) async fn finish(
    tx: &Tx<'_>,
    ws: &WorkspaceId,
    id: &EventId,
    worker: &str,
    outcome: &EventOutcome,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut e = load(tx, ws, id).await?;
    events::finish(&mut e, worker, outcome, now)?;
    save(tx, &e).await
}

pub(crate) async fn list(
    tx: &Tx<'_>,
    ws: &WorkspaceId,
    filter: &EventFilter,
) -> Result<Vec<OutboxEvent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE workspace = $1
         AND ($2::TEXT IS NULL OR status = $2) AND seq > $3 ORDER BY seq LIMIT $4"
    );
    let limit = filter.limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    rows(
        tx,
        &sql,
        &[
            &ws.as_str(),
            &filter.status.map(EventStatus::as_str),
            &filter.after.unwrap_or(0),
            &limit,
        ],
    )
    .await
}

pub(crate) async fn replay(
    tx: &Tx<'_>,
    ws: &WorkspaceId,
    which: &Replay,
    now: DateTime<Utc>,
) -> Result<usize> {
    match which {
        Replay::One(id) => {
            let mut e = load(tx, ws, id).await?;
            if !events::revive(&mut e, now) {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    format!("event {id} is {}, not dead", e.status.as_str()),
                ));
            }
            save(tx, &e).await?;
            Ok(1)
        }
        Replay::AllDead => {
            let n = tx
                .execute(
                    "UPDATE events SET status = 'pending', attempts = 0, next_at = $2,
                     lease_worker = NULL, lease_until = NULL
                     WHERE workspace = $1 AND status = 'dead'",
                    &[&ws.as_str(), &us(now)],
                )
                .await
                .map_err(pg)?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        }
    }
}
