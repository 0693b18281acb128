//! The media container flow Instagram and Threads share: create a container, poll its status
//! with a bounded wait (through the HTTP client's [`Clock`](crate::clock::Clock)), publish it.
//!
//! A container can be published once. The [`Ledger`] remembers, per idempotency key, the
//! container made for it and, once known, the media it became: a publish retried with the same
//! key continues with the same container (or returns the media) instead of posting twice.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;

use chrono::{DateTime, Utc};

use super::api::{ContainerStatus, Created, PublishingLimit, parse_time};
use super::client::{Graph, Params};
use super::config::WaitPolicy;
use crate::http::{Poll, poll_until};
use crate::{Error, ErrorKind, Result};

/// How a platform names the container flow's edges and fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    /// The edge containers are created on (`media`, `threads`).
    pub create_edge: &'static str,
    /// The edge containers are published on (`media_publish`, `threads_publish`).
    pub publish_edge: &'static str,
    /// The status code field (`status_code`, `status`).
    pub code_field: &'static str,
    /// The field with the reason of an error (`status`, `error_message`).
    pub message_field: &'static str,
}

/// Instagram: `POST /{ig-user-id}/media`, `GET /{container}?fields=status_code,status`,
/// `POST /{ig-user-id}/media_publish`.
pub(crate) const INSTAGRAM: Dialect = Dialect {
    create_edge: "media",
    publish_edge: "media_publish",
    code_field: "status_code",
    message_field: "status",
};

/// Threads: `POST /{user-id}/threads`, `GET /{container}?fields=status,error_message`,
/// `POST /{user-id}/threads_publish`.
pub(crate) const THREADS: Dialect = Dialect {
    create_edge: "threads",
    publish_edge: "threads_publish",
    code_field: "status",
    message_field: "error_message",
};

/// The container flow of one account.
#[derive(Debug, Clone)]
pub(crate) struct Containers {
    pub graph: Graph,
    pub owner: String,
    pub dialect: Dialect,
    pub wait: WaitPolicy,
}

/// When a wait must end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline(chrono::DateTime<chrono::Utc>);

impl Containers {
    /// The account's publishing quota: `GET /{owner}/{edge}?fields=` (Instagram's
    /// `content_publishing_limit`, Threads' `threads_publishing_limit`).
    pub(crate) async fn publishing_limit(
        &self,
        edge: &str,
        fields: &str,
    ) -> Result<PublishingLimit> {
        let v: Value = self
            .graph
            .get(
                "publishing_limit",
                &[&self.owner, edge],
                &[("fields", fields)],
            )
            .await?;
        Ok(PublishingLimit::parse(&v))
    }

