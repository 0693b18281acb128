//! `GET /api/v2/search` (statuses, as the configured server finds them) and the hashtag
//! timeline. Sources: <https://docs.joinmastodon.org/methods/search/#v2>,
//! <https://docs.joinmastodon.org/methods/timelines/#tag>; snac's search from `mastoapi.c`
//! (codeberg.org/grunfink/snac2, 2.75).

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::routes::{S, authorized, error, num, ok, query_pairs, status_json};
use super::state::Shared;
use super::{TwinSearch, TwinStatus};

/// The words of a text as the twin's "full-text index" sees them: lower case, split at
/// anything that is not a letter, digit or `_`.
fn index_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The hashtags of a text, lower case, without `#`.
fn hashtags_of(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter_map(|w| w.strip_prefix('#'))
        .map(|t| {
            t.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'))
                .to_lowercase()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether the owner may find `s` by search: public, the owner's own, or mentioning the owner.
fn searchable_by_owner(shared: &Shared, s: &TwinStatus) -> bool {
    let mention = format!("@{}", shared.options.username.to_lowercase());
    !s.deleted
        && (s.visibility == "public"
            || s.account_id == shared.owner_id
            || s.text
                .to_lowercase()
                .split_whitespace()
                .any(|w| w == mention || w.starts_with(&format!("{mention}@"))))
}

fn id_num(s: &TwinStatus) -> u64 {
    s.id.parse().unwrap_or(0)
}

pub(super) async fn search(
    State(shared): S,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let signed_in = match headers.get(header::AUTHORIZATION) {
        None => false,
        Some(_) => {
            auth!(shared, headers);
            true
        }
    };
    let q = query_pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let mode = shared.options.search;
    if mode == TwinSearch::Substring && !signed_in {
        // snac: a bare 401 with an empty HTML body.
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "",
        )
            .into_response();
    }
    let Some(query) = get("q").map(str::trim).filter(|v| !v.is_empty()) else {
        if mode == TwinSearch::Substring {
            return ok(json!({"accounts": [], "statuses": [], "hashtags": []}));
        }
        return error(
            StatusCode::BAD_REQUEST,
            "param is missing or the value is empty: q",
        );
    };
    let offset = num(get("offset")).unwrap_or(0) as usize;
    if offset > 0 && !signed_in && mode == TwinSearch::FullText {
        return error(
            StatusCode::UNAUTHORIZED,
            "Search queries pagination is not supported without authentication",
        );
    }
    let wants_statuses = get("type").is_none_or(|t| t.is_empty() || t == "statuses");
    let g = shared.lock();
    let statuses: Vec<Value> = match mode {
        _ if !wants_statuses => Vec::new(),
        TwinSearch::Disabled => Vec::new(),
        TwinSearch::FullText => {
            let single_special =
                (query.starts_with('#') || query.contains('@')) && !query.contains(' ');
            if !signed_in || single_special {
                Vec::new()
            } else {
                let wanted = index_words(query);
                let limit = num(get("limit")).unwrap_or(20).clamp(1, 40) as usize;
                let max_id = num(get("max_id"));
                let min_id = num(get("min_id"));
                g.statuses
                    .iter()
                    .rev()
                    .filter(|s| searchable_by_owner(&shared, s))
                    .filter(|s| max_id.is_none_or(|m| id_num(s) < m))
                    .filter(|s| min_id.is_none_or(|m| id_num(s) > m))
                    .filter(|s| {
                        let words = index_words(&format!("{} {}", s.spoiler_text, s.text));
                        !wanted.is_empty() && wanted.iter().all(|w| words.contains(w))
                    })
                    .skip(offset)
                    .take(limit)
                    .map(|s| status_json(&shared, &g, s))
                    .collect()
            }
        }
        TwinSearch::Substring => {
            if offset > 0 {
                Vec::new()
            } else {
                let needle = query.to_lowercase();
                let owner = shared.owner_id.clone();
                let mention = format!("@{}", shared.options.username.to_lowercase());
                g.statuses
                    .iter()
                    .rev()
                    .filter(|s| !s.deleted)
                    .filter(|s| s.account_id == owner || s.text.to_lowercase().contains(&mention))
                    .filter(|s| s.text.to_lowercase().contains(&needle))
                    .map(|s| status_json(&shared, &g, s))
                    .collect()
            }
        }
    };
    ok(json!({"accounts": [], "statuses": statuses, "hashtags": []}))
}

pub(super) async fn tag_timeline(
    State(shared): S,
    headers: HeaderMap,
    Path(tag): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if headers.get(header::AUTHORIZATION).is_some() {
        auth!(shared, headers);
    }
    let q = query_pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let list = |k: &str| -> Vec<String> {
        q.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.to_lowercase())
            .collect()
    };
    let tag = tag.to_lowercase();
    let (all, any, none) = (list("all[]"), list("any[]"), list("none[]"));
    let limit = num(get("limit")).unwrap_or(20).clamp(1, 40) as usize;
    let max_id = num(get("max_id"));
    let since_id = num(get("since_id"));
    let min_id = num(get("min_id"));
    let g = shared.lock();
    let matching: Vec<&TwinStatus> = g
        .statuses
        .iter()
        .filter(|s| !s.deleted && s.visibility == "public")
        .filter(|s| {
            let tags = hashtags_of(&s.text);
            (tags.contains(&tag) || any.iter().any(|t| tags.contains(t)))
                && all.iter().all(|t| tags.contains(t))
                && !none.iter().any(|t| tags.contains(t))
        })
        .filter(|s| max_id.is_none_or(|m| id_num(s) < m))
        .filter(|s| since_id.is_none_or(|m| id_num(s) > m))
        .filter(|s| min_id.is_none_or(|m| id_num(s) > m))
        .collect();
    // `matching` is oldest first; min_id pages forward from it, the rest from the newest.
    let mut page: Vec<&TwinStatus> = if min_id.is_some() {
        matching.into_iter().take(limit).collect()
    } else {
        let skip = matching.len().saturating_sub(limit);
        matching.into_iter().skip(skip).collect()
    };
    page.reverse();
    let items: Vec<Value> = page.iter().map(|s| status_json(&shared, &g, s)).collect();
    let mut response = ok(Value::Array(items));
    if let (Some(newest), Some(oldest)) = (page.first(), page.last()) {
        let base = shared.base.as_str().trim_end_matches('/');
        let link = format!(
            "<{base}/api/v1/timelines/tag/{tag}?max_id={}>; rel=\"next\", <{base}/api/v1/timelines/tag/{tag}?min_id={}>; rel=\"prev\"",
            oldest.id, newest.id
        );
        if let Ok(v) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    response
}
