//! Property tests of `socialkit::text`: splitting, facets, and no panics on any input.

use proptest::prelude::*;
use socialkit::text::bluesky::{FacetFeature, detect_facets};
use socialkit::text::extract::{Span, hashtags, links, mentions};
use socialkit::text::{
    Counting, IndexUnit, Numbering, SplitOptions, TextRule, mastodon, rules, split_thread, x,
};
use unicode_segmentation::UnicodeSegmentation;

/// Words that exercise every rule: multilingual words, emoji sequences, URLs, mentions,
/// hashtags, punctuation.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z]{1,12}",
        "[a-z]{1,8}[.!?,;:]",
        "[äöüßéèñ]{1,6}",
        "[ぁ-んァ-ン一-龥]{1,10}。?",
        "[ء-ي]{1,8}",
        Just("👨‍👩‍👧‍👦".to_string()),
        Just("🇩🇪".to_string()),
        Just("👍🏽".to_string()),
        Just("1️⃣".to_string()),
        Just("e\u{301}".to_string()),
        "https://[a-z]{1,10}\\.(com|de|jp)/[a-z0-9]{0,30}",
        "[a-z]{1,8}\\.(com|org|co\\.uk)",
        "@[a-z]{1,10}",
        "@[a-z]{1,8}\\.bsky\\.social",
        "@[a-z]{1,6}@[a-z]{1,6}\\.social",
        "#[a-zA-Z][a-zA-Z0-9_]{0,12}",
        "\\$[A-Z]{1,5}",
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => Just(" "),
        1 => Just("\n"),
        1 => Just("\n\n"),
        1 => Just(". "),
    ]
}

fn post() -> impl Strategy<Value = String> {
    prop::collection::vec((word(), separator()), 1..120).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(w, s)| format!("{w}{s}"))
            .collect::<String>()
    })
}

fn rule() -> impl Strategy<Value = TextRule> {
    prop_oneof![
        Just(rules::x()),
        Just(rules::bluesky()),
        Just(rules::mastodon(120, 23)),
        Just(TextRule::new(Counting::Chars, 60)),
        Just(TextRule::new(Counting::Utf16, 90).with_max_links(1)),
        Just(rules::threads()),
    ]
}

fn numbering() -> impl Strategy<Value = Numbering> {
    prop_oneof![
        Just(Numbering::Suffix),
        Just(Numbering::Prefix),
        Just(Numbering::None)
    ]
}

fn strip_numbering(part: &str, numbering: Numbering) -> &str {
    match numbering {
        Numbering::Suffix => part.rsplit_once(' ').map_or(part, |(body, _)| body),
        Numbering::Prefix => part.split_once(' ').map_or(part, |(_, body)| body),
        _ => part,
    }
}

fn without_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Byte ranges of `parts` (numbering stripped) in `text`, found in order.
fn locate(text: &str, bodies: &[&str]) -> Option<Vec<(usize, usize)>> {
    let mut from = 0;
    bodies
        .iter()
        .map(|body| {
            let k = text[from..].find(body)?;
            let start = from + k;
            from = start + body.len();
            Some((start, from))
        })
        .collect()
}

