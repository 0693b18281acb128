//! The sandbox world: every sandbox account's posts, interactions and metrics, and the clock
//! they live by. Cheap to clone; clones share the same state.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use chrono::{DateTime, Duration, Utc};

use super::Sandbox;
use super::account::Account;
use super::config::SandboxConfig;
use crate::clock::{Clock, ManualClock, SharedClock, SystemClock};
use crate::{Error, ErrorKind, Result};

/// A world of sandbox accounts and the clock they live by.
///
/// Two kinds of worlds exist:
/// - named, process-wide worlds ([`SandboxWorld::named`]), which the [`Registry`](crate::Registry)
///   uses: `sandbox://acme` built twice reaches the same account, as a real platform would
///   (`?world=NAME` picks the world, `default` by default; they run on the system clock);
/// - private worlds ([`SandboxWorld::new`], [`SandboxWorld::simulated`]) for tests and
///   simulations, usually on a [`ManualClock`], where weeks pass in milliseconds.
///
/// The simulated audience advances with the clock: every call first works out what happened
/// since the last one. What happened depends only on the seeds, the calls made and the instants
/// they were made at, never on how often anyone looked.
///
/// ```
/// use chrono::Duration;
/// use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
/// use socialkit::{Platform, PlatformExt};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let world = SandboxWorld::simulated("2026-03-03T17:00:00Z".parse().unwrap());
/// let acme = world.channel("acme", SandboxConfig::default().with_seed(42)).unwrap();
/// let published = acme.publish_text("Our new anvil is here").await.unwrap();
/// world.advance(Duration::hours(24)).unwrap();
/// let metrics = acme.post_metrics(&[published.post]).await.unwrap();
/// assert!(metrics[0].impressions.unwrap() > 0);
/// # });
/// ```
#[derive(Clone)]
pub struct SandboxWorld {
    inner: Arc<Inner>,
}

struct Inner {
    name: Option<String>,
    clock: SharedClock,
    manual: Option<ManualClock>,
    accounts: Mutex<BTreeMap<String, Account>>,
}

impl fmt::Debug for SandboxWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxWorld")
            .field("name", &self.inner.name)
            .field("clock", &self.inner.clock)
            .field("accounts", &self.accounts())
            .finish()
    }
}

fn named_worlds() -> MutexGuard<'static, HashMap<String, SandboxWorld>> {
    static WORLDS: OnceLock<Mutex<HashMap<String, SandboxWorld>>> = OnceLock::new();
    WORLDS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

