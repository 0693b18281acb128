//! Sentiment of short social-media texts by VADER's method (Hutto & Gilbert, ICWSM 2014), in
//! English and German.
//!
//! VADER is a lexicon of words rated −4…+4 by people plus rules for what changes a word's
//! force: degree words ("very", "kind of"), negation ("not", "isn't", "never so" is not a
//! negation, "without doubt" neither), "no", "least", the contrastive "but", ALL CAPS among
//! lower-case words, `!` and `?`, idioms ("the shit", "kiss of death"), emoticons and emoji
//! (an emoji is scored by its description). The sum is normalised to
//! `compound = x / sqrt(x² + 15)` in −1…1; `pos`, `neu` and `neg` are the shares of the text.
//!
//! The rules are socialkit's own Rust, written from the reference implementation's behaviour
//! and checked against its output on 4,200 rated tweets (see `tests/listen_vader.rs` and
//! `examples/vader_score.rs`).
//!
//! # Lexicons and their licences
//!
//! * **English**: VADER's lexicon and emoji lexicon (MIT, C.J. Hutto), taken from the crate
//!   `qsv_vader_sentiment_analysis` (MIT), which ships them; socialkit uses only that data and
//!   corrects the five entries where that copy differs from the reference's current lexicon.
//!   Details in the `english` module source.
//! * **German**: SentiWS (CC BY-NC-SA) and GerVADER's lexicon (built on SentiWS) do not allow
//!   commercial use, and no German lexicon with a clear permissive licence was found. socialkit
//!   ships its own: `german_lexicon.tsv`, written for socialkit (licence: the crate's own,
//!   MIT OR Apache-2.0). Most of its entries are German words mapped by hand to an English
//!   word of VADER's lexicon whose rated valence they take over (so the numbers are VADER's
//!   human ratings, MIT); the rest (German slang, compounds without an English equivalent)
//!   carry a valence assigned by the socialkit authors. The rule words (negations, boosters,
//!   "aber", "ohne Zweifel", German idioms) are socialkit's own. It is small (see
//!   [`Analyzer::lexicon_len`]). No rated German data set with a licence that allows shipping
//!   it was found (SB10k is tweet ids only, GermEval 2017 and One Million Posts are
//!   non-commercial); on 100 German sentences rated for socialkit by a documented procedure
//!   (`tests/listen_german_rated.rs`, one rater, cleaner than real posts) the held-out half
//!   gives Pearson r 0.80 and 3-class accuracy 0.82. Treat German scores as a coarse signal.
//!
//! ```
//! use socialkit::listen::sentiment::{Analyzer, Language, Polarity};
//! let en = Analyzer::new(Language::English);
//! let s = en.polarity_scores("The support team was VERY helpful :)");
//! assert!(s.compound > 0.5);
//! assert_eq!(s.polarity(), Polarity::Positive);
//! assert!(en.polarity_scores("not good at all").compound < 0.0);
//!
//! let de = Analyzer::new(Language::German);
//! assert_eq!(de.polarity_scores("Der Service war leider sehr schlecht!").polarity(), Polarity::Negative);
//! ```

mod english;
mod german;
mod rules;
mod tables;
mod text;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use tables::Tables;

/// The language whose lexicon and rule words score a text.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English: VADER's own lexicon and rules.
    #[default]
    English,
    /// German: socialkit's lexicon with VADER's rules.
    German,
}

impl Language {
    /// The language of a BCP 47 tag (`"en"`, `"en-GB"`, `"de"`, `"de-AT"`), if supported.
    ///
    /// ```
    /// use socialkit::listen::sentiment::Language;
    /// assert_eq!(Language::from_tag("de-CH"), Some(Language::German));
    /// assert_eq!(Language::from_tag("EN"), Some(Language::English));
    /// assert_eq!(Language::from_tag("fr"), None);
    /// ```
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("en") || primary.eq_ignore_ascii_case("eng") {
            Some(Language::English)
        } else if primary.eq_ignore_ascii_case("de")
            || primary.eq_ignore_ascii_case("deu")
            || primary.eq_ignore_ascii_case("ger")
        {
            Some(Language::German)
        } else {
            None
        }
    }

    /// The two-letter code.
    ///
    /// ```
    /// assert_eq!(socialkit::listen::sentiment::Language::German.code(), "de");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// VADER's four numbers for a text.
