//! The cases of the atproto reference client's `rich-text-detection.test.ts`.

use super::*;

/// Splits `text` into segments like the reference's `RichText.segments()`: each segment is
/// its text and, for a facet, the mention's handle or the link's URI (tags give "").
fn segments(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut pos = 0;
    for f in detect_facets(text) {
        if f.byte_start > pos {
            out.push(vec![text[pos..f.byte_start].to_string()]);
        }
        let value = match &f.feature {
            FacetFeature::Mention { handle } => handle.clone(),
            FacetFeature::Link { uri } => uri.clone(),
            FacetFeature::Tag { .. } => String::new(),
        };
        out.push(vec![text[f.byte_start..f.byte_end].to_string(), value]);
        pos = f.byte_end;
    }
    if pos < text.len() {
        out.push(vec![text[pos..].to_string()]);
    }
    out
}

fn seg(parts: &[&[&str]]) -> Vec<Vec<String>> {
    parts
        .iter()
        .map(|p| p.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn mentions_and_links() {
    let m = "handle.com";
    let cases: Vec<(&str, Vec<Vec<String>>)> = vec![
        ("no mention", seg(&[&["no mention"]])),
        (
            "@handle.com middle end",
            seg(&[&["@handle.com", m], &[" middle end"]]),
        ),
        (
            "start @handle.com end",
            seg(&[&["start "], &["@handle.com", m], &[" end"]]),
        ),
        (
            "start middle @handle.com",
            seg(&[&["start middle "], &["@handle.com", m]]),
        ),
        (
            "@handle.com @handle.com @handle.com",
            seg(&[
                &["@handle.com", m],
                &[" "],
                &["@handle.com", m],
                &[" "],
                &["@handle.com", m],
            ]),
        ),
        (
            "@full123-chars.test",
            seg(&[&["@full123-chars.test", "full123-chars.test"]]),
        ),
        ("not@right", seg(&[&["not@right"]])),
        (
            "@handle.com!@#$chars",
            seg(&[&["@handle.com", m], &["!@#$chars"]]),
        ),
        (
            "@handle.com\n@handle.com",
            seg(&[&["@handle.com", m], &["\n"], &["@handle.com", m]]),
        ),
        (
            "parenthetical (@handle.com)",
            seg(&[&["parenthetical ("], &["@handle.com", m], &[")"]]),
        ),
        (
            "👨‍👩‍👧‍👧 @handle.com 👨‍👩‍👧‍👧",
            seg(&[&["👨‍👩‍👧‍👧 "], &["@handle.com", m], &[" 👨‍👩‍👧‍👧"]]),
        ),
        (
            "start https://middle.com end",
            seg(&[
                &["start "],
                &["https://middle.com", "https://middle.com"],
                &[" end"],
            ]),
        ),
        (
            "start https://middle.com/foo/bar end",
            seg(&[
                &["start "],
                &["https://middle.com/foo/bar", "https://middle.com/foo/bar"],
                &[" end"],
            ]),
        ),
        (
            "start https://middle.com/foo/bar?baz=bux end",
            seg(&[
                &["start "],
                &[
                    "https://middle.com/foo/bar?baz=bux",
                    "https://middle.com/foo/bar?baz=bux",
                ],
                &[" end"],
            ]),
        ),
        (
            "start https://middle.com/foo/bar?baz=bux#hash end",
            seg(&[
                &["start "],
                &[
                    "https://middle.com/foo/bar?baz=bux#hash",
                    "https://middle.com/foo/bar?baz=bux#hash",
                ],
                &[" end"],
            ]),
        ),
        (
            "https://start.com/foo/bar?baz=bux#hash middle end",
            seg(&[
                &[
                    "https://start.com/foo/bar?baz=bux#hash",
                    "https://start.com/foo/bar?baz=bux#hash",
                ],
                &[" middle end"],
            ]),
        ),
        (
            "start middle https://end.com/foo/bar?baz=bux#hash",
            seg(&[
                &["start middle "],
                &[
                    "https://end.com/foo/bar?baz=bux#hash",
                    "https://end.com/foo/bar?baz=bux#hash",
                ],
            ]),
        ),
        (
            "https://newline1.com\nhttps://newline2.com",
            seg(&[
                &["https://newline1.com", "https://newline1.com"],
                &["\n"],
                &["https://newline2.com", "https://newline2.com"],
            ]),
        ),
        (
            "👨‍👩‍👧‍👧 https://middle.com 👨‍👩‍👧‍👧",
            seg(&[
                &["👨‍👩‍👧‍👧 "],
                &["https://middle.com", "https://middle.com"],
                &[" 👨‍👩‍👧‍👧"],
            ]),
        ),
        (
            "start middle.com end",
            seg(&[
                &["start "],
                &["middle.com", "https://middle.com"],
                &[" end"],
            ]),
        ),
        (
            "start middle.com/foo/bar end",
            seg(&[
                &["start "],
                &["middle.com/foo/bar", "https://middle.com/foo/bar"],
                &[" end"],
            ]),
        ),
        (
            "start middle.com/foo/bar?baz=bux end",
            seg(&[
                &["start "],
                &[
                    "middle.com/foo/bar?baz=bux",
                    "https://middle.com/foo/bar?baz=bux",
                ],
                &[" end"],
            ]),
        ),
        (
            "start middle.com/foo/bar?baz=bux#hash end",
            seg(&[
                &["start "],
                &[
                    "middle.com/foo/bar?baz=bux#hash",
                    "https://middle.com/foo/bar?baz=bux#hash",
                ],
                &[" end"],
            ]),
        ),
        (
            "start.com/foo/bar?baz=bux#hash middle end",
            seg(&[
                &[
                    "start.com/foo/bar?baz=bux#hash",
                    "https://start.com/foo/bar?baz=bux#hash",
                ],
                &[" middle end"],
            ]),
        ),
        (
            "start middle end.com/foo/bar?baz=bux#hash",
            seg(&[
                &["start middle "],
                &[
                    "end.com/foo/bar?baz=bux#hash",
                    "https://end.com/foo/bar?baz=bux#hash",
                ],
            ]),
        ),
        (
            "newline1.com\nnewline2.com",
            seg(&[
                &["newline1.com", "https://newline1.com"],
                &["\n"],
                &["newline2.com", "https://newline2.com"],
            ]),
        ),
        (
            "a example.com/index.php php link",
            seg(&[
                &["a "],
                &["example.com/index.php", "https://example.com/index.php"],
                &[" php link"],
            ]),
        ),
        (
            "a trailing bsky.app: colon",
            seg(&[
                &["a trailing "],
                &["bsky.app", "https://bsky.app"],
                &[": colon"],
            ]),
        ),
        ("not.. a..url ..here", seg(&[&["not.. a..url ..here"]])),
        ("e.g.", seg(&[&["e.g."]])),
        ("something-cool.jpg", seg(&[&["something-cool.jpg"]])),
        ("website.com.jpg", seg(&[&["website.com.jpg"]])),
        ("e.g./foo", seg(&[&["e.g./foo"]])),
        ("website.com.jpg/foo", seg(&[&["website.com.jpg/foo"]])),
        (
            "Classic article https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/",
            seg(&[
                &["Classic article "],
                &[
                    "https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/",
                    "https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/",
                ],
            ]),
        ),
        (
            "Classic article https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/ ",
            seg(&[
                &["Classic article "],
                &[
                    "https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/",
                    "https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/",
                ],
                &[" "],
            ]),
        ),
        (
            "https://foo.com https://bar.com/whatever https://baz.com",
            seg(&[
                &["https://foo.com", "https://foo.com"],
                &[" "],
                &["https://bar.com/whatever", "https://bar.com/whatever"],
                &[" "],
                &["https://baz.com", "https://baz.com"],
            ]),
        ),
        (
            "punctuation https://foo.com, https://bar.com/whatever; https://baz.com.",
            seg(&[
                &["punctuation "],
                &["https://foo.com", "https://foo.com"],
                &[", "],
                &["https://bar.com/whatever", "https://bar.com/whatever"],
                &["; "],
                &["https://baz.com", "https://baz.com"],
                &["."],
            ]),
        ),
        (
            "parenthentical (https://foo.com)",
            seg(&[
                &["parenthentical ("],
                &["https://foo.com", "https://foo.com"],
                &[")"],
            ]),
        ),
        (
            "except for https://foo.com/thing_(cool)",
            seg(&[
                &["except for "],
                &[
                    "https://foo.com/thing_(cool)",
                    "https://foo.com/thing_(cool)",
                ],
            ]),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(segments(input), expected, "input: {input:?}");
    }
}

/// (input, tags, byte ranges).
type TagCase = (&'static str, Vec<&'static str>, Vec<(usize, usize)>);

/// The reference's "correctly detects tags inline".
#[test]
fn tags_inline() {
    let long64 = "body #thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let long65 = "body #thisisa65characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
    let long64p = "body #thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
    let tag64 = "thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let cases: Vec<TagCase> = vec![
        ("#a", vec!["a"], vec![(0, 2)]),
        ("#a #b", vec!["a", "b"], vec![(0, 2), (3, 5)]),
        ("#1", vec![], vec![]),
        ("#1a", vec!["1a"], vec![(0, 3)]),
        ("#tag", vec!["tag"], vec![(0, 4)]),
        ("body #tag", vec!["tag"], vec![(5, 9)]),
        ("#tag body", vec!["tag"], vec![(0, 4)]),
        ("body #tag body", vec!["tag"], vec![(5, 9)]),
        ("body #1", vec![], vec![]),
        ("body #1a", vec!["1a"], vec![(5, 8)]),
        ("body #a1", vec!["a1"], vec![(5, 8)]),
        ("#", vec![], vec![]),
        ("#?", vec![], vec![]),
        ("text #", vec![], vec![]),
        ("text # text", vec![], vec![]),
        (long64, vec![tag64], vec![(5, 70)]),
        (long65, vec![], vec![]),
        (long64p, vec![tag64], vec![(5, 70)]),
        (
            "its a #double#rainbow",
            vec!["double#rainbow"],
            vec![(6, 21)],
        ),
        ("##hashash", vec!["#hashash"], vec![(0, 9)]),
        ("##", vec![], vec![]),
        ("some #n0n3s@n5e!", vec!["n0n3s@n5e"], vec![(5, 15)]),
        (
            "works #with,punctuation",
            vec!["with,punctuation"],
            vec![(6, 23)],
        ),
        (
            "strips trailing #punctuation, #like. #this!",
            vec!["punctuation", "like", "this"],
            vec![(16, 28), (30, 35), (37, 42)],
        ),
        (
            "strips #multi_trailing___...",
            vec!["multi_trailing"],
            vec![(7, 22)],
        ),
        (
            "works with #🦋 emoji, and #butter🦋fly",
            vec!["🦋", "butter🦋fly"],
            vec![(11, 16), (28, 42)],
        ),
        (
            "#same #same #but #diff",
            vec!["same", "same", "but", "diff"],
            vec![(0, 5), (6, 11), (12, 16), (17, 22)],
        ),
        ("this #️⃣tag should not be a tag", vec![], vec![]),
        ("this ##️⃣tag should be a tag", vec!["#️⃣tag"], vec![(5, 16)]),
        ("this #t\nag should be a tag", vec!["t"], vec![(5, 7)]),
        ("no match (\\u200B): #\u{200b}", vec![], vec![]),
        ("no match (\\u200Ba): #\u{200b}a", vec![], vec![]),
        ("match (a\\u200Bb): #a\u{200b}b", vec!["a"], vec![(18, 20)]),
        ("match (ab\\u200B): #ab\u{200b}", vec!["ab"], vec![(18, 21)]),
        ("no match (\\u20e2tag): #\u{20e2}tag", vec![], vec![]),
        (
            "no match (a\\u20e2b): #a\u{20e2}b",
            vec!["a"],
            vec![(21, 23)],
        ),
        (
            "match full width number sign (tag): ＃tag",
            vec!["tag"],
            vec![(36, 42)],
        ),
        (
            "match full width number sign (tag): ＃#️⃣tag",
            vec!["#️⃣tag"],
            vec![(36, 49)],
        ),
        ("no match 1?: #1?", vec![], vec![]),
    ];
    for (input, tags, ranges) in cases {
        let facets = detect_facets(input);
        let got_tags: Vec<&str> = facets
            .iter()
            .filter_map(|f| match &f.feature {
                FacetFeature::Tag { tag } => Some(tag.as_str()),
                _ => None,
            })
            .collect();
        let got_ranges: Vec<(usize, usize)> =
            facets.iter().map(|f| (f.byte_start, f.byte_end)).collect();
        assert_eq!(got_tags, tags, "tags of {input:?}");
        assert_eq!(got_ranges, ranges, "ranges of {input:?}");
    }
}

#[test]
fn cashtags_inline() {
    let cases: Vec<TagCase> = vec![
        ("$AAPL", vec!["$AAPL"], vec![(0, 5)]),
        ("$aapl", vec!["$AAPL"], vec![(0, 5)]),
        ("$A", vec!["$A"], vec![(0, 2)]),
        ("$a", vec!["$A"], vec![(0, 2)]),
        ("$BTC $ETH", vec!["$BTC", "$ETH"], vec![(0, 4), (5, 9)]),
        ("$100", vec![], vec![]),
        ("$GOOGL", vec!["$GOOGL"], vec![(0, 6)]),
        ("$TOOLONG", vec![], vec![]),
        ("check $LEGO now", vec!["$LEGO"], vec![(6, 11)]),
        ("($GOOG)", vec!["$GOOG"], vec![(1, 6)]),
        ("$AAPL.", vec!["$AAPL"], vec![(0, 5)]),
        (
            "$AAPL, $MSFT!",
            vec!["$AAPL", "$MSFT"],
            vec![(0, 5), (7, 12)],
        ),
        ("no$SPACE", vec![], vec![]),
        ("$", vec![], vec![]),
        ("$ AAPL", vec![], vec![]),
        ("$123ABC", vec![], vec![]),
        ("$ABC12", vec!["$ABC12"], vec![(0, 6)]),
        ("$ABC123", vec![], vec![]),
    ];
    for (input, tags, ranges) in cases {
        let facets = detect_facets(input);
        let cashtags: Vec<&Facet> = facets
            .iter()
            .filter(|f| matches!(&f.feature, FacetFeature::Tag { tag } if tag.starts_with('$')))
            .collect();
        let got_tags: Vec<&str> = cashtags
            .iter()
            .filter_map(|f| match &f.feature {
                FacetFeature::Tag { tag } => Some(tag.as_str()),
                _ => None,
            })
            .collect();
        let got_ranges: Vec<(usize, usize)> = cashtags
            .iter()
            .map(|f| (f.byte_start, f.byte_end))
            .collect();
        assert_eq!(got_tags, tags, "cashtags of {input:?}");
        assert_eq!(got_ranges, ranges, "ranges of {input:?}");
    }
}

#[test]
fn facet_offsets_slice_the_matched_text() {
    let text = "Grüße @jörg.example.com? nein: @anna.bsky.social — schau https://beispiel.de/straße. #Füße ＃日本 $SAP";
    for f in detect_facets(text) {
        let slice = &text[f.byte_start..f.byte_end];
        match &f.feature {
            FacetFeature::Mention { handle } => assert_eq!(slice, format!("@{handle}")),
            FacetFeature::Link { uri } => assert!(uri.ends_with(slice)),
            FacetFeature::Tag { tag } => assert_eq!(
                &slice[slice.chars().next().map_or(1, char::len_utf8)..],
                tag.trim_start_matches('$')
            ),
        }
    }
}
