//! The cue words and phrases intent classification looks for, in English and German, and the
//! features it reads off a text.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::listen::query::Document;
use crate::listen::sentiment::Language;

/// Words that open a question.
const INTERROGATIVES: &[&str] = &[
    // English
    "what", "where", "when", "why", "how", "who", "whom", "whose", "which", "can", "could", "would",
    "will", "is", "are", "do", "does", "did", "should", "may", "anyone", "any",
    // German
    "was", "wo", "wohin", "woher", "wann", "warum", "wieso", "weshalb", "weswegen", "wie", "wer",
    "wen", "wem", "wessen", "welche", "welcher", "welches", "welchen", "kann", "könnt", "können",
    "könnten", "könntet", "gibt", "ist", "sind", "habt", "hat", "haben", "wird", "werden", "muss",
    "darf",
];

/// Complaint cues (phrases as word sequences).
const COMPLAINT: &[&str] = &[
    // English
    "not working",
    "doesn't work",
    "does not work",
    "stopped working",
    "isn't working",
    "broken",
    "broke",
    "refund",
    "money back",
    "still waiting",
    "never arrived",
    "never received",
    "not received",
    "hasn't arrived",
    "where is my",
    "where's my",
    "late",
    "delayed",
    "delay",
    "charged twice",
    "overcharged",
    "double charged",
    "cancel my",
    "cancelled my",
    "complaint",
    "complain",
    "unacceptable",
    "worst",
    "terrible",
    "awful",
    "horrible",
    "disappointed",
    "disappointing",
    "scam",
    "rip off",
    "ripoff",
    "rude",
    "no response",
    "no reply",
    "nobody answers",
    "ignored",
    "crash",
    "crashes",
    "crashed",
    "bug",
    "error",
    "outage",
    "is down",
    "can't log in",
    "cannot log in",
    "can't login",
    "locked out",
    "wrong order",
    "missing",
    "damaged",
    "defective",
    "faulty",
    "fix this",
    "fix it",
    "useless",
    "waste",
    // German
    "funktioniert nicht",
    "geht nicht",
    "kaputt",
    "defekt",
    "rückerstattung",
    "erstattung",
    "geld zurück",
    "warte immer noch",
    "immer noch",
    "nie angekommen",
    "nicht angekommen",
    "nicht erhalten",
    "wo bleibt",
    "wo ist meine",
    "wo ist mein",
    "verspätet",
    "verspätung",
    "doppelt abgebucht",
    "beschwerde",
    "reklamation",
    "reklamieren",
    "kündigen",
    "kündigung",
    "enttäuscht",
    "frechheit",
    "unverschämt",
    "abzocke",
    "störung",
    "ausfall",
    "fehler",
    "beschädigt",
    "falsche lieferung",
    "keine antwort",
    "niemand antwortet",
    "unmöglich",
    "katastrophe",
    "schlechtester",
    "schlechteste",
    "nie wieder",
];

/// Praise cues.
const PRAISE: &[&str] = &[
    // English
    "thank you",
    "thanks",
    "thx",
    "love",
    "loving",
    "awesome",
    "amazing",
    "great job",
    "well done",
    "kudos",
    "recommend",
    "best",
    "excellent",
    "fantastic",
    "brilliant",
    "perfect",
    "great service",
    "keep it up",
    "impressed",
    "you rock",
    "shout out",
    "shoutout",
    // German
    "danke",
    "dankeschön",
    "vielen dank",
    "super",
    "toll",
    "klasse",
    "spitze",
    "liebe",
    "empfehle",
    "empfehlen",
    "weiter so",
    "großartig",
    "hervorragend",
    "perfekt",
    "beste",
    "top",
    "begeistert",
    "zufrieden",
];

/// Strong spam cues (each counts twice).
const SPAM_STRONG: &[&str] = &[
    "crypto",
    "bitcoin",
    "btc",
    "ethereum",
    "usdt",
    "airdrop",
    "free followers",
    "buy followers",
    "passive income",
    "seed phrase",
    "recovery phrase",
    "forex",
    "binary options",
    "onlyfans",
    "100x",
    "1000x",
    "guaranteed profit",
    "investment opportunity",
    "kostenlose follower",
    "follower kaufen",
    "schnelles geld",
];

/// Weak spam cues.
const SPAM_WEAK: &[&str] = &[
    "giveaway",
    "dm me",
    "dm for",
    "dm us",
    "click the link",
    "click here",
    "link in bio",
    "whatsapp",
    "telegram",
    "earn",
    "nft",
    "promo code",
    "cash app",
    "cashapp",
    "wallet",
    "investment",
    "profit",
    "schreib mir",
    "klick hier",
    "link in der bio",
    "gewinnspiel",
    "verdienen",
];

/// Urgency cues: safety, legal, security.
const URGENT: &[&str] = &[
    "urgent",
    "asap",
    "emergency",
    "lawyer",
    "sue",
    "lawsuit",
    "police",
    "dangerous",
    "injured",
    "injury",
    "fire",
    "hacked",
    "fraud",
    "data breach",
    "stolen",
    "unsafe",
    "dringend",
    "sofort",
    "notfall",
    "anwalt",
    "verklagen",
    "polizei",
    "gefährlich",
    "verletzt",
    "gehackt",
    "betrug",
    "datenleck",
    "gestohlen",
];

/// German function words, to guess the language of an untagged text.
const GERMAN_HINTS: &[&str] = &[
    "und", "ich", "nicht", "ist", "das", "die", "der", "ein", "eine", "mit", "für", "auf", "mein",
    "meine", "wir", "sie", "es", "zu", "von", "bei", "aber", "noch", "schon", "auch", "wie", "was",
    "warum", "bitte", "danke", "sehr", "kein", "keine", "habe", "hat", "sind",
];

