//! The loop: a [`Plan`]'s slots become scheduled posts in the [`Engine`], the engine publishes
//! them in simulated time, the published posts' metrics are collected from the platforms as
//! snapshots, and [`evaluate`] grades the campaign against its goals.
//!
//! - [`sandbox_channels`] opens one sandbox account per planned channel on a simulated world,
//!   with a seeded simulated audience and a short history whose metrics go into the inputs (so
//!   best times are learned from the channel's own posts).
//! - [`run_plan`] submits one post per slot (text drawn from the slot's content pillar by
//!   [`slot_text`], [`Post::scheduled_at`] = the slot's time), then walks a
//!   [`ManualClock`] forward in steps, running the outbox at each step and reading metrics
//!   snapshots at a fixed interval, and returns a [`LoopReport`] with every slot's outcome and
//!   the [`Evaluation`].
//!
//! Everything is deterministic for a seed: the same inputs and options give the same report.
//!
//! ```
//! use std::sync::Arc;
//! use socialkit::adapters::sandbox::SandboxWorld;
//! use socialkit::clock::{Clock, ManualClock};
//! use socialkit::engine::{Engine, EngineConfig};
//! use socialkit::store::{ChannelRecord, MemoryStore};
//! use socialkit::strategy::run::{LoopOptions, SandboxSetup, run_plan, sandbox_channels};
//! use socialkit::strategy::{Inputs, plan};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let mut inputs = Inputs::example();
//! inputs.campaign.end = "2026-03-15".parse().unwrap(); // two weeks
//! let setup = SandboxSetup { history_weeks: 1, ..SandboxSetup::default() };
//! let clock = ManualClock::new(setup.clock_start(&inputs));
//! let world = SandboxWorld::new(Arc::new(clock.clone()));
//! let accounts = sandbox_channels(&mut inputs, &setup, &world, &clock).await.unwrap();
//! let p = plan(&inputs, clock.now()).unwrap();
//!
//! let engine = Engine::builder(Arc::new(MemoryStore::new()))
//!     .clock(Arc::new(clock.clone()))
//!     .config(EngineConfig { seed: Some(setup.seed), ..EngineConfig::default() })
//!     .build();
//! let ws = engine.create_workspace("acme", "ACME", "olga").await.unwrap();
//! for (id, account) in &accounts {
//!     engine.connect(&ws, "olga", ChannelRecord::new(id.as_str(), "sandbox"), account.clone()).await.unwrap();
//! }
//! let options = LoopOptions { who: "olga".into(), ..LoopOptions::default() };
//! let report = run_plan(&p, &engine, &ws, &clock, &options, &mut |_| {}).await.unwrap();
//! assert_eq!(report.outcomes.len(), p.calendar.len());
//! assert_eq!(report.evaluation.kpis.len(), p.goals.len());
//! # });
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
// A seeded simulation prints the same report with every `rand` release: ChaCha12 from
// `rand_chacha` (what `StdRng` is today, without its "may change between releases" caveat).
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng as StdRng;
use serde::{Deserialize, Serialize};

use super::calendar::Slot;
use super::evaluate::{Evaluation, EvaluationInput, PostOutcome, Snapshot, evaluate};
use super::inputs::{ChannelInput, HistoryPost, Inputs};
use super::kpi::MetricInputs;
use super::plan::Plan;
use crate::adapters::sandbox::{Sandbox, SandboxAudience, SandboxConfig, SandboxWorld};
use crate::clock::{Clock, ManualClock};
use crate::engine::Engine;
use crate::model::{Post, PostMetrics, PostRef, Published};
use crate::platform::{Platform, PlatformExt};
use crate::store::{ChannelId, DeliveryId, DeliveryState, WorkspaceId};
use crate::{Error, ErrorKind, Result};

/// How the sandbox channels of a campaign are set up: the seed of their simulated audiences
/// and the history each channel has before the campaign starts.
///
/// ```
/// let s = socialkit::strategy::run::SandboxSetup::default();
/// assert_eq!((s.history_weeks, s.history_posts_per_week), (4, 5));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxSetup {
    /// The seed of everything random: audiences, history times, texts, the engine's jitter.
    pub seed: u64,
    /// Weeks of history before the campaign.
    pub history_weeks: u32,
    /// History posts per channel and week, at seeded random times.
    pub history_posts_per_week: u32,
}

