//! Publishing on Nostr: validation first, then every event of the post is built and signed,
//! then sent part by part (NIP-10 reply chains), and deletion requests (NIP-09).

use url::Url;

use super::event::{Event, KIND_DELETION, KIND_TEXT_NOTE, UnsignedEvent, public_key_hex};
use super::relay::RelayOutcome;
use super::{Nostr, PLATFORM};
use crate::model::{InteractionRef, MediaSource, Part, Post, PostRef, PublishOptions, Published};
use crate::{Error, ErrorKind, Result};

/// The note a new note replies to (NIP-10).
#[derive(Debug, Clone)]
pub(crate) struct Parent {
    pub id: String,
    pub root: String,
    pub pubkey: Option<String>,
    /// Its `created_at`, where known: a reply is dated at least a second later.
    pub created_at: Option<u64>,
}

impl Parent {
    fn of_event(e: &Event, root: Option<&str>) -> Parent {
        Parent {
            id: e.id.clone(),
            root: root.unwrap_or(&e.id).to_string(),
            pubkey: Some(e.pubkey.clone()),
            created_at: Some(e.created_at),
        }
    }
}

fn tag(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// NIP-27 mentions (`nostr:npub1…`) as public keys, in order, without repeats.
fn mentioned_keys(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in text.match_indices("nostr:npub1") {
        let rest = &text[i + "nostr:".len()..];
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if let Some(hex) = public_key_hex(&rest[..end]) {
            if !out.contains(&hex) {
                out.push(hex);
            }
        }
    }
    out
}

/// Hashtags of the text, lowercased (`t` tags).
fn hashtags(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if let Some(tag) = word.strip_prefix('#') {
            let tag: String = tag
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
                .to_lowercase();
            if !tag.is_empty() && !tag.chars().all(|c| c.is_ascii_digit()) && !out.contains(&tag) {
                out.push(tag);
            }
        }
    }
    out
}

