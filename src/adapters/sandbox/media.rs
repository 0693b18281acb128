//! Media as the sandbox receives it: files are read (paths) and their content is checked
//! against their declared type, as a real platform's upload endpoint does.

use crate::Result;
use crate::model::{Media, MediaSource, Post};
use crate::{Detail, Error};

use super::records::SandboxMedia;

/// Replaces every file given by path with its bytes, so that validation sees sizes. Media
/// given by URL fails: the sandbox is offline and fetches nothing.
pub(crate) async fn load(post: &mut Post) -> Result<bool> {
    let mut loaded = false;
    let media = post
        .media
        .iter_mut()
        .chain(post.thread.iter_mut().flat_map(|p| p.media.iter_mut()));
    for m in media {
        if !matches!(m.source, MediaSource::Bytes(_)) {
            let bytes = m.read().await?;
            m.source = MediaSource::Bytes(bytes);
            loaded = true;
        }
    }
    Ok(loaded)
}

/// The MIME type a file's first bytes show, among the types the sandbox accepts.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 8 && &bytes[4..8] == b"ftyp" {
        Some("video/mp4")
    } else {
        None
    }
}

/// Checks that each file is what its type says and keeps what the sandbox stores of it, per
/// part. Expects [`load`] to have run.
pub(crate) fn store(post: &Post, accepted: &[String]) -> Result<Vec<Vec<SandboxMedia>>> {
    post.parts()
        .iter()
        .map(|part| part.media.iter().map(|m| stored(m, accepted)).collect())
        .collect()
}

fn stored(m: &Media, accepted: &[String]) -> Result<SandboxMedia> {
    let bytes: &[u8] = match &m.source {
        MediaSource::Bytes(b) => b,
        _ => &[],
    };
    let declared = m.mime.trim().to_ascii_lowercase();
    if sniff(bytes) != Some(declared.as_str()) {
        return Err(Error::validation(format!(
            "the media file is not a valid {declared} file: its content does not match its type"
        ))
        .with_platform("sandbox")
        .with_detail(Detail::MediaType {
            mime: m.mime.clone(),
            accepted: accepted.to_vec(),
        }));
    }
    Ok(SandboxMedia {
        kind: m.kind,
        mime: declared,
        bytes: bytes.len() as u64,
        alt: m.alt.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::sandbox::sample_png;

    #[test]
    fn content_must_match_type() {
        let ok = Post::text("x")
            .with_media(Media::image_bytes("image/png", sample_png(2, 2, [1, 2, 3])));
        assert_eq!(store(&ok, &[]).unwrap()[0][0].mime, "image/png");
        let lie = Post::text("x").with_media(Media::image_bytes(
            "image/jpeg",
            sample_png(2, 2, [1, 2, 3]),
        ));
        assert!(
            store(&lie, &[])
                .unwrap_err()
                .to_string()
                .contains("image/jpeg")
        );
        let junk = Post::text("x").with_media(Media::image_bytes("image/png", vec![1, 2, 3]));
        assert!(store(&junk, &[]).is_err());
    }

    #[tokio::test]
    async fn url_media_is_refused() {
        let mut p =
            Post::text("x").with_media(Media::from_url("image/png", "https://example.com/a.png"));
        assert!(load(&mut p).await.is_err());
    }
}
