use std::sync::Arc;

use chrono::Duration;

use super::chart::esc;
use super::*;
use crate::adapters::sandbox::SandboxWorld;
use crate::clock::{Clock, ManualClock};
use crate::engine::{Engine, EngineConfig};
use crate::inbox::sla::BusinessHours;
use crate::listen::classify::Classifier;
use crate::model::{Author, Interaction, InteractionKind, InteractionRef};
use crate::store::{ChannelRecord, MemoryStore};
use crate::strategy::run::{LoopOptions, SandboxSetup, run_plan, sandbox_channels};
use crate::strategy::{Inputs, plan};

/// A two-week campaign of the example inputs, run on sandbox channels.
async fn two_weeks() -> (Plan, LoopReport) {
    let setup = SandboxSetup {
        history_weeks: 1,
        ..SandboxSetup::default()
    };
    campaign(Some("2026-03-15"), setup).await
}

/// The example campaign, run on sandbox channels, to its own end or to `end`.
async fn campaign(end: Option<&str>, setup: SandboxSetup) -> (Plan, LoopReport) {
    campaign_of(Inputs::example(), end, setup).await
}

/// A campaign run on sandbox channels, to its own end or to `end`.
async fn campaign_of(
    mut inputs: Inputs,
    end: Option<&str>,
    setup: SandboxSetup,
) -> (Plan, LoopReport) {
    if let Some(end) = end {
        inputs.campaign.end = end.parse().unwrap();
    }
    let clock = ManualClock::new(setup.clock_start(&inputs));
    let world = SandboxWorld::new(Arc::new(clock.clone()));
    let accounts = sandbox_channels(&mut inputs, &setup, &world, &clock)
        .await
        .unwrap();
    let p = plan(&inputs, clock.now()).unwrap();
    let engine = Engine::builder(Arc::new(MemoryStore::new()))
        .clock(Arc::new(clock.clone()))
        .config(EngineConfig {
            seed: Some(setup.seed),
            ..EngineConfig::default()
        })
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    for (id, account) in &accounts {
        engine
            .connect(
                &ws,
                "olga",
                ChannelRecord::new(id.as_str(), "sandbox"),
                account.clone(),
            )
            .await
            .unwrap();
    }
    let options = LoopOptions {
        who: "olga".into(),
        ..LoopOptions::default()
    };
    let r = run_plan(&p, &engine, &ws, &clock, &options, &mut |_| {})
        .await
        .unwrap();
    (p, r)
}

fn item(id: &str, text: &str, at: &str, answered_after_hours: Option<i64>) -> InboxItem {
    let at: DateTime<Utc> = at.parse().unwrap();
    let i = Interaction {
        reference: InteractionRef::new("sandbox", id),
        kind: InteractionKind::Comment,
        author: Author {
            handle: "hiker".into(),
            ..Author::default()
        },
        text: Some(text.into()),
        created_at: at,
        post: None,
        conversation: None,
        language: None,
    };
    let mut item = InboxItem::new("acme-ig", i, at);
    item.classification = Some(Classifier::new().classify_text(text, None));
    item.first_response_at = answered_after_hours.map(|h| at + Duration::hours(h));
    item
}

