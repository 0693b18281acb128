use super::*;
use crate::ErrorKind;

fn m(q: &str, text: &str) -> bool {
    Query::parse(q).unwrap().matches_text(text)
}

fn err(q: &str) -> String {
    let e = Query::parse(q).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    e.to_string()
}

#[test]
fn precedence_and_grouping() {
    assert_eq!(
        Query::parse("a b OR c").unwrap().expr().to_string(),
        "((a AND b) OR c)"
    );
    assert_eq!(
        Query::parse("a AND (b OR c) NOT d")
            .unwrap()
            .expr()
            .to_string(),
        "(a AND (b OR c) AND NOT d)"
    );
    assert_eq!(
        Query::parse("NOT NOT a").unwrap().expr().to_string(),
        "NOT NOT a"
    );
}

#[test]
fn whole_words_case_and_unicode() {
    assert!(m("anvil", "My ANVIL arrived"));
    assert!(!m("anvil", "anvils everywhere"));
    assert!(m("anvil*", "anvils everywhere"));
    assert!(m("straße", "Die STRASSE? nein, die Straße."));
    assert!(m("café", "un cafe\u{301} noir"));
    assert!(m("\"free shipping\"", "FREE   shipping!"));
    assert!(!m("\"free shipping\"", "free and fast shipping"));
    assert!(m("e-mail", "send an e-mail"));
    assert!(m("東京", "東京に行く"));
    assert!(m("„gute Ware“", "Wirklich gute Ware."));
}

#[test]
fn hashtags_and_mentions() {
    assert!(m("#acme", "love #ACME"));
    assert!(!m("#acme", "love acme"));
    assert!(m("acme", "love #acme"));
    assert!(m("@acme", "hey @Acme@mastodon.social"));
    assert!(m("@acme@mastodon.social", "hey @acme@mastodon.social"));
    assert!(!m("@acme@mastodon.social", "hey @acme@other.example"));
    assert!(!m("@acme", "mail info@acme.com"));
}

#[test]
fn errors_have_positions() {
    assert!(err("").contains("empty"));
    assert!(err("   ").contains("empty"));
    assert!(err("a AND").contains("column 6"), "{}", err("a AND"));
    assert!(err("(a OR b").contains("column 1"));
    assert!(err("a OR b)").contains("column 7"));
    assert!(err("\"free shipping").contains("column 1"));
    assert!(err("a OR OR b").contains("column 6"));
    assert!(err("# OR a").contains("column 1"));
    assert!(err("a @").contains("column 3"));
    assert!(err("a \"\"").contains("empty phrase"));
    assert!(err("!!!").contains("no letters"));
    let deep = "(".repeat(100) + "a" + &")".repeat(100);
    assert!(err(&deep).contains("nested"));
    assert!(err(&"a ".repeat(6000)).contains("at most"));
}

#[test]
fn not_only_queries_match_empty_text() {
    assert!(m("NOT spam", ""));
    assert!(!m("acme", ""));
}

#[test]
fn positive_terms_skip_negated_ones() {
    let q = Query::parse("(acme OR #acme) -jobs").unwrap();
    let t: Vec<String> = q
        .expr()
        .positive_terms()
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert_eq!(t, ["acme", "#acme"]);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parse_never_panics(src in any::<String>()) {
            let _ = Query::parse(&src);
        }

        #[test]
        fn operator_soup_never_panics(parts in proptest::collection::vec(
            prop::sample::select(vec!["(", ")", "AND", "OR", "NOT", "-", "\"", "#", "@", "a", "#b",
                "@c", "d*", "*", "\"x y\"", "é", " "]), 0..40),
            text in any::<String>()) {
            let src = parts.join(" ");
            if let Ok(q) = Query::parse(&src) {
                let _ = q.matches_text(&text);
                let again = Query::parse(&q.expr().to_string());
                prop_assert!(again.is_ok(), "{} -> {}", src, q.expr());
            }
        }
    }
}
