//! The evaluation's adjustments in the report's language.
//!
//! The strategy module words each [`Adjustment`] in English (`action`, `reason`) and keeps its
//! content as data ([`Change`]); this module words that data in German. An adjustment without
//! data (an evaluation stored before it existed) keeps its English words.

use crate::strategy::evaluate::{Adjustment, Change};
use crate::strategy::kpi::KpiId;
use crate::strategy::localtime::HOURS_PER_WEEK;

use super::html::status_label;
use super::labels::Lang;

impl Lang {
    /// What to do and why, in this language: the evaluation's own English words, or German
    /// worded from the adjustment's data (its English words when it carries none). The same
    /// words the HTML report prints, for command lines and other text output.
    ///
    /// ```
    /// use socialkit::report::Lang;
    /// use socialkit::strategy::evaluate::{Adjustment, AdjustmentKind, Change, Status};
    /// use socialkit::strategy::kpi::KpiId;
    /// let a = Adjustment { kind: AdjustmentKind::Inbox, goal: None, channel: None,
    ///     action: "staff the inbox".into(), reason: "replies lag".into(),
    ///     change: Some(Change::StaffInbox { kpi: KpiId::ResponseRate, status: Status::AtRisk }) };
    /// assert_eq!(Lang::En.adjustment(&a).0, "staff the inbox");
    /// assert!(Lang::De.adjustment(&a).0.starts_with("den Posteingang"));
    /// ```
    pub fn adjustment(self, a: &Adjustment) -> (String, String) {
        adjustment(self, a)
    }

    /// A goal's status as the report words it.
    ///
    /// ```
    /// use socialkit::report::Lang;
    /// use socialkit::strategy::evaluate::Status;
    /// assert_eq!(Lang::En.status(Status::OnTrack), "on track");
    /// assert_ne!(Lang::De.status(Status::OnTrack), "on track");
    /// ```
    pub fn status(self, s: crate::strategy::evaluate::Status) -> &'static str {
        status_label(self.labels(), s)
    }

    /// The heading over the adjustments, and the line shown when there are none.
    ///
    /// ```
    /// let (heading, none) = socialkit::report::Lang::De.adjustments_heading();
    /// assert_eq!(heading, "Empfohlene Anpassungen");
    /// assert!(none.starts_with("Keine"));
    /// ```
    pub fn adjustments_heading(self) -> (&'static str, &'static str) {
        let l = self.labels();
        (l.adjustments, l.no_adjustments)
    }
}

/// What to do and why, in `lang`.
pub(crate) fn adjustment(lang: Lang, a: &Adjustment) -> (String, String) {
    match (lang, &a.change) {
        (Lang::De, Some(c)) => german(c),
        _ => (a.action.clone(), a.reason.clone()),
    }
}

fn german(c: &Change) -> (String, String) {
    let de = Lang::De;
    let pct = |v: f64| de.percent(v, 2);
    match c {
        Change::RaiseCadence {
            kpi,
            status,
            channel,
            platform,
            from,
            to,
            slack,
            max,
        } => (
            format!("{channel} von {from} auf {to} Beiträge pro Woche erhöhen"),
            format!(
                "{} ist {}; die Kapazität lässt {slack} Beiträge pro Woche frei und {platform} erlaubt bis zu {max} pro Woche",
                kpi_de(*kpi),
                status_label(Lang::De.labels(), *status)
            ),
        ),
        Change::AddCapacity {
            kpi,
            status,
            capacity,
        } => (
            "Kapazität (Beiträge pro Woche) erhöhen oder das Ziel senken".into(),
            format!(
                "{} ist {} und alle {capacity} Beiträge pro Woche der Kapazität sind verplant",
                kpi_de(*kpi),
                status_label(Lang::De.labels(), *status)
            ),
        ),
        Change::StaffInbox { kpi, status } => (
            "den Posteingang in den aktiven Stunden der Zielgruppe besetzen und eine SLA von 1 h setzen".into(),
            format!(
                "{} ist {}; 53 % der Nutzer erwarten eine Antwort der Marke binnen 1 h, 72 % bei Beschwerden (Lithium 2013)",
                kpi_de(*kpi),
                status_label(Lang::De.labels(), *status)
            ),
        ),
        Change::MovePost {
            from,
            to,
            basis,
            from_rate,
            to_rate,
        } => (
            format!("1 Beitrag pro Woche von {from} zu {to} verlagern"),
            format!(
                "Interaktionsrate {}: {to} {} gegenüber {from} {} je Beitrag",
                basis_de(*basis),
                pct(*to_rate),
                pct(*from_rate)
            ),
        ),
        Change::ShiftPillar {
            from,
            to,
            basis,
            from_rate,
            to_rate,
        } => (
            format!(
                "10 Prozentpunkte des Mix von „{from}“ zu „{to}“ verschieben (ein eigener Mix)"
            ),
            format!(
                "Interaktionsrate {}: „{to}“ {} gegenüber „{from}“ {} je Beitrag",
                basis_de(*basis),
                pct(*to_rate),
                pct(*from_rate)
            ),
        ),
        Change::MoveSlots {
            channel,
            zone,
            from_hour,
            to_hour,
            from_mean,
            from_posts,
            to_mean,
            to_posts,
        } => {
            let (from, to) = (hour_de(*from_hour), hour_de(*to_hour));
            (
                format!("die Termine von {channel} um {from} auf {to} verlegen ({zone})"),
                format!(
                    "Interaktionen je Beitrag: {to} {} bei {to_posts} Beiträgen gegenüber {from} {} bei {from_posts}; mit den Beiträgen der Kampagne als Verlauf neu planen, um die besten Zeiten neu zu lernen",
                    de.number(*to_mean, 1),
                    de.number(*from_mean, 1)
                ),
            )
        }
    }
}

