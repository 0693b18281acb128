//! Settings (flags, then `SOCIALKIT_*` variables, then the config file, then defaults) and the
//! opened store, engine and channels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use socialkit::engine::Engine;
use socialkit::inbox::InboxStore;
use socialkit::store::vault::{
    ChannelSource, EnvKeyProvider, FileKeyProvider, KeyProvider, KeyRing,
};
use socialkit::store::{ChannelRecord, SqliteStore, Store, WorkspaceId};
use socialkit::{Error, ErrorKind, Platform, Result};

use crate::app::Global;

/// The config file's contents (`socialkit.toml`); every key is optional.
///
/// ```toml
/// store = "sqlite:socialkit.db"
/// workspace = "acme"
/// user = "olga"
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub store: Option<String>,
    pub workspace: Option<String>,
    pub user: Option<String>,
    /// The vault key file (default: the store's path with `.keys`).
    pub vault_key_file: Option<String>,
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Context {
    pub json: bool,
    pub store: StoreUrl,
    pub workspace: WorkspaceId,
    pub user: String,
    /// Where the config file is (or would be written by `init`).
    pub config_path: PathBuf,
    /// The vault key file, used when `SOCIALKIT_VAULT_KEYS` is not set.
    pub key_file: PathBuf,
}

/// Where the store is.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    /// A PostgreSQL URL as given (`postgres://user:password@host:port/database`); printed
    /// only without its password ([`StoreUrl::display`]).
    Postgres(String),
}

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreUrl({})", self.display())
    }
}

impl StoreUrl {
    pub fn parse(s: &str) -> Result<StoreUrl> {
        if let Some(path) = s.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            if path.is_empty() {
                return Err(Error::config(
                    "--store sqlite: needs a path, e.g. sqlite:socialkit.db",
                ));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if s.starts_with("postgres:") || s.starts_with("postgresql:") {
            // `postgres:URL` with the URL's own scheme, or the URL itself.
            let url = match s.split_once(':') {
                Some((_, rest)) if rest.starts_with("postgres") => rest,
                _ => s,
            };
            if !cfg!(feature = "postgres") {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "this socialkit was built without the PostgreSQL store: install it with `--features cli,postgres`, or use --store sqlite:PATH",
                ));
            }
            let parsed = url::Url::parse(url).ok().filter(|u| u.host().is_some());
            if parsed.is_none() {
                return Err(Error::config(format!(
                    "'{}' is not a PostgreSQL URL: use postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                    redact(url)
                )));
            }
            return Ok(StoreUrl::Postgres(url.to_string()));
        }
        Err(Error::config(format!(
            "unknown store '{}': use sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            redact(s)
        )))
    }

    /// The store for people: a PostgreSQL URL without its password.
    pub fn display(&self) -> String {
        match self {
            StoreUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
            StoreUrl::Postgres(url) => redact(url),
        }
    }

    /// The store as the config file keeps it (a PostgreSQL URL with its password).
    pub fn config_value(&self) -> String {
        match self {
            StoreUrl::Sqlite(_) => self.display(),
            StoreUrl::Postgres(url) => url.clone(),
        }
    }

    /// Whether writing [`config_value`](StoreUrl::config_value) writes a secret.
    pub fn has_secret(&self) -> bool {
        match self {
            StoreUrl::Sqlite(_) => false,
            StoreUrl::Postgres(url) => url::Url::parse(url)
                .map(|u| u.password().is_some())
                .unwrap_or(true),
        }
    }

    /// Where the vault key lives by default: beside an SQLite store (`socialkit.db.keys`);
    /// for PostgreSQL, beside the config file (`socialkit.keys`).
    pub fn default_key_file(&self, config_path: &Path) -> PathBuf {
        match self {
            StoreUrl::Sqlite(p) => {
                let mut name = p.as_os_str().to_owned();
                name.push(".keys");
                PathBuf::from(name)
            }
            StoreUrl::Postgres(_) => config_path.with_extension("keys"),
        }
    }
}

/// `url` with any password replaced by `***` (and, when it does not parse, everything after
/// the scheme up to the last `@`).
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => match (url.find("://"), url.rfind('@')) {
            (Some(a), Some(b)) if b > a => format!("{}***{}", &url[..a + 3], &url[b..]),
            _ => url.to_string(),
        },
    }
}

/// An opened store: the engine's store, and where the inbox keeps its tables beside it.
#[derive(Debug, Clone)]
pub enum Opened {
    Sqlite(Arc<SqliteStore>),
    #[cfg(feature = "postgres")]
    Postgres(socialkit::store::PgStore),
}

impl Opened {
    /// The engine's store.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Opened::Sqlite(s) => s.clone(),
            #[cfg(feature = "postgres")]
            Opened::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// The inbox of `ws`, in the same database as the engine's store.
    pub async fn inbox(&self, ws: &WorkspaceId) -> Result<Arc<dyn InboxStore>> {
        Ok(match self {
            Opened::Sqlite(s) => {
                Arc::new(socialkit::inbox::SqliteInboxStore::new(&s.handle(), ws)?)
            }
            #[cfg(feature = "postgres")]
            Opened::Postgres(s) => {
                Arc::new(socialkit::inbox::PgInboxStore::new(&s.handle(), ws).await?)
            }
        })
    }
}

