//! `GET /2/tweets/search/recent` in the twin: X's query operators over every user's posts of
//! the last 7 days, its time bounds and their errors, and paging newest first.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::request::Parts;
use axum::response::Response;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::json;

use super::routes::{answer, gate, query};
use super::state::{Answer, Problem, State as TwinState};
use super::{Shared, TwinTweet};

const PROBLEMS: &str = "https://api.x.com/2/problems/";
const MAX_QUERY_CHARS: usize = 512;

/// X's 400 for invalid parameters: the problem with an `errors[]` entry per parameter.
fn invalid_param(name: &str, value: &str, message: &str) -> Problem {
    Problem {
        status: 400,
        body: json!({
            "errors": [{"parameters": {name: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": format!("{PROBLEMS}invalid-request"),
        }),
    }
}

/// X prints times in these errors to the minute (`2025-01-17T09:13Z`).
fn minute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%MZ").to_string()
}

/// One node of a parsed query.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// A keyword or quoted phrase: a run of tokens.
    Words(Vec<String>),
    Hashtag(String),
    Mention(String),
    From(String),
    Lang(String),
    Is(String),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// Lower-case word tokens: runs of letters, digits and `_` (X splits on punctuation and
/// symbols).
fn tokens(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// `#tag` or `@name` entities of a text, lower-case, without the sign.
fn entities(text: &str, sign: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(sign) {
        let after = &rest[i + sign.len_utf8()..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if end > 0 {
            out.push(after[..end].to_lowercase());
        }
        rest = &after[end..];
    }
    out
}

struct Parser<'a> {
    lexemes: Vec<&'a str>,
    pos: usize,
}

/// Splits a query into lexemes: `(`, `)`, quoted phrases (with an optional leading `-`), and
/// other runs without spaces.
fn lex(q: &str) -> std::result::Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let bytes = q.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'(' || c == b')' {
            out.push(&q[i..i + 1]);
            i += 1;
        } else if c == b'"' || (c == b'-' && bytes.get(i + 1) == Some(&b'"')) {
            let open = if c == b'-' { i + 1 } else { i };
            let close = q[open + 1..]
                .find('"')
                .map(|n| open + 1 + n)
                .ok_or("an unmatched quote")?;
            out.push(&q[i..=close]);
            i = close + 1;
        } else {
            let start = i;
            while i < bytes.len()
                && !bytes[i].is_ascii_whitespace()
                && bytes[i] != b'('
                && bytes[i] != b')'
            {
                i += 1;
            }
            out.push(&q[start..i]);
        }
    }
    Ok(out)
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.lexemes.get(self.pos).copied()
    }

    fn or(&mut self) -> std::result::Result<Node, String> {
        let mut alternatives = vec![self.and()?];
        while self.peek() == Some("OR") {
            self.pos += 1;
            alternatives.push(self.and()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Node::Or(alternatives)
        })
    }

    fn and(&mut self) -> std::result::Result<Node, String> {
        let mut all = Vec::new();
        while let Some(l) = self.peek() {
            if l == "OR" || l == ")" {
                break;
            }
            all.push(self.unary()?);
        }
        match all.len() {
            0 => Err("an empty group or a dangling OR".into()),
            1 => Ok(all.remove(0)),
            _ => Ok(Node::And(all)),
        }
    }

    fn unary(&mut self) -> std::result::Result<Node, String> {
        let Some(l) = self.peek() else {
            return Err("an unexpected end".into());
        };
        self.pos += 1;
        if l == "(" {
            let inner = self.or()?;
            if self.peek() != Some(")") {
                return Err("an unmatched parenthesis".into());
            }
            self.pos += 1;
            return Ok(inner);
        }
        if l == "-(" || l == "-" {
            return Err("a negated group (negate each operator instead)".into());
        }
        if let Some(rest) = l.strip_prefix('-') {
            return Ok(Node::Not(Box::new(atom(rest)?)));
        }
        atom(l)
    }
}