impl Default for SandboxSetup {
    fn default() -> Self {
        SandboxSetup {
            seed: 7,
            history_weeks: 4,
            history_posts_per_week: 5,
        }
    }
}

impl SandboxSetup {
    /// Where the simulated clock starts: the history's weeks (plus three days for its metrics
    /// to settle) before the campaign's first instant.
    ///
    /// ```
    /// use socialkit::strategy::{Inputs, run::SandboxSetup};
    /// let i = Inputs::example();
    /// let s = SandboxSetup { history_weeks: 2, ..SandboxSetup::default() };
    /// let (start, _) = i.campaign.window(i.primary_zone());
    /// assert_eq!(s.clock_start(&i), start - chrono::Duration::days(17));
    /// ```
    pub fn clock_start(&self, inputs: &Inputs) -> DateTime<Utc> {
        let (start, _) = inputs.campaign.window(inputs.primary_zone());
        start - Duration::weeks(i64::from(self.history_weeks)) - Duration::days(3)
    }
}

/// Opens one sandbox account per channel of `inputs` on `world` (whose clock is `clock`,
/// standing at [`SandboxSetup::clock_start`]), publishes each channel's seeded history, lets
/// it settle, and writes the history with its metrics, the followers and the capabilities into
/// `inputs.channels`. Returns the accounts by channel id, in the order of the inputs; each
/// account's handle is its channel id.
///
/// The simulated audience of a channel lives in the channel's time zone (else the
/// audience's primary one); the account's seed is the setup's seed plus the channel's index.
/// The clock ends at the campaign's start minus a minute at the latest, so a plan made at
/// `clock.now()` can use the whole window.
///
/// Fails when the clock is not before the history (a [`Validation`](ErrorKind::Validation)
/// error) or an account cannot be opened.
///
/// ```
/// use std::sync::Arc;
/// use socialkit::adapters::sandbox::SandboxWorld;
/// use socialkit::clock::ManualClock;
/// use socialkit::strategy::{Inputs, run::{SandboxSetup, sandbox_channels}};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut inputs = Inputs::example();
/// let setup = SandboxSetup { history_weeks: 1, history_posts_per_week: 3, ..SandboxSetup::default() };
/// let clock = ManualClock::new(setup.clock_start(&inputs));
/// let world = SandboxWorld::new(Arc::new(clock.clone()));
/// let accounts = sandbox_channels(&mut inputs, &setup, &world, &clock).await.unwrap();
/// assert_eq!(accounts.len(), 3);
/// assert!(inputs.channels.iter().all(|c| c.history.len() == 3));
/// # });
/// ```
pub async fn sandbox_channels(
    inputs: &mut Inputs,
    setup: &SandboxSetup,
    world: &SandboxWorld,
    clock: &ManualClock,
) -> Result<Vec<(String, Arc<Sandbox>)>> {
    let zone = inputs.primary_zone();
    let (campaign_start, _) = inputs.campaign.window(zone);
    let history_start = campaign_start - Duration::weeks(i64::from(setup.history_weeks));
    if clock.now() > history_start {
        return Err(Error::validation(format!(
            "the simulated clock ({}) must stand at or before the history's start ({history_start})",
            clock.now()
        )));
    }
    let mut rng = StdRng::seed_from_u64(setup.seed);
    let mut accounts = Vec::new();
    // (time, account index) of every history post, published in time order across accounts.
    let mut times: Vec<(DateTime<Utc>, usize)> = Vec::new();
    let span_minutes = i64::from(setup.history_weeks) * 7 * 24 * 60;
    for (i, ch) in inputs.channels.iter().enumerate() {
        let audience = SandboxAudience {
            time_zone: ch.time_zone.unwrap_or(zone),
            ..SandboxAudience::default()
        };
        let handle = sandbox_handle(ch);
        let config = SandboxConfig::default()
            .with_seed(setup.seed.wrapping_add(i as u64))
            .with_followers(ch.followers.unwrap_or(1000))
            .with_audience(audience);
        accounts.push((ch.id.clone(), world.channel(&handle, config)?));
        if span_minutes > 0 {
            for _ in 0..setup.history_weeks * setup.history_posts_per_week {
                times.push((
                    history_start + Duration::minutes(rng.random_range(0..span_minutes)),
                    i,
                ));
            }
        }
    }
    times.sort();
    let mut posted: Vec<Vec<(DateTime<Utc>, PostRef)>> = vec![Vec::new(); accounts.len()];
    for (n, (at, i)) in times.iter().enumerate() {
        if *at > clock.now() {
            clock.set(*at);
        }
        let text = format!(
            "From the archive, post {}: a look behind the scenes.",
            n + 1
        );
        let p = accounts[*i].1.publish_text(&text).await?;
        posted[*i].push((*at, p.post));
    }
    let settled = campaign_start - Duration::minutes(1);
    if settled > clock.now() {
        clock.set(settled);
    }
    for ((_, account), (ch, posts)) in accounts.iter().zip(inputs.channels.iter_mut().zip(posted)) {
        let refs: Vec<PostRef> = posts.iter().map(|(_, r)| r.clone()).collect();
        let metrics = metrics_of(account.as_ref(), &refs).await?;
        ch.history = posts
            .iter()
            .zip(metrics)
            .map(|((at, _), m)| HistoryPost {
                published_at: *at,
                metrics: m,
            })
            .collect();
        let channel = account.channel().await?;
        ch.followers = channel.metrics.followers.or(ch.followers);
        ch.capabilities = Some(account.capabilities().clone());
    }
    Ok(accounts)
}

