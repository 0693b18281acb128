//! The query parser: tokens, then recursive descent with OR < AND < NOT.
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*        two terms side by side mean AND
//! unary   := ("NOT" | "-") unary | primary
//! primary := "(" or ")" | "\"phrase\"" | #hashtag | @mention | word | word*
//! ```

use super::{Expr, Term};
use crate::error::{Error, Result};
use crate::text::search::{document_words as words, fold};

/// Longest query accepted, in characters.
pub(crate) const MAX_LEN: usize = 10_000;
/// Deepest nesting accepted (parentheses and NOTs).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Phrase(String),
    Hashtag(String),
    Mention(String),
    Word(String),
}

#[derive(Debug, Clone)]
struct Spanned {
    tok: Tok,
    /// Character offset (0-based) in the query.
    at: usize,
}

fn err(at: usize, msg: impl std::fmt::Display) -> Error {
    Error::validation(format!("invalid query at column {}: {msg}", at + 1))
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '(' | ')' | '"'))
}

fn lex(src: &str) -> Result<Vec<Spanned>> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let at = i;
        match c {
            '(' => {
                out.push(Spanned {
                    tok: Tok::LParen,
                    at,
                });
                i += 1;
            }
            ')' => {
                out.push(Spanned {
                    tok: Tok::RParen,
                    at,
                });
                i += 1;
            }
            '"' | '“' | '”' | '„' => {
                let mut j = i + 1;
                while j < chars.len() && !matches!(chars[j], '"' | '“' | '”') {
                    j += 1;
                }
                if j == chars.len() {
                    return Err(err(at, "unterminated phrase: a closing '\"' is missing"));
                }
                let inner: String = chars[i + 1..j].iter().collect();
                out.push(Spanned {
                    tok: Tok::Phrase(inner),
                    at,
                });
                i = j + 1;
            }
            _ => {
                let mut j = i;
                while j < chars.len() && is_word_char(chars[j]) {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                let tok = match word.as_str() {
                    "AND" | "&&" => Tok::And,
                    "OR" | "||" => Tok::Or,
                    "NOT" => Tok::Not,
                    "-" => Tok::Not,
                    w if w.starts_with('-') && w.len() > 1 => {
                        out.push(Spanned { tok: Tok::Not, at });
                        i += 1;
                        continue;
                    }
                    w if w.starts_with('#') || w.starts_with('＃') => {
                        let body = w.trim_start_matches(['#', '＃']);
                        if body.is_empty() {
                            return Err(err(at, "'#' must be followed by a hashtag"));
                        }
                        Tok::Hashtag(body.to_string())
                    }
                    w if w.starts_with('@') => {
                        let body = &w[1..];
                        if body.is_empty() {
                            return Err(err(at, "'@' must be followed by a handle"));
                        }
                        Tok::Mention(body.to_string())
                    }
                    w => Tok::Word(w.to_string()),
                };
                out.push(Spanned { tok, at });
                i = j;
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Spanned>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Spanned> {
        self.toks.get(self.pos)
    }

    fn at(&self) -> usize {
        self.peek().map_or(self.end, |s| s.at)
    }

    fn or(&mut self) -> Result<Expr> {
        let mut parts = vec![self.and()?];
        while matches!(self.peek(), Some(Spanned { tok: Tok::Or, .. })) {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek().map(|s| &s.tok) {
                Some(Tok::And) => {
                    self.pos += 1;
                    parts.push(self.unary()?);
                }
                Some(Tok::Or) | Some(Tok::RParen) | None => break,
                Some(_) => parts.push(self.unary()?),
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(self.at(), format!("nested deeper than {MAX_DEPTH}")));
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Expr> {
        if matches!(self.peek(), Some(Spanned { tok: Tok::Not, .. })) {
            self.pos += 1;
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr> {
        let at = self.at();
        let Some(s) = self.peek().cloned() else {
            return Err(err(at, "expected a term, found the end of the query"));
        };
        self.pos += 1;
        match s.tok {
            Tok::LParen => {
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Spanned {
                        tok: Tok::RParen, ..
                    }) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(err(at, "'(' is never closed")),
                }
            }
            Tok::RParen => Err(err(at, "unexpected ')'")),
            Tok::And | Tok::Or => Err(err(at, "expected a term before AND/OR")),
            Tok::Not => unreachable_not(at),
            Tok::Phrase(p) => {
                let ws = words(&p);
                if ws.is_empty() {
                    return Err(err(at, "empty phrase"));
                }
                Ok(Expr::Term(Term::Phrase(ws)))
            }
            Tok::Hashtag(h) => Ok(Expr::Term(Term::Hashtag(fold(&h)))),
            Tok::Mention(m) => Ok(Expr::Term(Term::Mention(fold(&m)))),
            Tok::Word(w) => word_term(&w, at),
        }
    }
}

fn unreachable_not(at: usize) -> Result<Expr> {
    // `unary` consumes NOT before `primary` is reached; kept total instead of panicking.
    Err(err(at, "unexpected NOT"))
}

fn word_term(w: &str, at: usize) -> Result<Expr> {
    let (body, prefix) = match w.strip_suffix('*') {
        Some(b) => (b, true),
        None => (w, false),
    };
    let ws = words(body);
    match (ws.len(), prefix) {
        (0, _) => Err(err(at, format!("{w:?} has no letters or digits to match"))),
        (1, true) => Ok(Expr::Term(Term::Prefix(ws[0].clone()))),
        (1, false) => Ok(Expr::Term(Term::Word(ws[0].clone()))),
        (_, true) => Err(err(at, "a '*' prefix must follow a single word")),
        // "e-mail", "3.5-inch": the word's parts in order.
        _ => Ok(Expr::Term(Term::Phrase(ws))),
    }
}

/// Parses a query.
pub(crate) fn parse(src: &str) -> Result<Expr> {
    let len = src.chars().count();
    if len > MAX_LEN {
        return Err(Error::validation(format!(
            "invalid query: {len} characters, at most {MAX_LEN}"
        )));
    }
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(Error::validation("invalid query: it is empty"));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: len,
        depth: 0,
    };
    let expr = p.or()?;
    if let Some(s) = p.peek() {
        let what = match s.tok {
            Tok::RParen => "unexpected ')'",
            _ => "unexpected text",
        };
        return Err(err(s.at, what));
    }
    Ok(expr)
}
