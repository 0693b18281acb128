//! Lexicon validation of posts (source: the lexicon
//! <https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json> and the
//! PDS's error wording as observed on the peer kit's reference PDS).

#[allow(unused_imports)]
use super::*;

/// Lexicon validation of an `app.bsky.feed.post` record, with the PDS's wording.
pub(super) fn validate_post(
    record: &Value,
    blobs: &HashMap<String, Blob>,
) -> std::result::Result<(), String> {
    let Some(obj) = record.as_object() else {
        return Err("Record must be an object at $.record".into());
    };
    let Some(text) = obj.get("text") else {
        return Err("Record must have the property \"text\" at $.record".into());
    };
    let Some(text) = text.as_str() else {
        return Err("Record/text must be a string at $.record.text".into());
    };
    if text.len() > 3000 {
        return Err(format!(
            "Record/text must not be longer than 3000 characters at $.record.text (got {})",
            text.len()
        ));
    }
    let graphemes = text.graphemes(true).count();
    if graphemes > 300 {
        return Err(format!(
            "grapheme too big (maximum 300, got {graphemes}) at $.record.text"
        ));
    }
    match obj.get("createdAt").and_then(Value::as_str) {
        None => return Err("Record must have the property \"createdAt\" at $.record".into()),
        Some(c) if DateTime::parse_from_rfc3339(c).is_err() => {
            return Err(
                "Record/createdAt must be an valid atproto datetime at $.record.createdAt".into(),
            );
        }
        _ => {}
    }
    if let Some(langs) = obj.get("langs") {
        let Some(arr) = langs.as_array() else {
            return Err("Record/langs must be an array at $.record.langs".into());
        };
        if arr.len() > 3 {
            return Err("Record/langs must not have more than 3 elements at $.record.langs".into());
        }
    }
    if let Some(facets) = obj.get("facets") {
        let Some(arr) = facets.as_array() else {
            return Err("Record/facets must be an array at $.record.facets".into());
        };
        for (i, f) in arr.iter().enumerate() {
            let start = f.pointer("/index/byteStart").and_then(Value::as_u64);
            let end = f.pointer("/index/byteEnd").and_then(Value::as_u64);
            let (Some(start), Some(end)) = (start, end) else {
                return Err(format!(
                    "Record/facets/{i}/index must have the properties \"byteStart\" and \"byteEnd\""
                ));
            };
            if start > end || end as usize > text.len() {
                return Err(format!(
                    "Record/facets/{i}/index is out of range of the text"
                ));
            }
            let Some(features) = f.get("features").and_then(Value::as_array) else {
                return Err(format!(
                    "Record/facets/{i} must have the property \"features\""
                ));
            };
            for feat in features {
                let ok = match feat.get("$type").and_then(Value::as_str) {
                    Some("app.bsky.richtext.facet#mention") => feat
                        .get("did")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.starts_with("did:")),
                    Some("app.bsky.richtext.facet#link") => feat
                        .get("uri")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.contains(':')),
                    Some("app.bsky.richtext.facet#tag") => feat
                        .get("tag")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.len() <= 640 && t.graphemes(true).count() <= 64),
                    _ => true,
                };
                if !ok {
                    return Err(format!("Record/facets/{i}/features has an invalid feature"));
                }
            }
        }
    }
    if let Some(reply) = obj.get("reply") {
        for part in ["root", "parent"] {
            let uri = reply
                .pointer(&format!("/{part}/uri"))
                .and_then(Value::as_str);
            let cid = reply
                .pointer(&format!("/{part}/cid"))
                .and_then(Value::as_str);
            if uri.and_then(split_at_uri).is_none() || cid.is_none() {
                return Err(format!(
                    "Record/reply/{part} must be a strongRef at $.record.reply.{part}"
                ));
            }
        }
    }
    if let Some(embed) = obj.get("embed") {
        let check_blob =
            |b: &Value, what: &str, accept: &str, max: usize| -> std::result::Result<(), String> {
                let cid = b
                    .pointer("/ref/$link")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let Some(blob) = blobs.get(cid) else {
                    return Err(format!("Could not find blob: {cid} ({what})"));
                };
                if !blob.mime.starts_with(accept) {
                    return Err(format!("{what} has the wrong MIME type ({})", blob.mime));
                }
                if blob.size > max {
                    return Err(format!(
                        "{what} is too big (maximum {max} bytes, got {})",
                        blob.size
                    ));
                }
                Ok(())
            };
        match embed.get("$type").and_then(Value::as_str) {
            Some("app.bsky.embed.images") => {
                let Some(images) = embed.get("images").and_then(Value::as_array) else {
                    return Err(
                        "Record/embed/images must be an array at $.record.embed.images".into(),
                    );
                };
                if images.len() > 4 {
                    return Err("Record/embed/images must not have more than 4 elements at $.record.embed.images".into());
                }
                for (i, img) in images.iter().enumerate() {
                    if img.get("alt").and_then(Value::as_str).is_none() {
                        return Err(format!(
                            "Record/embed/images/{i} must have the property \"alt\""
                        ));
                    }
                    let Some(b) = img.get("image") else {
                        return Err(format!(
                            "Record/embed/images/{i} must have the property \"image\""
                        ));
                    };
                    check_blob(
                        b,
                        &format!("Record/embed/images/{i}/image"),
                        "image/",
                        2_000_000,
                    )?;
                }
            }
            Some("app.bsky.embed.video") => {
                let Some(b) = embed.get("video") else {
                    return Err("Record/embed must have the property \"video\"".into());
                };
                check_blob(b, "Record/embed/video", "video/mp4", 300_000_000)?;
            }
            Some("app.bsky.embed.external") => {
                let ext = embed.get("external");
                for field in ["uri", "title", "description"] {
                    if ext
                        .and_then(|e| e.get(field))
                        .and_then(Value::as_str)
                        .is_none()
                    {
                        return Err(format!(
                            "Record/embed/external must have the property \"{field}\""
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
