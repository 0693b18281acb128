//! CSV exports with stable column names (RFC 4180: comma-separated, fields with commas,
//! quotes or line breaks quoted, quotes doubled; instants in RFC 3339 UTC; rates as fractions;
//! an unknown value is an empty field, never 0).

use chrono::{DateTime, SecondsFormat, Utc};

use super::CampaignReport;

/// Columns of [`CampaignReport::posts_csv`], in order. One row per planned post (slot).
///
/// `slot` (index in the plan's calendar), `channel`, `pillar`, `planned_at`, `published_at`
/// (empty unless published), `state` (`published`, `failed`, …), `url`, `error_kind`
/// (`validation`, `rate_limited`, … when failed), `impressions`, `reach`, `likes`, `reposts`,
/// `replies`, `clicks`, `saves`, `engagements`, `engagement_rate` (engagements ÷
/// `rate_basis`), `rate_basis` (`reach`, `impressions` or `followers`), `text`.
pub const POSTS_COLUMNS: [&str; 19] = [
    "slot",
    "channel",
    "pillar",
    "planned_at",
    "published_at",
    "state",
    "url",
    "error_kind",
    "impressions",
    "reach",
    "likes",
    "reposts",
    "replies",
    "clicks",
    "saves",
    "engagements",
    "engagement_rate",
    "rate_basis",
    "text",
];

/// Columns of [`CampaignReport::inbox_csv`], in order. One row per inbox item.
///
/// `key` (`channel/platform/id`), `channel`, `platform`, `kind` (`comment`, `mention`,
/// `direct_message` …), `author`, `created_at`, `state` (`new`, `pending`, `resolved`),
/// `assignee`, `intent`, `priority`, `sentiment` (VADER compound −1…1),
/// `first_response_secs` and `resolution_secs` (business seconds), `sla_measured`
/// (`true`/`false`), `first_response_breached` (`true`/`false`), `text`.
pub const INBOX_COLUMNS: [&str; 16] = [
    "key",
    "channel",
    "platform",
    "kind",
    "author",
    "created_at",
    "state",
    "assignee",
    "intent",
    "priority",
    "sentiment",
    "first_response_secs",
    "resolution_secs",
    "sla_measured",
    "first_response_breached",
    "text",
];

/// Columns of [`CampaignReport::evaluation_csv`], in order. One row per goal, then one per
/// adjustment.
///
/// `record` (`goal` or `adjustment`), `goal`, `kpi`, `unit` (`ratio`, `count`, `seconds`,
/// `money`), `baseline`, `target`, `current`, `progress` (fraction of the way from baseline
/// to target), `forecast`, `forecast_low`, `forecast_high` (80 % interval), `status`
/// (`on_track`, `at_risk`, `off_track`, `unknown`), `deadline_at`, `adjustment_kind`
/// (`cadence`, `time_slots`, `platform_mix`, `content_pillars`, `inbox`), `channel`,
/// `action`, `reason`.
pub const EVALUATION_COLUMNS: [&str; 17] = [
    "record",
    "goal",
    "kpi",
    "unit",
    "baseline",
    "target",
    "current",
    "progress",
    "forecast",
    "forecast_low",
    "forecast_high",
    "status",
    "deadline_at",
    "adjustment_kind",
    "channel",
    "action",
    "reason",
];

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn row(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

fn t(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn o<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl CampaignReport {
    /// Every planned post with its outcome and metrics, as CSV with [`POSTS_COLUMNS`].
    ///
    /// ```
    /// let r = socialkit::report::CampaignReport::empty("c", "o", chrono_tz::UTC);
    /// assert_eq!(r.posts_csv().lines().count(), 1); // the header
    /// ```
    pub fn posts_csv(&self) -> String {
        let mut out = String::new();
        row(&mut out, &POSTS_COLUMNS.map(String::from));
        let basis = super::snake(&self.rate_basis);
        for p in &self.posts {
            row(
                &mut out,
                &[
                    p.slot.to_string(),
                    p.channel.clone(),
                    p.pillar.clone(),
                    t(p.planned_at),
                    o(p.published_at.map(t)),
                    p.state.clone(),
                    o(p.url.clone()),
                    o(p.error_kind.clone()),
                    o(p.impressions),
                    o(p.reach),
                    o(p.likes),
                    o(p.reposts),
                    o(p.replies),
                    o(p.clicks),
                    o(p.saves),
                    o(p.engagements),
                    o(p.engagement_rate),
                    if p.engagement_rate.is_some() {
                        basis.clone()
                    } else {
                        String::new()
                    },
                    p.text.clone(),
                ],
            );
        }
        out
    }

    /// The inbox items, as CSV with [`INBOX_COLUMNS`] (only the header without an inbox
    /// section).
    pub fn inbox_csv(&self) -> String {
        let mut out = String::new();
        row(&mut out, &INBOX_COLUMNS.map(String::from));
        for i in self.inbox.iter().flat_map(|ir| &ir.items) {
            row(
                &mut out,
                &[
                    i.key.clone(),
                    i.channel.clone(),
                    i.platform.clone(),
                    i.kind.clone(),
                    i.author.clone(),
                    t(i.created_at),
                    i.state.clone(),
                    o(i.assignee.clone()),
                    o(i.intent.clone()),
                    o(i.priority.clone()),
                    o(i.sentiment),
                    o(i.first_response_secs),
                    o(i.resolution_secs),
                    i.measured.to_string(),
                    i.first_response_breached.to_string(),
                    i.text.clone(),
                ],
            );
        }
        out
    }

    /// The evaluation — goals, then adjustments — as CSV with [`EVALUATION_COLUMNS`].
    pub fn evaluation_csv(&self) -> String {
        let mut out = String::new();
        row(&mut out, &EVALUATION_COLUMNS.map(String::from));
        for g in &self.goals {
            let f = g.forecast.as_ref();
            row(
                &mut out,
                &[
                    "goal".into(),
                    g.goal.clone(),
                    g.kpi.as_str().into(),
                    super::snake(&g.unit),
                    g.baseline.to_string(),
                    g.target.to_string(),
                    o(g.current),
                    o(g.progress),
                    o(f.map(|f| f.value)),
                    o(f.and_then(|f| f.low)),
                    o(f.and_then(|f| f.high)),
                    super::snake(&g.status),
                    t(g.deadline_at),
                    String::new(),
                    String::new(),
                    String::new(),
                    g.reason.clone(),
                ],
            );
        }
        for a in &self.adjustments {
            let mut cells = vec![String::new(); EVALUATION_COLUMNS.len()];
            cells[0] = "adjustment".into();
            cells[1] = o(a.goal.clone());
            cells[13] = super::snake(&a.kind);
            cells[14] = o(a.channel.clone());
            cells[15] = a.action.clone();
            cells[16] = a.reason.clone();
            row(&mut out, &cells);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
