use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

#[test]
fn medians() {
    assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
    assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
}

#[test]
fn cooldown_gives_one_alert_per_burst() {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut pts: Vec<_> = (0..24 * 8)
        .map(|h| (t0 + Duration::hours(h), 10.0))
        .collect();
    for h in 0..3 {
        pts.push((t0 + Duration::hours(24 * 8 + h), 100.0));
    }
    assert_eq!(detect(&Config::default(), &pts).len(), 1);
    // Without the cool-down and the record rule each point of the burst is an alert; with
    // the strict record rule alone only the points that outdo the first (none: they are
    // equal); with re-arming alone one per excursion above the threshold.
    let no_cooldown = Config {
        cooldown_secs: 0,
        record_secs: 0,
        rearm: false,
        ..Config::default()
    };
    assert_eq!(detect(&no_cooldown, &pts).len(), 3);
    let records_only = Config {
        cooldown_secs: 0,
        record_ratio: 1.0,
        rearm: false,
        ..Config::default()
    };
    assert_eq!(detect(&records_only, &pts).len(), 1);
    let rearm_only = Config {
        cooldown_secs: 0,
        record_secs: 0,
        rearm: true,
        ..Config::default()
    };
    assert_eq!(detect(&rearm_only, &pts).len(), 1);
}

#[test]
fn a_record_ratio_lets_a_smaller_burst_through() {
    // A quiet day with a burst of 50 on top and, a day later, one of 30: the strict record
    // rule hides the second (it does not beat the first), half the record does not.
    let t = |s: i64| s * 300;
    let cfg = |ratio: f64| Config {
        threshold: 3.0,
        record_secs: 7 * 86_400,
        record_ratio: ratio,
        cooldown_secs: 0,
        ..Config::default()
    };
    let run = |ratio: f64| {
        let mut tr = Trigger::new(&cfg(ratio));
        [1.0, 50.0, 1.0, 30.0, 1.0]
            .iter()
            .enumerate()
            .filter(|(k, z)| tr.check(t(*k as i64 * 288), Some(**z)))
            .count()
    };
    assert_eq!(run(1.0), 1);
    assert_eq!(run(0.5), 2);
    // Out of range: 0 and below mean "any positive score", NaN means 1.
    assert_eq!(record_ratio(f64::NAN), 1.0);
    assert_eq!(record_ratio(7.0), 1.0);
    assert!(record_ratio(-1.0) > 0.0);
}

#[test]
fn rearm_gives_one_alarm_per_excursion() {
    let cfg = Config {
        threshold: 3.0,
        record_secs: 0,
        cooldown_secs: 0,
        rearm: true,
        ..Config::default()
    };
    let mut tr = Trigger::new(&cfg);
    let scores = [5.0, 6.0, 9.0, 4.0, 2.0, 4.0, -7.0, -1.0];
    let alarms: Vec<bool> = scores
        .iter()
        .enumerate()
        .map(|(k, z)| tr.check(k as i64 * 60, Some(*z)))
        .collect();
    // 5 alarms; 6, 9, 4 stay above the threshold; 2 re-arms; 4 alarms; −7 is the same
    // excursion (|z| stays above 3 both ways).
    assert_eq!(
        alarms,
        [true, false, false, false, false, true, false, false]
    );
}

#[test]
fn drops_are_found_when_asked() {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut pts: Vec<_> = (0..24 * 8)
        .map(|h| (t0 + Duration::hours(h), 100.0 + (h % 3) as f64))
        .collect();
    pts.push((t0 + Duration::hours(24 * 8), 0.0));
    let up = Config {
        direction: Direction::Up,
        ..Config::default()
    };
    assert!(detect(&up, &pts).is_empty());
    let down = Config {
        direction: Direction::Down,
        ..Config::default()
    };
    assert_eq!(detect(&down, &pts).len(), 1);
    assert_eq!(
        detect(&Config::default(), &pts).len(),
        1,
        "the default looks both ways"
    );
}

#[test]
fn memory_is_bounded() {
    let cfg = Config {
        max_per_slot: 10,
        history_secs: i64::MAX,
        ..Config::default()
    };
    let mut d = Detector::new(cfg);
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for m in 0..100_000 {
        d.update(t0 + Duration::minutes(m), m as f64);
    }
    assert!(d.slots.iter().all(|s| s.len() <= 10));
}

