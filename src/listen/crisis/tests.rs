use super::*;
use crate::model::{Author, InteractionKind};
use chrono::TimeZone;

fn mk(n: u64, at: DateTime<Utc>) -> Interaction {
    Interaction {
        reference: InteractionRef::new("sandbox", format!("i{n}")),
        kind: InteractionKind::Mention,
        author: Author::default(),
        text: Some("x".into()),
        created_at: at,
        post: None,
        conversation: None,
        language: None,
    }
}

/// Eight quiet days (6 an hour, 1 in 6 negative), then a burst of `burst` interactions in
/// an hour with negative share `neg`.
fn scenario(burst: u64, neg: f64) -> Vec<(Interaction, Option<f64>)> {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let mut v = Vec::new();
    let mut n = 0;
    for m in (0..8 * 24 * 60).step_by(10) {
        n += 1;
        let c = if n % 6 == 0 { -0.6 } else { 0.4 };
        v.push((mk(n, t0 + Duration::minutes(m)), Some(c)));
    }
    let start = t0 + Duration::days(8);
    for k in 0..burst {
        n += 1;
        let c = if ((k % 10) as f64) < neg * 10.0 {
            -0.7
        } else {
            0.5
        };
        v.push((
            mk(n, start + Duration::seconds((k * 3600 / burst) as i64)),
            Some(c),
        ));
    }
    v
}

#[test]
fn volume_and_negativity_together_raise_a_crisis() {
    let cfg = CrisisConfig {
        switch_crisis_mode: true,
        ..CrisisConfig::default()
    };
    let s = detect_crises(&cfg, &scenario(150, 0.8));
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(s[0].switch_crisis_mode);
    assert_eq!(s[0].samples.len(), 5);
    let share = s[0].deviation(Indicator::NegativeShare).unwrap();
    assert!(share.value > 0.5 && share.baseline < 0.2, "{share:?}");
    assert!(s[0].deviation(Indicator::Volume).unwrap().score > 3.0);
    assert!(s[0].score >= s[0].threshold);
    let json = serde_json::to_string(&s[0]).unwrap();
    let back: CrisisSignal = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (back.at, back.since, &back.samples),
        (s[0].at, s[0].since, &s[0].samples)
    );
    for (a, b) in back.evidence.iter().zip(&s[0].evidence) {
        assert_eq!(a.indicator, b.indicator);
        assert!((a.value - b.value).abs() < 1e-12 && (a.score - b.score).abs() < 1e-9);
    }
}

#[test]
fn a_positive_spike_is_no_crisis() {
    assert!(detect_crises(&CrisisConfig::default(), &scenario(150, 0.1)).is_empty());
}

#[test]
fn negativity_without_volume_is_no_crisis() {
    assert!(detect_crises(&CrisisConfig::default(), &scenario(6, 1.0)).is_empty());
}

#[test]
fn empty_and_unscored_input() {
    assert!(detect_crises(&CrisisConfig::default(), &[]).is_empty());
    let v: Vec<_> = scenario(150, 0.9)
        .into_iter()
        .map(|(i, _)| (i, None))
        .collect();
    assert!(detect_crises(&CrisisConfig::default(), &v).is_empty());
}

#[test]
fn playbook_is_serde_data() {
    let p: Playbook = serde_json::from_str(
        r#"{"name": "outage", "holding_statements": [{"language": "en", "text": "We are looking into it."}],
            "escalation": [{"name": "Ann", "role": "Comms", "phone": "+49 30 1234"}], "steps": ["pause ads"]}"#,
    )
    .unwrap();
    assert_eq!(p.escalation[0].role.as_deref(), Some("Comms"));
}
