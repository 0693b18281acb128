//! Shared set-up.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use socialkit::clock::ManualClock;
use socialkit::engine::{Engine, EngineConfig, Hooks};
use socialkit::platform::Platform;
use socialkit::store::{ChannelRecord, Store, WorkspaceId};

pub const OWNER: &str = "olga";

pub fn t0() -> DateTime<Utc> {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

pub fn config() -> EngineConfig {
    EngineConfig {
        seed: Some(7),
        ..EngineConfig::default()
    }
}

pub fn engine(store: Arc<dyn Store>, clock: &ManualClock, hooks: Option<Arc<dyn Hooks>>) -> Engine {
    let mut b = Engine::builder(store)
        .clock(Arc::new(clock.clone()))
        .config(config());
    if let Some(h) = hooks {
        b = b.hooks(h);
    }
    b.build()
}

/// A workspace `acme` owned by OWNER (created once per store).
pub async fn workspace(engine: &Engine) -> WorkspaceId {
    match engine.create_workspace("acme", "ACME", OWNER).await {
        Ok(ws) => ws,
        Err(_) => WorkspaceId::new("acme"),
    }
}

pub async fn connect(engine: &Engine, ws: &WorkspaceId, id: &str, p: Arc<dyn Platform>) {
    engine
        .connect(ws, OWNER, ChannelRecord::new(id, p.name().to_string()), p)
        .await
        .unwrap();
}
