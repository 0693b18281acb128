//! LinkedIn uploads: Images and Documents (`initializeUpload` → `PUT` the file), Videos
//! (`initializeUpload` → `PUT` each byte range, keeping the `ETag`s → `finalizeUpload`), then
//! polling `GET /rest/{images|documents|videos}/{urn}` until `AVAILABLE`.

use std::time::Duration;

use serde_json::json;

use super::api::{Asset, UploadInit, Wrapped};
use super::errors::LinkedInErrors;
use super::{LinkedIn, PLATFORM, encode};
use crate::http::{Call, Poll, Retry, poll_until};
use crate::model::{Media, MediaKind};
use crate::{Error, ErrorKind, Result};

/// Images in a `multiImage` post.
pub const MAX_IMAGES: usize = 20;
/// Largest image (LinkedIn documents no number for the Images API; this conservative bound was
/// not confirmed by any stored source).
pub const MAX_IMAGE_BYTES: u64 = 36_152_320;
/// Largest video (LinkedIn's help pages say 5 GB; not confirmed in the stored API reference).
pub const MAX_VIDEO_BYTES: u64 = 5 * 1024 * 1024 * 1024;
/// Wait between status checks.
const POLL_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone, Copy)]
enum Api {
    Images,
    Documents,
    Videos,
}

impl Api {
    fn path(self) -> &'static str {
        match self {
            Api::Images => "images",
            Api::Documents => "documents",
            Api::Videos => "videos",
        }
    }
}

impl LinkedIn {
    /// Uploads one file for `owner` and returns its URN once LinkedIn can use it.
    pub(crate) async fn upload(&self, media: &Media, owner: &str) -> Result<String> {
        let bytes = media.read().await.map_err(|e| e.with_platform(PLATFORM))?;
        if bytes.is_empty() {
            return Err(Error::validation("the media file is empty").with_platform(PLATFORM));
        }
        let api = match media.kind {
            MediaKind::Video => Api::Videos,
            MediaKind::Document => Api::Documents,
            _ => Api::Images,
        };
        let mut request = json!({"initializeUploadRequest": {"owner": owner}});
        if let Api::Videos = api {
            request["initializeUploadRequest"]["fileSizeBytes"] = json!(bytes.len());
            request["initializeUploadRequest"]["uploadCaptions"] = json!(false);
            request["initializeUploadRequest"]["uploadThumbnail"] = json!(false);
        }
        let url = self.endpoint(&format!("rest/{}", api.path()))?;
        let call = Call::post(PLATFORM, "media_upload", url)
            .query([("action", "initializeUpload")])
            .json(&request);
        let response = self.send(call).await?;
        let init: Wrapped<UploadInit> = response.json()?;
        let init = init.value;
        let urn = match api {
            Api::Images => init.image.clone(),
            Api::Documents => init.document.clone(),
            Api::Videos => init.video.clone(),
        }
        .filter(|u| !u.is_empty())
        .ok_or_else(|| response.error(ErrorKind::Unexpected, "linkedin gave no media URN"))?;
        match api {
            Api::Videos => self.put_video(&urn, &init, &bytes).await?,
            _ => {
                let target = init.upload_url.as_deref().ok_or_else(|| {
                    response.error(ErrorKind::Unexpected, "linkedin gave no upload URL")
                })?;
                self.put(target, &media.mime, bytes, true).await?;
            }
        }
        self.wait_available(api, &urn).await?;
        Ok(urn)
    }

    async fn put_video(&self, urn: &str, init: &UploadInit, bytes: &[u8]) -> Result<()> {
        if init.upload_instructions.is_empty() {
            return Err(
                Error::unexpected("linkedin gave no upload instructions for the video")
                    .with_platform(PLATFORM),
            );
        }
        let mut etags = Vec::with_capacity(init.upload_instructions.len());
        for part in &init.upload_instructions {
            let (first, last) = (part.first_byte as usize, part.last_byte as usize);
            let range = bytes.get(first..=last).ok_or_else(|| {
                Error::unexpected("linkedin asked for a byte range outside the video")
                    .with_platform(PLATFORM)
            })?;
            let etag = self
                .put(
                    &part.upload_url,
                    "application/octet-stream",
                    range.to_vec(),
                    false,
                )
                .await?
                .ok_or_else(|| {
                    Error::unexpected("linkedin answered a video part without an ETag")
                        .with_platform(PLATFORM)
                })?;
            etags.push(etag);
        }
        let body = json!({"finalizeUploadRequest": {
            "video": urn,
            "uploadToken": init.upload_token.clone().unwrap_or_default(),
            "uploadedPartIds": etags,
        }});
        let call = Call::post(PLATFORM, "media_upload", self.endpoint("rest/videos")?)
            .query([("action", "finalizeUpload")])
            .json(&body);
        self.send(call).await?;
        Ok(())
    }

    /// PUTs bytes to an upload URL; returns the `ETag`. The token goes along (image and
    /// document uploads want it, per LinkedIn's samples) only to LinkedIn's own hosts or the
    /// configured API host, never to another host an answer names.
    async fn put(
        &self,
        target: &str,
        mime: &str,
        data: Vec<u8>,
        auth: bool,
    ) -> Result<Option<String>> {
        let url = url::Url::parse(target).map_err(|_| {
            Error::unexpected("linkedin gave an invalid upload URL").with_platform(PLATFORM)
        })?;
        let host = url.host_str().unwrap_or_default().to_string();
        let trusted = host == "linkedin.com"
            || host.ends_with(".linkedin.com")
            || Some(host.as_str()) == self.config.base_url.host_str();
        let mut call = Call::put(PLATFORM, "media_upload", url)
            .bytes(mime, data)
            .retry(Retry::Idempotent);
        if auth && trusted {
            let token = self.tokens.access_token().await?;
            call = call.bearer(&token);
        }
        let response = self.client.send(call, &LinkedInErrors).await?;
        Ok(response
            .header("etag")
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty()))
    }

    async fn wait_available(&self, api: Api, urn: &str) -> Result<()> {
        let url = self.endpoint(&format!("rest/{}/{}", api.path(), encode(urn)))?;
        poll_until(
            self.client.clock(),
            self.config.media_timeout,
            PLATFORM,
            "media processing",
            || {
                let url = url.clone();
                async move {
                    let call = Call::get(PLATFORM, "media_status", url);
                    match self.send(call).await {
                        Ok(r) => step(&r.json::<Asset>()?.status),
                        // Member tokens may not read images or documents: use them as uploaded.
                        Err(e)
                            if e.kind() == ErrorKind::PermissionDenied
                                && !matches!(api, Api::Videos) =>
                        {
                            Ok(Poll::Ready(()))
                        }
                        Err(e) => Err(e),
                    }
                }
            },
        )
        .await
    }
}

fn step(status: &str) -> Result<Poll<()>> {
    match status {
        "AVAILABLE" => Ok(Poll::Ready(())),
        "PROCESSING_FAILED" => Err(Error::new(
            ErrorKind::ContentRejected,
            "linkedin could not process the media file",
        )
        .with_platform(PLATFORM)
        .with_operation("media_upload")
        .with_platform_code("PROCESSING_FAILED")),
        // WAITING_UPLOAD, PROCESSING, and anything new.
        _ => Ok(Poll::Wait(POLL_EVERY)),
    }
}
