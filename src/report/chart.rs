//! Hand-made SVG charts: no scripts, no external resources, readable in print.
//!
//! Every chart is an `<svg>` element with `data-chart` (its name) and `data-marks` (how many
//! data marks it drew: bars, points, cells); a chart with no data draws a "no data" note and
//! `data-marks="0"`, which the browser check treats as an empty chart.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::labels::Lang;
use super::{GoalReport, Heatmap, InboxReport, ListeningReport};
use crate::strategy::evaluate::Status;
use crate::strategy::kpi::Unit;

pub(crate) const BLUE: &str = "#2563eb";
pub(crate) const GREEN: &str = "#15803d";
pub(crate) const ORANGE: &str = "#c2410c";
pub(crate) const RED: &str = "#dc2626";
pub(crate) const GREY: &str = "#9ca3af";
const INK: &str = "#1f2937";
const GRID: &str = "#e5e7eb";

/// Escapes text for HTML and SVG.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG being drawn.
struct Svg {
    buf: String,
    marks: usize,
    name: &'static str,
    width: f64,
    height: f64,
    label: String,
}

impl Svg {
    fn new(name: &'static str, width: f64, height: f64, label: &str) -> Svg {
        Svg {
            buf: String::new(),
            marks: 0,
            name,
            width,
            height,
            label: label.to_string(),
        }
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, title: Option<&str>) {
        let _ = write!(
            self.buf,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}">"#,
            w.max(0.0),
            h.max(0.0)
        );
        if let Some(t) = title {
            let _ = write!(self.buf, "<title>{}</title>", esc(t));
        }
        self.buf.push_str("</rect>");
    }

    fn line(
        &mut self,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
        dash: bool,
    ) {
        let _ = write!(
            self.buf,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}" stroke-width="{width}"{}/>"#,
            if dash {
                r#" stroke-dasharray="5 4""#
            } else {
                ""
            }
        );
    }

    fn circle(&mut self, x: f64, y: f64, r: f64, fill: &str, title: Option<&str>) {
        let _ = write!(
            self.buf,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{fill}">"#
        );
        if let Some(t) = title {
            let _ = write!(self.buf, "<title>{}</title>", esc(t));
        }
        self.buf.push_str("</circle>");
    }

    fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, width: f64) {
        if points.len() < 2 {
            return;
        }
        let pts: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            self.buf,
            r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="{width}" stroke-linejoin="round"/>"#,
            pts.join(" ")
        );
    }

    fn text(&mut self, x: f64, y: f64, s: &str, anchor: &str, size: f64, fill: &str) {
        let _ = write!(
            self.buf,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">{}</text>"#,
            esc(s)
        );
    }

    fn no_data(&mut self, lang: Lang) {
        let (w, h) = (self.width, self.height);
        self.rect(0.0, 0.0, w, h, "#f9fafb", None);
        self.text(
            w / 2.0,
            h / 2.0,
            lang.labels().no_data,
            "middle",
            14.0,
            GREY,
        );
    }

    fn finish(self) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{}" data-marks="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}" font-family="sans-serif">{}</svg>"#,
            self.name,
            self.marks,
            self.width,
            self.height,
            self.width,
            self.height,
            esc(&self.label),
            self.buf
        )
    }
}

/// A linear map from a data range to a pixel range.
#[derive(Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    p0: f64,
    p1: f64,
}

impl Scale {
    fn new((d0, d1): (f64, f64), (p0, p1): (f64, f64)) -> Scale {
        let (d0, d1) = if (d1 - d0).abs() < f64::EPSILON {
            (d0 - 1.0, d1 + 1.0)
        } else {
            (d0, d1)
        };
        Scale { d0, d1, p0, p1 }
    }

    fn at(&self, v: f64) -> f64 {
        self.p0 + (v - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
    }
}

/// About five round tick values covering `lo..=hi`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).abs();
    if !span.is_finite() || span == 0.0 {
        return vec![lo];
    }
    let raw = span / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut v = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while v <= hi + step * 1e-9 && out.len() < 12 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}

/// A value in its unit, short.
pub(crate) fn value(lang: Lang, unit: Unit, v: f64) -> String {
    match unit {
        Unit::Ratio => lang.percent(v, 2),
        Unit::Seconds => format!("{} s", lang.number(v, 0)),
        Unit::Money => lang.number(v, 2),
        Unit::Count => lang.number(v, 0),
    }
}

fn secs(t: DateTime<Utc>) -> f64 {
    t.timestamp() as f64
}