fn atom(l: &str) -> std::result::Result<Node, String> {
    if let Some(phrase) = l.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        let t = tokens(phrase);
        return if t.is_empty() {
            Err("an empty phrase".into())
        } else {
            Ok(Node::Words(t))
        };
    }
    if let Some(tag) = l.strip_prefix('#') {
        return Ok(Node::Hashtag(tag.to_lowercase()));
    }
    if let Some(name) = l.strip_prefix('@') {
        return Ok(Node::Mention(name.to_lowercase()));
    }
    if let Some((op, value)) = l.split_once(':') {
        return match op {
            "from" => Ok(Node::From(value.to_lowercase())),
            "lang" => Ok(Node::Lang(value.to_lowercase())),
            "is" if matches!(value, "retweet" | "reply" | "quote" | "verified") => {
                Ok(Node::Is(value.to_string()))
            }
            _ => Err(format!("Reference to invalid operator '{op}'")),
        };
    }
    let t = tokens(l);
    if t.is_empty() {
        return Err(format!("a keyword without letters or digits: {l}"));
    }
    Ok(Node::Words(t))
}

/// Whether the query has a standalone operator outside a negation (X refuses queries made
/// only of conjunction-required operators such as `lang:` or `is:`).
fn has_standalone(n: &Node) -> bool {
    match n {
        Node::Words(_) | Node::Hashtag(_) | Node::Mention(_) | Node::From(_) => true,
        Node::Lang(_) | Node::Is(_) | Node::Not(_) => false,
        Node::And(all) => all.iter().any(has_standalone),
        Node::Or(all) => all.iter().all(has_standalone),
    }
}

/// Parses a search query.
fn parse(q: &str) -> std::result::Result<Node, String> {
    let lexemes = lex(q)?;
    let mut p = Parser { lexemes, pos: 0 };
    let node = p.or()?;
    if p.pos != p.lexemes.len() {
        return Err("an unmatched parenthesis".into());
    }
    if !has_standalone(&node) {
        return Err("the query needs at least one standalone operator (a keyword, phrase, #hashtag, @mention or from:)".into());
    }
    Ok(node)
}

fn matches(n: &Node, t: &TwinTweet, g: &TwinState) -> bool {
    match n {
        Node::Words(words) => {
            let text = tokens(&t.text);
            text.windows(words.len()).any(|w| w == words.as_slice())
        }
        Node::Hashtag(tag) => entities(&t.text, '#').contains(tag),
        Node::Mention(name) => entities(&t.text, '@').contains(name),
        Node::From(name) => g
            .user(&t.author_id)
            .is_some_and(|u| u.username.to_lowercase() == *name || u.id == *name),
        Node::Lang(l) => t.lang.to_lowercase() == *l,
        Node::Is(what) => match what.as_str() {
            "reply" => t.reply_to.is_some(),
            "quote" => t.quote_of.is_some(),
            // The twin has no reposts and no verified users.
            _ => false,
        },
        Node::Not(inner) => !matches(inner, t, g),
        Node::And(all) => all.iter().all(|x| matches(x, t, g)),
        Node::Or(all) => all.iter().any(|x| matches(x, t, g)),
    }
}

fn time(
    q: &BTreeMap<String, String>,
    name: &str,
) -> std::result::Result<Option<DateTime<Utc>>, Problem> {
    match q.get(name) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                invalid_param(
                    name,
                    v,
                    &format!("Invalid '{name}':'{v}'. '{name}' must be a valid RFC 3339 date-time (YYYY-MM-DDTHH:mm:ssZ)"),
                )
            }),
    }
}

