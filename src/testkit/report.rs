//! The result of a suite run: one line per check, passed, failed (with the error) or skipped
//! (with the reason).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a check did not run.
///
/// ```
/// use socialkit::testkit::{Outcome, SkipCause};
/// let o = Outcome::Skipped { cause: SkipCause::Capability, reason: "capability edit is false".into() };
/// assert!(o.is_skipped() && !o.is_passed() && !o.is_failed());
/// let json = serde_json::to_string(&o).unwrap();
/// assert!(json.contains(r#""result":"skipped""#));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipCause {
    /// The platform does not declare the capability the check tests.
    Capability,
    /// The harness lacks a hook the check needs (inducing interactions, a limited platform).
    Harness,
    /// The options left the check out.
    Excluded,
}

/// How a check went.
///
/// ```
/// use socialkit::testkit::{Outcome, SkipCause};
/// let o = Outcome::Skipped { cause: SkipCause::Capability, reason: "capability edit is false".into() };
/// assert!(o.is_skipped() && !o.is_passed() && !o.is_failed());
/// let json = serde_json::to_string(&o).unwrap();
/// assert!(json.contains(r#""result":"skipped""#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// It passed; the note says what was not verifiable, if anything.
    Passed {
        /// What the check could not verify (e.g. without `recent_posts`).
        note: Option<String>,
    },
    /// It failed.
    Failed {
        /// What went wrong.
        error: String,
    },
    /// It did not run.
    Skipped {
        /// Why, as a category.
        cause: SkipCause,
        /// Why, for people ("capability delete is false").
        reason: String,
    },
}

impl Outcome {
    /// Whether the check passed.
    ///
    /// ```
    /// use socialkit::testkit::{Outcome, SkipCause};
    /// let o = Outcome::Skipped { cause: SkipCause::Capability, reason: "capability edit is false".into() };
    /// assert!(o.is_skipped() && !o.is_passed() && !o.is_failed());
    /// let json = serde_json::to_string(&o).unwrap();
    /// assert!(json.contains(r#""result":"skipped""#));
    /// ```
    pub fn is_passed(&self) -> bool {
        matches!(self, Outcome::Passed { .. })
    }

    /// Whether the check failed.
    ///
    /// ```
    /// use socialkit::testkit::{Outcome, SkipCause};
    /// let o = Outcome::Skipped { cause: SkipCause::Capability, reason: "capability edit is false".into() };
    /// assert!(o.is_skipped() && !o.is_passed() && !o.is_failed());
    /// let json = serde_json::to_string(&o).unwrap();
    /// assert!(json.contains(r#""result":"skipped""#));
    /// ```
    pub fn is_failed(&self) -> bool {
        matches!(self, Outcome::Failed { .. })
    }

    /// Whether the check was skipped.
    ///
    /// ```
    /// use socialkit::testkit::{Outcome, SkipCause};
    /// let o = Outcome::Skipped { cause: SkipCause::Capability, reason: "capability edit is false".into() };
    /// assert!(o.is_skipped() && !o.is_passed() && !o.is_failed());
    /// let json = serde_json::to_string(&o).unwrap();
    /// assert!(json.contains(r#""result":"skipped""#));
    /// ```
    pub fn is_skipped(&self) -> bool {
        matches!(self, Outcome::Skipped { .. })
    }
}

/// One check's result.
///
/// ```
/// use socialkit::testkit::{CheckResult, Outcome};
/// let c = CheckResult { name: "publish_text".into(), outcome: Outcome::Passed { note: None } };
/// assert!(c.outcome.is_passed());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's name (`"publish_thread"`).
    pub name: String,
    /// How it went.
    pub outcome: Outcome,
}

