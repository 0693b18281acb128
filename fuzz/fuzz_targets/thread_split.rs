//! Thread splitting on any text, rule, limit and numbering: never panics; every part fits the
//! rule; without numbering the parts give back the text up to whitespace.
#![no_main]
use libfuzzer_sys::fuzz_target;
use socialkit::text::{Numbering, SplitOptions, rules, split_thread};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (head, rest) = data.split_at(3);
    let text = String::from_utf8_lossy(rest);
    let mut rule = match head[0] % 5 {
        0 => rules::x(),
        1 => rules::bluesky(),
        2 => rules::mastodon(500, 23),
        3 => rules::threads(),
        _ => rules::linkedin(),
    };
    if head[1] & 1 == 1 {
        rule.max = 8 + usize::from(head[1] >> 1);
    }
    let numbering = match head[2] % 3 {
        0 => Numbering::None,
        1 => Numbering::Suffix,
        _ => Numbering::Prefix,
    };
    let opts = SplitOptions {
        numbering,
        max_parts: (head[2] & 0x80 != 0).then_some(usize::from(head[2] & 0x3f)),
    };
    if let Ok(parts) = split_thread(&text, &rule, &opts) {
        assert!(!parts.is_empty());
        for p in &parts {
            assert!(rule.fits(p), "part {p:?} does not fit {rule:?}");
        }
        if numbering == Numbering::None {
            let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            assert_eq!(
                squeeze(&parts.concat()),
                squeeze(&text),
                "the parts do not give back the text"
            );
        }
    }
});
