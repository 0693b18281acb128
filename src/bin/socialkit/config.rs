//! Settings (flags, then `SOCIALKIT_*` variables, then the config file, then defaults) and the
//! opened store, engine and channels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use socialkit::engine::Engine;
use socialkit::store::{SqliteStore, Store, WorkspaceId};
use socialkit::{Error, ErrorKind, Platform, Registry, Result};

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
}

/// Where the store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
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
            return Err(Error::new(
                ErrorKind::Unsupported,
                "the PostgreSQL store is not available yet; use --store sqlite:PATH",
            ));
        }
        Err(Error::config(format!(
            "unknown store '{s}': use sqlite:PATH (postgres:URL comes later)"
        )))
    }

    pub fn display(&self) -> String {
        match self {
            StoreUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
        }
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
        Ok(Context {
            json: g.json,
            store: StoreUrl::parse(&store)?,
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

    pub fn open_store(&self, create: bool) -> Result<Arc<dyn Store>> {
        Ok(self.open_sqlite(create)?)
    }

    /// The SQLite store itself (the inbox keeps its tables in the same file, through the
    /// store's handle).
    pub fn open_sqlite(&self, create: bool) -> Result<Arc<SqliteStore>> {
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
                Ok(Arc::new(store))
            }
        }
    }

    /// Opens the store, the engine, and the workspace's channels.
    pub async fn open(&self) -> Result<App> {
        let sqlite = self.open_sqlite(false)?;
        let store: Arc<dyn Store> = sqlite.clone();
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
        let engine = Engine::builder(store.clone()).build();
        let app = App {
            ctx: self.clone(),
            engine,
            store,
            sqlite,
            platforms: BTreeMap::new(),
            broken: BTreeMap::new(),
        };
        app.attach().await
    }
}

/// The store file holds channel credentials until the vault lands: readable by its owner only.
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
pub const CHANNELS_SETTING: &str = "cli.channels";

/// A channel as the CLI stored it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredChannel {
    /// The channel URL, credentials included: never printed.
    pub url: String,
}

/// An opened workspace.
#[derive(Debug)]
pub struct App {
    pub ctx: Context,
    pub engine: Engine,
    pub store: Arc<dyn Store>,
    /// The same store as SQLite, for the inbox's tables.
    pub sqlite: Arc<SqliteStore>,
    /// Channels whose platform could be built from their URL.
    pub platforms: BTreeMap<String, Arc<dyn Platform>>,
    /// Channels whose URL no longer builds (feature missing, bad URL), with the reason.
    pub broken: BTreeMap<String, String>,
}

impl App {
    pub fn ws(&self) -> &WorkspaceId {
        &self.ctx.workspace
    }

    /// The workspace's inbox tables in the same SQLite file.
    pub fn inbox_store(&self) -> Result<Arc<dyn socialkit::inbox::InboxStore>> {
        Ok(Arc::new(socialkit::inbox::SqliteInboxStore::new(
            &self.sqlite.handle(),
            self.ws(),
        )?))
    }

    pub fn who(&self) -> &str {
        &self.ctx.user
    }

    pub async fn stored_channels(&self) -> Result<BTreeMap<String, StoredChannel>> {
        match self.store.setting(self.ws(), CHANNELS_SETTING).await? {
            Some(v) => serde_json::from_value(v)
                .map_err(|e| Error::config(format!("the stored channel list is damaged: {e}"))),
            None => Ok(BTreeMap::new()),
        }
    }

    pub async fn save_channels(&self, map: &BTreeMap<String, StoredChannel>) -> Result<()> {
        let v = serde_json::to_value(map).map_err(Error::from)?;
        self.store
            .put_setting(self.ws(), CHANNELS_SETTING, &v)
            .await
    }

    /// Re-attaches every stored channel's platform to the engine.
    async fn attach(mut self) -> Result<App> {
        let registry = Registry::default();
        for (id, ch) in self.stored_channels().await? {
            match registry.from_url(&ch.url) {
                Ok(p) => {
                    let record = self
                        .store
                        .channels(self.ws())
                        .await?
                        .into_iter()
                        .find(|r| r.id.as_str() == id)
                        .unwrap_or_else(|| {
                            socialkit::store::ChannelRecord::new(id.as_str(), p.name())
                        });
                    // Re-attaching needs the owner's right; the store already knows the channel,
                    // so attach as the workspace's first owner.
                    let owner = self.owner().await?;
                    self.engine
                        .connect(self.ws(), &owner, record, p.clone())
                        .await?;
                    self.platforms.insert(id, p);
                }
                Err(e) => {
                    self.broken
                        .insert(id, format!("{}: {}", e.kind(), e.message()));
                }
            }
        }
        Ok(self)
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
