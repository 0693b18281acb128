//! The engine's copy of each workspace's members and settings, so a submit reads the store
//! once (to write the post) instead of four times (members, workflow settings, brand rules,
//! then the write).
//!
//! Freshness:
//! - every write the engine makes to members or settings ([`Engine::add_member`],
//!   [`Engine::remove_member`], [`Engine::set_workflow_settings`], [`Engine::set_brand_rules`],
//!   [`Engine::create_workspace`]) drops the workspace's entry, so this engine sees its own
//!   writes at once;
//! - a write by another process (or straight to the store, past the engine) is seen at most
//!   [`EngineConfig::settings_ttl`](super::EngineConfig::settings_ttl) later (default 2 s),
//!   when the entry is read again. A time-to-live rather than a version column: a version
//!   would have to be read from the store on every call, which is the round trip the cache
//!   saves; a role revoked from another process keeps working for at most the TTL (set it
//!   to zero to read the store every time).
//!
//! A read that raced with a write (it started before the write dropped the entry) is not
//! kept: every drop bumps a generation, and a value read under an older generation is
//! returned but not cached.
//!
//! [`Engine::add_member`]: super::Engine::add_member
//! [`Engine::remove_member`]: super::Engine::remove_member
//! [`Engine::set_workflow_settings`]: super::Engine::set_workflow_settings
//! [`Engine::set_brand_rules`]: super::Engine::set_brand_rules
//! [`Engine::create_workspace`]: super::Engine::create_workspace

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::{Member, WorkspaceId};

/// Members and settings per workspace, each with the instant it was read.
#[derive(Debug)]
pub(crate) struct WorkspaceCache {
    ttl: Duration,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// Bumped by every invalidation.
    generation: u64,
    members: HashMap<WorkspaceId, (Instant, Arc<[Member]>)>,
    settings: HashMap<(WorkspaceId, &'static str), (Instant, Option<serde_json::Value>)>,
}

/// Where a cache read stands: the value, or the generation to hand back with the store's
/// answer.
pub(crate) enum Lookup<T> {
    Hit(T),
    Miss(u64),
}

impl WorkspaceCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        WorkspaceCache {
            ttl,
            inner: Mutex::new(Entries::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fresh(&self, at: Instant) -> bool {
        at.elapsed() < self.ttl
    }

    pub(crate) fn members(&self, ws: &WorkspaceId) -> Lookup<Arc<[Member]>> {
        let e = self.lock();
        match e.members.get(ws) {
            Some((at, m)) if self.fresh(*at) => Lookup::Hit(m.clone()),
            _ => Lookup::Miss(e.generation),
        }
    }

    /// Keeps `members`, read from the store when the generation was `generation`.
    pub(crate) fn keep_members(&self, ws: &WorkspaceId, generation: u64, members: Arc<[Member]>) {
        let mut e = self.lock();
        if e.generation == generation && !self.ttl.is_zero() {
            e.members.insert(ws.clone(), (Instant::now(), members));
        }
    }

    pub(crate) fn setting(
        &self,
        ws: &WorkspaceId,
        key: &'static str,
    ) -> Lookup<Option<serde_json::Value>> {
        let e = self.lock();
        match e.settings.get(&(ws.clone(), key)) {
            Some((at, v)) if self.fresh(*at) => Lookup::Hit(v.clone()),
            _ => Lookup::Miss(e.generation),
        }
    }

    /// Keeps setting `key`, read from the store when the generation was `generation`.
    pub(crate) fn keep_setting(
        &self,
        ws: &WorkspaceId,
        key: &'static str,
        generation: u64,
        value: Option<serde_json::Value>,
    ) {
        let mut e = self.lock();
        if e.generation == generation && !self.ttl.is_zero() {
            e.settings
                .insert((ws.clone(), key), (Instant::now(), value));
        }
    }

    /// Forgets everything known about `ws` (after the engine wrote to it).
    pub(crate) fn invalidate(&self, ws: &WorkspaceId) {
        let mut e = self.lock();
        e.generation += 1;
        e.members.remove(ws);
        e.settings.retain(|(w, _), _| w != ws);
    }
}

impl super::Engine {
    /// The members of `ws`, from the cache while fresh.
    pub(crate) async fn members_of(&self, ws: &WorkspaceId) -> crate::Result<Arc<[Member]>> {
        let cache = &self.inner.cache;
        match cache.members(ws) {
            Lookup::Hit(m) => Ok(m),
            Lookup::Miss(generation) => {
                let m: Arc<[Member]> = self.store().members(ws).await?.into();
                cache.keep_members(ws, generation, m.clone());
                Ok(m)
            }
        }
    }