    /// A deadline `wait.max_wait` from now, shared by every container of one publish.
    pub(crate) fn deadline(&self) -> Deadline {
        let max = chrono::Duration::from_std(self.wait.max_wait).unwrap_or(chrono::Duration::MAX);
        Deadline(
            self.graph
                .now()
                .checked_add_signed(max)
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC),
        )
    }

    /// Creates a container with `params`; returns its id.
    pub(crate) async fn create(&self, params: &Params) -> Result<String> {
        let created: Created = self
            .graph
            .post(
                "create_container",
                &[&self.owner, self.dialect.create_edge],
                params,
            )
            .await?;
        Ok(created.id)
    }

    /// The container's status.
    pub(crate) async fn status(&self, id: &str) -> Result<ContainerStatus> {
        let fields = format!(
            "id,{},{}",
            self.dialect.code_field, self.dialect.message_field
        );
        let v: Value = self
            .graph
            .get("container_status", &[id], &[("fields", &fields)])
            .await?;
        let code = v
            .get(self.dialect.code_field)
            .and_then(Value::as_str)
            .unwrap_or("");
        let message = v.get(self.dialect.message_field).and_then(Value::as_str);
        Ok(ContainerStatus::from_wire(code, message))
    }

    /// Polls until the container is `FINISHED` (or `PUBLISHED`) with [`poll_until`], sleeping
    /// on the client's clock between polls (doubling from `first_poll` up to `max_interval`)
    /// until `deadline`. `ERROR` is [`ErrorKind::ContentRejected`]; `EXPIRED` is a retryable
    /// [`ErrorKind::Platform`] error; a wait that runs out is a retryable
    /// [`ErrorKind::Timeout`] (nothing was published: the container is kept for a retry).
    pub(crate) async fn wait_ready(&self, id: &str, deadline: Deadline) -> Result<ContainerStatus> {
        let clock = self.graph.http().clock().clone();
        let left = (deadline.0 - self.graph.now())
            .to_std()
            .unwrap_or(Duration::ZERO);
        let max = self.wait.max_interval.max(Duration::from_millis(1));
        let mut next = self.wait.first_poll;
        let waited = poll_until(
            &clock,
            left,
            self.graph.platform(),
            "media container processing",
            || {
                let wait = next;
                next = (next * 2).min(max);
                async move {
                    match self.status(id).await? {
                        s @ (ContainerStatus::Finished | ContainerStatus::Published) => {
                            Ok(Poll::Ready(s))
                        }
                        ContainerStatus::Error(reason) => Err(self.error(
                            ErrorKind::ContentRejected,
                            format!("the media container failed processing: {reason}"),
                        )),
                        ContainerStatus::Expired => Err(self.error(
                            ErrorKind::Platform,
                            "the media container expired before it was published; publish again to make a new one".into(),
                        )),
                        ContainerStatus::InProgress | ContainerStatus::Other(_) => {
                            Ok(Poll::Wait(wait))
                        }
                    }
                }
            },
        )
        .await;
        waited.map_err(|e| {
            if e.kind() == ErrorKind::Timeout {
                self.error(
                    ErrorKind::Timeout,
                    format!(
                        "the media container {id} was still being processed after {:.0} s; nothing was published, \
                         and publishing again with the same idempotency key continues with this container",
                        self.wait.max_wait.as_secs_f64()
                    ),
                )
            } else {
                e
            }
        })
    }

    /// Publishes a finished container; returns the media id.
    pub(crate) async fn publish(&self, id: &str) -> Result<String> {
        let created: Created = self
            .graph
            .post(
                "publish_container",
                &[&self.owner, self.dialect.publish_edge],
                &[("creation_id", id.to_string())],
            )
            .await?;
        Ok(created.id)
    }

    /// Refuses with [`ErrorKind::RateLimited`] before anything is created when the account's
    /// publishing quota (`GET /{owner}/{edge}`) has fewer than `posts` posts or `replies`
    /// replies left in its rolling 24 hours.
    pub(crate) async fn check_quota(
        &self,
        edge: &str,
        fields: &str,
        posts: u64,
        replies: u64,
    ) -> Result<()> {
        let limit = self.publishing_limit(edge, fields).await?;
        let short = |left: Option<u64>, need: u64, total: Option<u64>, what: &str| match left {
            Some(left) if need > left => Some(format!(
                "{}: the publishing limit of {} {what} per 24 hours leaves {left}, {need} needed; \
                     the window is rolling, so the oldest publish of the last 24 hours frees a slot first",
                self.graph.platform(),
                total.unwrap_or_default()
            )),
            _ => None,
        };
        let problem = short(limit.posts_left(), posts, limit.quota_total, "posts").or_else(|| {
            short(
                limit.replies_left(),
                replies,
                limit.reply_quota_total,
                "replies",
            )
        });
        match problem {
            Some(m) => Err(Error::new(ErrorKind::RateLimited, m)
                .with_platform(self.graph.platform())
                .with_channel(self.graph.channel())
                .with_operation("publish")),
            None => Ok(()),
        }
    }

    /// The link and time of a published media (`GET /{id}?fields=id,permalink,timestamp`).
    /// Best effort: the media exists, so a failed read must not turn the publish into an error
    /// (a retry would post twice).
    pub(crate) async fn link(&self, media: &str) -> (Option<String>, Option<DateTime<Utc>>) {
        let read: Result<Value> = self
            .graph
            .get("publish", &[media], &[("fields", "id,permalink,timestamp")])
            .await;
        match read {
            Ok(v) => (
                v.get("permalink")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                v.get("timestamp")
                    .and_then(Value::as_str)
                    .and_then(parse_time),
            ),
            Err(e) => {
                tracing::debug!(
                    platform = self.graph.platform(),
                    kind = e.kind().as_str(),
                    "reading the new media failed"
                );
                (None, None)
            }
        }
    }

    fn error(&self, kind: ErrorKind, message: String) -> Error {
        let platform = self.graph.platform();
        Error::new(kind, format!("{platform}: {message}"))
            .with_platform(platform)
            .with_channel(self.graph.channel())
            .with_operation("publish")
    }

    /// Publishes through the ledger: with a `key`, a known media id is returned at once, a
    /// known container is continued, and a container found already `PUBLISHED` (an earlier
    /// attempt whose answer was lost) is resolved with `find_published`. Otherwise `create`
    /// makes a new container, which is remembered before it is waited for and published.
    pub(crate) async fn publish_once<'a>(
        &'a self,
        ledger: &Ledger,
        key: Option<&str>,
        create: BoxFuture<'a, Result<String>>,
        find_published: &'a (dyn Fn() -> BoxFuture<'a, Result<Option<String>>> + Send + Sync),
    ) -> Result<String> {
        let deadline = self.deadline();
        if let Some(key) = key {
            match ledger.get(key) {
                Some(Entry::Published(media)) => return Ok(media),
                Some(Entry::Container(container)) => match self.status(&container).await? {
                    ContainerStatus::Published => {
                        return match find_published().await? {
                            Some(media) => {
                                ledger.put(key, Entry::Published(media.clone()));
                                Ok(media)
                            }
                            None => Err(self.error(
                                ErrorKind::Conflict,
                                format!(
                                    "the media container {container} was already published, but the post was not found among the recent ones; check the account before publishing again"
                                ),
                            )),
                        };
                    }
                    ContainerStatus::Finished | ContainerStatus::InProgress => {
                        return self.finish(ledger, key, &container, deadline).await;
                    }
                    _ => ledger.remove(key),
                },
                None => {}
            }
        }
        let container = create.await?;
        match key {
            Some(key) => {
                ledger.put(key, Entry::Container(container.clone()));
                self.finish(ledger, key, &container, deadline).await
            }
            None => {
                self.wait_ready(&container, deadline).await?;
                self.publish(&container).await
            }
        }
    }

    async fn finish(
        &self,
        ledger: &Ledger,
        key: &str,
        container: &str,
        deadline: Deadline,
    ) -> Result<String> {
        let ready = self.wait_ready(container, deadline).await;
        if let Err(e) = &ready {
            // A container that failed processing will not get better; one still processing
            // (or an answer that did not come) is kept for the retry.
            if !e.is_retryable() {
                ledger.remove(key);
            }
        }
        ready?;
        let media = self.publish(container).await?;
        ledger.put(key, Entry::Published(media.clone()));
        Ok(media)
    }
}