proptest! {
    #[test]
    fn streaming_equals_batch(values in proptest::collection::vec(
        prop_oneof![0.0..1000.0f64, Just(f64::NAN), Just(f64::INFINITY), Just(1e300)], 0..600),
        step in 60i64..7200, threshold in 0.5..10.0f64, season in 0u8..3, transform in 0u8..4,
        integers in any::<bool>()) {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let pts: Vec<_> = values.iter().enumerate()
            .map(|(k, v)| (t0 + Duration::seconds(k as i64 * step), if integers { v.round() } else { *v }))
            .collect();
        let cfg = Config {
            threshold,
            min_samples: 2,
            season: [Season::None, Season::Daily, Season::Weekly][season as usize],
            transform: TRANSFORMS[transform as usize],
            ..Config::default()
        };
        let batch = detect(&cfg, &pts);
        let mut d = Detector::new(cfg.clone());
        let streamed: Vec<_> = pts.iter().filter_map(|(t, v)| d.update(*t, *v)).collect();
        prop_assert_eq!(batch, streamed);
    }

    #[test]
    fn any_config_never_panics(slot in any::<i64>(), hist in any::<i64>(), maxp in any::<usize>(),
        mins in any::<usize>(), thr in any::<f64>(), cool in any::<i64>(), ts in any::<i64>(), v in any::<f64>(),
        ratio in any::<f64>(), rearm in any::<bool>(), transform in 0u8..4) {
        let mut d = Detector::new(Config {
            season: Season::Weekly, slot_secs: slot, history_secs: hist, max_per_slot: maxp,
            min_samples: mins, threshold: thr, direction: Direction::Both, cooldown_secs: cool,
            transform: TRANSFORMS[transform as usize], smooth: 3, zone: Some(chrono_tz::Europe::Berlin),
            record_secs: cool, record_ratio: ratio, rearm,
        });
        let at = DateTime::from_timestamp(ts.rem_euclid(4_000_000_000), 0).unwrap();
        for k in 0..AUTO_SAMPLE as i64 + 3 {
            let _ = d.observe(at + Duration::seconds(k), v + k as f64 * 0.5);
        }
    }
}

const TRANSFORMS: [Transform; 4] = [
    Transform::Identity,
    Transform::Log1p,
    Transform::Sqrt,
    Transform::Auto,
];

#[test]
fn auto_tells_counts_from_measurements() {
    assert_eq!(Resolved::of(&[0.0; 5]), Resolved::Fixed(Transform::Sqrt));
    assert_eq!(Resolved::of(&[1e6, 3.0]), Resolved::Fixed(Transform::Sqrt));
    // A negative integer is no count; a constant rate gets a positive floor.
    assert!(matches!(Resolved::of(&[-1.0, 2.0]), Resolved::Measured { floor } if floor == 3.0));
    assert!(matches!(Resolved::of(&[0.37; 9]), Resolved::Measured { floor } if floor > 0.0));
    // The floor is 5% of the robust spread when that exceeds the resolution.
    let wide: Vec<f64> = (0..101).map(|k| k as f64 + 0.5).collect();
    let Resolved::Measured { floor } = Resolved::of(&wide) else {
        panic!("a measurement")
    };
    assert!((floor - 0.05 * 1.4826 * 25.0).abs() < 1e-9, "{floor}");
    assert_eq!(
        Resolved::Measured { floor }.transform(),
        Transform::Identity
    );
    assert_eq!(Resolved::Measured { floor }.noise_floor(1e9), floor);
}

/// Hourly rates around 0.5 (cost per click) with a daily rhythm and noise of about 0.02.
fn rates(days: i64) -> Vec<(DateTime<Utc>, f64)> {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut x = 88172645463325252u64;
    (0..days * 24)
        .map(|h| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let noise = (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let rhythm = 0.1 * ((h % 24) as f64 / 24.0 * std::f64::consts::TAU).sin();
            let v = 0.5 + rhythm + 0.04 * noise;
            (t0 + Duration::hours(h), (v * 1e4).round() / 1e4)
        })
        .collect()
}

#[test]
fn auto_sees_a_spike_in_a_rate_that_square_roots_miss() {
    let mut pts = rates(30);
    let at = pts[600].0;
    pts[600].1 += 0.3;
    let sqrt = detect(&Config::default_with(Transform::Sqrt), &pts);
    assert!(
        sqrt.iter().all(|a| a.at != at),
        "Anscombe's floor hides it: {sqrt:?}"
    );
    let auto = detect(&Config::default_with(Transform::Auto), &pts);
    assert!(auto.iter().any(|a| a.at == at), "{auto:?}");
    assert!(auto.len() <= 2, "{auto:?}");
}

#[test]
fn auto_on_counts_learns_like_sqrt_and_judges_after_its_sample() {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let pts: Vec<_> = (0..24 * 10)
        .map(|h| (t0 + Duration::hours(h), ((h * 7919) % 13) as f64))
        .collect();
    let (auto, sqrt) = (
        observe_all(&Config::default_with(Transform::Auto), &pts),
        observe_all(&Config::default_with(Transform::Sqrt), &pts),
    );
    for (k, (a, s)) in auto.iter().zip(&sqrt).enumerate() {
        if k + 1 < AUTO_SAMPLE {
            assert_eq!((a.baseline, a.anomaly), (None, None), "{k}: not judged yet");
        } else {
            assert_eq!((a.baseline, a.score), (s.baseline, s.score), "{k}");
        }
    }
}

impl Config {
    fn default_with(transform: Transform) -> Config {
        Config {
            transform,
            ..Config::default()
        }
    }
}
