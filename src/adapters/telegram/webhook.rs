//! Updates pushed by a webhook (`setWebhook`, <https://core.telegram.org/bots/api#setwebhook>).
//!
//! Telegram POSTs each `Update` as JSON to your HTTPS endpoint, with the `secret_token` set at
//! `setWebhook` in the `X-Telegram-Bot-Api-Secret-Token` header. [`Telegram::receive_webhook`]
//! refuses a request without that exact header (compared in constant time) before it reads the
//! body, then classifies the update as `getUpdates` does. While a webhook is set, `getUpdates`
//! answers 409 (`Conflict`): use one or the other.
//!
//! ```no_run
//! use socialkit::adapters::telegram::{Telegram, WEBHOOK_SECRET_HEADER};
//! # async fn demo(telegram: Telegram, headers: &socialkit::http::header::HeaderMap, body: &[u8]) -> socialkit::Result<()> {
//! telegram.set_webhook("https://bots.example.com/telegram").await?; // once
//! // In your HTTP handler:
//! let secret = headers.get(WEBHOOK_SECRET_HEADER).and_then(|v| v.to_str().ok());
//! if let Some(interaction) = telegram.receive_webhook(secret, body).await? {
//!     println!("{:?}: {:?}", interaction.kind, interaction.text);
//! }
//! # Ok(()) }
//! ```

use super::api::Update;
use super::read::ALLOWED_UPDATES;
use super::{PLATFORM, Telegram};
use crate::auth::constant_time_eq;
use crate::http::Retry;
use crate::model::Interaction;
use crate::{Error, ErrorKind, Result};

/// The header that carries the webhook's secret token.
///
/// ```
/// assert_eq!(socialkit::adapters::telegram::WEBHOOK_SECRET_HEADER, "x-telegram-bot-api-secret-token");
/// ```
pub const WEBHOOK_SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

impl Telegram {
    /// Reads one update pushed to your endpoint: `secret` is the value of the
    /// [`WEBHOOK_SECRET_HEADER`] header (`None` when absent), `body` the request body.
    /// `Ok(None)` for an update that is no interaction.
    ///
    /// Errors: `ConfigInvalid` when the config has no `webhook_secret` (an endpoint that
    /// accepts anyone's updates is refused), `Unauthenticated` for a missing or wrong secret
    /// (answer 401 and drop the request), `Unexpected` for a body that is no `Update`.
    pub async fn receive_webhook(
        &self,
        secret: Option<&str>,
        body: &[u8],
    ) -> Result<Option<Interaction>> {
        self.check_webhook_secret(secret)?;
        let update: Update = serde_json::from_slice(body).map_err(|e| {
            Error::new(
                ErrorKind::Unexpected,
                format!(
                    "the webhook body is not a telegram update (at line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
            .with_platform(PLATFORM)
            .with_operation("webhook")
        })?;
        let scope = self.scope().await?;
        Ok(self.interaction_of(&update, &scope))
    }

    /// Checks the secret header of a webhook request (see [`Telegram::receive_webhook`]).
    ///
    /// ```
    /// use socialkit::adapters::telegram::{Telegram, TelegramConfig};
    /// let t = Telegram::new(TelegramConfig::new("1:t", "@acme_news").unwrap().with_webhook_secret("s3cret").unwrap());
    /// assert!(t.check_webhook_secret(Some("s3cret")).is_ok());
    /// let e = t.check_webhook_secret(Some("guess")).unwrap_err();
    /// assert_eq!(e.kind(), socialkit::ErrorKind::Unauthenticated);
    /// assert!(t.check_webhook_secret(None).is_err());
    /// ```
    pub fn check_webhook_secret(&self, secret: Option<&str>) -> Result<()> {
        let Some(expected) = &self.config.webhook_secret else {
            return Err(Error::config(
                "the telegram config has no webhook_secret: a webhook without one would accept anyone's updates",
            )
            .with_platform(PLATFORM));
        };
        match secret {
            Some(s) if constant_time_eq(s.as_bytes(), expected.expose().as_bytes()) => Ok(()),
            _ => Err(Error::new(
                ErrorKind::Unauthenticated,
                "the webhook request does not carry the secret token set with setWebhook",
            )
            .with_platform(PLATFORM)
            .with_operation("webhook")),
        }
    }

    /// Points the bot's updates at `url` (`setWebhook`) with the config's `webhook_secret`
    /// and the update types the inbox reads.
    pub async fn set_webhook(&self, url: &str) -> Result<()> {
        let Some(secret) = &self.config.webhook_secret else {
            return Err(Error::config(
                "set webhook_secret in the telegram config before setting a webhook",
            )
            .with_platform(PLATFORM));
        };
        let parsed = url::Url::parse(url).map_err(|_| {
            Error::validation("the webhook URL is not a valid URL").with_platform(PLATFORM)
        })?;
        let call = self
            .call("webhook", "setWebhook")?
            .redact(secret)
            .json(&serde_json::json!({
                "url": parsed.as_str(),
                "secret_token": secret.expose(),
                "allowed_updates": ALLOWED_UPDATES,
            }))
            .retry(Retry::Idempotent);
        self.request::<bool>(call).await.map(drop)
    }

    /// Removes the webhook (`deleteWebhook`), so `getUpdates` works again.
    pub async fn delete_webhook(&self) -> Result<()> {
        let call = self
            .call("webhook", "deleteWebhook")?
            .json(&serde_json::json!({}))
            .retry(Retry::Idempotent);
        self.request::<bool>(call).await.map(drop)
    }
}