/// English function words, to guess the language of an untagged text.
const ENGLISH_HINTS: &[&str] = &[
    "and", "i", "not", "is", "the", "a", "an", "with", "for", "on", "my", "we", "you", "it", "to",
    "of", "at", "but", "still", "already", "also", "how", "what", "why", "please", "thanks",
    "very", "no", "have", "has", "are", "this", "that", "was",
];

/// What the classifier read off a text; every decision can be traced back to these.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Features {
    /// Words in the text.
    pub words: usize,
    /// `?` in the text.
    pub question_marks: usize,
    /// Whether the first word (after mentions) is an interrogative.
    pub interrogative: bool,
    /// Complaint cues found.
    pub complaint_cues: Vec<String>,
    /// Praise cues found.
    pub praise_cues: Vec<String>,
    /// Spam cues found.
    pub spam_cues: Vec<String>,
    /// Urgency cues found.
    pub urgent_cues: Vec<String>,
    /// Links (`http://`, `https://`, `www.`).
    pub links: usize,
    /// Distinct hashtags.
    pub hashtags: usize,
    /// Mentions.
    pub mentions: usize,
    /// Whether the text repeats itself (few distinct words among many).
    pub repetitive: bool,
}

/// A cue list with each cue split into words once.
struct Cues(Vec<(&'static str, Vec<String>)>);

impl Cues {
    fn new(list: &'static [&'static str]) -> Cues {
        Cues(
            list.iter()
                .map(|c| (*c, crate::listen::query::document_words(c)))
                .collect(),
        )
    }
}

macro_rules! cues {
    ($name:ident, $list:expr) => {
        fn $name() -> &'static Cues {
            static C: OnceLock<Cues> = OnceLock::new();
            C.get_or_init(|| Cues::new($list))
        }
    };
}

cues!(complaint_cues, COMPLAINT);
cues!(praise_cues, PRAISE);
cues!(spam_strong_cues, SPAM_STRONG);
cues!(spam_weak_cues, SPAM_WEAK);
cues!(urgent_cues, URGENT);

fn found(doc: &Document, cues: &Cues) -> Vec<String> {
    cues.0
        .iter()
        .filter(|(_, words)| doc.has_phrase(words))
        .map(|(c, _)| c.to_string())
        .collect()
}

/// Reads the features of `text`.
pub(crate) fn features(text: &str, doc: &Document) -> Features {
    let words = doc.words();
    // The first word that is not part of a leading run of mentions.
    let lead = text
        .split_whitespace()
        .find(|t| !t.starts_with('@'))
        .map(crate::listen::query::document_words)
        .and_then(|w| w.into_iter().next());
    let links = text
        .split_whitespace()
        .filter(|t| {
            let t = t.to_ascii_lowercase();
            t.starts_with("http://") || t.starts_with("https://") || t.starts_with("www.")
        })
        .count();
    let distinct: std::collections::HashSet<&String> = words.iter().collect();
    Features {
        words: words.len(),
        question_marks: text
            .chars()
            .filter(|c| matches!(c, '?' | '？' | '¿'))
            .count(),
        interrogative: lead.is_some_and(|w| INTERROGATIVES.contains(&w.as_str())),
        complaint_cues: found(doc, complaint_cues()),
        praise_cues: found(doc, praise_cues()),
        spam_cues: found(doc, spam_strong_cues())
            .into_iter()
            .chain(found(doc, spam_weak_cues()))
            .collect(),
        urgent_cues: found(doc, urgent_cues()),
        links,
        hashtags: doc.hashtag_count(),
        mentions: doc.mention_count(),
        repetitive: words.len() >= 8 && (distinct.len() as f64) < 0.3 * words.len() as f64,
    }
}

/// The spam score: strong cues 2, weak cues 1, 2+ links 1 (3+ links 2), 6+ hashtags 1,
/// hashtag-stuffed text 1, repetitive text 2.
pub(crate) fn spam_score(f: &Features) -> u32 {
    let strong = f
        .spam_cues
        .iter()
        .filter(|c| SPAM_STRONG.contains(&c.as_str()))
        .count() as u32;
    let weak = f.spam_cues.len() as u32 - strong;
    let mut s = 2 * strong + weak;
    s += match f.links {
        0 | 1 => 0,
        2 => 1,
        _ => 2,
    };
    if f.hashtags >= 6 {
        s += 1;
    }
    if f.hashtags >= 4 && f.hashtags * 2 > f.words {
        s += 1;
    }
    if f.repetitive {
        s += 2;
    }
    s
}

/// Guesses English or German from function words; English when undecided.
///
/// ```
/// use socialkit::listen::classify::guess_language;
/// use socialkit::listen::sentiment::Language;
/// assert_eq!(guess_language("Wo ist meine Bestellung? Ich warte seit einer Woche"), Language::German);
/// assert_eq!(guess_language("Where is my order? I have been waiting a week"), Language::English);
/// ```
pub fn guess_language(text: &str) -> Language {
    let doc_words = crate::listen::query::document_words(text);
    let de = doc_words
        .iter()
        .filter(|w| GERMAN_HINTS.contains(&w.as_str()))
        .count();
    let en = doc_words
        .iter()
        .filter(|w| ENGLISH_HINTS.contains(&w.as_str()))
        .count();
    let umlauts = text
        .chars()
        .any(|c| matches!(c, 'ä' | 'ö' | 'ü' | 'ß' | 'Ä' | 'Ö' | 'Ü'));
    if de > en || (de == en && de > 0 && umlauts) || (de == 0 && en == 0 && umlauts) {
        Language::German
    } else {
        Language::English
    }
}
