//! The listening query parser on any text: a query or a typed error, never a panic; a parsed
//! query matches texts, re-parses from its own source, and round-trips through serde.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::listen::query::Query;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (source, sample) = input
        .split_once('\n')
        .unwrap_or((input.as_ref(), "an anvil #acme @acme"));
    if let Ok(q) = Query::parse(source) {
        let _ = q.matches_text(sample);
        let _ = q.matches_text(source);
        let _ = q.expr().positive_terms();
        let again = Query::parse(q.source()).expect("a parsed query re-parses from its source");
        assert_eq!(again, q);
        let json = serde_json::to_string(&q).expect("a query serializes");
        let back: Query = serde_json::from_str(&json).expect("a serialized query reads back");
        assert_eq!(back, q);
    }
});