impl SandboxWorld {
    fn build(name: Option<String>, clock: SharedClock, manual: Option<ManualClock>) -> Self {
        SandboxWorld {
            inner: Arc::new(Inner {
                name,
                clock,
                manual,
                accounts: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// A private world on `clock`. With a [`ManualClock`] you keep a handle to, advance the
    /// clock yourself; [`SandboxWorld::advance`] needs a world from
    /// [`SandboxWorld::simulated`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use socialkit::adapters::sandbox::SandboxWorld;
    /// use socialkit::clock::SystemClock;
    /// let world = SandboxWorld::new(Arc::new(SystemClock));
    /// assert!(world.accounts().is_empty());
    /// ```
    pub fn new(clock: SharedClock) -> Self {
        Self::build(None, clock, None)
    }

    /// A private world on its own [`ManualClock`] standing at `start`; move it with
    /// [`SandboxWorld::advance`] and [`SandboxWorld::advance_to`].
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxWorld;
    /// let start = "2026-03-02T09:00:00Z".parse().unwrap();
    /// let world = SandboxWorld::simulated(start);
    /// assert_eq!(world.now(), start);
    /// ```
    pub fn simulated(start: DateTime<Utc>) -> Self {
        let clock = ManualClock::new(start);
        Self::build(None, Arc::new(clock.clone()), Some(clock))
    }

    /// The process-wide world `name`, created on the system clock on first use. The registry's
    /// `sandbox://` URLs live here.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxWorld;
    /// let a = SandboxWorld::named("docs-named");
    /// let b = SandboxWorld::named("docs-named");
    /// assert!(a.same_as(&b));
    /// ```
    pub fn named(name: &str) -> SandboxWorld {
        named_worlds()
            .entry(name.to_string())
            .or_insert_with(|| Self::build(Some(name.to_string()), Arc::new(SystemClock), None))
            .clone()
    }

    /// Makes `world` the process-wide world `name` (so `sandbox://acme?world=NAME` reaches it,
    /// for example a simulated world), returning the world it replaces. Handles to the old
    /// world keep working on the old world.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxWorld;
    /// use socialkit::Registry;
    /// let sim = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// SandboxWorld::install("docs-sim", sim.clone());
    /// Registry::default().from_url("sandbox://acme?world=docs-sim").unwrap();
    /// assert_eq!(sim.accounts(), vec!["acme".to_string()]);
    /// ```
    pub fn install(name: &str, world: SandboxWorld) -> Option<SandboxWorld> {
        named_worlds().insert(name.to_string(), world)
    }

    /// Whether `other` is a handle to the same world.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::SandboxWorld;
    /// let a = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// assert!(a.same_as(&a.clone()));
    /// assert!(!a.same_as(&SandboxWorld::simulated(a.now())));
    /// ```
    pub fn same_as(&self, other: &SandboxWorld) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The world's clock.
    ///
    /// ```
    /// let world = socialkit::adapters::sandbox::SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// assert_eq!(world.clock().now(), world.now());
    /// ```
    pub fn clock(&self) -> SharedClock {
        self.inner.clock.clone()
    }

    /// The world's current instant.
    ///
    /// ```
    /// let world = socialkit::adapters::sandbox::SandboxWorld::named("docs-now");
    /// assert!(world.now() <= chrono::Utc::now());
    /// ```
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Moves a [`simulated`](SandboxWorld::simulated) world's clock forward by `by`.
    ///
    /// Fails with [`Conflict`](ErrorKind::Conflict) for a world on a clock it does not own and
    /// with [`Validation`](ErrorKind::Validation) for a negative duration (time in a world
    /// only moves forward).
    ///
    /// ```
    /// use chrono::Duration;
    /// let world = socialkit::adapters::sandbox::SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// let before = world.now();
    /// world.advance(Duration::hours(2)).unwrap();
    /// assert_eq!(world.now(), before + Duration::hours(2));
    /// assert!(world.advance(Duration::hours(-1)).is_err());
    /// ```
    pub fn advance(&self, by: Duration) -> Result<()> {
        let at = self.now().checked_add_signed(by).ok_or_else(|| {
            Error::validation("the sandbox world's clock cannot go that far")
                .with_platform("sandbox")
        })?;
        self.advance_to(at)
    }

    /// Moves a [`simulated`](SandboxWorld::simulated) world's clock to `at` (not backwards).
    ///
    /// ```
    /// let start = "2026-03-02T09:00:00Z".parse().unwrap();
    /// let world = socialkit::adapters::sandbox::SandboxWorld::simulated(start);
    /// world.advance_to(start + chrono::Duration::days(7)).unwrap();
    /// assert!(world.advance_to(start).is_err(), "time only moves forward");
    /// ```
    pub fn advance_to(&self, at: DateTime<Utc>) -> Result<()> {
        let Some(clock) = &self.inner.manual else {
            return Err(Error::new(
                ErrorKind::Conflict,
                "this sandbox world runs on a clock it does not own; build it with \
                 SandboxWorld::simulated, or advance the ManualClock you gave it",
            )
            .with_platform("sandbox"));
        };
        if at < clock.now() {
            return Err(
                Error::validation("time in a sandbox world only moves forward")
                    .with_platform("sandbox"),
            );
        }
        clock.set(at);
        Ok(())
    }

    /// The names of the world's accounts, sorted.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
    /// let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// world.channel("b", SandboxConfig::default()).unwrap();
    /// world.channel("a", SandboxConfig::default()).unwrap();
    /// assert_eq!(world.accounts(), ["a", "b"]);
    /// ```
    pub fn accounts(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// A handle to account `name` in this world, created with `config` on first use
    /// (`config.name` and `config.world` are ignored). Handles to the same account share its
    /// posts, interactions and faults.
    ///
    /// Fails with [`ConfigInvalid`](ErrorKind::ConfigInvalid) for an invalid config or when
    /// the account already exists with a different one.
    ///
    /// ```
    /// use socialkit::adapters::sandbox::{SandboxConfig, SandboxWorld};
    /// let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().unwrap());
    /// let acme = world.channel("acme", SandboxConfig::default().with_seed(1)).unwrap();
    /// let again = world.channel("acme", SandboxConfig::default().with_seed(1)).unwrap();
    /// assert_eq!(acme.handle(), again.handle());
    /// assert!(world.channel("acme", SandboxConfig::default().with_seed(2)).is_err());
    /// assert!(world.channel("not valid", SandboxConfig::default()).is_err());
    /// ```
    pub fn channel(&self, name: &str, mut config: SandboxConfig) -> Result<Arc<Sandbox>> {
        config.name = name.to_string();
        if let Some(world) = &self.inner.name {
            config.world = world.clone();
        }
        config.check()?;
        let now = self.now();
        {
            let mut accounts = self.lock();
            match accounts.get(name) {
                Some(existing) if !same_account(&existing.config, &config) => {
                    return Err(Error::config(format!(
                        "sandbox account @{name} already exists in this world with another \
                         configuration; use another name or world"
                    ))
                    .with_platform("sandbox")
                    .with_channel(name));
                }
                Some(_) => {}
                None => {
                    accounts.insert(name.to_string(), Account::new(config.clone(), now));
                }
            }
        }
        Ok(Arc::new(Sandbox::new(self.clone(), config)))
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Account>> {
        // A panic while holding the lock cannot leave an account half-written in a way that
        // matters more than losing the whole world would.
        self.inner
            .accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on account `name`, after the simulation has caught up with now.
    pub(crate) fn with_account<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut Account, DateTime<Utc>) -> R,
    ) -> Result<R> {
        let now = self.now();
        let mut accounts = self.lock();
        let account = accounts.get_mut(name).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("sandbox account @{name} does not exist in this world"),
            )
            .with_platform("sandbox")
        })?;
        account.sync(now);
        Ok(f(account, now))
    }

    /// Runs `f` on every account, after the simulation has caught up with now for all of
    /// them; account `name` must exist (it is the one calling).
    pub(crate) fn with_accounts<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut BTreeMap<String, Account>, DateTime<Utc>) -> R,
    ) -> Result<R> {
        let now = self.now();
        let mut accounts = self.lock();
        if !accounts.contains_key(name) {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("sandbox account @{name} does not exist in this world"),
            )
            .with_platform("sandbox"));
        }
        for account in accounts.values_mut() {
            account.sync(now);
        }
        Ok(f(&mut accounts, now))
    }
}

fn same_account(a: &SandboxConfig, b: &SandboxConfig) -> bool {
    let strip = |c: &SandboxConfig| SandboxConfig {
        world: String::new(),
        ..c.clone()
    };
    strip(a) == strip(b)
}