fn basis_de(b: crate::model::RateBasis) -> &'static str {
    match b {
        crate::model::RateBasis::Reach => "nach Reichweite",
        crate::model::RateBasis::Impressions => "nach Impressionen",
        crate::model::RateBasis::Followers => "nach Followern",
    }
}

/// An hour of the week (0 = Monday 00:00) as German weekday and time: `Di 09:00`.
fn hour_de(hour_of_week: usize) -> String {
    let h = hour_of_week % HOURS_PER_WEEK;
    format!("{} {:02}:00", Lang::De.labels().weekdays[h / 24], h % 24)
}

fn kpi_de(k: KpiId) -> &'static str {
    match k {
        KpiId::EngagementRateByReach => "die Interaktionsrate nach Reichweite",
        KpiId::EngagementRateByImpressions => "die Interaktionsrate nach Impressionen",
        KpiId::EngagementRateByFollowers => "die Interaktionsrate nach Followern",
        KpiId::Reach => "die Reichweite",
        KpiId::Impressions => "die Zahl der Impressionen",
        KpiId::FollowerGrowthRate => "das Follower-Wachstum",
        KpiId::AmplificationRate => "die Verbreitungsrate",
        KpiId::ResponseRate => "die Antwortquote",
        KpiId::FirstResponseTime => "die Zeit bis zur ersten Antwort",
        KpiId::ShareOfVoice => "der Share of Voice",
        KpiId::NetSentiment => "die Netto-Stimmung",
        KpiId::ClickThroughRate => "die Klickrate",
        KpiId::ConversionRate => "die Konversionsrate",
        KpiId::CostPerResult => "die Kosten pro Ergebnis",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::evaluate::{AdjustmentKind, Status};

    fn adj(change: Change) -> Adjustment {
        Adjustment {
            kind: AdjustmentKind::Cadence,
            goal: None,
            channel: None,
            action: "english action".into(),
            reason: "english reason".into(),
            change: Some(change),
        }
    }

    #[test]
    fn german_words_carry_the_numbers() {
        let a = adj(Change::RaiseCadence {
            kpi: KpiId::Reach,
            status: Status::AtRisk,
            channel: "ig".into(),
            platform: crate::model::PlatformId::Instagram,
            from: 3,
            to: 5,
            slack: 2,
            max: 7,
        });
        let (action, reason) = adjustment(Lang::De, &a);
        assert_eq!(action, "ig von 3 auf 5 Beiträge pro Woche erhöhen");
        assert_eq!(
            reason,
            "die Reichweite ist gefährdet; die Kapazität lässt 2 Beiträge pro Woche frei und instagram erlaubt bis zu 7 pro Woche"
        );
        assert_eq!(
            adjustment(Lang::En, &a),
            ("english action".to_string(), "english reason".to_string())
        );
    }

    #[test]
    fn german_numbers_and_hours_are_written_the_german_way() {
        let (action, reason) = adjustment(
            Lang::De,
            &adj(Change::MoveSlots {
                channel: "ig".into(),
                zone: "Europe/Berlin".into(),
                from_hour: 24 + 9,
                to_hour: 4 * 24 + 18,
                from_mean: 2.4,
                from_posts: 3,
                to_mean: 10.5,
                to_posts: 4,
            }),
        );
        assert_eq!(
            action,
            "die Termine von ig um Di 09:00 auf Fr 18:00 verlegen (Europe/Berlin)"
        );
        assert!(reason.starts_with("Interaktionen je Beitrag: Fr 18:00 10,5 bei 4 Beiträgen gegenüber Di 09:00 2,4 bei 3"), "{reason}");
        let (_, reason) = adjustment(
            Lang::De,
            &adj(Change::MovePost {
                from: "x".into(),
                to: "ig".into(),
                basis: crate::model::RateBasis::Reach,
                from_rate: 0.0125,
                to_rate: 0.05,
            }),
        );
        assert_eq!(
            reason,
            "Interaktionsrate nach Reichweite: ig 5,00 % gegenüber x 1,25 % je Beitrag"
        );
    }

    #[test]
    fn an_adjustment_without_data_keeps_its_english_words() {
        let mut a = adj(Change::StaffInbox {
            kpi: KpiId::ResponseRate,
            status: Status::OffTrack,
        });
        a.change = None;
        assert_eq!(adjustment(Lang::De, &a).0, "english action");
    }
}