///
/// `compound` is the normalised sum in −1…1 (the one number to use); `pos`, `neu` and `neg` are
/// the proportions of the text that are positive, neutral and negative (they add up to 1, or
/// are all 0 for a text without words).
///
/// ```
/// use socialkit::listen::sentiment::Scores;
/// let s = Scores { neg: 0.0, neu: 0.4, pos: 0.6, compound: 0.62 };
/// assert_eq!(s.polarity(), socialkit::listen::sentiment::Polarity::Positive);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Scores {
    /// Share of the text that is negative.
    pub neg: f64,
    /// Share of the text that is neutral.
    pub neu: f64,
    /// Share of the text that is positive.
    pub pos: f64,
    /// Normalised overall sentiment, −1 (most negative) … +1 (most positive).
    pub compound: f64,
}

/// Positive, neutral or negative, by VADER's convention `compound >= 0.05` / `<= -0.05`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// `compound <= -0.05`.
    Negative,
    /// In between.
    Neutral,
    /// `compound >= 0.05`.
    Positive,
}

impl Polarity {
    /// The polarity of a compound score.
    ///
    /// ```
    /// use socialkit::listen::sentiment::Polarity;
    /// assert_eq!(Polarity::of(0.05), Polarity::Positive);
    /// assert_eq!(Polarity::of(0.0499), Polarity::Neutral);
    /// assert_eq!(Polarity::of(-0.2), Polarity::Negative);
    /// ```
    pub fn of(compound: f64) -> Polarity {
        if compound >= 0.05 {
            Polarity::Positive
        } else if compound <= -0.05 {
            Polarity::Negative
        } else {
            Polarity::Neutral
        }
    }
}

impl Scores {
    /// Positive, neutral or negative by the compound score.
    pub fn polarity(&self) -> Polarity {
        Polarity::of(self.compound)
    }

    /// Rounded as the reference rounds its output: proportions to 3 decimals, compound to 4.
    ///
    /// ```
    /// use socialkit::listen::sentiment::Scores;
    /// let s = Scores { neg: 0.12345, neu: 0.5, pos: 0.37655, compound: 0.123456 };
    /// assert_eq!(s.rounded().compound, 0.1235);
    /// assert_eq!(s.rounded().neg, 0.123);
    /// ```
    pub fn rounded(&self) -> Scores {
        Scores {
            neg: round_to(self.neg, 3),
            neu: round_to(self.neu, 3),
            pos: round_to(self.pos, 3),
            compound: round_to(self.compound, 4),
        }
    }
}