/// The sandbox handle of a channel: its id (unique among the inputs' channels, where handles
/// need not be).
fn sandbox_handle(ch: &ChannelInput) -> String {
    ch.id.clone()
}

/// Metrics of `posts` on `platform`, read in pages of 100.
async fn metrics_of(platform: &dyn Platform, posts: &[PostRef]) -> Result<Vec<PostMetrics>> {
    let mut out = Vec::with_capacity(posts.len());
    for chunk in posts.chunks(100) {
        out.extend(platform.post_metrics(chunk).await?);
    }
    Ok(out)
}

/// How [`run_plan`] drives the engine.
///
/// ```
/// let o = socialkit::strategy::run::LoopOptions::default();
/// assert_eq!(o.step, chrono::Duration::hours(6));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LoopOptions {
    /// The user who submits the posts (needs the right to schedule without review, e.g. the
    /// workspace's owner).
    pub who: String,
    /// The seed of the texts.
    pub seed: u64,
    /// How far the clock moves per step (the outbox runs until nothing is due within a step).
    pub step: Duration,
    /// How often metrics snapshots are read.
    pub snapshot_every: Duration,
    /// How long after the last slot (and the campaign's end) the loop keeps running so the
    /// last posts' metrics settle.
    pub settle: Duration,
    /// Outbox rounds per step at most (a guard against a loop that never drains).
    pub max_rounds_per_step: usize,
}

impl Default for LoopOptions {
    fn default() -> Self {
        LoopOptions {
            who: "strategy".into(),
            seed: 7,
            step: Duration::hours(6),
            snapshot_every: Duration::days(7),
            settle: Duration::days(2),
            max_rounds_per_step: 10_000,
        }
    }
}

/// Where a running loop stands, passed to the progress callback after every step.
///
/// ```
/// let p = socialkit::strategy::run::LoopProgress { now: chrono::Utc::now(), start: chrono::Utc::now(),
///     end: chrono::Utc::now(), slots: 3, published: 1, failed: 0, snapshots: 0 };
/// assert_eq!(p.fraction(), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopProgress {
    /// The simulated instant.
    pub now: DateTime<Utc>,
    /// When the loop started.
    pub start: DateTime<Utc>,
    /// When it will end.
    pub end: DateTime<Utc>,
    /// Slots in the plan.
    pub slots: usize,
    /// Deliveries published so far.
    pub published: usize,
    /// Slots failed so far (at submission or publishing).
    pub failed: usize,
    /// Metrics snapshots read so far.
    pub snapshots: usize,
}

impl LoopProgress {
    /// The share of simulated time done, 0–1.
    pub fn fraction(&self) -> f64 {
        let total = (self.end - self.start).num_seconds();
        if total <= 0 {
            return 1.0;
        }
        ((self.now - self.start).num_seconds() as f64 / total as f64).clamp(0.0, 1.0)
    }
}

