//! Plain text from the HTML Mastodon puts in a status's `content` and an account's `note`.
//!
//! Mastodon emits a small, fixed set of tags: `<p>` for paragraphs, `<br>` for line breaks,
//! `<a>` for links, mentions and hashtags, and `<span>` inside them (`h-card` around a mention,
//! `invisible`/`ellipsis` around the parts of a shortened URL). Servers that render Markdown
//! (glitch-soc, Akkoma, Mastodon 4.x for remote posts) add `<b>`, `<i>`, `<code>`, `<pre>`,
//! `<blockquote>`, `<ul>`/`<ol>`/`<li>` and headings. The conversion:
//!
//! - drops every tag and keeps its text, so a shortened link is the whole URL again;
//! - turns `<br>` into a line break and block ends (`</p>`, `</li>`, `</blockquote>`,
//!   headings, `</pre>`) into paragraph breaks, with no trailing or repeated blank lines;
//! - decodes character references: the named ones HTML servers emit (`&amp;` `&lt;` `&gt;`
//!   `&quot;` `&apos;` `&nbsp;` and a few more) and every numeric one (`&#39;`, `&#x1F600;`);
//!   an `&` that starts no known reference stays as it is (snac sends raw `&`);
//! - drops the content of `<script>` and `<style>` (never emitted, but never shown either).

/// Converts Mastodon status HTML to plain text. Never panics, whatever the input.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    while !rest.is_empty() {
        if let Some(end_tag) = skip_until {
            match find_ascii_ci(rest, end_tag) {
                Some(pos) => {
                    rest = &rest[pos..];
                    skip_until = None;
                }
                None => break,
            }
            continue;
        }
        let Some(lt) = rest.find('<') else {
            decode_into(rest, &mut out);
            break;
        };
        decode_into(&rest[..lt], &mut out);
        rest = &rest[lt..];
        // A comment.
        if rest.starts_with("<!--") {
            rest = match rest.find("-->") {
                Some(p) => &rest[p + 3..],
                None => "",
            };
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            // A lone '<' that opens no tag: it is text.
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let (closing, name) = tag_name(tag);
        if name.is_empty() {
            // "< " or "<>" is text.
            out.push('<');
            out.push_str(tag);
            out.push('>');
            continue;
        }
        match name.as_str() {
            "br" => out.push('\n'),
            "p" | "div" | "blockquote" | "pre" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5"
            | "h6" => paragraph_break(&mut out),
            "li" => line_break(&mut out),
            "script" if !closing => skip_until = Some("</script"),
            "style" if !closing => skip_until = Some("</style"),
            _ => {}
        }
    }
    tidy(&out)
}

/// The index of the `>` that ends the tag starting at `s[0] == '<'`, honouring quoted
/// attribute values; `None` when `s` does not start a tag.
fn tag_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    match bytes.get(1) {
        Some(b) if b.is_ascii_alphabetic() || *b == b'/' || *b == b'!' => {}
        _ => return None,
    }
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i),
            None => {}
        }
    }
    None
}

/// Whether the tag is a closing one, and its lowercase name.
fn tag_name(tag: &str) -> (bool, String) {
    let (closing, t) = match tag.strip_prefix('/') {
        Some(t) => (true, t),
        None => (false, tag),
    };
    let name: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (closing, name)
}

fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    if n.len() > h.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn line_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn paragraph_break(out: &mut String) {
    if out.is_empty() {
        return;
    }
    while !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// Trims trailing spaces of lines, collapses runs of more than one blank line and trims the
/// whole text.
fn tidy(s: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    let mut blank = 0;
    for line in s.split('\n') {
        let line = line.trim_end_matches([' ', '\t', '\r']);
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        lines.push(line);
    }
    lines.join("\n").trim_matches('\n').to_string()
}

/// Appends `text` with its character references decoded.
fn decode_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_reference(rest) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Decodes the reference at the start of `s` (which starts with `&`): the text and how many
/// bytes it used.
fn decode_reference(s: &str) -> Option<(String, usize)> {
    let semi = s[1..].find(';').map(|i| i + 1)?;
    if semi > 32 {
        return None;
    }
    let body = &s[1..semi];
    let decoded = if let Some(num) = body.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        let c = char::from_u32(code)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{FFFD}');
        c.to_string()
    } else {
        let c = match body {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            "nbsp" => "\u{a0}",
            "hellip" => "…",
            "mdash" => "—",
            "ndash" => "–",
            "lsquo" => "‘",
            "rsquo" => "’",
            "ldquo" => "“",
            "rdquo" => "”",
            "copy" => "©",
            "reg" => "®",
            "trade" => "™",
            "euro" => "€",
            "shy" => "\u{ad}",
            "zwj" => "\u{200d}",
            "zwnj" => "\u{200c}",
            _ => return None,
        };
        c.to_string()
    };
    Some((decoded, semi + 1))
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn paragraphs_and_breaks() {
        assert_eq!(
            to_text("<p>one</p><p>two<br>three<br/>four</p>"),
            "one\n\ntwo\nthree\nfour"
        );
        assert_eq!(to_text("<p></p><p>x</p><p></p>"), "x");
    }

    #[test]
    fn entities() {
        assert_eq!(
            to_text("a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x41;"),
            "a & b <c> \"d\" 'e' A"
        );
        assert_eq!(
            to_text("AT&T & co &unknown; &#xZZ; &#99999999;"),
            "AT&T & co &unknown; &#xZZ; \u{FFFD}"
        );
        assert_eq!(to_text("fish &amp;chips"), "fish &chips");
    }

    #[test]
    fn snac_content() {
        let html = r#"<span class="h-card"><a href="http://localhost:8001/alice" class="u-url mention">@alice@localhost:8001</a></span> nice post<br>"#;
        assert_eq!(to_text(html), "@alice@localhost:8001 nice post");
        let html = r#"Hello <b>world</b> & <a href="https://example.com/x" target="_blank">https://example.com/x</a> <a href="http://localhost:8001?t=tag" class="mention hashtag" rel="tag">#tag</a><br>"#;
        assert_eq!(to_text(html), "Hello world & https://example.com/x #tag");
    }

    #[test]
    fn attributes_with_gt_and_broken_markup() {
        assert_eq!(to_text(r#"<a href="x>y" title='a>b'>link</a>"#), "link");
        assert_eq!(to_text("1 < 2 and 3 > 2"), "1 < 2 and 3 > 2");
        assert_eq!(to_text("<p>unclosed <a href=\"x"), "unclosed <a href=\"x");
        assert_eq!(to_text("<>"), "<>");
        assert_eq!(to_text("<script>alert(1)</script>ok"), "ok");
        assert_eq!(to_text("<!-- c -->ok"), "ok");
        assert_eq!(to_text("é<br>ü"), "é\nü");
    }

    #[test]
    fn lists_and_quotes() {
        assert_eq!(
            to_text("<p>Intro</p><ul><li>a</li><li>b</li></ul><blockquote><p>q</p></blockquote>"),
            "Intro\n\na\nb\n\nq"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,200}") {
            let _ = to_text(&s);
        }

        #[test]
        fn plain_text_without_markup_is_kept(s in "[a-zA-Z0-9 ,.!?]{0,80}") {
            proptest::prop_assert_eq!(to_text(&s), s.trim_end().trim_matches('\n').to_string());
        }
    }
}

/// The examples that were this module's doctests before its items became crate-private.
#[cfg(test)]
mod doc_examples {
    #[test]
    fn module() {
        use crate::adapters::mastodon::html::to_text;
        let html = r#"<p>Hi <span class="h-card"><a href="https://m.example/@ann" class="u-url mention">@<span>ann</span></a></span> &amp; welcome!</p><p>See <a href="https://example.com/a/very/long/path"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very</span><span class="invisible">/long/path</span></a><br>Bye &#x1F44B;</p>"#;
        assert_eq!(
            to_text(html),
            "Hi @ann & welcome!\n\nSee https://example.com/a/very/long/path\nBye 👋"
        );
    }
}