/// The result of [`suite::run`](super::suite::run).
///
/// ```
/// use socialkit::testkit::{CheckResult, Outcome, SkipCause, SuiteReport};
/// let report = SuiteReport {
///     platform: "demo".into(),
///     checks: vec![
///         CheckResult { name: "publish_text".into(), outcome: Outcome::Passed { note: None } },
///         CheckResult {
///             name: "delete_then_delete_again".into(),
///             outcome: Outcome::Skipped { cause: SkipCause::Capability, reason: "capability delete is false".into() },
///         },
///     ],
/// };
/// report.assert_ok();
/// assert_eq!(report.skipped_for(SkipCause::Capability).len(), 1);
/// assert!(report.to_string().contains("capability delete is false"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteReport {
    /// The platform's name.
    pub platform: String,
    /// Every check, in the order they ran.
    pub checks: Vec<CheckResult>,
}

impl SuiteReport {
    /// The result of check `name`.
    ///
    /// ```
    /// use socialkit::testkit::{suite, SandboxHarness, SkipCause, SuiteOptions};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let report = suite::run(&SandboxHarness::new(), &SuiteOptions::default()).await;
    /// assert!(report.get("publish_text").unwrap().outcome.is_passed());
    /// assert_eq!(report.passed().len(), suite::CHECKS.len());
    /// assert!(report.failed().is_empty());
    /// assert!(report.skipped_for(SkipCause::Capability).is_empty());
    /// report.assert_ok();
    /// report.assert_complete();
    /// # });
    /// ```
    pub fn get(&self, name: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The checks that passed.
    ///
    /// ```
    /// use socialkit::testkit::{suite, SandboxHarness, SkipCause, SuiteOptions};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let report = suite::run(&SandboxHarness::new(), &SuiteOptions::default()).await;
    /// assert!(report.get("publish_text").unwrap().outcome.is_passed());
    /// assert_eq!(report.passed().len(), suite::CHECKS.len());
    /// assert!(report.failed().is_empty());
    /// assert!(report.skipped_for(SkipCause::Capability).is_empty());
    /// report.assert_ok();
    /// report.assert_complete();
    /// # });
    /// ```
    pub fn passed(&self) -> Vec<&CheckResult> {
        self.checks
            .iter()
            .filter(|c| c.outcome.is_passed())
            .collect()
    }

    /// The checks that failed.
    ///
    /// ```
    /// use socialkit::testkit::{suite, SandboxHarness, SkipCause, SuiteOptions};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let report = suite::run(&SandboxHarness::new(), &SuiteOptions::default()).await;
    /// assert!(report.get("publish_text").unwrap().outcome.is_passed());
    /// assert_eq!(report.passed().len(), suite::CHECKS.len());
    /// assert!(report.failed().is_empty());
    /// assert!(report.skipped_for(SkipCause::Capability).is_empty());
    /// report.assert_ok();
    /// report.assert_complete();
    /// # });
    /// ```
    pub fn failed(&self) -> Vec<&CheckResult> {
        self.checks
            .iter()
            .filter(|c| c.outcome.is_failed())
            .collect()
    }

    /// The checks skipped for `cause`.
    ///
    /// ```
    /// use socialkit::testkit::{suite, SandboxHarness, SkipCause, SuiteOptions};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let report = suite::run(&SandboxHarness::new(), &SuiteOptions::default()).await;
    /// assert!(report.get("publish_text").unwrap().outcome.is_passed());
    /// assert_eq!(report.passed().len(), suite::CHECKS.len());
    /// assert!(report.failed().is_empty());
    /// assert!(report.skipped_for(SkipCause::Capability).is_empty());
    /// report.assert_ok();
    /// report.assert_complete();
    /// # });
    /// ```
    pub fn skipped_for(&self, cause: SkipCause) -> Vec<&CheckResult> {
        self.checks
            .iter()
            .filter(|c| matches!(&c.outcome, Outcome::Skipped { cause: c2, .. } if *c2 == cause))
            .collect()
    }

    /// Panics, listing every failure, when a check failed.
    ///
    /// ```
    /// use socialkit::testkit::{suite, SandboxHarness, SkipCause, SuiteOptions};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let report = suite::run(&SandboxHarness::new(), &SuiteOptions::default()).await;
    /// assert!(report.get("publish_text").unwrap().outcome.is_passed());
    /// assert_eq!(report.passed().len(), suite::CHECKS.len());
    /// assert!(report.failed().is_empty());
    /// assert!(report.skipped_for(SkipCause::Capability).is_empty());
    /// report.assert_ok();
    /// report.assert_complete();
    /// # });
    /// ```
    pub fn assert_ok(&self) {
        let failed = self.failed();
        if !failed.is_empty() {
            let lines: Vec<String> = failed
                .iter()
                .map(|c| match &c.outcome {
                    Outcome::Failed { error } => format!("  {}: {error}", c.name),
                    _ => String::new(),
                })
                .collect();
            panic!(
                "{} of {} behaviour checks failed on {}:\n{}\n\n{self}",
                failed.len(),
                self.checks.len(),
                self.platform,
                lines.join("\n")
            );
        }
    }

    /// [`assert_ok`](Self::assert_ok), and panics when a check was skipped for lack of a
    /// capability or of a harness hook (for a platform that should run everything).
    ///
    /// ```
    /// use socialkit::testkit::{suite, SandboxHarness, SkipCause, SuiteOptions};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let report = suite::run(&SandboxHarness::new(), &SuiteOptions::default()).await;
    /// assert!(report.get("publish_text").unwrap().outcome.is_passed());
    /// assert_eq!(report.passed().len(), suite::CHECKS.len());
    /// assert!(report.failed().is_empty());
    /// assert!(report.skipped_for(SkipCause::Capability).is_empty());
    /// report.assert_ok();
    /// report.assert_complete();
    /// # });
    /// ```
    pub fn assert_complete(&self) {
        self.assert_ok();
        let skipped: Vec<&CheckResult> = self
            .skipped_for(SkipCause::Capability)
            .into_iter()
            .chain(self.skipped_for(SkipCause::Harness))
            .collect();
        if !skipped.is_empty() {
            let names: Vec<&str> = skipped.iter().map(|c| c.name.as_str()).collect();
            panic!(
                "behaviour checks skipped on {}: {}\n\n{self}",
                self.platform,
                names.join(", ")
            );
        }
    }
}

impl fmt::Display for SuiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let skipped = self
            .checks
            .iter()
            .filter(|c| c.outcome.is_skipped())
            .count();
        writeln!(
            f,
            "behaviour suite on {}: {} passed, {} failed, {} skipped",
            self.platform,
            self.passed().len(),
            self.failed().len(),
            skipped
        )?;
        let width = self
            .checks
            .iter()
            .map(|c| c.name.len())
            .max()
            .unwrap_or(5)
            .max(5);
        writeln!(f, "  {:<width$}  {:<7}  detail", "check", "result")?;
        for c in &self.checks {
            let (result, detail) = match &c.outcome {
                Outcome::Passed { note } => ("passed", note.clone().unwrap_or_default()),
                Outcome::Failed { error } => ("FAILED", error.clone()),
                Outcome::Skipped { reason, .. } => ("skipped", reason.clone()),
            };
            writeln!(f, "  {:<width$}  {:<7}  {detail}", c.name, result)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcome: Outcome) -> SuiteReport {
        SuiteReport {
            platform: "demo".into(),
            checks: vec![CheckResult {
                name: "edit".into(),
                outcome,
            }],
        }
    }

    #[test]
    #[should_panic(expected = "edit: boom")]
    fn assert_ok_lists_failures() {
        report(Outcome::Failed {
            error: "boom".into(),
        })
        .assert_ok();
    }

    #[test]
    #[should_panic(expected = "skipped on demo: edit")]
    fn assert_complete_refuses_capability_skips() {
        report(Outcome::Skipped {
            cause: SkipCause::Capability,
            reason: "capability edit is false".into(),
        })
        .assert_complete();
    }

    #[test]
    fn excluded_checks_are_complete() {
        report(Outcome::Skipped {
            cause: SkipCause::Excluded,
            reason: "left out".into(),
        })
        .assert_complete();
    }
}