impl Context {
    /// Flags and environment (clap merged them), then the file, then defaults.
    pub fn resolve(g: &Global) -> Result<Context> {
        let explicit = g.config.is_some();
        let config_path = g
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from("socialkit.toml"));
        let file = if config_path.exists() {
            let text = std::fs::read_to_string(&config_path).map_err(|e| {
                Error::config(format!("cannot read {}: {e}", config_path.display()))
            })?;
            toml::from_str::<FileConfig>(&text).map_err(|e| {
                Error::config(format!(
                    "{} is not a valid config: {e}",
                    config_path.display()
                ))
            })?
        } else if explicit {
            return Err(Error::config(format!(
                "the config file {} does not exist",
                config_path.display()
            )));
        } else {
            FileConfig::default()
        };
        let store = g
            .store
            .clone()
            .or(file.store)
            .unwrap_or_else(|| "sqlite:socialkit.db".into());
        let store = StoreUrl::parse(&store)?;
        let key_file = std::env::var_os("SOCIALKIT_VAULT_KEY_FILE")
            .map(PathBuf::from)
            .or(file.vault_key_file.map(PathBuf::from))
            .unwrap_or_else(|| store.default_key_file(&config_path));
        Ok(Context {
            json: g.json,
            store,
            key_file,
            workspace: WorkspaceId::new(
                g.workspace
                    .clone()
                    .or(file.workspace)
                    .unwrap_or_else(|| "default".into()),
            ),
            user: g
                .user
                .clone()
                .or(file.user)
                .unwrap_or_else(|| "owner".into()),
            config_path,
        })
    }

    /// Opens the store (with `create`, an SQLite file that does not exist yet is made; a
    /// PostgreSQL database must exist, and its tables are made or migrated).
    pub async fn open_store(&self, create: bool) -> Result<Opened> {
        match &self.store {
            StoreUrl::Sqlite(path) => {
                if !create && !path.exists() {
                    return Err(Error::config(format!(
                        "no store at {}: run `socialkit init` first (or pass --store sqlite:PATH)",
                        path.display()
                    )));
                }
                let store = SqliteStore::open(path)?;
                restrict_permissions(path);
                Ok(Opened::Sqlite(Arc::new(store)))
            }
            #[cfg(feature = "postgres")]
            StoreUrl::Postgres(url) => {
                let store = socialkit::store::PgStore::connect(url).await.map_err(|e| {
                    if e.kind() == ErrorKind::Storage {
                        Error::new(
                            ErrorKind::Storage,
                            format!(
                                "cannot open the PostgreSQL store at {}: is the server running and the database created?",
                                self.store.display()
                            ),
                        )
                        .with_source(e)
                    } else {
                        e
                    }
                })?;
                Ok(Opened::Postgres(store))
            }
            #[cfg(not(feature = "postgres"))]
            StoreUrl::Postgres(_) => Err(Error::new(
                ErrorKind::Unsupported,
                "this socialkit was built without the PostgreSQL store",
            )),
        }
    }

    /// Opens the store, the engine, and the workspace's channels.
    pub async fn open(&self) -> Result<App> {
        let opened = self.open_store(false).await?;
        let store = opened.store();
        store.workspace(&self.workspace).await.map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                Error::new(
                    ErrorKind::NotFound,
                    format!(
                        "workspace '{}' does not exist in {}: run `socialkit init --workspace {}`",
                        self.workspace,
                        self.store.display(),
                        self.workspace
                    ),
                )
            } else {
                e
            }
        })?;
        let keys = self.keys(true)?;
        let engine = Engine::builder(store.clone()).vault(keys).open().await?;
        let mut app = App {
            ctx: self.clone(),
            engine,
            store,
            opened,
            platforms: BTreeMap::new(),
            broken: BTreeMap::new(),
        };
        app.migrate_plaintext_channels().await?;
        app.attach().await?;
        Ok(app)
    }

    /// The vault's keys: `SOCIALKIT_VAULT_KEYS` when set, else the key file; with `create`,
    /// a missing key file is made with a fresh random key, readable by its owner only.
    pub fn keys(&self, create: bool) -> Result<Arc<dyn KeyProvider>> {
        if std::env::var_os(EnvKeyProvider::VAR).is_some() {
            return Ok(Arc::new(EnvKeyProvider::new()?));
        }
        if !self.key_file.exists() {
            if !create {
                return Err(Error::config(format!(
                    "no vault key: set {} or run `socialkit init` (which writes {})",
                    EnvKeyProvider::VAR,
                    self.key_file.display()
                )));
            }
            let text = format!(
                "# socialkit vault keys (ID:BASE64KEY - the first one seals)\n# Keep this file secret and backed up: without it the stored channels cannot be opened.\nk1:{}\n",
                KeyRing::generate_key()
            );
            write_private(&self.key_file, &text)?;
        }
        Ok(Arc::new(FileKeyProvider::new(&self.key_file)))
    }
}

