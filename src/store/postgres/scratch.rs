//! Throw-away databases for tests and benches (feature `testkit`): each run gets its own,
//! so runs in parallel never see each other's rows.
//!
//! The server comes from `SOCIALKIT_POSTGRES_URL` (and, to create and drop databases,
//! `SOCIALKIT_POSTGRES_ADMIN_URL`, by default the same server's `postgres` database). Without
//! it a test is skipped with a printed reason, except under `CI=true`, where a missing
//! server is a failure: the PostgreSQL tests never silently skip in CI.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::NoTls;

use super::pg;
use crate::{Error, ErrorKind, Result};

/// A database created for one test, dropped by [`ScratchDb::drop_now`].
///
/// ```no_run
/// use socialkit::store::postgres::scratch::ScratchDb;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let Some(db) = ScratchDb::create("doc").await.unwrap() else { return };
/// let store = socialkit::store::PgStore::connect(db.url()).await.unwrap();
/// drop(store);
/// db.drop_now().await.unwrap();
/// # });
/// ```
#[derive(Debug)]
pub struct ScratchDb {
    name: String,
    url: String,
    admin: String,
}

/// The server's URL from the environment; `None` (after printing why) when it is not set
/// and this is not CI. Panics under `CI=true` without it.
pub fn server_url() -> Option<String> {
    match std::env::var("SOCIALKIT_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but SOCIALKIT_POSTGRES_URL is not set: start a PostgreSQL server and \
                     set it (see the README's PostgreSQL section)"
                );
            }
            eprintln!(
                "skipped: SOCIALKIT_POSTGRES_URL is not set (start the postgres peer to run the PostgreSQL tests)"
            );
            None
        }
    }
}

/// `url` with its database name replaced by `db`.
fn with_database(url: &str, db: &str) -> Result<String> {
    let mut u = url::Url::parse(url).map_err(|_| {
        Error::new(
            ErrorKind::ConfigInvalid,
            "SOCIALKIT_POSTGRES_URL is not a postgres:// URL",
        )
    })?;
    u.set_path(&format!("/{db}"));
    Ok(u.to_string())
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl ScratchDb {
    /// Creates a fresh, uniquely named database (`sk_<label>_<pid>_<n>_<random>`), or `None`
    /// when no server is configured (see [`server_url`]).
    pub async fn create(label: &str) -> Result<Option<ScratchDb>> {
        let Some(url) = server_url() else {
            return Ok(None);
        };
        let admin = match std::env::var("SOCIALKIT_POSTGRES_ADMIN_URL") {
            Ok(a) if !a.is_empty() => a,
            _ => with_database(&url, "postgres")?,
        };
        let label: String = label
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(20)
            .collect::<String>()
            .to_ascii_lowercase();
        let name = format!(
            "sk_{label}_{}_{}_{:06x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>() & 0xff_ffff
        );
        admin_exec(&admin, &format!("CREATE DATABASE {name}")).await?;
        let url = with_database(&url, &name)?;
        Ok(Some(ScratchDb { name, url, admin }))
    }

    /// The database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database (closing any connection still open to it).
    pub async fn drop_now(self) -> Result<()> {
        admin_exec(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        )
        .await
    }
}

async fn admin_exec(admin: &str, sql: &str) -> Result<()> {
    let (client, connection) = tokio_postgres::connect(admin, NoTls).await.map_err(pg)?;
    let driver = tokio::spawn(connection);
    let out = client.batch_execute(sql).await.map_err(pg);
    drop(client);
    let _ = driver.await;
    out
}
