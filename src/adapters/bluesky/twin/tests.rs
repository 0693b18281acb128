//! Unit tests of the twin's helpers.

use super::*;

#[test]
fn at_uris_split() {
    assert_eq!(
        split_at_uri("at://did:plc:a/app.bsky.feed.post/3k"),
        Some(("did:plc:a", "app.bsky.feed.post", "3k"))
    );
    assert_eq!(split_at_uri("at://did:plc:a/app.bsky.feed.post"), None);
    assert_eq!(split_at_uri("https://x"), None);
}

#[test]
fn post_validation_matches_the_lexicon() {
    let blobs = HashMap::new();
    let ok = json!({"text": "hi", "createdAt": "2026-01-01T00:00:00Z"});
    assert!(validate_post(&ok, &blobs).is_ok());
    let long = json!({"text": "a".repeat(301), "createdAt": "2026-01-01T00:00:00Z"});
    assert!(
        validate_post(&long, &blobs)
            .unwrap_err()
            .contains("grapheme too big (maximum 300, got 301)")
    );
    let bytes = json!({"text": "👍🏽".repeat(400), "createdAt": "2026-01-01T00:00:00Z"});
    assert!(validate_post(&bytes, &blobs).unwrap_err().contains("3000"));
    let no_alt = json!({"text": "", "createdAt": "2026-01-01T00:00:00Z",
        "embed": {"$type": "app.bsky.embed.images", "images": [{"image": {}}]}});
    assert!(validate_post(&no_alt, &blobs).unwrap_err().contains("alt"));
}
