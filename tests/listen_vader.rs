//! socialkit's English sentiment on VADER's 4,200 rated tweets (`tests/data/vader/`): at least
//! as good as the reference implementation, and item by item close to it.

#[path = "listen_support/vader.rs"]
mod eval;

#[test]
fn english_sentiment_matches_the_reference_on_rated_tweets() {
    let report = eval::vader_tweets(&eval::vader_data_dir()).unwrap_or_else(|e| {
        panic!("the VADER data set is needed for this test: {e}");
    });
    println!("{report}");
    assert_eq!(report.ours.n, 4200);
    assert_eq!(report.reference.n, 4200);
    // The reference's own numbers, computed from its scores file (README: 0.8722 and 0.8236).
    assert!((report.reference.pearson_r - 0.8722).abs() < 5e-4);
    assert!((report.reference.three_class.accuracy - 0.8236).abs() < 5e-4);
    let tol = 0.002;
    assert!(
        report.ours.pearson_r >= report.reference.pearson_r - tol,
        "r {} below the reference's {}",
        report.ours.pearson_r,
        report.reference.pearson_r
    );
    assert!(
        report.ours.three_class.accuracy >= report.reference.three_class.accuracy - tol,
        "accuracy {} below the reference's {}",
        report.ours.three_class.accuracy,
        report.reference.three_class.accuracy
    );
    assert_eq!(report.agreement.over_0_01, 0, "{:?}", report.agreement);
    assert!(
        report.agreement.max_abs_diff < 1e-9,
        "{:?}",
        report.agreement
    );
}

#[test]
fn missing_data_gives_a_clear_error() {
    let e = eval::vader_tweets(std::path::Path::new("/nonexistent/vader")).unwrap_err();
    assert!(e.contains("tweets_GroundTruth.txt"), "{e}");
}

#[test]
fn protocol_helpers() {
    use socialkit::listen::sentiment::Polarity;
    let items = eval::parse_ground_truth("1\t2.5\tgood day\r\n2\t-1\tmeh").unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].rating, -1.0);
    assert!(eval::parse_ground_truth("1\tx").is_err());
    let r = eval::parse_reference(
        "id\tmean_rating\tcompound\tneg\tneu\tpos\n7\t1.2\t0.5\t0\t0.5\t0.5\n",
    )
    .unwrap();
    assert_eq!(r[0].compound, 0.5);
    assert!(eval::pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]).unwrap() > 0.99);
    assert_eq!(eval::pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
    assert_eq!(eval::gold_class(0.5), Polarity::Positive);
    assert_eq!(eval::gold_class(0.49), Polarity::Neutral);
    let t = eval::three_class(&[(0.6, 2.0), (-0.3, -1.0), (0.0, 0.1), (0.2, -1.0)]);
    assert_eq!(t.accuracy, 0.75);
    let a = eval::agreement(&[(0.5, 0.5), (0.2, 0.25)]);
    assert_eq!(a.over_0_01, 1);
    assert!((a.max_abs_diff - 0.05).abs() < 1e-12);
}