/// Writes `text` to a new file only its owner can read.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))
}

fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The workspace setting where the CLI keeps each channel's URL (with its credentials) until
/// the store's credential vault lands.
/// Where CLI versions before the vault kept channel URLs, credentials included, in clear.
/// [`App::migrate_plaintext_channels`] moves them into the vault and empties it.
pub const CHANNELS_SETTING: &str = "cli.channels";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredChannel {
    pub url: String,
}

#[derive(Debug)]
pub struct App {
    pub ctx: Context,
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    /// The same store, for the inbox's tables.
    pub opened: Opened,
    /// Channels whose platform could be built from their URL.
    pub platforms: BTreeMap<String, Arc<dyn Platform>>,
    /// Channels whose URL no longer builds (feature missing, bad URL), with the reason.
    pub broken: BTreeMap<String, String>,
}

impl App {
    pub fn ws(&self) -> &WorkspaceId {
        &self.ctx.workspace
    }

    /// The workspace's inbox tables in the store's database.
    pub async fn inbox_store(&self) -> Result<Arc<dyn InboxStore>> {
        self.opened.inbox(self.ws()).await
    }

    pub fn who(&self) -> &str {
        &self.ctx.user
    }

    /// Moves channels an older CLI kept in the clear setting [`CHANNELS_SETTING`] into the
    /// vault (sealed), then removes them from the setting. A URL that no longer builds stays
    /// in the setting and is reported as broken.
    async fn migrate_plaintext_channels(&mut self) -> Result<()> {
        let Some(v) = self.store.setting(self.ws(), CHANNELS_SETTING).await? else {
            return Ok(());
        };
        let old: BTreeMap<String, StoredChannel> = match serde_json::from_value(v) {
            Ok(m) => m,
            Err(_) => return Ok(()),
        };
        if old.is_empty() {
            return Ok(());
        }
        let vault = self.vault()?.clone();
        let owner = self.owner().await?;
        let records = self.store.channels(self.ws()).await?;
        let mut left = BTreeMap::new();
        for (id, ch) in old {
            if vault
                .store()
                .get(self.ws(), &id.as_str().into())
                .await?
                .is_some()
            {
                continue;
            }
            let record = records
                .iter()
                .find(|r| r.id.as_str() == id)
                .cloned()
                .unwrap_or_else(|| ChannelRecord::new(id.as_str(), ""));
            let source = ChannelSource::Url(ch.url.clone());
            match self
                .engine
                .connect_stored(self.ws(), &owner, record, source)
                .await
            {
                Ok(_) => eprintln!("Moved channel '{id}' into the encrypted vault."),
                Err(e) => {
                    self.broken
                        .insert(id.clone(), format!("{}: {}", e.kind(), e.message()));
                    left.insert(id, ch);
                }
            }
        }
        let v = serde_json::to_value(&left).map_err(Error::from)?;
        self.store
            .put_setting(self.ws(), CHANNELS_SETTING, &v)
            .await
    }

    /// The engine's vault.
    pub fn vault(&self) -> Result<&socialkit::store::vault::Vault> {
        self.engine
            .vault()
            .ok_or_else(|| Error::config("the engine has no vault"))
    }

    /// The platforms the engine rebuilt from the vault, and why the others are unavailable.
    async fn attach(&mut self) -> Result<()> {
        let rows = self.vault()?.store().list(Some(self.ws())).await?;
        for row in rows {
            let id = row.channel.as_str().to_string();
            match self.engine.platform(self.ws(), &row.channel) {
                Some(p) => {
                    self.platforms.insert(id, p);
                }
                None => {
                    let why = match self.engine.channel_health(self.ws(), &row.channel).await {
                        Ok(h) => health_text(&h),
                        Err(e) => format!("{}: {}", e.kind(), e.message()),
                    };
                    self.broken.entry(id).or_insert(why);
                }
            }
        }
        Ok(())
    }

    /// The first owner of the workspace.
    pub async fn owner(&self) -> Result<String> {
        self.store
            .members(self.ws())
            .await?
            .into_iter()
            .find(|m| m.role == socialkit::store::Role::Owner)
            .map(|m| m.user)
            .ok_or_else(|| Error::config(format!("workspace {} has no owner", self.ws())))
    }
}

/// A channel's health in words.
pub fn health_text(h: &socialkit::store::vault::ChannelHealth) -> String {
    use socialkit::store::vault::ChannelHealth;
    match h {
        ChannelHealth::Connected => "connected".into(),
        ChannelHealth::ExpiringSoon { at } => {
            format!("expiring soon ({})", at.format("%Y-%m-%d %H:%M UTC"))
        }
        ChannelHealth::NeedsReauth {
            reason, message, ..
        } => format!(
            "needs re-authorisation ({}): {message}; connect it again",
            reason.as_str()
        ),
    }
}
