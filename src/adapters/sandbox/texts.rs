//! The small template bank the simulated audience writes from: praise, questions, complaints,
//! spam and neutral remarks in a few languages, plus the names of the simulated people.

use super::rng::Key;

/// Languages the bank has texts in.
pub(crate) const LANGUAGES: [&str; 4] = ["en", "de", "es", "fr"];

/// What a simulated message is about; the simulation's ground truth, exposed on every
/// interaction as the `mood` meta of its reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Praise,
    Question,
    Complaint,
    Spam,
    Neutral,
}

impl Tone {
    /// In the order of [`Mood::weights`](super::audience::Mood).
    pub(crate) const ALL: [Tone; 5] = [
        Tone::Praise,
        Tone::Question,
        Tone::Complaint,
        Tone::Spam,
        Tone::Neutral,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Tone::Praise => "praise",
            Tone::Question => "question",
            Tone::Complaint => "complaint",
            Tone::Spam => "spam",
            Tone::Neutral => "neutral",
        }
    }
}

type Bank = [&'static [&'static str]; 5];

const EN: Bank = [
    &[
        "Love this! 🙌",
        "This is exactly what I needed, thanks {handle}!",
        "Great thread, saving it for later.",
        "Brilliant work, keep it up 👏",
    ],
    &[
        "Does this ship to Austria?",
        "How much does it cost?",
        "Is there a student discount?",
        "When will this be available again?",
    ],
    &[
        "My order still hasn't arrived after two weeks. Not happy.",
        "Your support never answers, this is frustrating.",
        "The app keeps crashing since the last update 😡",
        "I was charged twice and still have no refund. Please fix this.",
    ],
    &[
        "Earn $500 a day from home!!! DM me 💰",
        "Free followers, check the link in my bio 🔥🔥",
        "Crypto giveaway! Send 1 ETH, get 2 back 🚀",
    ],
    &[
        "Interesting.",
        "Saw this on my feed today.",
        "Hm, not sure what to think about this.",
    ],
];

const DE: Bank = [
    &[
        "Richtig gut gemacht! 👏",
        "Genau das habe ich gesucht, danke {handle}!",
        "Super Beitrag, gleich gespeichert.",
    ],
    &[
        "Liefert ihr auch nach Österreich?",
        "Was kostet das?",
        "Gibt es das auch in Blau?",
    ],
    &[
        "Meine Bestellung ist nach zwei Wochen immer noch nicht da.",
        "Der Kundenservice antwortet einfach nicht. Sehr ärgerlich.",
        "Seit dem Update stürzt die App ständig ab 😡",
    ],
    &[
        "Verdiene 500 € am Tag von zu Hause!!! Schreib mir 💰",
        "Gratis Follower, Link in meinem Profil 🔥",
    ],
    &[
        "Interessant.",
        "Hab ich heute in meinem Feed gesehen.",
        "Hm, weiß nicht so recht.",
    ],
];

const ES: Bank = [
    &[
        "¡Me encanta! 🙌",
        "Justo lo que necesitaba, ¡gracias {handle}!",
        "Gran hilo, lo guardo para luego.",
    ],
    &[
        "¿Hacen envíos a México?",
        "¿Cuánto cuesta?",
        "¿Cuándo vuelve a estar disponible?",
    ],
    &[
        "Mi pedido todavía no ha llegado después de dos semanas.",
        "El servicio al cliente nunca responde, qué frustración.",
        "La app se cierra sola desde la última actualización 😡",
    ],
    &[
        "¡¡Gana 500 $ al día desde casa!! Escríbeme 💰",
        "Seguidores gratis, enlace en mi perfil 🔥",
    ],
    &["Interesante.", "Lo vi hoy en mi feed."],
];

