use super::*;
use crate::model::{Author, InteractionRef};

fn intent(text: &str) -> Intent {
    Classifier::default().classify_text(text, None).intent
}

fn interaction(text: &str, followers: Option<u64>, kind: InteractionKind) -> Interaction {
    Interaction {
        reference: InteractionRef::new("mastodon", "1"),
        kind,
        author: Author {
            id: "u1".into(),
            handle: "Ann".into(),
            followers,
            ..Default::default()
        },
        text: Some(text.into()),
        created_at: chrono::Utc::now(),
        post: None,
        conversation: None,
        language: None,
    }
}

#[test]
fn intents_in_english() {
    assert_eq!(intent("How do I reset my password?"), Intent::Question);
    assert_eq!(intent("@acme how do I reset my password"), Intent::Question);
    assert_eq!(
        intent("My order never arrived and nobody answers. Unacceptable."),
        Intent::Complaint
    );
    assert_eq!(
        intent("Where is my order? It is two weeks late!"),
        Intent::Complaint
    );
    assert_eq!(intent("Thank you so much, great service!"), Intent::Praise);
    assert_eq!(intent("Just bought a new anvil."), Intent::Other);
    assert_eq!(
        intent("Huge crypto giveaway, passive income guaranteed! DM me"),
        Intent::Spam
    );
    assert_eq!(
        intent("#win #free #follow #like #giveaway #contest #prize win now"),
        Intent::Spam
    );
    assert_eq!(
        intent("buy buy buy buy buy buy buy buy buy now now now"),
        Intent::Spam
    );
}

#[test]
fn intents_in_german() {
    assert_eq!(intent("Wann öffnet ihr morgen?"), Intent::Question);
    assert_eq!(
        intent("Die App funktioniert nicht, ich warte immer noch auf eine Antwort"),
        Intent::Complaint
    );
    assert_eq!(intent("Vielen Dank, super Service!"), Intent::Praise);
}

#[test]
fn priority_uses_intent_sentiment_reach_and_urgency() {
    let c = Classifier::default();
    let small = c.classify(&interaction(
        "my anvil broke, terrible",
        Some(10),
        InteractionKind::Reply,
    ));
    let big = c.classify(&interaction(
        "my anvil broke, terrible",
        Some(2_000_000),
        InteractionKind::Reply,
    ));
    assert_eq!(small.intent, Intent::Complaint);
    assert!(big.priority_score > small.priority_score);
    assert!(big.priority > small.priority, "{big:?}");
    let urgent = c.classify_text("My account was hacked, this is urgent, terrible!", None);
    assert_eq!(urgent.priority, Priority::Urgent, "{urgent:?}");
    let like = c.classify(&interaction("", Some(5_000_000), InteractionKind::Like));
    assert_eq!(like.intent, Intent::Other);
    assert_eq!(like.priority, Priority::Normal);
    let spam = c.classify_text(
        "free followers bitcoin https://a.example https://b.example",
        None,
    );
    assert_eq!((spam.intent, spam.priority), (Intent::Spam, Priority::Low));
}

#[test]
fn rules_tag_assign_and_prioritise() {
    let rules: Vec<Rule> = serde_json::from_value(serde_json::json!([
        {"name": "vip", "when": {"author": ["@ann"]}, "then": ["raise_priority", {"tag": "vip"}]},
        {"name": "billing", "when": {"query": "refund OR invoice"}, "then": [{"assign": "finance"}, {"tag": "billing"}]},
        {"name": "second assign loses", "when": "always", "then": [{"assign": "someone-else"}]},
        {"name": "mastodon", "when": {"all": [{"channel": ["mastodon"]}, {"not": {"intent": ["spam"]}}]}, "then": [{"tag": "fediverse"}]},
        {"name": "angry big", "when": {"all": [{"sentiment_at_most": -0.3}, {"min_followers": 1000}]}, "then": [{"priority": "urgent"}]}
    ]))
    .unwrap();
    let c = Classifier::default().with_rules(rules.clone());
    let r = c.classify(&interaction(
        "I need a refund",
        Some(10),
        InteractionKind::Mention,
    ));
    assert_eq!(r.tags, ["vip", "billing", "fediverse"]);
    assert_eq!(r.assignee.as_deref(), Some("finance"));
    assert!(r.reasons.iter().any(|x| x.contains("billing")));
    let angry = c.classify(&interaction(
        "worst service ever, awful",
        Some(5000),
        InteractionKind::Reply,
    ));
    assert_eq!(angry.priority, Priority::Urgent);
    // Rules round-trip through serde.
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(serde_json::from_str::<Vec<Rule>>(&json).unwrap(), rules);
}

#[test]
fn interaction_language_tag_picks_the_lexicon() {
    let mut i = interaction("gut", None, InteractionKind::Reply);
    i.language = Some("de".into());
    let c = Classifier::default().classify(&i);
    assert_eq!(c.language, Language::German);
    assert!(c.sentiment.compound > 0.0);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics(text in any::<String>(), followers in any::<Option<u64>>()) {
            let c = Classifier::default();
            let r = c.classify(&interaction(&text, followers, InteractionKind::Mention));
            prop_assert!((0.0..=100.0).contains(&r.priority_score));
            let _ = c.classify_text(&text, Some(Language::German));
        }
    }
}
