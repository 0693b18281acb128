//! Listening queries: keywords, `"phrases"`, `#hashtags`, `@mentions`, `prefix*`, combined
//! with `AND`, `OR`, `NOT` (or `-`) and parentheses, matched against interactions.
//!
//! Matching is case-insensitive and Unicode-aware (NFC, full lower-casing, Unicode word
//! boundaries), on whole words: `ship` does not match `shipping` (`ship*` does). A keyword also
//! matches inside a hashtag or mention (`acme` finds `#acme` and `@acme`); `#acme` matches only
//! the hashtag and `@acme` only the mention (on any server, or `@acme@mastodon.social` for one).
//! Two terms side by side mean `AND`; `AND` binds tighter than `OR`; operators are upper case.
//!
//! ```
//! use socialkit::listen::query::Query;
//! let q: Query = r#"("free shipping" OR #acme) AND NOT job*"#.parse().unwrap();
//! assert!(q.matches_text("Free shipping this week at ACME!"));
//! assert!(q.matches_text("love my new #Acme anvil"));
//! assert!(!q.matches_text("#acme jobs: we are hiring"));
//!
//! let e = "acme AND (shipping".parse::<Query>().unwrap_err();
//! assert_eq!(e.kind(), socialkit::ErrorKind::Validation);
//! assert!(e.to_string().contains("column 10"), "{e}");
//! ```

mod parse;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A text prepared for matching; it lives in [`crate::text::search`], which platform searches
/// share, so a search and a listening query agree on what a word is.
pub use crate::text::search::Document;
pub(crate) use crate::text::search::document_words;

use crate::error::{Error, Result};
use crate::model::Interaction;

/// One thing to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A whole word (folded to lower case).
    Word(String),
    /// A word starting with this (`ship*`).
    Prefix(String),
    /// Words one right after the other (`"free shipping"`).
    Phrase(Vec<String>),
    /// A hashtag, without `#`.
    Hashtag(String),
    /// A mention, without `@`.
    Mention(String),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A term.
    Term(Term),
    /// All of these.
    And(Vec<Expr>),
    /// Any of these.
    Or(Vec<Expr>),
    /// Not this.
    Not(Box<Expr>),
}

impl Expr {
    /// Whether the document matches.
    pub fn matches(&self, d: &Document) -> bool {
        match self {
            Expr::Term(t) => match t {
                Term::Word(w) => d.has_word(w),
                Term::Prefix(p) => d.has_word_prefix(p),
                Term::Phrase(p) => d.has_phrase(p),
                Term::Hashtag(h) => d.has_hashtag(h),
                Term::Mention(m) => d.has_mention(m),
            },
            Expr::And(v) => v.iter().all(|e| e.matches(d)),
            Expr::Or(v) => v.iter().any(|e| e.matches(d)),
            Expr::Not(e) => !e.matches(d),
        }
    }

    /// The terms a match needs or may use (not those under `NOT`), for highlighting and for
    /// building platform searches.
    pub fn positive_terms(&self) -> Vec<&Term> {
        let mut out = Vec::new();
        self.collect(false, &mut out);
        out
    }

    fn collect<'a>(&'a self, negated: bool, out: &mut Vec<&'a Term>) {
        match self {
            Expr::Term(t) if !negated => out.push(t),
            Expr::Term(_) => {}
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.collect(negated, out)),
            Expr::Not(e) => e.collect(!negated, out),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Word(w) => f.write_str(w),
            Term::Prefix(p) => write!(f, "{p}*"),
            Term::Phrase(p) => write!(f, "\"{}\"", p.join(" ")),
            Term::Hashtag(h) => write!(f, "#{h}"),
            Term::Mention(m) => write!(f, "@{m}"),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, v: &[Expr], op: &str| -> fmt::Result {
            f.write_str("(")?;
            for (k, e) in v.iter().enumerate() {
                if k > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{e}")?;
            }
            f.write_str(")")
        };
        match self {
            Expr::Term(t) => write!(f, "{t}"),
            Expr::And(v) => join(f, v, "AND"),
            Expr::Or(v) => join(f, v, "OR"),
            Expr::Not(e) => write!(f, "NOT {e}"),
        }
    }
}

/// A listening query: its source text and its parsed form. Serializes as the source text.
///
/// ```
/// use socialkit::listen::query::Query;
/// let q = Query::parse("@acme -hiring").unwrap();
/// assert_eq!(q.expr().to_string(), "(@acme AND NOT hiring)");
/// let json = serde_json::to_string(&q).unwrap();
/// assert_eq!(json, "\"@acme -hiring\"");
/// assert_eq!(serde_json::from_str::<Query>(&json).unwrap(), q);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    source: String,
    expr: Expr,
}

impl Query {
    /// Parses `source`; a [`Validation`](crate::ErrorKind::Validation) error names the column
    /// of the problem.
    pub fn parse(source: &str) -> Result<Query> {
        Ok(Query {
            source: source.to_string(),
            expr: parse::parse(source)?,
        })
    }

    /// The text the query was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The parsed form.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Whether a prepared document matches.
    pub fn matches_document(&self, d: &Document) -> bool {
        self.expr.matches(d)
    }

    /// Whether `text` matches.
    pub fn matches_text(&self, text: &str) -> bool {
        self.expr.matches(&Document::new(text))
    }

    /// Whether the interaction's text matches (an interaction without text matches nothing
    /// but a query that is only `NOT …`).
    ///
    /// ```
    /// use socialkit::listen::query::Query;
    /// use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
    /// let i = Interaction {
    ///     reference: InteractionRef::new("sandbox", "1"),
    ///     kind: InteractionKind::Mention,
    ///     author: Author::default(),
    ///     text: Some("@acme my anvil broke".into()),
    ///     created_at: chrono::Utc::now(),
    ///     post: None, conversation: None, language: None,
    /// };
    /// assert!(Query::parse("@acme AND (broke OR broken)").unwrap().matches(&i));
    /// ```
    pub fn matches(&self, interaction: &Interaction) -> bool {
        self.matches_text(interaction.text.as_deref().unwrap_or(""))
    }
}

impl FromStr for Query {
    type Err = Error;

    fn from_str(s: &str) -> Result<Query> {
        Query::parse(s)
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Serialize for Query {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Query {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Query, D::Error> {
        let s = String::deserialize(d)?;
        Query::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