    /// Setting `key` of `ws`, from the cache while fresh.
    pub(crate) async fn setting_of(
        &self,
        ws: &WorkspaceId,
        key: &'static str,
    ) -> crate::Result<Option<serde_json::Value>> {
        let cache = &self.inner.cache;
        match cache.setting(ws, key) {
            Lookup::Hit(v) => Ok(v),
            Lookup::Miss(generation) => {
                let v = self.store().setting(ws, key).await?;
                cache.keep_setting(ws, key, generation, v.clone());
                Ok(v)
            }
        }
    }

    /// Runs a write to the members or settings of `ws` and drops what the cache knew of it
    /// (also when the write failed: it may have landed all the same).
    pub(crate) async fn writing_workspace<T>(
        &self,
        ws: &WorkspaceId,
        write: impl std::future::Future<Output = crate::Result<T>>,
    ) -> crate::Result<T> {
        let out = write.await;
        self.inner.cache.invalidate(ws);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Role;

    fn hit<T>(l: Lookup<T>) -> Option<T> {
        match l {
            Lookup::Hit(v) => Some(v),
            Lookup::Miss(_) => None,
        }
    }

    fn generation<T>(l: Lookup<T>) -> u64 {
        match l {
            Lookup::Hit(_) => panic!("expected a miss"),
            Lookup::Miss(g) => g,
        }
    }

    #[test]
    fn kept_until_invalidated() {
        let c = WorkspaceCache::new(Duration::from_secs(3600));
        let ws = WorkspaceId::from("acme");
        let g = generation(c.members(&ws));
        c.keep_members(&ws, g, vec![Member::new("olga", Role::Owner)].into());
        assert_eq!(hit(c.members(&ws)).unwrap()[0].user, "olga");
        let g = generation(c.setting(&ws, "workflow"));
        c.keep_setting(&ws, "workflow", g, Some(serde_json::json!({"a": 1})));
        assert_eq!(
            hit(c.setting(&ws, "workflow")),
            Some(Some(serde_json::json!({"a": 1})))
        );
        // Another workspace's write leaves this one alone.
        c.invalidate(&"other".into());
        assert!(hit(c.members(&ws)).is_some());
        c.invalidate(&ws);
        assert!(hit(c.members(&ws)).is_none());
        assert!(hit(c.setting(&ws, "workflow")).is_none());
    }

    #[test]
    fn a_read_that_raced_with_a_write_is_not_kept() {
        let c = WorkspaceCache::new(Duration::from_secs(3600));
        let ws = WorkspaceId::from("acme");
        let before = generation(c.members(&ws));
        // The write lands (and invalidates) while the read is on its way.
        c.invalidate(&ws);
        c.keep_members(&ws, before, vec![Member::new("gone", Role::Owner)].into());
        assert!(hit(c.members(&ws)).is_none(), "the stale read was dropped");
        let before = generation(c.setting(&ws, "brand"));
        c.invalidate(&ws);
        c.keep_setting(&ws, "brand", before, None);
        assert!(hit(c.setting(&ws, "brand")).is_none());
    }

    #[test]
    fn entries_expire_and_a_zero_ttl_keeps_nothing() {
        let c = WorkspaceCache::new(Duration::ZERO);
        let ws = WorkspaceId::from("acme");
        let g = generation(c.members(&ws));
        c.keep_members(&ws, g, Vec::new().into());
        assert!(hit(c.members(&ws)).is_none());
        let c = WorkspaceCache::new(Duration::from_millis(1));
        let g = generation(c.setting(&ws, "workflow"));
        c.keep_setting(&ws, "workflow", g, None);
        // Expiry is read from the monotonic clock; wait past it without sleeping on a guess.
        let start = Instant::now();
        while start.elapsed() <= Duration::from_millis(1) {
            std::hint::spin_loop();
        }
        assert!(hit(c.setting(&ws, "workflow")).is_none());
    }
}
