//! Wake-ups across processes: `LISTEN`/`NOTIFY` on the channel [`CHANNEL`].
//!
//! A transaction that leaves a delivery Scheduled (a new post, a retry, a resumed workspace)
//! sends `NOTIFY socialkit_work`; PostgreSQL delivers it when the transaction commits, to
//! every process listening, so a waiting worker claims the delivery at once instead of at its
//! next poll. One listening connection per store, opened the first time a worker waits. If it
//! drops, it reconnects with backoff and wakes the worker once (it may have missed a
//! notification); polling stays the fallback, so a lost notification delays work by at most a
//! poll interval and never loses it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls};

/// The notification channel.
pub(crate) const CHANNEL: &str = "socialkit_work";

/// The listening side of one store.
#[derive(Debug)]
pub(crate) struct Listener {
    notify: Arc<Notify>,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
    config: tokio_postgres::Config,
}

impl Listener {
    pub(crate) fn new(config: tokio_postgres::Config) -> Self {
        Listener {
            notify: Arc::new(Notify::new()),
            task: std::sync::Mutex::new(None),
            config,
        }
    }

    /// Waits until a notification arrives or `max` has passed, whichever is first.
    pub(crate) async fn wait(&self, max: Duration) {
        let notified = self.notify.notified();
        self.start();
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep(max) => {}
        }
    }

    fn start(&self) {
        let mut task = self.task.lock().unwrap_or_else(|p| p.into_inner());
        if task.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        let config = self.config.clone();
        let notify = Arc::downgrade(&self.notify);
        *task = Some(tokio::spawn(listen(config, notify)));
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            t.abort();
        }
    }
}

fn wake(notify: &Notify) {
    notify.notify_waiters();
    // A worker between two waits finds the permit and claims once more.
    notify.notify_one();
}

/// Listens until the store is gone; reconnects with backoff (100 ms doubling to 5 s).
async fn listen(config: tokio_postgres::Config, notify: Weak<Notify>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
                let sql = format!("LISTEN {CHANNEL}");
                let mut listen = Box::pin(client.batch_execute(&sql));
                // Drive the connection until LISTEN is acknowledged.
                let ok = loop {
                    tokio::select! {
                        r = &mut listen => break r.is_ok(),
                        m = messages.next() => if m.is_none() { break false },
                    }
                };
                drop(listen);
                if ok {
                    backoff = Duration::from_millis(100);
                    let Some(n) = notify.upgrade() else { return };
                    // Anything sent while not listening is picked up by one claim round.
                    wake(&n);
                    drop(n);
                    while let Some(m) = messages.next().await {
                        let Some(n) = notify.upgrade() else { return };
                        match m {
                            Ok(AsyncMessage::Notification(_)) => wake(&n),
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "the LISTEN connection failed; reconnecting");
                                break;
                            }
                        }
                    }
                }
                drop(client);
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot open the LISTEN connection; polling meanwhile");
            }
        }
        if notify.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}
