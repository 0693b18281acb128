//! The HTML page: one file, inline CSS and SVG, no scripts, no external resources.

use std::fmt::Write as _;

use super::chart::{self, esc, status_color};
use super::labels::{Labels, Lang};
use super::{CampaignReport, GoalReport};
use crate::model::RateBasis;
use crate::strategy::evaluate::{AdjustmentKind, Status};

const CSS: &str = r#"
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#1f2937;margin:0;background:#fff;line-height:1.45}
main{max-width:980px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:30px 0 10px;padding-bottom:4px;border-bottom:2px solid #e5e7eb}
h3{font-size:15px;margin:14px 0 6px}
.meta{color:#4b5563;margin:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:14px}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px;break-inside:avoid;page-break-inside:avoid}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;color:#fff;font-size:12px;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{background:#f9fafb}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#6b7280;font-size:12px;margin:4px 0}
.reason{font-size:13px;color:#374151;margin:6px 0 0}
svg.chart{max-width:100%;height:auto;display:block}
ul.adj li{margin:0 0 6px}
section{break-inside:avoid-page}
footer{margin-top:36px;color:#9ca3af;font-size:12px}
@media print{main{padding:0}h2{break-after:avoid}.card{border-color:#d1d5db}a{color:inherit;text-decoration:none}}
"#;

pub(super) fn status_label(l: &Labels, s: Status) -> &'static str {
    match s {
        Status::OnTrack => l.on_track,
        Status::AtRisk => l.at_risk,
        Status::OffTrack => l.off_track,
        Status::Unknown => l.unknown,
    }
}

fn basis_label(l: &Labels, b: Option<RateBasis>) -> &'static str {
    match b {
        Some(RateBasis::Impressions) => l.impressions,
        Some(RateBasis::Followers) => l.followers,
        _ => l.reach_basis,
    }
}

fn adjustment_kind(lang: Lang, k: AdjustmentKind) -> &'static str {
    match (lang, k) {
        (Lang::En, AdjustmentKind::Cadence) => "Cadence",
        (Lang::En, AdjustmentKind::TimeSlots) => "Time slots",
        (Lang::En, AdjustmentKind::PlatformMix) => "Platform mix",
        (Lang::En, AdjustmentKind::ContentPillars) => "Content pillars",
        (Lang::En, AdjustmentKind::Inbox) => "Inbox",
        (Lang::De, AdjustmentKind::Cadence) => "Taktung",
        (Lang::De, AdjustmentKind::TimeSlots) => "Zeitfenster",
        (Lang::De, AdjustmentKind::PlatformMix) => "Plattform-Mix",
        (Lang::De, AdjustmentKind::ContentPillars) => "Content-Säulen",
        (Lang::De, AdjustmentKind::Inbox) => "Posteingang",
    }
}

fn opt_value(lang: Lang, g: &GoalReport, v: Option<f64>) -> String {
    v.map_or("–".into(), |v| chart::value(lang, g.unit, v))
}

/// Renders the page.
pub(crate) fn render(r: &CampaignReport, lang: Lang) -> String {
    let l = lang.labels();
    let mut o = String::with_capacity(64 * 1024);
    let title = format!("{} — {}", l.report, r.campaign);
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{}</title><style>{CSS}</style></head><body><main>"#,
        l.html_lang,
        esc(&title)
    );
    let _ = write!(o, "<h1>{}</h1>", esc(&title));
    let _ = write!(o, r#"<p class="meta">{}</p>"#, esc(&r.organisation));
    if let (Some(s), Some(e)) = (r.start, r.end) {
        let _ = write!(
            o,
            r#"<p class="meta">{}: {} – {} ({})</p>"#,
            l.period,
            s.format("%Y-%m-%d"),
            e.format("%Y-%m-%d"),
            r.zone
        );
    }
    let _ = write!(
        o,
        r#"<p class="meta">{}: {}</p>"#,
        l.as_of,
        r.as_of.with_timezone(&r.zone).format("%Y-%m-%d %H:%M")
    );

    summary(&mut o, r, lang);
    goals(&mut o, r, lang);

    // Engagement.
    let _ = write!(
        o,
        r#"<section><h2>{}</h2><p class="note">{} {}</p><div class="grid">"#,
        l.engagement,
        l.rate_by,
        basis_label(l, r.rate_basis)
    );
    for (title, name, groups) in [
        (l.by_channel, "by-channel", &r.channels),
        (l.by_pillar, "by-pillar", &r.pillars),
    ] {
        let rows: Vec<(String, Option<f64>, usize)> = groups
            .iter()
            .map(|g| (g.name.clone(), g.mean_rate, g.posts))
            .collect();
        let _ = write!(
            o,
            r#"<div class="card"><h3>{title}</h3>{}</div>"#,
            chart::bars(name, title, &rows, lang)
        );
    }
    o.push_str("</div></section>");

    // Best times.
    let _ = write!(
        o,
        r#"<section><h2>{}</h2><p class="note">{}</p><div class="card">{}</div></section>"#,
        l.best_times,
        l.best_times_note,
        chart::heatmap(&r.heatmap, r.zone, lang)
    );

    top_posts(&mut o, r, lang);

    if let Some(lr) = &r.listening {
        let _ = write!(
            o,
            r#"<section><h2>{}</h2><p class="note">{}: <code>{}</code></p><div class="card">{}</div></section>"#,
            l.listening,
            l.query,
            esc(&lr.query),
            chart::listening(lr, r.zone, lang)
        );
    }
    if let Some(ir) = &r.inbox {
        let _ = write!(
            o,
            r#"<section><h2>{}</h2><p class="note">{} {}: {} h ({}, {})</p><div class="card">{}"#,
            l.inbox,
            l.sla,
            l.first_response,
            lang.number(ir.first_response_target_secs as f64 / 3600.0, 1),
            l.business_hours,
            ir.zone,
            chart::response_times(ir, lang)
        );
        let _ = write!(
            o,
            r#"<table><tr><th>{}</th><th class="n">{}</th><th class="n">{}</th><th class="n">{}</th><th class="n">{}</th><th class="n">{}</th></tr>"#,
            l.channel, l.measured, l.answered, l.breached, l.median, l.p90
        );
        let h = |s: Option<i64>| {
            s.map_or("–".into(), |s| {
                format!("{} h", lang.number(s as f64 / 3600.0, 1))
            })
        };
        for c in &ir.channels {
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                esc(&c.channel),
                c.measured,
                c.answered,
                c.breached,
                h(c.median_secs),
                h(c.p90_secs)
            );
        }
        o.push_str("</table></div></section>");
    }

    // Adjustments.
    let _ = write!(o, "<section><h2>{}</h2>", l.adjustments);
    if r.adjustments.is_empty() {
        let _ = write!(o, "<p>{}</p>", l.no_adjustments);
    } else {
        o.push_str(r#"<ul class="adj">"#);
        for a in &r.adjustments {
            let scope = a
                .channel
                .clone()
                .or_else(|| a.goal.clone())
                .unwrap_or_default();
            let (action, reason) = super::wording::adjustment(lang, a);
            let _ = write!(
                o,
                "<li><strong>{}{}</strong>: {} <span class=\"note\">— {}</span></li>",
                adjustment_kind(lang, a.kind),
                if scope.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", esc(&scope))
                },
                esc(&action),
                esc(&reason)
            );
        }
        o.push_str("</ul>");
    }
    o.push_str("</section>");
    let _ = write!(
        o,
        "<footer>{} · {}</footer></main></body></html>",
        l.generated_by,
        r.as_of.format("%Y-%m-%dT%H:%MZ")
    );
    o
}

fn summary(o: &mut String, r: &CampaignReport, lang: Lang) {
    let l = lang.labels();
    let published = r.posts.iter().filter(|p| p.state == "published").count();
    let failed = r.posts.iter().filter(|p| p.state == "failed").count();
    let count = |s: Status| r.goals.iter().filter(|g| g.status == s).count();
    let best = r
        .channels
        .iter()
        .filter_map(|c| c.mean_rate.map(|v| (c, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let _ = write!(o, "<section><h2>{}</h2><p>", l.summary);
    match lang {
        Lang::En => {
            let _ = write!(
                o,
                "{} posts planned: {published} published, {failed} failed. Of {} goals, {} are on track, {} at risk and {} off track.",
                r.posts.len(),
                r.goals.len(),
                count(Status::OnTrack),
                count(Status::AtRisk),
                count(Status::OffTrack)
            );
            if let Some((c, v)) = best {
                let _ = write!(
                    o,
                    " The strongest channel is {} with a mean engagement rate of {}.",
                    esc(&c.name),
                    lang.percent(v, 2)
                );
            }
            let _ = write!(
                o,
                " The evaluation recommends {} adjustment{}.",
                r.adjustments.len(),
                if r.adjustments.len() == 1 { "" } else { "s" }
            );
        }
        Lang::De => {
            let _ = write!(
                o,
                "{} Beiträge geplant: {published} veröffentlicht, {failed} fehlgeschlagen. Von {} Zielen sind {} im Plan, {} gefährdet und {} verfehlt.",
                r.posts.len(),
                r.goals.len(),
                count(Status::OnTrack),
                count(Status::AtRisk),
                count(Status::OffTrack)
            );
            if let Some((c, v)) = best {
                let _ = write!(
                    o,
                    " Der stärkste Kanal ist {} mit einer mittleren Interaktionsrate von {}.",
                    esc(&c.name),
                    lang.percent(v, 2)
                );
            }
            let _ = write!(
                o,
                " Die Auswertung empfiehlt {} Anpassung{}.",
                r.adjustments.len(),
                if r.adjustments.len() == 1 { "" } else { "en" }
            );
        }
    }
    if let Some(lr) = &r.listening {
        if !lr.crises.is_empty() || !lr.anomalies.is_empty() {
            let _ = write!(
                o,
                " {}: {} {}, {} {}.",
                l.listening,
                lr.anomalies.len(),
                l.anomaly,
                lr.crises.len(),
                l.crisis
            );
        }
    }
    o.push_str("</p></section>");
}

fn goals(o: &mut String, r: &CampaignReport, lang: Lang) {
    let l = lang.labels();
    let _ = write!(o, "<section><h2>{}</h2>", l.goals);
    let _ = write!(
        o,
        r#"<table><tr><th>{}</th><th>{}</th><th class="n">{}</th><th class="n">{}</th><th class="n">{}</th><th class="n">{}</th><th class="n">{}</th><th class="n">{}</th><th>{}</th></tr>"#,
        l.goal,
        l.kpi,
        l.baseline,
        l.target,
        l.current,
        l.progress,
        l.forecast,
        l.interval,
        l.status
    );
    for g in &r.goals {
        let f = g.forecast.as_ref();
        let interval = match f.and_then(|f| f.low.zip(f.high)) {
            Some((lo, hi)) => format!(
                "{} – {}",
                chart::value(lang, g.unit, lo),
                chart::value(lang, g.unit, hi)
            ),
            None => "–".into(),
        };
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td><span class="badge" style="background:{}">{}</span></td></tr>"#,
            esc(&g.goal),
            esc(g.kpi.as_str()),
            chart::value(lang, g.unit, g.baseline),
            chart::value(lang, g.unit, g.target),
            opt_value(lang, g, g.current),
            g.progress.map_or("–".into(), |p| lang.percent(p, 0)),
            opt_value(lang, g, f.map(|f| f.value)),
            interval,
            status_color(g.status),
            status_label(l, g.status)
        );
    }
    o.push_str("</table>");
    let start = r
        .start
        .map(|d| crate::strategy::localtime::start_of_day(r.zone, d))
        .unwrap_or(r.as_of);
    o.push_str(r#"<div class="grid">"#);
    for g in &r.goals {
        let _ = write!(
            o,
            r#"<div class="card"><h3>{} <span class="badge" style="background:{}">{}</span></h3><p class="note">{}</p>{}<p class="reason">{}</p></div>"#,
            esc(&g.goal),
            status_color(g.status),
            status_label(l, g.status),
            esc(&g.description),
            chart::goal(g, start, lang),
            esc(&g.reason)
        );
    }
    o.push_str("</div></section>");
}

fn top_posts(o: &mut String, r: &CampaignReport, lang: Lang) {
    let l = lang.labels();
    let mut posts: Vec<_> = r
        .posts
        .iter()
        .filter(|p| p.engagement_rate.is_some())
        .collect();
    if posts.is_empty() {
        return;
    }
    posts.sort_by(|a, b| {
        b.engagement_rate
            .unwrap_or(0.0)
            .total_cmp(&a.engagement_rate.unwrap_or(0.0))
    });
    let _ = write!(
        o,
        r#"<section><h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th class="n">{}</th><th class="n">{}</th><th class="n">{}</th></tr>"#,
        l.top_posts, l.when, l.channel, l.text, l.reach, l.engagements, l.rate
    );
    for p in posts.into_iter().take(10) {
        let when = p
            .published_at
            .map(|t| {
                t.with_timezone(&r.zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        let text = match &p.url {
            Some(u) => format!(r#"<a href="{}">{}</a>"#, esc(u), esc(&p.text)),
            None => esc(&p.text),
        };
        let _ = write!(
            o,
            r#"<tr><td>{when}</td><td>{}</td><td>{text}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(&p.channel),
            p.reach.map_or("–".into(), |v| lang.number(v as f64, 0)),
            p.engagements
                .map_or("–".into(), |v| lang.number(v as f64, 0)),
            p.engagement_rate.map_or("–".into(), |v| lang.percent(v, 2))
        );
    }
    o.push_str("</table></section>");
}
