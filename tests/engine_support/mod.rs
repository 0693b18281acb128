//! Shared by the adapters' engine tests (`tests/*_engine.rs`): an engine on a manual clock that
//! can die once after its first platform call, before the result is stored.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use socialkit::clock::ManualClock;
use socialkit::engine::{AfterPublish, Engine, EngineConfig, Hooks};
use socialkit::model::Published;
use socialkit::store::{Delivery, Store};

pub const OWNER: &str = "olga";

/// Dies after the first platform call, before its result is stored.
#[derive(Debug)]
pub struct CrashOnce(AtomicUsize);

impl Hooks for CrashOnce {
    fn after_publish(&self, _: &Delivery, _: &socialkit::Result<Published>) -> AfterPublish {
        if self.0.swap(0, Ordering::SeqCst) > 0 {
            AfterPublish::Crash
        } else {
            AfterPublish::Store
        }
    }
}

pub fn engine(store: Arc<dyn Store>, clock: &ManualClock, crash: bool) -> Engine {
    let mut b = Engine::builder(store)
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            seed: Some(7),
            ..EngineConfig::default()
        });
    if crash {
        b = b.hooks(Arc::new(CrashOnce(AtomicUsize::new(1))));
    }
    b.build()
}