pub(crate) fn status_color(s: Status) -> &'static str {
    match s {
        Status::OnTrack => GREEN,
        Status::AtRisk => ORANGE,
        Status::OffTrack => RED,
        Status::Unknown => GREY,
    }
}

/// A goal's KPI over time: readings, baseline and target lines, and the forecast at the
/// deadline with its interval as a whisker.
pub(crate) fn goal(g: &GoalReport, start: DateTime<Utc>, lang: Lang) -> String {
    let l = lang.labels();
    let (w, h) = (460.0, 220.0);
    let mut svg = Svg::new("goal", w, h, &format!("{}: {}", l.goal, g.goal));
    if g.readings.is_empty() && g.forecast.is_none() {
        svg.no_data(lang);
        return svg.finish();
    }
    let (left, right, top, bottom) = (70.0, w - 20.0, 16.0, h - 36.0);
    let t0 = g
        .readings
        .first()
        .map_or(start, |r| r.at.min(start))
        .min(g.deadline_at);
    let t1 = g.deadline_at.max(g.readings.last().map_or(t0, |r| r.at));
    let mut values: Vec<f64> = g.readings.iter().map(|r| r.value).collect();
    values.extend([g.baseline, g.target]);
    if let Some(f) = &g.forecast {
        values.push(f.value);
        values.extend(f.low);
        values.extend(f.high);
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = (hi - lo).abs() * 0.08;
    let (lo, hi) = (lo - pad, hi + pad);
    let xs = Scale::new((secs(t0), secs(t1)), (left, right));
    let ys = Scale::new((lo, hi), (bottom, top));
    for t in ticks(lo, hi) {
        let y = ys.at(t);
        svg.line((left, y), (right, y), GRID, 1.0, false);
        svg.text(
            left - 6.0,
            y + 4.0,
            &value(lang, g.unit, t),
            "end",
            11.0,
            INK,
        );
    }
    svg.line((left, bottom), (right, bottom), INK, 1.0, false);
    svg.text(
        left,
        h - 14.0,
        &t0.format("%Y-%m-%d").to_string(),
        "start",
        11.0,
        INK,
    );
    svg.text(
        right,
        h - 14.0,
        &format!("{} {}", l.deadline, g.deadline_at.format("%Y-%m-%d")),
        "end",
        11.0,
        INK,
    );
    // Target and baseline.
    let yt = ys.at(g.target);
    svg.line((left, yt), (right, yt), GREEN, 1.5, true);
    svg.text(
        right - 4.0,
        yt - 4.0,
        &format!("{} {}", l.target, value(lang, g.unit, g.target)),
        "end",
        11.0,
        GREEN,
    );
    let yb = ys.at(g.baseline);
    svg.line((left, yb), (right, yb), GREY, 1.0, true);
    // Readings.
    let pts: Vec<(f64, f64)> = g
        .readings
        .iter()
        .map(|r| (xs.at(secs(r.at)), ys.at(r.value)))
        .collect();
    svg.polyline(&pts, BLUE, 2.0);
    for (r, (x, y)) in g.readings.iter().zip(&pts) {
        svg.circle(
            *x,
            *y,
            3.0,
            BLUE,
            Some(&format!(
                "{} {}",
                r.at.format("%Y-%m-%d"),
                value(lang, g.unit, r.value)
            )),
        );
        svg.marks += 1;
    }
    // Forecast.
    if let Some(f) = &g.forecast {
        let xf = xs.at(secs(g.deadline_at));
        let yf = ys.at(f.value);
        if let Some((x, y)) = pts.last() {
            svg.line((*x, *y), (xf, yf), ORANGE, 1.5, true);
        }
        if let (Some(lo), Some(hi)) = (f.low, f.high) {
            let (ylo, yhi) = (ys.at(lo), ys.at(hi));
            svg.rect(
                xf - 5.0,
                yhi,
                10.0,
                ylo - yhi,
                "rgba(194,65,12,0.18)",
                Some(&format!(
                    "{}: {} – {}",
                    l.interval,
                    value(lang, g.unit, lo),
                    value(lang, g.unit, hi)
                )),
            );
            svg.line((xf, yhi), (xf, ylo), ORANGE, 1.5, false);
            svg.line((xf - 6.0, yhi), (xf + 6.0, yhi), ORANGE, 1.5, false);
            svg.line((xf - 6.0, ylo), (xf + 6.0, ylo), ORANGE, 1.5, false);
        }
        svg.circle(
            xf,
            yf,
            4.5,
            ORANGE,
            Some(&format!("{} {}", l.forecast, value(lang, g.unit, f.value))),
        );
        svg.marks += 1;
    }
    svg.finish()
}

/// Horizontal bars: one row per `(label, value)`, values as percentages of 1.
pub(crate) fn bars(
    name: &'static str,
    label: &str,
    rows: &[(String, Option<f64>, usize)],
    lang: Lang,
) -> String {
    let row_h = 26.0;
    let (w, h) = (460.0, 30.0 + row_h * rows.len().max(1) as f64);
    let mut svg = Svg::new(name, w, h, label);
    let known: Vec<f64> = rows.iter().filter_map(|r| r.1).collect();
    if known.is_empty() {
        svg.no_data(lang);
        return svg.finish();
    }
    let (left, right) = (150.0, w - 80.0);
    let max = known.iter().copied().fold(0.0, f64::max).max(1e-9);
    let xs = Scale::new((0.0, max), (left, right));
    for (i, (name, v, posts)) in rows.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let short: String = name.chars().take(22).collect();
        svg.text(left - 8.0, y + 15.0, &short, "end", 12.0, INK);
        match v {
            Some(v) => {
                svg.rect(
                    left,
                    y + 3.0,
                    xs.at(*v) - left,
                    row_h - 8.0,
                    BLUE,
                    Some(&format!(
                        "{name}: {} ({posts} {})",
                        lang.percent(*v, 2),
                        lang.labels().posts
                    )),
                );
                svg.text(
                    xs.at(*v) + 6.0,
                    y + 15.0,
                    &lang.percent(*v, 2),
                    "start",
                    11.0,
                    INK,
                );
                svg.marks += 1;
            }
            None => svg.text(left + 4.0, y + 15.0, "n/a", "start", 11.0, GREY),
        }
    }
    svg.line((left, 6.0), (left, h - 20.0), INK, 1.0, false);
    svg.finish()
}