/// What the ledger knows about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A container was created for it.
    Container(String),
    /// It was published as this media.
    Published(String),
}

/// Per idempotency key: the container made for it and the media it became. Bounded (the
/// oldest keys are forgotten first); kept in memory, so it protects retries within one process
/// — after a restart the engine reconciles with [`recent_posts`](crate::Platform::recent_posts).
///
/// Why not rebuild it from the platform: a container can only be read by its id
/// (`GET /{container-id}`; neither Instagram nor Threads lists an account's containers), and
/// nothing client-chosen can be attached to one, so a container made before a crash cannot be
/// found again. That is safe: an unpublished container is never published by anyone else and
/// expires after 24 hours (it only costs one of Instagram's 400 containers a day). A container
/// that *was* published became a post, and the post is what the engine finds among the recent
/// posts. Resuming the very same container after a restart would need its id stored with the
/// delivery (an engine change), and would make the outcome exact where two posts share a text.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    entries: Mutex<VecDeque<(String, Entry)>>,
}

/// How many keys the ledger keeps.
const LEDGER_SIZE: usize = 1024;

impl Ledger {
    pub(crate) fn get(&self, key: &str) -> Option<Entry> {
        self.lock()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, e)| e.clone())
    }

    pub(crate) fn put(&self, key: &str, entry: Entry) {
        let mut entries = self.lock();
        entries.retain(|(k, _)| k != key);
        entries.push_back((key.to_string(), entry));
        while entries.len() > LEDGER_SIZE {
            entries.pop_front();
        }
    }

    pub(crate) fn remove(&self, key: &str) {
        self.lock().retain(|(k, _)| k != key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(String, Entry)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledger_is_bounded_and_replaces() {
        let l = Ledger::default();
        l.put("a", Entry::Container("1".into()));
        l.put("a", Entry::Published("2".into()));
        assert_eq!(l.get("a"), Some(Entry::Published("2".into())));
        for i in 0..LEDGER_SIZE + 5 {
            l.put(&i.to_string(), Entry::Container(i.to_string()));
        }
        assert_eq!(l.get("a"), None);
        assert_eq!(l.lock().len(), LEDGER_SIZE);
        l.remove("10");
        assert_eq!(l.get("10"), None);
    }
}
