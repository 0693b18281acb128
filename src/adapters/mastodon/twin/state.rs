//! The twin's state: accounts, statuses, uploads, notifications and idempotency keys.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use url::Url;

use super::{TwinAccount, TwinOptions, TwinStatus};

#[derive(Debug, Clone)]
pub(super) struct TwinMedia {
    pub(super) id: String,
    pub(super) mime: String,
    pub(super) description: Option<String>,
    pub(super) size: usize,
    pub(super) polls_left: u32,
    pub(super) fails: bool,
}

#[derive(Debug, Clone)]
pub(super) struct TwinNotification {
    pub(super) id: u64,
    pub(super) kind: &'static str,
    pub(super) account_id: String,
    pub(super) status_id: Option<String>,
    pub(super) created_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub(super) struct Inner {
    pub(super) next_id: u64,
    pub(super) accounts: Vec<TwinAccount>,
    pub(super) statuses: Vec<TwinStatus>,
    pub(super) media: HashMap<String, TwinMedia>,
    pub(super) notifications: Vec<TwinNotification>,
    pub(super) idempotency: HashMap<String, String>,
    pub(super) statuses_created: usize,
    pub(super) window_start: Option<DateTime<Utc>>,
    pub(super) window_count: u64,
}

impl Inner {
    pub(super) fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    pub(super) fn status(&self, id: &str) -> Option<&TwinStatus> {
        self.statuses.iter().find(|s| s.id == id && !s.deleted)
    }

    pub(super) fn status_mut(&mut self, id: &str) -> Option<&mut TwinStatus> {
        self.statuses.iter_mut().find(|s| s.id == id && !s.deleted)
    }

    pub(super) fn account(&self, id: &str) -> Option<&TwinAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }
}

/// What the routes and the handle share.
pub(super) struct Shared {
    pub(super) options: TwinOptions,
    /// `http://127.0.0.1:PORT/`, the address links in answers point at.
    pub(super) base: Url,
    pub(super) owner_id: String,
    inner: Mutex<Inner>,
}

impl Shared {
    pub(super) fn new(options: TwinOptions, base: Url) -> Shared {
        let mut inner = Inner {
            next_id: 100_000,
            ..Inner::default()
        };
        let owner_id = inner.id();
        inner.accounts.push(TwinAccount {
            id: owner_id.clone(),
            username: options.username.clone(),
            followers: 0,
            following: 0,
            statuses: 0,
        });
        Shared {
            options,
            base,
            owner_id,
            inner: Mutex::new(inner),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current instant by the twin's clock ([`TwinOptions::clock`]).
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.options.clock.now()
    }
}
