//! The vault-backed [`TokenStore`] of a stored channel: a refresh takes the channel row's
//! lease, adopts a token another process renewed meanwhile, and writes the renewed pair
//! (sealed) before it is used. See [`crate::auth::lifecycle`] for the protocol and what a
//! crash between the platform's answer and the write means.

use std::sync::{Arc, Weak};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Engine, Inner};
use crate::ChannelConfig;
use crate::auth::lifecycle::{Begin, TokenStore, lifecycle};
use crate::auth::{Secret, Token};
use crate::error::Error;
use crate::store::vault::{ChannelHealth, ChannelSource, LeaseOutcome, ReauthReason};
use crate::store::{ChannelId, WorkspaceId};
use crate::{ErrorKind, Result};

/// Where a platform's config keeps its token's expiry.
fn expiry_key(platform: &str) -> &'static str {
    match platform {
        "threads" | "instagram" | "facebook" => "token_expires_at",
        _ => "expires_at",
    }
}

/// The token a channel config holds: `token`, its expiry, and `refresh.refresh_token`; for
/// Bluesky the stored session (`session.access_jwt`, `session.refresh_jwt`, expiry from the
/// access JWT).
pub(crate) fn token_of(config: &ChannelConfig) -> Option<Token> {
    let s = &config.settings;
    if config.platform == "bluesky" {
        if let Some(oauth) = s.get("oauth").filter(|o| !o.is_null()) {
            return oauth_token_of(oauth);
        }
        let session = s.get("session")?;
        let access = session
            .get("access_jwt")?
            .as_str()
            .filter(|t| !t.is_empty())?;
        let mut token = Token::new(access);
        token.expires_at = crate::auth::jwt_exp(access);
        token.refresh_token = session
            .get("refresh_jwt")
            .and_then(|t| t.as_str())
            .map(Secret::new);
        return Some(token);
    }
    if config.platform == "reddit" {
        return reddit_token_of(s.get("auth")?);
    }
    let access = s.get("token")?.as_str().filter(|t| !t.is_empty())?;
    let mut token = Token::new(access);
    token.expires_at = s
        .get(expiry_key(&config.platform))
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok());
    token.refresh_token = s
        .get("refresh")
        .and_then(|r| r.get("refresh_token"))
        .and_then(|t| t.as_str())
        .map(Secret::new);
    Some(token)
}

/// The token of a Reddit channel from the authorization-code flow (its `auth` slot of type
/// `token`: `access_token`, `expires_at`, `refresh_token`). A script app's config holds no
/// token (it signs in with its password).
fn reddit_token_of(auth: &serde_json::Value) -> Option<Token> {
    if auth.get("type").and_then(|t| t.as_str()) != Some("token") {
        return None;
    }
    oauth_token_of(auth)
}

/// The token pair of a Bluesky channel's OAuth session (its `oauth` slot).
fn oauth_token_of(oauth: &serde_json::Value) -> Option<Token> {
    let text = |k: &str| {
        oauth
            .get(k)
            .and_then(|v| v.as_str())
            .filter(|t| !t.is_empty())
    };
    let mut token = Token::new(text("access_token")?);
    token.refresh_token = text("refresh_token").map(Secret::new);
    token.expires_at = oauth
        .get("expires_at")
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok());
    Some(token)
}

/// Writes a renewed token pair into a Bluesky channel's OAuth session (the DPoP key, the
/// client and the account stay as they are) or a Reddit channel's `auth` slot.
fn set_oauth_token(oauth: &mut serde_json::Value, token: &Token) -> Result<()> {
    let o = oauth
        .as_object_mut()
        .ok_or_else(|| Error::config("a stored OAuth token slot is not an object"))?;
    o.insert("access_token".into(), token.access_token.expose().into());
    match &token.refresh_token {
        Some(r) => o.insert("refresh_token".into(), r.expose().into()),
        None => o.remove("refresh_token"),
    };
    match token.expires_at {
        Some(at) => o.insert("expires_at".into(), serde_json::json!(at)),
        None => o.remove("expires_at"),
    };
    Ok(())
}