/// The content and tags of one part: the text, its link, its media URLs (each with a NIP-92
/// `imeta` tag), NIP-27 `p` tags, `t` tags; NIP-10 `e`/`p` tags when it replies.
pub(crate) fn note_of(part: &Part, parent: Option<&Parent>) -> Result<(String, Vec<Vec<String>>)> {
    // NIP-01 hashes control characters other than these verbatim while JSON libraries (and
    // relays built on them) escape them as \u00XX: the id would differ between them.
    if part
        .text
        .chars()
        .any(|c| (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r' | '\u{8}' | '\u{c}'))
    {
        return Err(Error::validation(
            "the text has control characters other than line breaks and tabs: Nostr implementations hash them differently, so relays might refuse the note",
        )
        .with_platform(PLATFORM));
    }
    let mut content = part.text.clone();
    if let Some(link) = &part.link {
        if !content.contains(link.as_str()) {
            content = format!("{content} {link}").trim().to_string();
        }
    }
    let mut tags: Vec<Vec<String>> = Vec::new();
    for media in &part.media {
        let MediaSource::Url(url) = &media.source else {
            return Err(Error::validation(
                "nostr takes media as public URLs (Media::from_url): upload the file to a media host first",
            )
            .with_platform(PLATFORM));
        };
        let parsed = Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http"))
            .ok_or_else(|| {
                Error::validation("a nostr media URL must be http(s)").with_platform(PLATFORM)
            })?;
        if !content.contains(parsed.as_str()) {
            content = format!("{content}\n{}", parsed.as_str()).trim().to_string();
        }
        let mut imeta = vec!["imeta".to_string(), format!("url {}", parsed.as_str())];
        imeta.push(format!("m {}", media.mime));
        if let Some(alt) = media.alt.as_deref().filter(|a| !a.trim().is_empty()) {
            imeta.push(format!("alt {alt}"));
        }
        if let (Some(w), Some(h)) = (media.width, media.height) {
            imeta.push(format!("dim {w}x{h}"));
        }
        tags.push(imeta);
    }
    let mut p_keys: Vec<String> = Vec::new();
    if let Some(parent) = parent {
        if parent.root == parent.id {
            tags.push(tag(&["e", &parent.id, "", "root"]));
        } else {
            tags.push(tag(&["e", &parent.root, "", "root"]));
            tags.push(tag(&["e", &parent.id, "", "reply"]));
        }
        if let Some(pk) = &parent.pubkey {
            p_keys.push(pk.clone());
        }
    }
    for pk in mentioned_keys(&content) {
        if !p_keys.contains(&pk) {
            p_keys.push(pk);
        }
    }
    for pk in p_keys {
        tags.push(vec!["p".into(), pk]);
    }
    for t in hashtags(&content) {
        tags.push(vec!["t".into(), t]);
    }
    Ok((content, tags))
}

impl Nostr {
    /// `post` arrives resolved and fitted by the adapter base.
    pub(crate) async fn publish_post(
        &self,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let parent = post.reply_to.as_ref().map(|r| Parent {
            id: r.id.clone(),
            root: r.meta("root").unwrap_or(&r.id).to_string(),
            pubkey: r.meta("pubkey").map(str::to_string),
            created_at: r.meta("created_at").and_then(|t| t.parse().ok()),
        });
        self.send_parts(post, parent, opts).await
    }

    pub(crate) async fn reply_to(
        &self,
        to: &InteractionRef,
        post: &Post,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let parent = Parent {
            id: to.id.clone(),
            root: to
                .meta
                .get("root")
                .cloned()
                .unwrap_or_else(|| to.id.clone()),
            pubkey: to.meta.get("pubkey").cloned(),
            created_at: to.meta.get("created_at").and_then(|t| t.parse().ok()),
        };
        if super::event::hex32(&parent.id).is_none() {
            return Err(Error::validation("not a nostr event id").with_platform(PLATFORM));
        }
        self.send_parts(post, Some(parent), opts).await
    }

    /// Builds and signs every part (dated `created_at`, part `i` a second later), then sends
    /// them in order.
    async fn send_parts(
        &self,
        post: &Post,
        parent: Option<Parent>,
        opts: &PublishOptions,
    ) -> Result<Published> {
        let at = opts.created_at.unwrap_or_else(|| self.client.now());
        let parts = post.parts().len() as u64;
        let remembered = opts
            .idempotency_key
            .as_deref()
            .and_then(|k| self.dated_key(k));
        let base = match (opts.created_at, remembered) {
            // The engine's instant: exactly it, so a retry signs the same events.
            (Some(_), _) => u64::try_from(at.timestamp()).unwrap_or(0),
            // A key this adapter dated before: the same second again, the same events.
            (None, Some(second)) => second,
            // Nostr counts seconds: notes published in the same second by this adapter get
            // the following seconds, so "newer" stays newer.
            (None, None) => self.next_second(u64::try_from(at.timestamp()).unwrap_or(0), parts),
        };
        // Never before the note it answers (a deterministic rule: a retry dates alike).
        let base = match parent.as_ref().and_then(|p| p.created_at) {
            Some(p) => base.max(p + 1),
            None => base,
        };
        if let Some(key) = opts.idempotency_key.as_deref() {
            self.date_key(key, base);
        }
        let mut events = Vec::new();
        let mut parent = parent;
        let mut root: Option<String> = parent.as_ref().map(|p| p.root.clone());
        for (i, part) in post.parts().iter().enumerate() {
            let (content, tags) = note_of(part, parent.as_ref())?;
            self.caps().text.check(PLATFORM, &content)?;
            let event = self.sign(UnsignedEvent {
                created_at: base + i as u64,
                kind: KIND_TEXT_NOTE,
                tags,
                content,
            });
            root = root.or(Some(event.id.clone()));
            parent = Some(Parent::of_event(&event, root.as_deref()));
            events.push(event);
        }
        let mut refs: Vec<PostRef> = Vec::new();
        for event in &events {
            match self.send_event(event, "publish").await {
                Ok(outcomes) => {
                    let mut r = self.post_ref(event, &outcomes);
                    if let Some(root) = &root {
                        r = r.with_meta("root", root.clone());
                    }
                    refs.push(r);
                }
                Err(e) if refs.is_empty() => return Err(e),
                Err(e) => {
                    let ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
                    return Err(e
                        .after_thread_parts(
                            "published",
                            &ids,
                            "a retry through the engine signs the same events again, so the parts already out are answered `duplicate:`",
                        )
                        .or_context(PLATFORM, None, "publish"));
                }
            }
        }
        let first = refs
            .first()
            .cloned()
            .ok_or_else(|| Error::validation("the post has no parts").with_platform(PLATFORM))?;
        Ok(Published {
            post: first,
            parts: refs,
            published_at: events.first().map(Event::time).unwrap_or(at),
        })
    }

    /// A NIP-09 deletion request for one of this account's notes. A note no relay has is
    /// `NotFound`.
    pub(crate) async fn delete_note(&self, post: &PostRef) -> Result<()> {
        if super::event::hex32(&post.id).is_none() {
            return Err(Error::validation("not a nostr event id").with_platform(PLATFORM));
        }
        let filter = super::api::Filter::default()
            .ids([post.id.clone()])
            .authors([self.keys.public_hex()]);
        let found = self.query(&[filter], false).await?;
        if found.is_empty() {
            return Err(Error::new(
                ErrorKind::NotFound,
                "no relay has this nostr note (deleted, or never stored)",
            )
            .with_platform(PLATFORM)
            .with_operation("delete"));
        }
        let kind = found[0].kind.to_string();
        let request = self.sign(UnsignedEvent {
            created_at: u64::try_from(self.client.now().timestamp()).unwrap_or(0),
            kind: KIND_DELETION,
            tags: vec![vec!["e".into(), post.id.clone()], vec!["k".into(), kind]],
            content: String::new(),
        });
        let outcomes: Vec<(Url, RelayOutcome)> = self.send_event(&request, "delete").await?;
        drop(outcomes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Media;

    #[test]
    fn notes_carry_mentions_hashtags_media_and_nip10_tags() {
        let bob = super::super::event::Keys::parse(&"33".repeat(32)).unwrap();
        let part = Part {
            text: format!("Hi nostr:{} #Launch day #1", bob.npub()),
            link: Some("https://example.com/x".into()),
            media: vec![
                Media::from_url("image/png", "https://cdn.example/a.png")
                    .with_alt("A red square")
                    .with_size(8, 8),
            ],
        };
        let parent = Parent {
            id: "p".repeat(64),
            root: "r".repeat(64),
            pubkey: Some("ab".repeat(32)),
            created_at: None,
        };
        let (content, tags) = note_of(&part, Some(&parent)).unwrap();
        assert!(
            content.ends_with("https://example.com/x\nhttps://cdn.example/a.png"),
            "{content}"
        );
        assert!(tags.contains(&tag(&["e", &"r".repeat(64), "", "root"])));
        assert!(tags.contains(&tag(&["e", &"p".repeat(64), "", "reply"])));
        assert!(tags.contains(&vec!["p".to_string(), "ab".repeat(32)]));
        assert!(tags.contains(&vec!["p".to_string(), bob.public_hex().to_string()]));
        assert!(tags.contains(&tag(&["t", "launch"])));
        assert!(!tags.iter().any(|t| t == &tag(&["t", "1"])));
        assert!(tags.contains(&tag(&[
            "imeta",
            "url https://cdn.example/a.png",
            "m image/png",
            "alt A red square",
            "dim 8x8"
        ])));
        let bytes = Part {
            media: vec![Media::image_bytes("image/png", vec![1])],
            ..Part::text("x")
        };
        assert_eq!(
            note_of(&bytes, None).unwrap_err().kind(),
            ErrorKind::Validation
        );
    }
}