/// What became of one slot.
///
/// ```
/// use socialkit::strategy::run::SlotOutcome;
/// let o: Option<SlotOutcome> = None;
/// assert!(o.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotOutcome {
    /// The slot's index in the plan's calendar.
    pub slot: usize,
    /// The channel id.
    pub channel: String,
    /// The content pillar.
    pub pillar: String,
    /// When it was planned.
    pub planned_at: DateTime<Utc>,
    /// The text submitted.
    pub text: String,
    /// Where its delivery ended ([`Failed`](DeliveryState::Failed) also when the engine
    /// refused it at submission).
    pub state: DeliveryState,
    /// The platform's answer once published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Published>,
    /// The typed failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<ErrorKind>,
    /// The failure's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The post's metrics at the end of the loop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<PostMetrics>,
}

/// The result of [`run_plan`].
///
/// ```
/// use socialkit::strategy::run::LoopReport;
/// fn published(r: &LoopReport) -> usize { r.published() }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoopReport {
    /// One outcome per slot, in the calendar's order.
    pub outcomes: Vec<SlotOutcome>,
    /// What the evaluation read: snapshots per goal and the published posts.
    pub input: EvaluationInput,
    /// The grade.
    pub evaluation: Evaluation,
    /// When the loop started (simulated).
    pub started_at: DateTime<Utc>,
    /// When it ended (simulated).
    pub finished_at: DateTime<Utc>,
}

impl LoopReport {
    /// Slots published.
    pub fn published(&self) -> usize {
        self.count(DeliveryState::Published)
    }

    /// Slots failed.
    pub fn failed(&self) -> usize {
        self.count(DeliveryState::Failed)
    }

    fn count(&self, state: DeliveryState) -> usize {
        self.outcomes.iter().filter(|o| o.state == state).count()
    }
}

/// The text of the `index`th slot: a line for its content pillar, drawn with `seed`.
///
/// ```
/// use socialkit::strategy::{Inputs, plan, run::slot_text};
/// let p = plan(&Inputs::example(), "2026-03-01T00:00:00Z".parse().unwrap()).unwrap();
/// let a = slot_text(&p, &p.calendar[0], 0, 7);
/// assert_eq!(a, slot_text(&p, &p.calendar[0], 0, 7));
/// assert!(a.chars().count() <= 200);
/// ```
pub fn slot_text(plan: &Plan, slot: &Slot, index: usize, seed: u64) -> String {
    let lines: &[&str] = match slot.pillar.as_str() {
        "promote" | "promotional" | "product" | "offer" => &[
            "New this week: see what's in store and order today.",
            "Limited offer for our followers, ends Sunday.",
            "Back in stock, and built to last.",
            "Our newest release is here. Take a look.",
        ],
        "educate" | "how-to" | "inform" | "value" => &[
            "Three tips to get more out of every purchase.",
            "How it's made: from the raw material to your door.",
            "A two-minute guide for beginners.",
            "Myth or fact? We checked so you don't have to.",
        ],
        "entertain" | "community" | "interaction" | "engage" => &[
            "Which one would you pick? Tell us below.",
            "Show us yours: share a photo with our hashtag.",
            "Caption this!",
            "Our team's favourite moment this week.",
        ],
        "curated" | "curate" => &[
            "Worth reading: an article our team loved this week.",
            "From the community: a great idea we wanted to share.",
            "Industry news in one minute.",
        ],
        _ => &[
            "A post from our content calendar.",
            "Something new from our team.",
        ],
    };
    let mut rng = StdRng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let line = lines[rng.random_range(0..lines.len())];
    let pillar = plan
        .mix
        .pillars
        .iter()
        .find(|p| p.name == slot.pillar)
        .map_or(slot.pillar.as_str(), |p| p.name.as_str());
    format!(
        "[{}] {line} ({} #{})",
        pillar,
        plan.campaign.name,
        index + 1
    )
}

