//! `app.bsky.feed.searchPosts` (source: the lexicon
//! <https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/searchPosts.json>).

#[allow(unused_imports)]
use super::*;

/// `app.bsky.feed.searchPosts` over every account's posts (see [`TwinSearch`]).
pub(super) fn search_posts(s: &TwinState, q: &[(String, String)]) -> Answer {
    let Some(query) = param(q, "q").filter(|v| !v.is_empty()) else {
        return Answer::invalid(
            "Invalid app.bsky.feed.searchPosts params: Missing required key \"q\"",
        );
    };
    let limit = match param(q, "limit").map(str::parse::<usize>) {
        None => 25,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(Ok(n)) if n > 100 => {
            return Answer::invalid(&format!(
                "Invalid app.bsky.feed.searchPosts params: integer too big (maximum 100, got {n})"
            ));
        }
        Some(_) => {
            return Answer::invalid(
                "Invalid app.bsky.feed.searchPosts params: limit must be an integer from 1 to 100",
            );
        }
    };
    let time = |name: &str| -> std::result::Result<Option<DateTime<Utc>>, Answer> {
        match param(q, name) {
            None => Ok(None),
            Some(v) => DateTime::parse_from_rfc3339(v)
                .map(|d| Some(d.with_timezone(&Utc)))
                .map_err(|_| Answer::invalid(&format!("Invalid {name}: not a datetime"))),
        }
    };
    let (since, until) = match (time("since"), time("until")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(a), _) | (_, Err(a)) => return a,
    };
    let cursor = match param(q, "cursor") {
        None => None,
        Some(c) => match c
            .split_once("__")
            .and_then(|(m, cid)| Some((m.parse::<i64>().ok()?, cid)))
        {
            Some((m, cid)) => Some((m, cid.to_string())),
            None => return Answer::invalid("Malformed cursor"),
        },
    };
    let full_text = s.options.search == TwinSearch::FullText;
    let lang = param(q, "lang").map(str::to_lowercase);
    let tags: Vec<String> = q
        .iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v.to_lowercase())
        .collect();
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut hits: Vec<(i64, String, String)> = Vec::new(); // (sortAt millis, cid, uri)
    for (did, repo) in &s.repos {
        let handle = s.handle_of(did).to_lowercase();
        for (rkey, r) in repo.get(POST).into_iter().flatten() {
            let text = r.value.get("text").and_then(Value::as_str).unwrap_or("");
            let created = r
                .value
                .get("createdAt")
                .and_then(Value::as_str)
                .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                .map(|d| d.with_timezone(&Utc));
            let sort_at = created.map_or(r.indexed_at, |c| c.min(r.indexed_at));
            let matched = if full_text {
                let lower = text.to_lowercase();
                let text_words: Vec<&str> = lower
                    .split(|c: char| {
                        !(c.is_alphanumeric() || c == '_' || c == '#' || c == '@' || c == '.')
                    })
                    .map(|w| w.trim_end_matches('.'))
                    .filter(|w| !w.is_empty())
                    .collect();
                let post_tags: Vec<String> = text_words
                    .iter()
                    .filter_map(|w| w.strip_prefix('#'))
                    .map(str::to_string)
                    .collect();
                let langs: Vec<String> = r
                    .value
                    .get("langs")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_lowercase)
                            .collect()
                    })
                    .unwrap_or_default();
                words.iter().all(|w| {
                    text_words.contains(&w.as_str())
                        || (!w.starts_with('#')
                            && !w.starts_with('@')
                            && text_words
                                .iter()
                                .any(|t| t.trim_start_matches(['#', '@']) == w))
                }) && tags.iter().all(|t| post_tags.contains(t))
                    && lang.as_ref().is_none_or(|l| {
                        langs
                            .iter()
                            .any(|x| x.split('-').next() == Some(l.as_str()))
                    })
                    && since.is_none_or(|t| created.is_some_and(|c| c >= t))
                    && until.is_none_or(|t| created.is_some_and(|c| c < t))
                    && param(q, "author").is_none_or(|a| a.to_lowercase() == handle || a == did)
            } else {
                text.contains(query)
            };
            if matched {
                hits.push((
                    sort_at.timestamp_millis(),
                    r.cid.clone(),
                    format!("at://{did}/{POST}/{rkey}"),
                ));
            }
        }
    }
    hits.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    let hits: Vec<&(i64, String, String)> = hits
        .iter()
        .filter(|(m, cid, _)| {
            cursor
                .as_ref()
                .is_none_or(|(cm, ccid)| (*m, cid) < (*cm, ccid))
        })
        .collect();
    let more = hits.len() > limit;
    let page: Vec<&&(i64, String, String)> = hits.iter().take(limit).collect();
    let posts: Vec<Value> = page
        .iter()
        .filter_map(|(_, _, uri)| s.post_view(uri))
        .collect();
    let mut out = json!({"posts": posts});
    if more {
        if let Some((m, cid, _)) = page.last() {
            out["cursor"] = Value::String(format!("{m}__{cid}"));
        }
    }
    Answer::ok(out)
}