const FR: Bank = [
    &[
        "J'adore ! 🙌",
        "Exactement ce qu'il me fallait, merci {handle} !",
        "Super fil, je le garde.",
    ],
    &[
        "Vous livrez en Belgique ?",
        "Ça coûte combien ?",
        "C'est disponible quand ?",
    ],
    &[
        "Ma commande n'est toujours pas arrivée après deux semaines.",
        "Le service client ne répond jamais, c'est agaçant.",
        "L'appli plante sans arrêt depuis la mise à jour 😡",
    ],
    &[
        "Gagnez 500 € par jour depuis chez vous !!! Écrivez-moi 💰",
        "Abonnés gratuits, lien dans ma bio 🔥",
    ],
    &["Intéressant.", "Vu dans mon fil aujourd'hui."],
];

fn bank(language: &str) -> &'static Bank {
    match language {
        "de" => &DE,
        "es" => &ES,
        "fr" => &FR,
        _ => &EN,
    }
}

/// A message of `tone` in `language` (English when the bank has no such language), with
/// `{handle}` replaced by the account's `@handle`.
pub(crate) fn message(tone: Tone, language: &str, handle: &str, key: Key) -> String {
    let texts = bank(language)[tone as usize];
    let template = texts[key.below(texts.len() as u64) as usize];
    template.replace("{handle}", &format!("@{handle}"))
}

/// The hashtag people use for account `handle`: its letters, digits and `_`, lower case.
pub(crate) fn brand_tag(handle: &str) -> String {
    let tag: String = handle
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .flat_map(char::to_lowercase)
        .collect();
    if tag.is_empty() {
        "sandbox".to_string()
    } else {
        tag
    }
}

/// A public post about account `handle` (named `brand`) by someone of its audience: a message
/// of `tone` in `language` that names the account by hashtag `tag`, by name or by handle.
pub(crate) fn chatter(
    tone: Tone,
    language: &str,
    handle: &str,
    brand: &str,
    tag: &str,
    key: Key,
) -> String {
    let text = message(tone, language, handle, key.with(1));
    match key.with(2).below(4) {
        0 => format!("{text} #{tag}"),
        1 => format!("{brand}: {text}"),
        2 => format!("{text} #{tag} cc @{handle}"),
        _ => format!("{text} ({brand})"),
    }
}

const FIRST_NAMES: [&str; 16] = [
    "mia", "jonas", "lea", "noah", "sofia", "luca", "emma", "finn", "lucia", "mateo", "chloe",
    "hugo", "amelia", "oliver", "ines", "theo",
];

const SURNAME_INITIALS: &str = "ABCDEFGHJKLMNPRSTVWZ";

/// The handle and display name of simulated person number `n`.
pub(crate) fn person(n: u64) -> (String, String) {
    let first = FIRST_NAMES[(n % FIRST_NAMES.len() as u64) as usize];
    let initials: Vec<char> = SURNAME_INITIALS.chars().collect();
    let initial = initials[((n / FIRST_NAMES.len() as u64) % initials.len() as u64) as usize];
    let mut display: Vec<char> = first.chars().collect();
    if let Some(c) = display.first_mut() {
        *c = c.to_ascii_uppercase();
    }
    let display: String = display.into_iter().collect();
    (format!("{first}_{n}"), format!("{display} {initial}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_tone() {
        for l in LANGUAGES {
            for t in Tone::ALL {
                assert!(!bank(l)[t as usize].is_empty(), "{l} {t:?}");
            }
        }
    }

    #[test]
    fn handle_is_filled_in() {
        for i in 0..20 {
            let m = message(Tone::Praise, "en", "acme", Key::new(i));
            assert!(!m.contains("{handle}"));
        }
        assert_eq!(person(17).0, "jonas_17");
    }

    #[test]
    fn chatter_names_the_account() {
        assert_eq!(brand_tag("Acme-Corp.eu"), "acmecorpeu");
        assert_eq!(brand_tag("--"), "sandbox");
        for i in 0..40 {
            let c = chatter(Tone::Complaint, "de", "acme", "ACME", "acme", Key::new(i));
            assert!(
                c.contains("#acme") || c.contains("ACME") || c.contains("@acme"),
                "{c}"
            );
        }
    }
}