/// Writes `token` into a channel config (the inverse of [`token_of`]).
pub(crate) fn set_token(config: &mut ChannelConfig, token: &Token) -> Result<()> {
    let key = expiry_key(&config.platform);
    let Some(s) = config.settings.as_object_mut() else {
        return Err(Error::config("a stored channel config is not an object"));
    };
    if config.platform == "bluesky" {
        if let Some(oauth) = s.get_mut("oauth").filter(|o| !o.is_null()) {
            return set_oauth_token(oauth, token);
        }
        return set_bluesky_session(s, token);
    }
    if config.platform == "reddit" {
        return match s.get_mut("auth") {
            Some(auth) if auth.get("type").and_then(|t| t.as_str()) == Some("token") => {
                set_oauth_token(auth, token)
            }
            // A script app renews with its password: nothing to keep.
            _ => Ok(()),
        };
    }
    s.insert("token".into(), token.access_token.expose().into());
    match token.expires_at {
        Some(at) => s.insert(key.into(), serde_json::json!(at)),
        None => s.remove(key),
    };
    if let (Some(r), Some(refresh)) = (
        s.get_mut("refresh").and_then(|r| r.as_object_mut()),
        &token.refresh_token,
    ) {
        r.insert("refresh_token".into(), refresh.expose().into());
    }
    Ok(())
}

