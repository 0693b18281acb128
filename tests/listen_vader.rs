//! socialkit's English sentiment on VADER's 4,200 rated tweets (`shared/data/vader/`): at least
//! as good as the reference implementation, and item by item close to it.

use socialkit::listen::eval;

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
    assert_eq!(e.kind(), socialkit::ErrorKind::NotFound);
    assert!(e.to_string().contains("tweets_GroundTruth.txt"), "{e}");
}