/// Colour of a rate on a white → blue ramp.
fn ramp(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "rgb({},{},{})",
        mix(239.0, 30.0),
        mix(246.0, 64.0),
        mix(255.0, 175.0)
    )
}

/// The weekday × hour heatmap.
pub(crate) fn heatmap(hm: &Heatmap, zone: Tz, lang: Lang) -> String {
    let l = lang.labels();
    let (cell, left, top) = (24.0, 44.0, 22.0);
    let (w, h) = (left + cell * 24.0 + 10.0, top + cell * 7.0 + 44.0);
    let mut svg = Svg::new("heatmap", w, h, l.best_times);
    if hm.cells.is_empty() {
        svg.no_data(lang);
        return svg.finish();
    }
    let max = hm
        .cells
        .iter()
        .map(|c| c.mean_rate)
        .fold(0.0, f64::max)
        .max(1e-9);
    for hour in (0..24).step_by(3) {
        svg.text(
            left + cell * hour as f64 + cell / 2.0,
            top - 6.0,
            &format!("{hour:02}"),
            "middle",
            10.0,
            INK,
        );
    }
    for (d, name) in l.weekdays.iter().enumerate() {
        let y = top + cell * d as f64;
        svg.text(left - 6.0, y + cell / 2.0 + 4.0, name, "end", 11.0, INK);
        for hour in 0..24u8 {
            let x = left + cell * f64::from(hour);
            match hm.cell(d as u8, hour) {
                Some(c) => {
                    svg.rect(
                        x + 1.0,
                        y + 1.0,
                        cell - 2.0,
                        cell - 2.0,
                        &ramp(c.mean_rate / max),
                        Some(&format!(
                            "{name} {hour:02}:00 — {} ({} {})",
                            lang.percent(c.mean_rate, 2),
                            c.posts,
                            l.posts
                        )),
                    );
                    svg.marks += 1;
                }
                None => svg.rect(x + 1.0, y + 1.0, cell - 2.0, cell - 2.0, "#f3f4f6", None),
            }
        }
    }
    // Legend.
    let ly = top + cell * 7.0 + 14.0;
    for i in 0..=10 {
        let t = f64::from(i) / 10.0;
        svg.rect(left + 14.0 * f64::from(i), ly, 14.0, 10.0, &ramp(t), None);
    }
    svg.text(left, ly + 24.0, "0 %", "start", 10.0, INK);
    svg.text(
        left + 154.0,
        ly + 24.0,
        &lang.percent(max, 1),
        "end",
        10.0,
        INK,
    );
    svg.text(
        w - 10.0,
        ly + 10.0,
        &format!("{} ({zone})", l.hour),
        "end",
        10.0,
        INK,
    );
    svg.finish()
}

