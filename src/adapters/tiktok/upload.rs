//! TikTok's chunk rules for `FILE_UPLOAD`, from the Media Transfer Guide
//! (<https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide>, "Chunk
//! restrictions"):
//!
//! - `total_chunk_count` is `video_size / chunk_size` rounded **down**;
//! - every chunk is at least 5 MB and at most 64 MB, except the last, which takes the
//!   trailing bytes and may reach 128 MB;
//! - a video under 5 MB goes whole (`chunk_size == video_size`); one over 64 MB must be
//!   chunked;
//! - 1 to 1000 chunks, uploaded in order, each a `PUT` to the `upload_url` with
//!   `Content-Range: bytes FIRST-LAST/TOTAL` (201 after the last chunk, 206 before).
//!
//! The guide writes "MB"; socialkit reads it as MiB (1,048,576 bytes), the reading of the
//! `tiktok-api` crate's `media_transfer.rs` — unverified against a live upload.
//!
//! ```
//! use socialkit::adapters::tiktok::upload::{ChunkPlan, MIB};
//! let p = ChunkPlan::new(23 * MIB, 10 * MIB).unwrap();
//! assert_eq!((p.chunk_size, p.total_chunk_count), (10 * MIB, 2));
//! // The last chunk takes the remainder: 10 MiB, then 13 MiB.
//! assert_eq!(p.ranges().collect::<Vec<_>>(), vec![(0, 10 * MIB), (10 * MIB, 23 * MIB)]);
//! // Under 5 MiB: one whole chunk.
//! assert_eq!(ChunkPlan::new(1000, 10 * MIB).unwrap().total_chunk_count, 1);
//! ```

use super::PLATFORM;
use crate::{Error, Result};

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;
/// Smallest chunk (but a video under it goes whole).
pub const MIN_CHUNK: u64 = 5 * MIB;
/// Largest chunk but the last.
pub const MAX_CHUNK: u64 = 64 * MIB;
/// Largest last chunk.
pub const MAX_LAST_CHUNK: u64 = 128 * MIB;
/// Most chunks.
pub const MAX_CHUNKS: u64 = 1000;
/// socialkit's default chunk.
pub const DEFAULT_CHUNK: u64 = 10 * MIB;
/// Largest video TikTok takes: 4 GB (Content Posting API → Media Transfer Guide, video
/// restrictions).
pub const MAX_VIDEO_BYTES: u64 = 4 * 1024 * MIB;

/// The `source_info` numbers for one file upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlan {
    /// `video_size`.
    pub video_size: u64,
    /// `chunk_size`.
    pub chunk_size: u64,
    /// `total_chunk_count`.
    pub total_chunk_count: u64,
}

impl ChunkPlan {
    /// The plan for a video of `video_size` bytes in chunks of about `preferred` (clamped to
    /// 5–64 MiB, and grown when 1000 chunks would not hold the video). An empty or too large
    /// video is a `Validation` error.
    pub fn new(video_size: u64, preferred: u64) -> Result<ChunkPlan> {
        if video_size == 0 {
            return Err(Error::validation("tiktok: the video is empty").with_platform(PLATFORM));
        }
        if video_size > MAX_VIDEO_BYTES {
            return Err(Error::validation(format!(
                "tiktok: the video has {video_size} bytes; TikTok takes at most {MAX_VIDEO_BYTES}"
            ))
            .with_platform(PLATFORM));
        }
        let mut chunk = preferred.clamp(MIN_CHUNK, MAX_CHUNK);
        if video_size.div_ceil(chunk) > MAX_CHUNKS {
            chunk = video_size.div_ceil(MAX_CHUNKS);
        }
        if video_size < MIN_CHUNK || video_size <= chunk {
            return Ok(ChunkPlan {
                video_size,
                chunk_size: video_size,
                total_chunk_count: 1,
            });
        }
        Ok(ChunkPlan {
            video_size,
            chunk_size: chunk,
            total_chunk_count: video_size / chunk,
        })
    }

    /// Every chunk as `(start, end)` (end exclusive), in upload order; the last one runs to
    /// the end of the video.
    pub fn ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..self.total_chunk_count).map(move |i| {
            let start = i * self.chunk_size;
            let end = if i + 1 == self.total_chunk_count {
                self.video_size
            } else {
                start + self.chunk_size
            };
            (start, end)
        })
    }

    /// The `Content-Range` header of a chunk.
    ///
    /// ```
    /// use socialkit::adapters::tiktok::upload::ChunkPlan;
    /// let p = ChunkPlan::new(1000, 0).unwrap();
    /// assert_eq!(p.content_range(0, 1000), "bytes 0-999/1000");
    /// ```
    pub fn content_range(&self, start: u64, end: u64) -> String {
        format!("bytes {start}-{}/{}", end - 1, self.video_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_plan_follows_the_rules(size in 1u64..=MAX_VIDEO_BYTES, pref in 0u64..200 * MIB) {
            let p = ChunkPlan::new(size, pref).unwrap();
            let ranges: Vec<_> = p.ranges().collect();
            prop_assert_eq!(ranges.len() as u64, p.total_chunk_count);
            prop_assert!((1..=MAX_CHUNKS).contains(&p.total_chunk_count));
            prop_assert_eq!(p.total_chunk_count, size / p.chunk_size);
            prop_assert_eq!(ranges[0].0, 0);
            prop_assert_eq!(ranges.last().unwrap().1, size);
            for w in ranges.windows(2) {
                prop_assert_eq!(w[0].1, w[1].0);
            }
            if size < MIN_CHUNK {
                prop_assert_eq!(p.chunk_size, size);
            }
            for (i, (s, e)) in ranges.iter().enumerate() {
                let len = e - s;
                if i + 1 < ranges.len() {
                    prop_assert!((MIN_CHUNK..=MAX_CHUNK).contains(&len));
                } else {
                    prop_assert!(len <= MAX_LAST_CHUNK);
                }
            }
        }
    }

    #[test]
    fn empty_and_huge_videos_are_refused() {
        assert!(ChunkPlan::new(0, DEFAULT_CHUNK).is_err());
        assert!(ChunkPlan::new(MAX_VIDEO_BYTES + 1, DEFAULT_CHUNK).is_err());
    }
}
