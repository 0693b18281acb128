//! A Graph request as the twin reads it (parameters from the query, the form body or a
//! multipart body, the token from `access_token` or the `Authorization` header), and the twin's
//! answers (JSON, Graph errors, lists with cursors, field selection).

use std::collections::BTreeMap;

use axum::http::{HeaderMap, Method, StatusCode};
use base64::Engine as _;
use serde_json::{Map, Value, json};

/// One request to the twin.
#[derive(Debug, Clone)]
pub(crate) struct GraphRequest {
    /// The method.
    pub method: Method,
    /// The path segments after the version (`["123", "comments"]`).
    pub segments: Vec<String>,
    /// The version segment, when the path had one.
    pub version: Option<String>,
    /// Every parameter: query string, form body and multipart text fields.
    pub params: BTreeMap<String, String>,
    /// An uploaded file's size and content type, for multipart `source` uploads.
    pub file: Option<(usize, String)>,
    /// The access token, from `access_token` or `Authorization: Bearer|OAuth`.
    pub token: Option<String>,
}

impl GraphRequest {
    pub(crate) fn new(
        method: Method,
        path: &str,
        headers: &HeaderMap,
        params: BTreeMap<String, String>,
        file: Option<(usize, String)>,
    ) -> GraphRequest {
        let mut segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            })
            .collect();
        let version = match segments.first() {
            Some(v) if is_version(v) => Some(segments.remove(0)),
            _ => None,
        };
        let header_token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("OAuth "))
                    .map(str::to_string)
            });
        let token = params.get("access_token").cloned().or(header_token);
        GraphRequest {
            method,
            segments,
            version,
            params,
            file,
            token,
        }
    }

    /// A parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A boolean parameter (`true`/`false`, `1`/`0`).
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.param(name).map(|v| matches!(v, "true" | "1"))
    }

    /// The base names of the `fields` parameter (`reactions.summary(total_count)` →
    /// `reactions`), split at top-level commas.
    pub fn fields(&self) -> Vec<String> {
        split_fields(self.param("fields").unwrap_or(""))
    }

    /// Whether `fields` names `name`.
    pub fn wants(&self, name: &str) -> bool {
        self.fields().iter().any(|f| f == name)
    }

    /// The segments as `&str`.
    pub fn path(&self) -> Vec<&str> {
        self.segments.iter().map(String::as_str).collect()
    }
}

fn is_version(s: &str) -> bool {
    s.strip_prefix('v')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
}

/// Splits a Graph `fields` value at top-level commas and keeps each field's base name.
pub(crate) fn split_fields(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '{' => {
                depth += 1;
                cur.push(c);
            }
            ')' | '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
            }
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|f| {
            f.trim()
                .split(['.', '{', '('])
                .next()
                .unwrap_or("")
                .to_string()
        })
        .filter(|f| !f.is_empty())
        .collect()
}

/// The twin's answer to a request.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub status: StatusCode,
    /// The JSON body.
    pub body: Value,
}

impl Reply {
    /// 200 with `body`.
    pub fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body,
        }
    }

    /// A Graph error: `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`.
    pub fn error(status: u16, code: i64, subcode: Option<i64>, kind: &str, message: &str) -> Reply {
        let mut error = json!({
            "message": message,
            "type": kind,
            "code": code,
            "fbtrace_id": "AtwinTRACE0001",
        });
        if let Some(sub) = subcode {
            error["error_subcode"] = json!(sub);
        }
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            body: json!({ "error": error }),
        }
    }

    /// Graph's answer for an object that does not exist (code 100, subcode 33).
    pub fn no_object(req: &GraphRequest) -> Reply {
        let id = req.segments.first().map(String::as_str).unwrap_or("");
        let verb = match req.method {
            Method::POST => "post",
            Method::DELETE => "delete",
            _ => "get",
        };
        Reply::error(
            400,
            100,
            Some(33),
            "GraphMethodException",
            &format!(
                "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
            ),
        )
    }

    /// Graph's answer for a missing or invalid parameter (code 100).
    pub fn invalid(message: &str) -> Reply {
        Reply::error(400, 100, None, "OAuthException", message)
    }
}

/// Keeps only `id` and the requested fields of `obj` (all of them when `fields` is empty).
pub(crate) fn select(obj: Value, req: &GraphRequest) -> Value {
    let fields = req.fields();
    if fields.is_empty() {
        return obj;
    }
    match obj {
        Value::Object(map) => {
            let kept: Map<String, Value> = map
                .into_iter()
                .filter(|(k, _)| k == "id" || fields.iter().any(|f| f == k))
                .collect();
            Value::Object(kept)
        }
        other => other,
    }
}

/// A page of `items` with Graph cursors: `limit` (default 25, at most 100) and `after`.
pub(crate) fn paged(items: Vec<Value>, req: &GraphRequest) -> Value {
    let limit = req
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let start = req
        .param("after")
        .and_then(decode_cursor)
        .unwrap_or(0)
        .min(items.len());
    let end = (start + limit).min(items.len());
    let data: Vec<Value> = items[start..end].to_vec();
    let mut paging = json!({
        "cursors": { "before": encode_cursor(start), "after": encode_cursor(end) }
    });
    if end < items.len() {
        paging["next"] = json!(format!(
            "https://graph.twin.invalid/next?after={}",
            encode_cursor(end)
        ));
    }
    if data.is_empty() {
        return json!({ "data": [] });
    }
    json!({ "data": data, "paging": paging })
}

fn encode_cursor(i: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("twin:{i}"))
}

fn decode_cursor(s: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("twin:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_at_top_level() {
        assert_eq!(
            split_fields(
                "id,reactions.summary(total_count),comments.limit(0).summary(true),from{id,name},shares"
            ),
            ["id", "reactions", "comments", "from", "shares"]
        );
        assert!(split_fields("").is_empty());
    }

    #[test]
    fn paging_walks_with_cursors() {
        let items: Vec<Value> = (0..5).map(|i| json!({ "id": i.to_string() })).collect();
        let mut params = BTreeMap::new();
        params.insert("limit".to_string(), "2".to_string());
        let req = GraphRequest::new(
            Method::GET,
            "/v1.0/x/y",
            &HeaderMap::new(),
            params.clone(),
            None,
        );
        assert_eq!(req.version.as_deref(), Some("v1.0"));
        assert_eq!(req.segments, ["x", "y"]);
        let p = paged(items.clone(), &req);
        assert_eq!(p["data"].as_array().unwrap().len(), 2);
        let after = p["paging"]["cursors"]["after"]
            .as_str()
            .unwrap()
            .to_string();
        params.insert("after".into(), after);
        params.insert("limit".into(), "10".into());
        let req = GraphRequest::new(Method::GET, "/x/y", &HeaderMap::new(), params, None);
        let p = paged(items, &req);
        assert_eq!(p["data"].as_array().unwrap().len(), 3);
        assert!(p["paging"].get("next").is_none());
    }
}
