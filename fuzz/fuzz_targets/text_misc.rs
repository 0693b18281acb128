//! The other text rules on any text: Mastodon length (with a content warning), Telegram UTF-16
//! length, LinkedIn little text (escaping round-trips), link/mention/hashtag extraction (spans
//! on char boundaries inside the text) and every platform rule's count and check.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::text::{extract, linkedin, mastodon, rules, telegram};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let (spoiler, body) = text.split_once('\u{1}').unwrap_or(("", text));
    let _ = mastodon::length(text);
    let _ = mastodon::length_with(body, Some(spoiler), 23);
    assert_eq!(telegram::utf16_length(text), text.encode_utf16().count());
    assert_eq!(
        linkedin::unescape_little_text(&linkedin::escape_little_text(text)),
        text,
        "little text escaping does not round-trip"
    );
    let _ = linkedin::unescape_little_text(text);
    let _ = linkedin::commentary(text);
    for spans in [
        extract::links(text),
        extract::mentions(text),
        extract::hashtags(text),
    ] {
        for s in spans {
            assert!(
                s.start < s.end && s.end <= text.len(),
                "span {s:?} outside {text:?}"
            );
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            let _ = s.as_str(text);
        }
    }
    for rule in [
        rules::x(),
        rules::bluesky(),
        rules::mastodon(500, 23),
        rules::telegram(),
        rules::discord(),
        rules::linkedin(),
        rules::threads(),
        rules::instagram(),
        rules::facebook(),
        rules::reddit_title(),
    ] {
        let _ = rule.count(text);
        let _ = rule.check("fuzz", text);
    }
});