/// Rounds to `digits` decimals, half to even on the exact binary value (as the reference does).
fn round_to(x: f64, digits: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // Fast path: scaling and rounding is exact unless x sits within a hair of a half-way
    // point, where only exact decimal rounding (as Python's round() does) can decide.
    let scale = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6][digits.min(6)];
    let y = x * scale;
    if digits <= 6 && y.abs() < 1e12 && ((y - y.trunc()).abs() - 0.5).abs() > 1e-6 {
        return y.round() / scale;
    }
    // Formatting rounds the exact binary value to `digits` decimals, as Python's round() does;
    // a stack buffer keeps it free of allocation (|x| <= 1 here; longer output falls back).
    struct Buf {
        bytes: [u8; 48],
        len: usize,
    }
    impl fmt::Write for Buf {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len + s.len();
            if end > self.bytes.len() {
                return Err(fmt::Error);
            }
            self.bytes[self.len..end].copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut b = Buf {
        bytes: [0; 48],
        len: 0,
    };
    if fmt::Write::write_fmt(&mut b, format_args!("{x:.digits$}")).is_ok() {
        if let Some(v) = std::str::from_utf8(&b.bytes[..b.len])
            .ok()
            .and_then(|s| s.parse().ok())
        {
            return v;
        }
    }
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// Scores texts in one language. Cheap to clone; build one and score many texts.
///
/// ```
/// use socialkit::listen::sentiment::{Analyzer, Language};
/// let a = Analyzer::new(Language::English);
/// let s = a.polarity_scores("VADER is smart, handsome, and funny.");
/// assert_eq!(s.compound, 0.8316);
/// assert_eq!((s.neg, s.neu, s.pos), (0.0, 0.254, 0.746));
/// ```
#[derive(Clone)]
pub struct Analyzer {
    language: Language,
    tables: Arc<Tables>,
}

impl fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Analyzer")
            .field("language", &self.language)
            .field("lexicon_len", &self.tables.lexicon.len())
            .finish()
    }
}

impl Analyzer {
    /// An analyzer for `language` with its built-in lexicon.
    pub fn new(language: Language) -> Analyzer {
        let tables = match language {
            Language::English => english::tables(),
            Language::German => german::tables(),
        };
        Analyzer { language, tables }
    }

    /// The language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// How many words the lexicon has.
    ///
    /// ```
    /// use socialkit::listen::sentiment::{Analyzer, Language};
    /// assert!(Analyzer::new(Language::English).lexicon_len() > 7000);
    /// ```
    pub fn lexicon_len(&self) -> usize {
        self.tables.lexicon.len()
    }

    /// The valence of a (lower-case) word in the lexicon.
    ///
    /// ```
    /// use socialkit::listen::sentiment::{Analyzer, Language};
    /// assert_eq!(Analyzer::new(Language::English).valence("good"), Some(1.9));
    /// ```
    pub fn valence(&self, word: &str) -> Option<f64> {
        self.tables.lexicon.get(word).copied()
    }

    /// Adds or overrides words (for a brand, a product, domain slang), valence on the −4…+4
    /// scale; words are lower-cased and may not contain whitespace (those are ignored).
    /// Non-finite valences are ignored, others clamped to −4…+4.
    ///
    /// ```
    /// use socialkit::listen::sentiment::{Analyzer, Language};
    /// let a = Analyzer::new(Language::English).with_words([("anvilicious", 2.5)]);
    /// assert!(a.polarity_scores("so anvilicious").compound > 0.5);
    /// ```
    pub fn with_words<S: AsRef<str>>(mut self, words: impl IntoIterator<Item = (S, f64)>) -> Self {
        let tables = Arc::make_mut(&mut self.tables);
        for (w, v) in words {
            let w = w.as_ref().to_lowercase();
            if w.is_empty() || w.chars().any(text::is_space) || !v.is_finite() {
                continue;
            }
            tables.set_valence(w, v.clamp(-4.0, 4.0));
        }
        self
    }

    /// Scores `text`, rounded as the reference rounds (see [`Scores::rounded`]).
    pub fn polarity_scores(&self, text: &str) -> Scores {
        rules::score(&self.tables, text).rounded()
    }

    /// Scores `text` without rounding.
    ///
    /// ```
    /// use socialkit::listen::sentiment::{Analyzer, Language};
    /// let s = Analyzer::new(Language::English).raw_scores("good");
    /// assert!((s.compound - 1.9 / (1.9f64 * 1.9 + 15.0).sqrt()).abs() < 1e-12);
    /// ```
    pub fn raw_scores(&self, text: &str) -> Scores {
        rules::score(&self.tables, text)
    }
}

/// The English lexicon as the rules see it (lower-case word -> valence), for tests and tools.
pub(crate) fn english_lexicon() -> HashMap<String, f64> {
    english::lexicon()
}

#[cfg(test)]
mod tests;
