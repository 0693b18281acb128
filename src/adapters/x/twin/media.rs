//! The twin's media upload: initialize, append, finalize, STATUS, metadata — with X's checks.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::TwinMedia;
use super::state::{Answer, Problem, State};

/// The largest segment the server takes (X asks for ≤ 5 MB; the server maximum is 8 MB).
const MAX_SEGMENT: usize = 8 * 1024 * 1024;

impl State {
    pub fn media_init(&mut self, body: &Value) -> Answer {
        let media_type = body.get("media_type").and_then(Value::as_str).unwrap_or("");
        let total = body.get("total_bytes").and_then(Value::as_u64).unwrap_or(0);
        let category = body
            .get("media_category")
            .and_then(Value::as_str)
            .unwrap_or("tweet_image");
        if media_type.is_empty() || total == 0 {
            return Err(Problem::invalid("media_type and total_bytes are required"));
        }
        let limit: u64 = match category {
            "tweet_image" => 5 * 1024 * 1024,
            "tweet_gif" => 15 * 1024 * 1024,
            "tweet_video" | "amplify_video" => 512 * 1024 * 1024,
            _ => {
                return Err(Problem::invalid(
                    "The `media_category` value is not supported",
                ));
            }
        };
        if total > limit {
            return Err(Problem::invalid(
                "File size exceeds the limit for this media_category",
            ));
        }
        let id = self.id();
        let processing = category != "tweet_image";
        self.media.insert(
            id.clone(),
            TwinMedia {
                id: id.clone(),
                media_type: media_type.to_string(),
                category: category.to_string(),
                total_bytes: total,
                segments: BTreeMap::new(),
                finalized: false,
                polls_left: if processing {
                    self.options.media_processing_polls
                } else {
                    0
                },
                fails: processing && self.options.media_processing_fails,
                alt_text: None,
            },
        );
        Ok((
            200,
            json!({"data": {"id": id, "media_key": format!("7_{id}"), "expires_after_secs": 86400}}),
        ))
    }

    pub fn media_append(&mut self, id: &str, index: Option<u32>, bytes: Option<usize>) -> Answer {
        let Some(m) = self.media.get_mut(id) else {
            return Err(Problem::invalid("The media id is not valid"));
        };
        if m.finalized {
            return Err(Problem::invalid("The upload was already finalized"));
        }
        let (Some(index), Some(bytes)) = (index, bytes) else {
            return Err(Problem::invalid("segment_index and media are required"));
        };
        if index > 999 {
            return Err(Problem::invalid("segment_index must be between 0 and 999"));
        }
        if bytes > MAX_SEGMENT {
            return Err(Problem::new(
                413,
                "about:blank",
                "Payload Too Large",
                "The segment is too large",
            ));
        }
        m.segments.insert(index, bytes);
        Ok((200, json!({"data": {"expires_at": 86400}})))
    }

    pub fn media_finalize(&mut self, id: &str) -> Answer {
        let Some(m) = self.media.get_mut(id) else {
            return Err(Problem::invalid("The media id is not valid"));
        };
        let received: u64 = m.segments.values().map(|b| *b as u64).sum();
        let contiguous = m.segments.keys().copied().eq(0..m.segments.len() as u32);
        if received != m.total_bytes || !contiguous {
            return Err(Problem::invalid(
                "Segments do not add up to provided total file size.",
            ));
        }
        m.finalized = true;
        let mut data = json!({
            "id": m.id, "media_key": format!("7_{}", m.id), "size": m.total_bytes,
            "expires_after_secs": 86400
        });
        if m.polls_left > 0 || m.fails {
            data["processing_info"] = json!({"state": "pending", "check_after_secs": 1});
        }
        Ok((200, json!({"data": data})))
    }

    pub fn media_status(&mut self, q: &BTreeMap<String, String>) -> Answer {
        if q.get("command").map(String::as_str) != Some("STATUS") {
            return Err(Problem::invalid(
                "The `command` query parameter must be STATUS",
            ));
        }
        let id = q.get("media_id").cloned().unwrap_or_default();
        let Some(m) = self.media.get_mut(&id) else {
            return Err(Problem::invalid("The media id is not valid"));
        };
        if !m.finalized {
            return Err(Problem::invalid("The upload was not finalized"));
        }
        let info = if m.polls_left > 0 {
            m.polls_left -= 1;
            let progress = if m.polls_left == 0 { 100 } else { 50 };
            if m.polls_left == 0 && !m.fails {
                json!({"state": "succeeded", "progress_percent": progress})
            } else if m.polls_left == 0 {
                json!({"state": "failed", "progress_percent": progress,
                       "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}})
            } else {
                json!({"state": "in_progress", "check_after_secs": 1, "progress_percent": progress})
            }
        } else if m.fails {
            json!({"state": "failed", "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}})
        } else {
            json!({"state": "succeeded", "progress_percent": 100})
        };
        Ok((
            200,
            json!({"data": {"id": m.id, "media_key": format!("7_{}", m.id), "processing_info": info}}),
        ))
    }

    pub fn media_metadata(&mut self, body: &Value) -> Answer {
        let id = body.get("id").and_then(Value::as_str).unwrap_or("");
        let Some(text) = body
            .pointer("/metadata/alt_text/text")
            .and_then(Value::as_str)
        else {
            return Err(Problem::invalid("metadata.alt_text.text is required"));
        };
        if text.chars().count() > 1000 {
            return Err(Problem::invalid("Alt text must be at most 1000 characters"));
        }
        let Some(m) = self.media.get_mut(id) else {
            return Err(Problem::invalid("The media id is not valid"));
        };
        m.alt_text = Some(text.to_string());
        Ok((
            200,
            json!({"data": {"id": id, "associated_metadata": {"alt_text": {"text": text}}}}),
        ))
    }
}