/// Volume bars with the negative share as a line, anomalies as red rings, crisis alarms as red
/// bands.
pub(crate) fn listening(lr: &ListeningReport, zone: Tz, lang: Lang) -> String {
    let l = lang.labels();
    let (w, h) = (940.0, 260.0);
    let mut svg = Svg::new("listening", w, h, l.listening);
    if lr.buckets.is_empty() {
        svg.no_data(lang);
        return svg.finish();
    }
    let (left, right, top, bottom) = (50.0, w - 60.0, 18.0, h - 40.0);
    let t0 = secs(lr.buckets[0].start);
    let t1 = secs(lr.buckets[lr.buckets.len() - 1].start) + lr.bucket_secs as f64;
    let xs = Scale::new((t0, t1), (left, right));
    let max = lr.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let ys = Scale::new((0.0, max * 1.1), (bottom, top));
    let ns = Scale::new((0.0, 1.0), (bottom, top));
    for t in ticks(0.0, max * 1.1) {
        let y = ys.at(t);
        svg.line((left, y), (right, y), GRID, 1.0, false);
        svg.text(left - 6.0, y + 4.0, &lang.number(t, 0), "end", 10.0, INK);
    }
    for p in [0.0, 0.5, 1.0] {
        svg.text(
            right + 6.0,
            ns.at(p) + 4.0,
            &lang.percent(p, 0),
            "start",
            10.0,
            RED,
        );
    }
    // Crisis bands under the bars.
    for c in &lr.crises {
        let x = xs.at(secs(c.at));
        svg.rect(
            x - 6.0,
            top,
            12.0,
            bottom - top,
            "rgba(220,38,38,0.18)",
            Some(&format!(
                "{} {}: {} → {}",
                l.crisis,
                c.at.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
                lang.percent(c.negative_share_before, 0),
                lang.percent(c.negative_share_after, 0)
            )),
        );
        svg.text(x, top + 10.0, l.crisis, "middle", 10.0, RED);
        svg.marks += 1;
    }
    let bw = ((right - left) / lr.buckets.len() as f64 - 1.0).max(1.0);
    // The negative share over a rolling day (pooled counts), so a bucket with two messages
    // does not swing the line from 0 to 100 %.
    let window = (86_400 / lr.bucket_secs.max(1)).max(1) as usize;
    let mut neg = Vec::new();
    for (i, b) in lr.buckets.iter().enumerate() {
        let from = (i + 1).saturating_sub(window);
        let (n, s) = lr.buckets[from..=i]
            .iter()
            .fold((0u64, 0u64), |(n, s), b| (n + b.negative, s + b.scored()));
        if s > 0 {
            neg.push((xs.at(secs(b.start)) + bw / 2.0, ns.at(n as f64 / s as f64)));
        }
    }
    for b in &lr.buckets {
        let x = xs.at(secs(b.start));
        if b.count > 0 {
            svg.rect(
                x,
                ys.at(b.count as f64),
                bw,
                bottom - ys.at(b.count as f64),
                "#93c5fd",
                Some(&format!(
                    "{} — {} {}",
                    b.start.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
                    b.count,
                    l.volume
                )),
            );
            svg.marks += 1;
        }
    }
    svg.polyline(&neg, RED, 1.5);
    for a in &lr.anomalies {
        let x = xs.at(secs(a.at)) + bw / 2.0;
        // The detector's value may be transformed (log1p): mark the bucket's own count.
        let count = lr
            .buckets
            .iter()
            .find(|b| b.start == a.at)
            .map_or(a.value, |b| b.count as f64);
        let _ = write!(
            svg.buf,
            r#"<circle cx="{x:.1}" cy="{:.1}" r="7" fill="none" stroke="{RED}" stroke-width="2"><title>{}</title></circle>"#,
            ys.at(count),
            esc(&format!(
                "{} {}: {} {}",
                l.anomaly,
                a.at.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
                lang.number(count, 0),
                l.volume
            ))
        );
        svg.marks += 1;
    }
    svg.line((left, bottom), (right, bottom), INK, 1.0, false);
    let first = lr.buckets[0].start.with_timezone(&zone);
    let last = lr.buckets[lr.buckets.len() - 1].start.with_timezone(&zone);
    svg.text(
        left,
        h - 22.0,
        &first.format("%Y-%m-%d").to_string(),
        "start",
        11.0,
        INK,
    );
    svg.text(
        right,
        h - 22.0,
        &last.format("%Y-%m-%d").to_string(),
        "end",
        11.0,
        INK,
    );
    // Legend.
    let ly = h - 8.0;
    svg.rect(left, ly - 9.0, 12.0, 10.0, "#93c5fd", None);
    svg.text(left + 16.0, ly, l.volume, "start", 11.0, INK);
    svg.line(
        (left + 120.0, ly - 4.0),
        (left + 140.0, ly - 4.0),
        RED,
        1.5,
        false,
    );
    svg.text(left + 144.0, ly, l.negative_share, "start", 11.0, INK);
    let _ = write!(
        svg.buf,
        r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="none" stroke="{RED}" stroke-width="2"/>"#,
        left + 370.0,
        ly - 4.0
    );
    svg.text(left + 380.0, ly, l.anomaly, "start", 11.0, INK);
    svg.rect(
        left + 480.0,
        ly - 9.0,
        12.0,
        10.0,
        "rgba(220,38,38,0.3)",
        None,
    );
    svg.text(left + 496.0, ly, l.crisis, "start", 11.0, INK);
    svg.finish()
}