impl TwinState {
    /// Recent search as X documents it.
    pub fn search(&self, q: &BTreeMap<String, String>, now: DateTime<Utc>) -> Answer {
        let text = q.get("query").map(String::as_str).unwrap_or_default();
        if text.trim().is_empty() {
            return Err(invalid_param(
                "query",
                text,
                "The `query` query parameter can not be empty",
            ));
        }
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(invalid_param(
                "query",
                text,
                &format!(
                    "There were errors processing your request: Rule length exceeds the max allowed 512 characters (length {chars})"
                ),
            ));
        }
        let node = parse(text).map_err(|e| {
            invalid_param(
                "query",
                text,
                &format!("There were errors processing your request: {e}"),
            )
        })?;
        let max = match q.get("max_results") {
            None => 10,
            Some(m) => match m.parse::<usize>() {
                Ok(n) if (10..=100).contains(&n) => n,
                _ => {
                    return Err(invalid_param(
                        "max_results",
                        m,
                        &format!(
                            "The `max_results` query parameter value [{m}] is not between 10 and 100"
                        ),
                    ));
                }
            },
        };
        // The window starts 7 days ago, to the minute.
        let window = (now - Duration::days(7))
            .duration_trunc(Duration::minutes(1))
            .unwrap_or(now - Duration::days(7));
        let start = time(q, "start_time")?;
        let end = time(q, "end_time")?;
        if let Some(s) = start.filter(|s| *s < window) {
            return Err(invalid_param(
                "start_time",
                &q["start_time"],
                &format!(
                    "Invalid 'start_time':'{}'. 'start_time' must be on or after {}",
                    minute(s),
                    minute(window)
                ),
            ));
        }
        if let Some(e) = end.filter(|e| *e > now - Duration::seconds(10)) {
            return Err(invalid_param(
                "end_time",
                &q["end_time"],
                &format!(
                    "Invalid 'end_time':'{}'. 'end_time' must be a minimum of 10 seconds prior to the request time.",
                    minute(e)
                ),
            ));
        }
        if let (Some(s), Some(e)) = (start, end) {
            if s >= e {
                return Err(invalid_param(
                    "start_time",
                    &q["start_time"],
                    &format!(
                        "Invalid 'start_time':'{}'. 'start_time' must be before 'end_time':'{}'",
                        minute(s),
                        minute(e)
                    ),
                ));
            }
        }
        let from = start.unwrap_or(window).max(window);
        let items: Vec<&TwinTweet> = self
            .tweets
            .iter()
            .filter(|t| !t.deleted)
            .filter(|t| t.created_at >= from && end.is_none_or(|e| t.created_at < e))
            .filter(|t| matches(&node, t, self))
            .collect();
        // Paging as on the other timelines: `next_token` is this endpoint's name for it.
        let mut paging: BTreeMap<String, String> = q
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "start_time" | "end_time" | "query" | "next_token" | "pagination_token"
                )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        paging.insert("max_results".into(), max.to_string());
        if let Some(t) = q.get("next_token").or_else(|| q.get("pagination_token")) {
            paging.insert("pagination_token".into(), t.clone());
        }
        self.page(items, &paging).map_err(|p| {
            if q.contains_key("next_token") {
                invalid_param(
                    "next_token",
                    &q["next_token"],
                    "The `next_token` query parameter value is invalid",
                )
            } else {
                p
            }
        })
    }
}

/// The route.
pub(crate) async fn recent(
    State(s): State<Arc<Shared>>,
    parts: Parts,
    RawQuery(q): RawQuery,
) -> Response {
    let w = match gate(&s, &parts, "GET /2/tweets/search/recent") {
        Ok(w) => w,
        Err(r) => return *r,
    };
    let g = s.lock();
    answer(g.search(&query(q), Utc::now()), &w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_as_x_reads_them() {
        assert_eq!(
            parse("apple OR iphone ipad").unwrap(),
            Node::Or(vec![
                Node::Words(vec!["apple".into()]),
                Node::And(vec![
                    Node::Words(vec!["iphone".into()]),
                    Node::Words(vec!["ipad".into()])
                ])
            ])
        );
        assert_eq!(
            parse("\"Snow Day\" -is:retweet").unwrap(),
            Node::And(vec![
                Node::Words(vec!["snow".into(), "day".into()]),
                Node::Not(Box::new(Node::Is("retweet".into())))
            ])
        );
        assert!(parse("(a OR b) c").is_ok());
        for bad in [
            "has:media",
            "lang:en -is:retweet",
            "(a",
            "a)",
            "\"open",
            "a OR",
            "skiing -(snow OR day)",
            "bogus:op a",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn entities_and_tokens() {
        assert_eq!(entities("Hi @Bob, see #Rust! #", '#'), ["rust"]);
        assert_eq!(entities("Hi @Bob, see #Rust!", '@'), ["bob"]);
        assert_eq!(tokens("Token sk-AB12, ok."), ["token", "sk", "ab12", "ok"]);
    }
}
