//! X's chunked media upload: `POST /2/media/upload/initialize` → `/{id}/append` (multipart
//! `media` + `segment_index`, [`CHUNK_BYTES`] per segment) → `/{id}/finalize` → while
//! `processing_info.state` is `pending` or `in_progress`, `GET /2/media/upload?command=STATUS`
//! after `check_after_secs` → alt text through `POST /2/media/metadata`.

use std::time::Duration;

use serde_json::json;

use super::api::{Envelope, InitUpload, MediaUpload, ProcessingInfo};
use super::{PLATFORM, X};
use crate::http::{Call, Multipart, Part as HttpPart, Poll, Retry, poll_until};
use crate::model::{Media, MediaKind};
use crate::{Error, ErrorKind, Result};

/// Bytes per `append` segment. X asks for segments of at most 5 MB (the server takes up to
/// 8 MB); 4 MiB stays under both readings of "MB".
pub const CHUNK_BYTES: usize = 4 * 1024 * 1024;
/// Segments per upload (`segment_index` is 0–999).
pub const MAX_SEGMENTS: usize = 1000;
/// Largest image.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// Largest GIF.
pub const MAX_GIF_BYTES: u64 = 15 * 1024 * 1024;
/// Largest video (`tweet_video`).
pub const MAX_VIDEO_BYTES: u64 = 512 * 1024 * 1024;

fn category(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Gif => "tweet_gif",
        MediaKind::Video => "tweet_video",
        _ => "tweet_image",
    }
}

impl X {
    /// Uploads one file and returns its media id, ready to attach.
    pub(crate) async fn upload(&self, media: &Media) -> Result<String> {
        let bytes = media.read().await.map_err(|e| e.with_platform(PLATFORM))?;
        if bytes.is_empty() {
            return Err(Error::validation("the media file is empty").with_platform(PLATFORM));
        }
        if bytes.len().div_ceil(CHUNK_BYTES) > MAX_SEGMENTS {
            return Err(Error::validation(format!(
                "the media file is {} bytes, more than x's {MAX_SEGMENTS} upload segments hold",
                bytes.len()
            ))
            .with_platform(PLATFORM));
        }
        let init = InitUpload {
            media_type: media.mime.clone(),
            total_bytes: bytes.len() as u64,
            media_category: category(media.kind).to_string(),
        };
        let call = Call::post(
            PLATFORM,
            "media_upload",
            self.endpoint("2/media/upload/initialize")?,
        )
        .json(&init);
        let id = self.media_data(self.send(call).await?)?.id;
        for (index, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
            let form = Multipart::new()
                .text("segment_index", index.to_string())
                .part(
                    HttpPart::bytes("media", chunk.to_vec())
                        .file_name("media")
                        .mime("application/octet-stream"),
                );
            // Sending a segment again replaces it: safe to retry.
            let call = Call::post(
                PLATFORM,
                "media_upload",
                self.endpoint(&format!("2/media/upload/{id}/append"))?,
            )
            .multipart(form)
            .retry(Retry::Idempotent);
            self.send(call).await?;
        }
        let call = Call::post(
            PLATFORM,
            "media_upload",
            self.endpoint(&format!("2/media/upload/{id}/finalize"))?,
        );
        let finalized = self.media_data(self.send(call).await?)?;
        if let Some(info) = finalized.processing_info {
            self.wait_for_processing(&id, info).await?;
        }
        if let Some(alt) = media.alt.as_deref().filter(|a| !a.trim().is_empty()) {
            let body = json!({"id": id, "metadata": {"alt_text": {"text": alt}}});
            let call = Call::post(
                PLATFORM,
                "media_metadata",
                self.endpoint("2/media/metadata")?,
            )
            .json(&body)
            .retry(Retry::Idempotent);
            self.send(call).await?;
        }
        Ok(id)
    }

    fn media_data(&self, response: crate::http::Response) -> Result<MediaUpload> {
        let env: Envelope<MediaUpload> = response.json()?;
        env.data.filter(|d| !d.id.is_empty()).ok_or_else(|| {
            response.error(
                ErrorKind::Unexpected,
                "x answered the media upload without a media id",
            )
        })
    }

    /// Polls `STATUS` until the media is processed, waiting what X asks between checks.
    async fn wait_for_processing(&self, id: &str, first: ProcessingInfo) -> Result<()> {
        let mut info = Some(first);
        poll_until(
            self.client.clock(),
            self.config.media_timeout,
            PLATFORM,
            "media processing",
            || {
                let known = info.take();
                async move {
                    let info = match known {
                        Some(i) => i,
                        None => self.status(id).await?,
                    };
                    step(&info)
                }
            },
        )
        .await
    }

    async fn status(&self, id: &str) -> Result<ProcessingInfo> {
        let call = Call::get(PLATFORM, "media_status", self.endpoint("2/media/upload")?)
            .query([("command", "STATUS"), ("media_id", id)]);
        let response = self.send(call).await?;
        let data = self.media_data(response)?;
        // No processing_info any more means processing is over.
        Ok(data.processing_info.unwrap_or(ProcessingInfo {
            state: "succeeded".into(),
            check_after_secs: None,
            progress_percent: None,
            error: None,
        }))
    }
}

fn step(info: &ProcessingInfo) -> Result<Poll<()>> {
    match info.state.as_str() {
        "succeeded" => Ok(Poll::Ready(())),
        "failed" => {
            let e = info.error.as_ref();
            let mut err = Error::new(
                ErrorKind::ContentRejected,
                "x could not process the media file",
            )
            .with_platform(PLATFORM)
            .with_operation("media_upload");
            if let Some(name) = e.and_then(|e| e.name.clone()) {
                err = err.with_platform_code(name);
            }
            if let Some(m) = e.and_then(|e| e.message.clone()) {
                err = err.with_platform_message(m);
            }
            Err(err)
        }
        // pending, in_progress, and anything new: wait as asked (at least 1 s).
        _ => Ok(Poll::Wait(Duration::from_secs(
            info.check_after_secs.unwrap_or(1).max(1),
        ))),
    }
}