/// Median and 90th-percentile first-response times per channel, in business hours, against
/// the SLA target.
pub(crate) fn response_times(ir: &InboxReport, lang: Lang) -> String {
    let l = lang.labels();
    let row_h = 34.0;
    let (w, h) = (620.0, 50.0 + row_h * ir.channels.len().max(1) as f64);
    let mut svg = Svg::new("response-times", w, h, l.inbox);
    let any = ir.channels.iter().any(|c| c.median_secs.is_some());
    if !any {
        svg.no_data(lang);
        return svg.finish();
    }
    let hours = |s: i64| s as f64 / 3600.0;
    let target = hours(ir.first_response_target_secs);
    let max = ir
        .channels
        .iter()
        .filter_map(|c| c.p90_secs)
        .map(hours)
        .fold(target, f64::max)
        * 1.1;
    let (left, right) = (150.0, w - 30.0);
    let xs = Scale::new((0.0, max), (left, right));
    let bottom = 10.0 + row_h * ir.channels.len() as f64;
    for t in ticks(0.0, max) {
        let x = xs.at(t);
        svg.line((x, 6.0), (x, bottom), GRID, 1.0, false);
        svg.text(
            x,
            bottom + 14.0,
            &format!("{} h", lang.number(t, 0)),
            "middle",
            10.0,
            INK,
        );
    }
    for (i, c) in ir.channels.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        svg.text(left - 8.0, y + 18.0, &c.channel, "end", 12.0, INK);
        if let (Some(m), Some(p)) = (c.median_secs, c.p90_secs) {
            svg.rect(
                left,
                y + 4.0,
                xs.at(hours(p)) - left,
                row_h - 10.0,
                "#bfdbfe",
                Some(&format!(
                    "{} {}: {} h",
                    c.channel,
                    l.p90,
                    lang.number(hours(p), 1)
                )),
            );
            svg.rect(
                left,
                y + 9.0,
                xs.at(hours(m)) - left,
                row_h - 20.0,
                BLUE,
                Some(&format!(
                    "{} {}: {} h",
                    c.channel,
                    l.median,
                    lang.number(hours(m), 1)
                )),
            );
            svg.marks += 1;
        } else {
            svg.text(left + 4.0, y + 18.0, "n/a", "start", 11.0, GREY);
        }
    }
    let xt = xs.at(target);
    svg.line((xt, 4.0), (xt, bottom), RED, 2.0, true);
    svg.text(
        xt + 4.0,
        14.0,
        &format!("{} {} h", l.sla, lang.number(target, 0)),
        "start",
        11.0,
        RED,
    );
    let ly = h - 8.0;
    svg.rect(left, ly - 9.0, 12.0, 10.0, BLUE, None);
    svg.text(left + 16.0, ly, l.median, "start", 11.0, INK);
    svg.rect(left + 90.0, ly - 9.0, 12.0, 10.0, "#bfdbfe", None);
    svg.text(left + 106.0, ly, l.p90, "start", 11.0, INK);
    svg.text(
        right,
        ly,
        &format!("{} ({})", l.first_response, l.business_hours),
        "end",
        11.0,
        INK,
    );
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 100.0), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        let t = ticks(0.041, 0.068);
        assert!(t.iter().all(|v| (0.041..=0.068).contains(v)));
        assert!(t.len() >= 2, "{t:?}");
        assert_eq!(ticks(5.0, 5.0), vec![5.0]);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