/// Runs the loop: submits one post per slot of `plan` to its channel in workspace `ws` of
/// `engine` (whose clock is `clock`; every slot's channel must be connected under the slot's
/// channel id), publishes them by walking the clock forward in [`LoopOptions::step`]s until
/// the later of the last slot and the campaign's end plus [`LoopOptions::settle`], reads
/// metrics snapshots of the published posts every [`LoopOptions::snapshot_every`] (the same
/// campaign totals go to every goal), and evaluates the plan at the end.
///
/// A slot the engine refuses at submission (say, text too long for the channel) ends as a
/// [`Failed`](DeliveryState::Failed) outcome with the typed error; so does a delivery that
/// fails permanently. Only store or engine errors end the loop with an `Err`.
///
/// See the [module](self) for an example.
pub async fn run_plan(
    plan: &Plan,
    engine: &Engine,
    ws: &WorkspaceId,
    clock: &ManualClock,
    options: &LoopOptions,
    progress: &mut (dyn FnMut(&LoopProgress) + Send),
) -> Result<LoopReport> {
    let started_at = clock.now();
    let mut outcomes = Vec::with_capacity(plan.calendar.len());
    let mut pending: Vec<(usize, DeliveryId)> = Vec::new();
    for (i, slot) in plan.calendar.iter().enumerate() {
        let text = slot_text(plan, slot, i, options.seed);
        let mut post = Post::text(text.clone())
            .scheduled_at(slot.at)
            .with_campaign(plan.campaign.name.clone());
        if let Some(lang) = &slot.language {
            post = post.with_language(lang.clone());
        }
        let mut outcome = SlotOutcome {
            slot: i,
            channel: slot.channel.clone(),
            pillar: slot.pillar.clone(),
            planned_at: slot.at,
            text,
            state: DeliveryState::Scheduled,
            published: None,
            error_kind: None,
            error: None,
            metrics: None,
        };
        match engine
            .submit(
                ws,
                &options.who,
                post,
                &[ChannelId::new(slot.channel.as_str())],
            )
            .await
        {
            Ok(sub) => {
                if let Some(d) = sub.deliveries.first() {
                    pending.push((i, d.id.clone()));
                    outcome.state = d.state;
                }
            }
            Err(e) if e.kind() == ErrorKind::Validation || e.kind() == ErrorKind::NotFound => {
                outcome.state = DeliveryState::Failed;
                outcome.error_kind = Some(e.kind());
                outcome.error = Some(e.to_string());
            }
            Err(e) => return Err(e),
        }
        outcomes.push(outcome);
    }

    let last_slot = plan.calendar.iter().map(|s| s.at).max();
    let end = last_slot
        .map_or(plan.campaign.ends_at, |t| t.max(plan.campaign.ends_at))
        .max(started_at)
        + options.settle;
    let step = options.step.max(Duration::minutes(1));
    let mut report = Progress {
        start: started_at,
        end,
        slots: plan.calendar.len(),
        published: 0,
        failed: outcomes
            .iter()
            .filter(|o| o.state == DeliveryState::Failed)
            .count(),
        snapshots: 0,
    };
    let channel_ids: Vec<String> = {
        let mut ids: Vec<String> = plan.calendar.iter().map(|s| s.channel.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let followers_start = followers(engine, ws, &channel_ids).await?;
    let mut input = EvaluationInput::default();
    let mut next_snapshot = started_at + options.snapshot_every;
    let mut published: BTreeMap<usize, Published> = BTreeMap::new();
    loop {
        let target = (clock.now() + step).min(end);
        let r = drain_until(engine, clock, target, options.max_rounds_per_step).await?;
        report.published += r.0;
        report.failed += r.1;
        if clock.now() < target {
            clock.set(target);
        }
        let now = clock.now();
        if now >= next_snapshot || now >= end {
            refresh(engine, ws, &pending, &mut outcomes, &mut published).await?;
            let posts = collect_metrics(engine, ws, &outcomes, &published).await?;
            let mut m = MetricInputs::from_posts(
                &posts.values().cloned().collect::<Vec<_>>(),
                followers(engine, ws, &channel_ids).await?,
            );
            m.followers_start = followers_start;
            for g in &plan.goals {
                input
                    .snapshots
                    .entry(g.goal.id.clone())
                    .or_default()
                    .push(Snapshot {
                        at: now,
                        metrics: m.clone(),
                    });
            }
            report.snapshots += 1;
            while next_snapshot <= now {
                next_snapshot += options.snapshot_every;
            }
        }
        progress(&report.at(now));
        if now >= end {
            break;
        }
    }

    refresh(engine, ws, &pending, &mut outcomes, &mut published).await?;
    let metrics = collect_metrics(engine, ws, &outcomes, &published).await?;
    let mut followers_by_channel = BTreeMap::new();
    for id in &channel_ids {
        followers_by_channel.insert(
            id.clone(),
            followers(engine, ws, std::slice::from_ref(id)).await?,
        );
    }
    for (i, p) in &published {
        let o = &mut outcomes[*i];
        o.published = Some(p.clone());
        if let Some(m) = metrics.get(i) {
            o.metrics = Some(m.clone());
            input.posts.push(PostOutcome {
                channel: o.channel.clone(),
                pillar: Some(o.pillar.clone()),
                published_at: p.published_at,
                metrics: m.clone(),
                followers: followers_by_channel.get(&o.channel).copied().flatten(),
            });
        }
    }
    let finished_at = clock.now();
    let evaluation = evaluate(plan, &input, finished_at);
    Ok(LoopReport {
        outcomes,
        input,
        evaluation,
        started_at,
        finished_at,
    })
}

/// Progress counters inside [`run_plan`].
struct Progress {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    slots: usize,
    published: usize,
    failed: usize,
    snapshots: usize,
}

impl Progress {
    fn at(&self, now: DateTime<Utc>) -> LoopProgress {
        LoopProgress {
            now,
            start: self.start,
            end: self.end,
            slots: self.slots,
            published: self.published,
            failed: self.failed,
            snapshots: self.snapshots,
        }
    }
}

/// Runs the outbox until nothing is due at or before `target`, moving the clock to each due
/// instant on the way. Returns (published, failed).
async fn drain_until(
    engine: &Engine,
    clock: &ManualClock,
    target: DateTime<Utc>,
    max_rounds: usize,
) -> Result<(usize, usize)> {
    let (mut published, mut failed) = (0, 0);
    for _ in 0..max_rounds {
        let r = engine.run_once().await?;
        published += r.published;
        failed += r.failed;
        if r.claimed == 0 {
            match engine.store().next_due().await? {
                Some(t) if t > clock.now() && t <= target => clock.set(t),
                Some(t) if t <= clock.now() => {}
                _ => break,
            }
        }
    }
    Ok((published, failed))
}

/// Updates the outcomes of submitted slots from the store.
async fn refresh(
    engine: &Engine,
    ws: &WorkspaceId,
    pending: &[(usize, DeliveryId)],
    outcomes: &mut [SlotOutcome],
    published: &mut BTreeMap<usize, Published>,
) -> Result<()> {
    for (i, id) in pending {
        let o = &mut outcomes[*i];
        if matches!(
            o.state,
            DeliveryState::Published | DeliveryState::Failed | DeliveryState::Cancelled
        ) {
            continue;
        }
        let d = engine.store().delivery(ws, id).await?;
        o.state = d.state;
        if d.state == DeliveryState::Published {
            if let Some(p) = d.result {
                published.insert(*i, p);
            }
        } else if d.state == DeliveryState::Failed {
            if let Some(e) = d.error {
                o.error_kind = Some(e.kind);
                o.error = Some(e.message);
            }
        }
    }
    Ok(())
}

/// The current metrics of every published slot's post, by slot index.
async fn collect_metrics(
    engine: &Engine,
    ws: &WorkspaceId,
    outcomes: &[SlotOutcome],
    published: &BTreeMap<usize, Published>,
) -> Result<BTreeMap<usize, PostMetrics>> {
    let mut by_channel: BTreeMap<&str, Vec<(usize, PostRef)>> = BTreeMap::new();
    for (i, p) in published {
        by_channel
            .entry(outcomes[*i].channel.as_str())
            .or_default()
            .push((*i, p.post.clone()));
    }
    let mut out = BTreeMap::new();
    for (channel, posts) in by_channel {
        let platform = engine
            .platform(ws, &ChannelId::new(channel))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("channel {channel} is not connected"),
                )
            })?;
        let refs: Vec<PostRef> = posts.iter().map(|(_, r)| r.clone()).collect();
        let metrics = metrics_of(platform.as_ref(), &refs).await?;
        for ((i, _), m) in posts.into_iter().zip(metrics) {
            out.insert(i, m);
        }
    }
    Ok(out)
}

/// The channels' followers summed (None when no channel reports them).
async fn followers(engine: &Engine, ws: &WorkspaceId, channels: &[String]) -> Result<Option<u64>> {
    let mut total = None;
    for id in channels {
        if let Some(p) = engine.platform(ws, &ChannelId::new(id.as_str())) {
            if let Some(f) = p.channel().await?.metrics.followers {
                total = Some(total.unwrap_or(0) + f);
            }
        }
    }
    Ok(total)
}