fn protected(text: &str) -> Vec<Span> {
    let mut all = links(text);
    all.extend(mentions(text));
    all.extend(hashtags(text));
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn split_parts_fit_and_rejoin(text in post(), rule in rule(), numbering in numbering()) {
        let opts = SplitOptions { numbering, max_parts: None };
        let parts = split_thread(&text, &rule, &opts);
        prop_assert!(parts.is_ok(), "split failed: {:?}", parts.err().map(|e| e.to_string()));
        let parts = parts.unwrap_or_default();
        for part in &parts {
            prop_assert!(rule.fits(part), "part does not fit: {part:?} ({})", rule.count(part));
        }
        let bodies: Vec<&str> = if parts.len() == 1 {
            vec![parts[0].as_str()]
        } else {
            parts.iter().map(|p| strip_numbering(p, numbering)).collect()
        };
        prop_assert_eq!(without_whitespace(&bodies.concat()), without_whitespace(&text));

        // Every cut falls on a grapheme boundary and outside links, mentions and hashtags
        // (none of the generated ones is longer than a part).
        let ranges = locate(&text, &bodies);
        prop_assert!(ranges.is_some(), "parts are not slices of the text in order");
        let ranges = ranges.unwrap_or_default();
        let boundaries: Vec<usize> = text
            .grapheme_indices(true)
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let spans = protected(&text);
        for &(start, end) in &ranges {
            for cut in [start, end] {
                prop_assert!(boundaries.binary_search(&cut).is_ok(), "cut inside a grapheme at {cut}");
                for s in &spans {
                    prop_assert!(
                        !s.strictly_contains(cut),
                        "cut at {cut} inside {:?}",
                        s.as_str(&text)
                    );
                }
            }
        }
        if parts.len() > 1 {
            for (k, part) in parts.iter().enumerate() {
                let label = format!("{}/{}", k + 1, parts.len());
                match numbering {
                    Numbering::Suffix => {
                        let suffix = format!(" {}", label);
                        prop_assert!(part.ends_with(&suffix), "{:?} lacks {:?}", part, suffix);
                    }
                    Numbering::Prefix => {
                        let prefix = format!("{} ", label);
                        prop_assert!(part.starts_with(&prefix), "{:?} lacks {:?}", part, prefix);
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn facets_slice_what_they_mark(text in post()) {
        let mut prev_start = 0;
        for f in detect_facets(&text) {
            prop_assert!(f.byte_start < f.byte_end && f.byte_end <= text.len());
            prop_assert!(text.is_char_boundary(f.byte_start) && text.is_char_boundary(f.byte_end));
            prop_assert!(f.byte_start >= prev_start, "facets are sorted");
            prev_start = f.byte_start;
            let slice = &text[f.byte_start..f.byte_end];
            match &f.feature {
                FacetFeature::Mention { handle } => prop_assert_eq!(slice, format!("@{handle}")),
                FacetFeature::Link { uri } => prop_assert!(uri.ends_with(slice), "{uri} / {slice}"),
                FacetFeature::Tag { tag } if tag.starts_with('$') => {
                    prop_assert_eq!(slice.to_ascii_uppercase(), tag.clone())
                }
                FacetFeature::Tag { tag } => {
                    let body = slice.strip_prefix('#').or_else(|| slice.strip_prefix('＃'));
                    prop_assert_eq!(body, Some(tag.as_str()));
                }
                _ => {}
            }
        }
    }

    #[test]
    fn nothing_panics_on_arbitrary_text(text in "\\PC{0,200}", any_text in any::<String>()) {
        for t in [text.as_str(), any_text.as_str()] {
            let _ = x::parse(t, &x::TwitterTextConfig::v1());
            let _ = x::parse(t, &x::TwitterTextConfig::v2());
            let r = x::parse(t, &x::TwitterTextConfig::v3());
            // A valid text that NFC leaves as it is is valid to its last character.
            if r.valid && unicode_normalization::is_nfc(t) {
                prop_assert_eq!(r.valid_range_end, r.display_range_end, "{:?}", t);
            }
            for u in x::extract_urls(t) {
                prop_assert_eq!(&t[u.start..u.end], u.url.as_str());
            }
            let _ = x::extract_urls_with_indices(t, IndexUnit::Utf16);
            let _ = x::is_valid_url(t, true);
            let _ = x::is_valid_url(t, false);
            for f in detect_facets(t) {
                prop_assert!(t.get(f.byte_start..f.byte_end).is_some());
            }
            let _ = mastodon::length_with(t, Some(t), 23);
            for s in links(t).into_iter().chain(mentions(t)).chain(hashtags(t)) {
                prop_assert!(t.get(s.start..s.end).is_some());
            }
            for rule in [rules::x(), rules::bluesky(), rules::instagram(), rules::telegram()] {
                let _ = rule.check("p", t);
                let _ = rule.remaining(t);
            }
            let small = TextRule::new(Counting::Graphemes, 12);
            if let Ok(parts) = split_thread(t, &small, &SplitOptions::default()) {
                for p in &parts {
                    prop_assert!(small.fits(p));
                }
            }
        }
    }

    #[test]
    fn weighted_length_is_additive_for_plain_words(words in prop::collection::vec("[a-zé日本]{1,8}", 1..30)) {
        let text = words.join(" ");
        let sum: usize = words.iter().map(|w| x::weighted_length(w)).sum::<usize>() + words.len() - 1;
        prop_assert_eq!(x::weighted_length(&text), sum);
    }
}

#[test]
fn too_long_errors_say_platform_count_limit_and_how_much() {
    let cases = [
        (
            rules::x(),
            "x",
            "a".repeat(300),
            "text is 300 weighted characters on x, the limit is 280 (20 over)",
        ),
        (
            rules::bluesky(),
            "bluesky",
            "é".repeat(310),
            "text is 310 graphemes on bluesky, the limit is 300 (10 over)",
        ),
        (
            rules::bluesky(),
            "bluesky",
            "👨‍👩‍👧‍👦".repeat(150),
            "text is 3750 UTF-8 bytes on bluesky, the limit is 3000 (750 over)",
        ),
        (
            rules::telegram_caption(),
            "telegram",
            "😀".repeat(600),
            "text is 1200 UTF-16 code units on telegram, the limit is 1024 (176 over)",
        ),
        (
            rules::threads(),
            "threads",
            "a.com b.com c.com d.com e.com f.com g.com".to_string(),
            "text has 7 links on threads, the limit is 5 (2 over)",
        ),
        (
            rules::instagram(),
            "instagram",
            (0..21).map(|i| format!("@user{i} ")).collect(),
            "text has 21 mentions on instagram, the limit is 20 (1 over)",
        ),
    ];
    for (rule, platform, text, message) in cases {
        let err = rule.check(platform, &text).err();
        let shown = err.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(
            shown.contains(message),
            "{shown:?} should contain {message:?}"
        );
        assert!(
            shown.contains(&format!("(platform: {platform})")),
            "{shown}"
        );
        assert!(
            err.is_some_and(
                |e| e.kind() == socialkit::ErrorKind::Validation && e.detail().is_some()
            )
        );
    }
    // Just at the limit is fine.
    assert!(rules::x().check("x", &"a".repeat(280)).is_ok());
}