/// Writes a Bluesky session into its config's `session` slot: the JWT pair, the DID (the
/// access token's `sub`, else the one stored) and the handle (as stored, else the sign-in
/// identifier).
fn set_bluesky_session(
    s: &mut serde_json::Map<String, serde_json::Value>,
    token: &Token,
) -> Result<()> {
    let old = s.get("session").cloned().unwrap_or_default();
    let field = |k: &str| old.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let did = crate::auth::jwt_sub(token.access_token.expose())
        .or_else(|| field("did"))
        .ok_or_else(|| Error::unexpected("the Bluesky session names no account (no DID)"))?;
    let handle = field("handle")
        .or_else(|| {
            s.get("identifier")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default();
    let refresh = token
        .refresh_token
        .as_ref()
        .ok_or_else(|| Error::unexpected("a Bluesky session without a refresh token"))?;
    s.insert(
        "session".into(),
        serde_json::json!({
            "did": did,
            "handle": handle,
            "access_jwt": token.access_token.expose(),
            "refresh_jwt": refresh.expose(),
        }),
    );
    Ok(())
}

/// The vault-backed token store of one channel.
#[derive(Debug)]
pub(crate) struct VaultTokenStore {
    pub(crate) engine: Weak<Inner>,
    pub(crate) workspace: WorkspaceId,
    pub(crate) channel: ChannelId,
    pub(crate) platform: &'static str,
    /// A lease left by a holder that died (perhaps mid-refresh) was taken over.
    pub(crate) took_over: std::sync::atomic::AtomicBool,
}

impl VaultTokenStore {
    fn engine(&self) -> Result<Engine> {
        self.engine
            .upgrade()
            .map(|inner| Engine { inner })
            .ok_or_else(|| Error::unexpected("the engine of this channel was dropped"))
    }

    fn vault(engine: &Engine) -> Result<&crate::store::vault::Vault> {
        engine
            .inner
            .vault
            .as_ref()
            .ok_or_else(|| Error::unexpected("the engine has no vault"))
    }

    fn stored_config(source: ChannelSource) -> Result<ChannelConfig> {
        match source {
            ChannelSource::Config(c) => Ok(c),
            // A Bluesky channel stored as a URL keeps its sessions once it is a config.
            #[cfg(feature = "bluesky")]
            ChannelSource::Url(u) if source_platform_is(&u, "bluesky") => {
                let url = url::Url::parse(&u)
                    .map_err(|_| Error::config("the stored bluesky channel URL is invalid"))?;
                let config = crate::adapters::bluesky::BlueskyConfig::from_url(&url)?;
                Ok(ChannelConfig {
                    platform: "bluesky".into(),
                    settings: serde_json::to_value(&config)
                        .map_err(|e| Error::unexpected(e.to_string()))?,
                })
            }
            ChannelSource::Url(_) => Err(Error::config(
                "a channel stored as a URL cannot keep renewed tokens; store it as a config",
            )),
        }
    }

    /// Takes the lease, waiting (bounded) while another process holds it.
    async fn lease(&self, engine: &Engine) -> Result<()> {
        let vault = Self::vault(engine)?;
        let lease = engine.inner.config.refresh_lease;
        // Another holder keeps it at most `lease`; look again at growing intervals, bounded.
        let mut wait = std::time::Duration::from_millis(20);
        for _ in 0..64 {
            let now = engine.now();
            match vault
                .store()
                .try_lease(
                    &self.workspace,
                    &self.channel,
                    &engine.inner.holder,
                    now,
                    now + lease,
                )
                .await?
            {
                LeaseOutcome::Taken { took_over } => {
                    if took_over.is_some() {
                        self.took_over
                            .store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                    return Ok(());
                }
                LeaseOutcome::HeldBy(_) => {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(std::time::Duration::from_secs(2));
                }
            }
        }
        Err(Error::new(
            ErrorKind::Timeout,
            format!(
                "another process holds the refresh lease of channel {} for too long",
                self.channel
            ),
        )
        .with_retryable(true))
    }
}

#[async_trait]
impl TokenStore for VaultTokenStore {
    async fn begin(&self, current: &Token) -> Result<Begin> {
        let engine = self.engine()?;
        self.lease(&engine).await?;
        let vault = Self::vault(&engine)?;
        let opened = match vault.open(&self.workspace, &self.channel).await {
            Ok(o) => o,
            Err(e) => {
                let _ = vault
                    .store()
                    .release(&self.workspace, &self.channel, &engine.inner.holder)
                    .await;
                return Err(e);
            }
        };
        let stored = Self::stored_config(opened.source)
            .ok()
            .and_then(|c| token_of(&c));
        match stored {
            Some(t) if t.access_token != current.access_token => {
                vault
                    .store()
                    .release(&self.workspace, &self.channel, &engine.inner.holder)
                    .await?;
                Ok(Begin::Adopt(t))
            }
            _ => Ok(Begin::Refresh),
        }
    }

    async fn commit(&self, fresh: &Token) -> Result<()> {
        let engine = self.engine()?;
        if let Some(h) = &engine.inner.hooks {
            h.before_token_write(&self.workspace, &self.channel);
        }
        let vault = Self::vault(&engine)?;
        let opened = vault.open(&self.workspace, &self.channel).await?;
        let mut config = Self::stored_config(opened.source)?;
        set_token(&mut config, fresh)?;
        vault
            .replace(
                &self.workspace,
                &self.channel,
                &ChannelSource::Config(config),
                ChannelHealth::Connected,
                opened.version,
                engine.now(),
            )
            .await?;
        self.took_over
            .store(false, std::sync::atomic::Ordering::SeqCst);
        tracing::debug!(platform = self.platform, channel = %self.channel, "renewed token stored");
        Ok(())
    }

    async fn abort(&self, error: &Error) {
        let Ok(engine) = self.engine() else { return };
        if let Ok(vault) = Self::vault(&engine) {
            let _ = vault
                .store()
                .release(&self.workspace, &self.channel, &engine.inner.holder)
                .await;
        }
        if !refused(error) {
            return;
        }
        let rotates = lifecycle(self.platform).is_some_and(|l| l.rotates_refresh_token);
        let lost = self.took_over.load(std::sync::atomic::Ordering::SeqCst);
        let sign_in =
            self.platform == "bluesky" && error.context().operation.as_deref() == Some("sign in");
        let (reason, message) = if sign_in {
            (
                ReauthReason::PasswordChanged,
                "Bluesky refused the stored session and then the identifier or app password (changed or revoked): reconnect the account with a new app password".to_string(),
            )
        } else if rotates && lost {
            (
                ReauthReason::RefreshLost,
                format!(
                    "{} refused the stored refresh token; an earlier process died while renewing it, and {} rotates refresh tokens, so the renewed one was lost: reconnect the account",
                    self.platform, self.platform
                ),
            )
        } else {
            (
                ReauthReason::Revoked,
                format!(
                    "{} refused the refresh ({}): reconnect the account",
                    self.platform,
                    error.message()
                ),
            )
        };
        engine
            .mark_needs_reauth(&self.workspace, &self.channel, reason, message)
            .await;
    }
}

/// Whether a refresh error means the platform refused the refresh token itself (the account
/// must be reconnected), not a passing failure: `Unauthenticated` (RFC 6749 `invalid_grant`),
/// or X's answer for a used or unknown refresh token, HTTP 400 `invalid_request` "Value passed
/// for the token was invalid." (see `src/adapters/x/twin/routes.rs`).
pub(crate) fn refused(error: &Error) -> bool {
    let ctx = error.context();
    error.kind() == ErrorKind::Unauthenticated
        || (ctx.platform_code.as_deref() == Some("invalid_request")
            && ctx
                .platform_message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("token")))
}

#[cfg(feature = "bluesky")]
fn source_platform_is(url: &str, platform: &str) -> bool {
    url.split_once("://")
        .is_some_and(|(s, _)| s.eq_ignore_ascii_case(platform))
}

pub(crate) fn factory(
    engine: &Arc<Inner>,
    workspace: &WorkspaceId,
    channel: &ChannelId,
) -> crate::auth::lifecycle::TokenStoreFactory {
    let (weak, ws, ch) = (Arc::downgrade(engine), workspace.clone(), channel.clone());
    Arc::new(move |platform| {
        Arc::new(VaultTokenStore {
            engine: weak.clone(),
            workspace: ws.clone(),
            channel: ch.clone(),
            platform,
            took_over: std::sync::atomic::AtomicBool::new(false),
        }) as Arc<dyn TokenStore>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reddit_keeps_its_token_in_its_auth_slot() {
        let at: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let mut c = ChannelConfig {
            platform: "reddit".into(),
            settings: serde_json::json!({"auth": {"type": "token", "access_token": "a",
                "refresh_token": "r", "client_id": "app"}, "user_agent": "web:x:1 (by /u/x)"}),
        };
        let t = token_of(&c).unwrap();
        assert_eq!(t.access_token.expose(), "a");
        assert_eq!(t.refresh_token.unwrap().expose(), "r");
        let fresh = Token::new("b").with_refresh_token("r").with_expires_at(at);
        set_token(&mut c, &fresh).unwrap();
        assert_eq!(c.settings["auth"]["access_token"], "b");
        assert_eq!(c.settings["auth"]["expires_at"], serde_json::json!(at));
        assert_eq!(c.settings["auth"]["client_id"], "app");
        assert!(c.settings.get("token").is_none(), "no stray top-level slot");
        assert_eq!(token_of(&c).unwrap().expires_at, Some(at));
        // A script app has no token to keep.
        let mut script = ChannelConfig {
            platform: "reddit".into(),
            settings: serde_json::json!({"auth": {"type": "script", "client_id": "app",
                "client_secret": "s", "username": "u", "password": "p"}}),
        };
        assert!(token_of(&script).is_none());
        let before = script.settings.clone();
        set_token(&mut script, &fresh).unwrap();
        assert_eq!(script.settings, before);
    }

    #[test]
    fn token_slots_round_trip_per_platform() {
        let at: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        for (platform, key) in [("x", "expires_at"), ("threads", "token_expires_at")] {
            let mut c = ChannelConfig {
                platform: platform.into(),
                settings: serde_json::json!({"token": "a", "refresh": {"client_id": "app", "refresh_token": "r"}, "user_id": "1"}),
            };
            let t = Token::new("b").with_refresh_token("r2").with_expires_at(at);
            set_token(&mut c, &t).unwrap();
            assert_eq!(c.settings[key], serde_json::json!(at));
            assert_eq!(c.settings["user_id"], "1", "other settings stay");
            assert_eq!(c.settings["refresh"]["client_id"], "app");
            assert_eq!(token_of(&c).unwrap(), t);
        }
        // A Bluesky OAuth channel: the pair goes into `oauth`, the DPoP key stays.
        let mut c = ChannelConfig {
            platform: "bluesky".into(),
            settings: serde_json::json!({"identifier": "a.test", "oauth": {"dpop_key": "k", "access_token": "a", "refresh_token": "r", "did": "did:plc:a"}}),
        };
        let t = Token::new("b").with_refresh_token("r2").with_expires_at(at);
        set_token(&mut c, &t).unwrap();
        assert_eq!(c.settings["oauth"]["dpop_key"], "k");
        assert_eq!(c.settings["oauth"]["refresh_token"], "r2");
        assert!(c.settings.get("session").is_none());
        assert_eq!(token_of(&c).unwrap(), t);
        // No refresh setup: none is invented.
        let mut c = ChannelConfig {
            platform: "mastodon".into(),
            settings: serde_json::json!({"token": "a"}),
        };
        set_token(&mut c, &Token::new("b").with_refresh_token("r")).unwrap();
        assert!(c.settings.get("refresh").is_none());
    }
}
