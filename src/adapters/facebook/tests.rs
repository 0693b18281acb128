use super::*;
use crate::ErrorKind;
use crate::model::{Media, Part};

#[test]
fn photo_posts_carry_the_link_in_the_message() {
    let part = Part {
        text: "New anvil".into(),
        media: vec![Media::from_url("image/jpeg", "https://cdn.example/a.jpg")],
        link: Some("https://acme.example/anvil".into()),
    };
    assert_eq!(
        Facebook::message(&part),
        "New anvil https://acme.example/anvil"
    );
    let text_only = Part {
        media: Vec::new(),
        ..part.clone()
    };
    assert_eq!(Facebook::message(&text_only), "New anvil");
    let link_only = Part {
        text: String::new(),
        ..part
    };
    assert_eq!(Facebook::message(&link_only), "https://acme.example/anvil");
}

#[test]
fn registry_builds_from_url_and_settings_without_leaking() {
    let r = Registry::default();
    let p = r
        .from_url("facebook://SECRETPAGETOKEN@graph.facebook.com?page_id=42")
        .unwrap();
    assert_eq!(p.name(), "facebook");
    assert!(!format!("{p:?}").contains("SECRETPAGETOKEN"));
    let e = r
        .from_url("facebook://SECRETPAGETOKEN@graph.facebook.com?page_id=4/2")
        .unwrap_err();
    assert!(!e.to_string().contains("SECRETPAGETOKEN"));
    let cfg = crate::ChannelConfig {
        platform: "facebook".into(),
        settings: serde_json::json!({"page_id": "42", "token": "SECRETPAGETOKEN"}),
    };
    assert!(r.from_config(&cfg).is_ok());
    let bad = crate::ChannelConfig {
        platform: "facebook".into(),
        settings: serde_json::json!({"page_id": "42"}),
    };
    assert_eq!(
        r.from_config(&bad).unwrap_err().kind(),
        ErrorKind::ConfigInvalid
    );
}
