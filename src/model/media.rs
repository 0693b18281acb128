use std::path::PathBuf;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What kind of media a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A still image (JPEG, PNG, WebP …).
    Image,
    /// An animated GIF.
    Gif,
    /// A video.
    Video,
    /// Audio.
    Audio,
    /// A document (PDF, for LinkedIn carousels).
    Document,
}

impl MediaKind {
    /// The kind a MIME type belongs to, when it is known.
    ///
    /// ```
    /// use socialkit::model::MediaKind;
    /// assert_eq!(MediaKind::from_mime("image/png"), Some(MediaKind::Image));
    /// assert_eq!(MediaKind::from_mime("image/gif"), Some(MediaKind::Gif));
    /// assert_eq!(MediaKind::from_mime("text/html"), None);
    /// ```
    pub fn from_mime(mime: &str) -> Option<MediaKind> {
        let mime = mime.trim().to_ascii_lowercase();
        if mime == "image/gif" {
            Some(MediaKind::Gif)
        } else if mime.starts_with("image/") {
            Some(MediaKind::Image)
        } else if mime.starts_with("video/") {
            Some(MediaKind::Video)
        } else if mime.starts_with("audio/") {
            Some(MediaKind::Audio)
        } else if mime == "application/pdf" {
            Some(MediaKind::Document)
        } else {
            None
        }
    }
}

/// Where the bytes of a media file come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    /// The bytes themselves (serialized as base64).
    Bytes(#[serde(serialize_with = "ser_b64", deserialize_with = "de_b64")] Vec<u8>),
    /// A file on the local disk, read when it is uploaded.
    Path(PathBuf),
    /// A public URL (Instagram and Threads fetch media from a URL themselves).
    Url(String),
}

fn ser_b64<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn de_b64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(serde::de::Error::custom)
}

/// A media attachment: an image, video, GIF, audio or document, with its alt text.
///
/// ```
/// use socialkit::model::{Media, MediaKind};
/// let m = Media::image_bytes("image/png", vec![0x89, b'P', b'N', b'G']).with_alt("A red anvil");
/// assert_eq!(m.kind, MediaKind::Image);
/// assert_eq!(m.size(), Some(4));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// The kind of media.
    pub kind: MediaKind,
    /// The MIME type (`image/png`).
    pub mime: String,
    /// Where the bytes come from.
    pub source: MediaSource,
    /// Alt text for people who cannot see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    /// Width in pixels, when known (Bluesky uses it for the aspect ratio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl Media {
    /// Media from bytes in memory; the kind follows from the MIME type (image when unknown).
    pub fn from_bytes(mime: impl Into<String>, bytes: Vec<u8>) -> Self {
        let mime = mime.into();
        Media {
            kind: MediaKind::from_mime(&mime).unwrap_or(MediaKind::Image),
            mime,
            source: MediaSource::Bytes(bytes),
            alt: None,
            width: None,
            height: None,
        }
    }

    /// An image from bytes in memory.
    pub fn image_bytes(mime: impl Into<String>, bytes: Vec<u8>) -> Self {
        Media {
            kind: MediaKind::Image,
            ..Media::from_bytes(mime, bytes)
        }
    }

    /// Media from a public URL.
    pub fn from_url(mime: impl Into<String>, url: impl Into<String>) -> Self {
        let mime = mime.into();
        Media {
            kind: MediaKind::from_mime(&mime).unwrap_or(MediaKind::Image),
            mime,
            source: MediaSource::Url(url.into()),
            alt: None,
            width: None,
            height: None,
        }
    }

    /// Media from a file on disk.
    pub fn from_path(mime: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        let mime = mime.into();
        Media {
            kind: MediaKind::from_mime(&mime).unwrap_or(MediaKind::Image),
            mime,
            source: MediaSource::Path(path.into()),
            alt: None,
            width: None,
            height: None,
        }
    }

    /// Sets the alt text.
    pub fn with_alt(mut self, alt: impl Into<String>) -> Self {
        self.alt = Some(alt.into());
        self
    }

    /// Sets the pixel size.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = Some(width);
        self.height = Some(height);
        self
    }

    /// The size in bytes, when it is known without I/O (bytes in memory).
    pub fn size(&self) -> Option<u64> {
        match &self.source {
            MediaSource::Bytes(b) => Some(b.len() as u64),
            _ => None,
        }
    }

    /// Reads the bytes (from memory or disk). URL sources are not fetched: they return a
    /// [`ConfigInvalid`](crate::ErrorKind::ConfigInvalid) error, since only platforms that pull
    /// from URLs accept them.
    pub async fn read(&self) -> crate::Result<Vec<u8>> {
        match &self.source {
            MediaSource::Bytes(b) => Ok(b.clone()),
            MediaSource::Path(p) => tokio::fs::read(p).await.map_err(|e| {
                crate::Error::validation(format!("cannot read media file {}", p.display()))
                    .with_source(e)
            }),
            MediaSource::Url(_) => Err(crate::Error::config(
                "media given by URL cannot be uploaded by this platform; give bytes or a path",
            )),
        }
    }
}
