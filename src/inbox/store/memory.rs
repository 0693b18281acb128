//! The inbox in memory: items with their facts in a map, queries by scanning it (for tests
//! and small inboxes; the reference every other store agrees with).

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{Facts, InboxStore, PageCursor, SlaNote, cmp_keys, note_on, policy_id};
use crate::error::Result;
use crate::inbox::sla::{GroupStats, SlaKind, SlaPolicy, SlaReport, Stats};
use crate::inbox::{InboxItem, Narrowing, SortOrder};

/// An in-memory [`InboxStore`].
///
/// ```
/// use socialkit::inbox::{InboxStore, MemoryInboxStore};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// assert_eq!(MemoryInboxStore::default().get("k").await.unwrap(), None);
/// # });
/// ```
#[derive(Debug, Default)]
pub struct MemoryInboxStore {
    inner: Mutex<Mem>,
}

#[derive(Debug, Default)]
struct Mem {
    cursors: BTreeMap<String, String>,
    /// Items by key, with their facts and the policy those were computed under.
    items: BTreeMap<String, (InboxItem, Facts, String)>,
}

impl Mem {
    /// Computes again the facts computed under another policy than `sla`.
    fn measure(&mut self, sla: &SlaPolicy) {
        let id = policy_id(sla);
        for (item, facts, under) in self.items.values_mut() {
            if *under != id {
                *facts = Facts::of(item, sla);
                under.clone_from(&id);
            }
        }
    }
}

impl MemoryInboxStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, Mem> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl InboxStore for MemoryInboxStore {
    async fn cursor(&self, channel: &str) -> Result<Option<String>> {
        Ok(self.lock().cursors.get(channel).cloned())
    }

    async fn commit_page(
        &self,
        channel: &str,
        items: &[InboxItem],
        cursor: Option<&str>,
        sla: &SlaPolicy,
    ) -> Result<usize> {
        let id = policy_id(sla);
        let mut g = self.lock();
        let mut new = 0;
        for item in items {
            if !g.items.contains_key(&item.key) {
                let facts = Facts::of(item, sla);
                g.items
                    .insert(item.key.clone(), (item.clone(), facts, id.clone()));
                new += 1;
            }
        }
        if let Some(c) = cursor {
            g.cursors.insert(channel.to_string(), c.to_string());
        }
        Ok(new)
    }

    async fn get(&self, key: &str) -> Result<Option<InboxItem>> {
        Ok(self.lock().items.get(key).map(|e| e.0.clone()))
    }

    async fn put(&self, item: &InboxItem, sla: &SlaPolicy) -> Result<()> {
        let entry = (item.clone(), Facts::of(item, sla), policy_id(sla));
        self.lock().items.insert(item.key.clone(), entry);
        Ok(())
    }

    async fn page(
        &self,
        query: &Narrowing,
        sort: SortOrder,
        after: Option<&PageCursor>,
        limit: usize,
        sla: &SlaPolicy,
    ) -> Result<Vec<InboxItem>> {
        let mut g = self.lock();
        g.measure(sla);
        let after = after.filter(|c| c.fits(sort)).map(|c| c.parts());
        let mut hits: Vec<((i64, i64), &InboxItem)> = g
            .items
            .values()
            .filter(|(item, facts, _)| {
                let (rank, at) = facts.sort_key(sort);
                after.is_none_or(|a| {
                    cmp_keys(sort, (rank, at, &item.key), a) == std::cmp::Ordering::Greater
                }) && query.admits_facts(item, facts)
            })
            .map(|(item, facts, _)| (facts.sort_key(sort), item))
            .collect();
        hits.sort_by(|a, b| cmp_keys(sort, (a.0.0, a.0.1, &a.1.key), (b.0.0, b.0.1, &b.1.key)));
        Ok(hits
            .into_iter()
            .take(limit)
            .map(|(_, i)| i.clone())
            .collect())
    }

    async fn count(&self, query: &Narrowing, sla: &SlaPolicy) -> Result<usize> {
        let mut g = self.lock();
        g.measure(sla);
        Ok(g.items
            .values()
            .filter(|(item, facts, _)| query.admits_facts(item, facts))
            .count())
    }

    async fn sla_report(&self, sla: &SlaPolicy) -> Result<SlaReport> {
        type Acc = BTreeMap<String, (Vec<i64>, Vec<i64>)>;
        let mut g = self.lock();
        g.measure(sla);
        let mut by_channel: Acc = BTreeMap::new();
        let mut by_member: Acc = BTreeMap::new();
        for (item, f, _) in g.items.values() {
            let add = |acc: &mut Acc, k: &str| {
                let e = acc.entry(k.to_string()).or_default();
                e.0.extend(f.first_response_time);
                e.1.extend(f.resolution_time);
            };
            if f.first_response_time.is_none() && f.resolution_time.is_none() {
                continue;
            }
            add(&mut by_channel, &item.channel);
            if let Some(m) = &f.member {
                add(&mut by_member, m);
            }
        }
        let stats =
            |v: Vec<i64>| Stats::of(v.into_iter().map(chrono::Duration::microseconds).collect());
        let fin = |acc: Acc| {
            acc.into_iter()
                .map(|(k, (f, r))| {
                    (
                        k,
                        GroupStats {
                            first_response: stats(f),
                            resolution: stats(r),
                        },
                    )
                })
                .collect()
        };
        Ok(SlaReport {
            channels: fin(by_channel),
            members: fin(by_member),
        })
    }

    async fn note_sla(&self, key: &str, kind: SlaKind, note: SlaNote) -> Result<bool> {
        Ok(self.lock().items.get_mut(key).is_some_and(|(i, f, _)| {
            let new = note_on(i, kind, note);
            f.breached = !i.breaches.is_empty();
            new
        }))
    }
}