#[tokio::test]
async fn a_campaign_loop_becomes_a_report_with_every_section() {
    let (p, run) = two_weeks().await;
    let r = CampaignReport::from_loop(&p, &run, "ACME Anvils");
    assert_eq!(r.posts.len(), p.calendar.len());
    assert_eq!(r.goals.len(), p.goals.len());
    assert!(
        r.goals.iter().any(|g| !g.readings.is_empty()),
        "snapshots become readings"
    );
    assert!(!r.heatmap.cells.is_empty());
    let published = r.posts.iter().filter(|p| p.state == "published").count();
    assert_eq!(published, run.published());
    let cells: usize = r.heatmap.cells.iter().map(|c| c.posts).sum();
    assert_eq!(
        cells,
        run.input
            .posts
            .iter()
            .filter(|p| p.metrics.engagements().is_some())
            .count()
    );

    let html = r.to_html(Lang::En);
    assert!(html.contains(r#"data-chart="goal""#));
    assert!(html.contains(r#"data-chart="heatmap""#));
    assert!(!html.contains("<script"), "readable without JavaScript");
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("http://www.w3.org/2000/svg").count(),
        "no fetches: the only http URL is the SVG namespace"
    );
    // JSON round trip.
    let back = CampaignReport::from_json(&r.to_json().unwrap()).unwrap();
    assert_eq!(back.posts.len(), r.posts.len());
    // CSV: one line per post plus the header, all with the same number of fields
    // (no field in this data contains a comma-free quote problem).
    let csv = r.posts_csv();
    assert_eq!(csv.lines().count(), r.posts.len() + 1);
    assert!(csv.starts_with("slot,channel,pillar,planned_at"));
}

#[test]
fn german_labels_and_numbers() {
    let mut r = CampaignReport::empty("Frühling", "Alpenglow", chrono_tz::Europe::Berlin);
    r.channels.push(GroupPerformance {
        name: "alpenglow-ig".into(),
        posts: 3,
        mean_rate: Some(0.0525),
    });
    let html = r.to_html(Lang::De);
    assert!(html.contains(r#"<html lang="de">"#));
    assert!(html.contains("Kampagnenbericht"));
    assert!(html.contains("5,25 %"));
    let en = r.to_html(Lang::En);
    assert!(en.contains("5.25 %"));
    assert!(en.contains("Campaign report"));
}

#[test]
fn empty_sections_say_no_data_and_count_no_marks() {
    let r = CampaignReport::empty("c", "o", chrono_tz::UTC);
    let html = r.to_html(Lang::En);
    assert!(html.contains(r#"data-chart="heatmap" data-marks="0""#));
    assert!(html.contains("No data yet"));
}

#[test]
fn inbox_response_times_against_the_sla() {
    let policy = SlaPolicy {
        hours: BusinessHours::weekdays(chrono_tz::UTC, 9, 17),
        first_response: Duration::hours(4),
        resolution: Duration::hours(16),
    };
    // Monday 2026-03-02 10:00 UTC: answered after 1 h and after 6 h; one still open on Tuesday.
    let items = [
        item("1", "Where is my order?", "2026-03-02T10:00:00Z", Some(1)),
        item(
            "2",
            "My parcel is broken, terrible",
            "2026-03-02T10:00:00Z",
            Some(6),
        ),
        item("3", "Do you ship to Austria?", "2026-03-02T10:00:00Z", None),
    ];
    let now = "2026-03-03T12:00:00Z".parse().unwrap();
    let ir = InboxReport::new(&items, &policy, now);
    assert_eq!(ir.channels.len(), 1);
    let c = &ir.channels[0];
    assert_eq!((c.measured, c.answered, c.breached), (3, 2, 2));
    assert_eq!(c.median_secs, Some(3600));
    // 10:00 + 6 h = 16:00, all within business hours.
    assert_eq!(c.p90_secs, Some(6 * 3600));
    assert_eq!(ir.items[0].key, "acme-ig/sandbox/1");
    let mut r = CampaignReport::empty("c", "o", chrono_tz::UTC);
    r.inbox = Some(ir);
    let html = r.to_html(Lang::En);
    assert!(html.contains(r#"data-chart="response-times" data-marks="1""#));
    let csv = r.inbox_csv();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.lines().nth(2).unwrap().contains(",21600,"));
}

#[test]
fn listening_marks_anomalies_and_crises() {
    let mut series = Series::new(Duration::hours(1)).unwrap();
    let start: DateTime<Utc> = "2026-03-02T00:00:00Z".parse().unwrap();
    for h in 0..24 * 21 {
        let at = start + Duration::hours(h);
        let n = if h == 24 * 20 + 12 {
            40
        } else {
            2 + (h % 3) as usize
        };
        for _ in 0..n {
            series.add(at, Some(if h == 24 * 20 + 12 { -0.6 } else { 0.3 }));
        }
    }
    let config = anomaly::Config::default();
    let lr = ListeningReport::new("acme", &series, &config, &[]);
    assert_eq!(lr.buckets.len(), 24 * 21);
    assert!(
        lr.anomalies
            .iter()
            .any(|a| a.at == start + Duration::hours(24 * 20 + 12))
    );
    let mut r = CampaignReport::empty("c", "o", chrono_tz::UTC);
    r.listening = Some(lr);
    let html = r.to_html(Lang::De);
    assert!(html.contains(r#"data-chart="listening""#));
    assert!(html.contains("Anomalie"));
}

/// Every adjustment of the whole example campaign carries its content as data, and the German
/// page words each in German (no English sentence left), the English page in English.
#[tokio::test]
async fn the_german_report_words_every_adjustment_in_german() {
    // The shipped example campaign (examples/campaign.toml), which ends with adjustments.
    let mut table: toml::Table = include_str!("../../examples/campaign.toml")
        .parse()
        .unwrap();
    let setup: SandboxSetup = table.remove("sandbox").unwrap().try_into().unwrap();
    let inputs = Inputs::from_toml_str(&toml::to_string(&table).unwrap()).unwrap();
    let (p, run) = campaign_of(inputs, None, setup).await;
    let r = CampaignReport::from_loop(&p, &run, "ACME Anvils");
    assert!(
        !r.adjustments.is_empty(),
        "the example campaign has adjustments"
    );
    let (en, de) = (r.to_html(Lang::En), r.to_html(Lang::De));
    for a in &r.adjustments {
        assert!(a.change.is_some(), "{a:?}");
        assert!(en.contains(&esc(&a.action)), "{}", a.action);
        assert!(
            !de.contains(&esc(&a.action)),
            "English in German: {}",
            a.action
        );
        assert!(
            !de.contains(&esc(&a.reason)),
            "English in German: {}",
            a.reason
        );
        let (action, reason) = super::wording::adjustment(Lang::De, a);
        assert!(de.contains(&esc(&action)), "{action}");
        assert!(de.contains(&esc(&reason)), "{reason}");
    }
}
