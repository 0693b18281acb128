//! Meta token expiry discovery (`GET /debug_token`) and the choice of a Facebook Page or an
//! Instagram account after Facebook Login, against a local wiremock Graph API that answers as
//! Meta documents:
//!
//! - `GET /debug_token?input_token=…&access_token=APP_ID|APP_SECRET` →
//!   `{"data": {"app_id", "type", "application", "expires_at", "data_access_expires_at",
//!   "is_valid", "issued_at", "scopes", "user_id", "profile_id"}}`, `expires_at: 0` for a token
//!   that does not expire; an invalid token has `is_valid: false` and `error {code, message,
//!   subcode}` (source: <https://developers.facebook.com/docs/graph-api/reference/debug_token>);
//! - `GET /oauth/access_token?grant_type=fb_exchange_token…` → `{"access_token", "token_type",
//!   "expires_in"}` (source:
//!   <https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived>);
//! - `GET /me/accounts?fields=id,name,access_token,instagram_business_account` →
//!   `{"data": [{"id", "name", "access_token", "instagram_business_account": {"id"}}],
//!   "paging": {…}}` (source: <https://developers.facebook.com/docs/graph-api/reference/user/accounts/>).

#![cfg(all(feature = "facebook", feature = "sqlite"))]

use std::sync::Arc;

use serde_json::json;
use socialkit::ErrorKind;
use socialkit::adapters::facebook::connect_accounts;
use socialkit::auth::connect::{AccountKind, choose};
use socialkit::auth::{Secret, Token, meta};
use socialkit::engine::Engine;
use socialkit::http::Client;
use socialkit::store::vault::{ChannelSource, KeyRing};
use socialkit::store::{ChannelRecord, MemoryStore};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP_TOKEN: &str = "app-id|app-secret";

async fn graph() -> (MockServer, url::Url) {
    let server = MockServer::start().await;
    let graph = url::Url::parse(&format!("{}/v23.0", server.uri())).unwrap();
    (server, graph)
}

fn debug_answer(token: &str, expires_at: i64, valid: bool) -> Mock {
    let mut data = json!({
        "app_id": "app-id", "type": "PAGE", "application": "ACME scheduler",
        "data_access_expires_at": 1_800_000_000, "expires_at": expires_at, "is_valid": valid,
        "issued_at": 1_700_000_000, "scopes": ["pages_manage_posts", "pages_read_engagement"],
        "user_id": "u1", "profile_id": "p1"
    });
    if !valid {
        data["error"] = json!({"code": 190, "message": "Error validating access token: The user has not authorized application app-id.", "subcode": 458});
    }
    Mock::given(method("GET"))
        .and(path("/v23.0/debug_token"))
        .and(query_param("input_token", token))
        .and(query_param("access_token", APP_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": data })))
}

#[tokio::test]
async fn expiry_is_discovered_where_it_is_not_configured() {
    let (server, graph) = graph().await;
    debug_answer("EXPIRING", 1_900_000_000, true)
        .mount(&server)
        .await;
    debug_answer("FOREVER", 0, true).mount(&server).await;
    debug_answer("REVOKED", 0, false).mount(&server).await;
    let http = Client::default();
    let app = Secret::new(APP_TOKEN);

    let mut t = Token::new("EXPIRING");
    let info = meta::discover_expiry(&http, &graph, &mut t, &app)
        .await
        .unwrap();
    assert_eq!(t.expires_at.map(|d| d.timestamp()), Some(1_900_000_000));
    assert_eq!(info.scopes, ["pages_manage_posts", "pages_read_engagement"]);
    assert_eq!(info.kind.as_deref(), Some("PAGE"));

    // A configured expiry is kept.
    let configured = chrono::DateTime::from_timestamp(1_850_000_000, 0).unwrap();
    let mut t = Token::new("EXPIRING").with_expires_at(configured);
    meta::discover_expiry(&http, &graph, &mut t, &app)
        .await
        .unwrap();
    assert_eq!(t.expires_at, Some(configured));

    // Page tokens from a long-lived user token never expire.
    let mut t = Token::new("FOREVER");
    meta::discover_expiry(&http, &graph, &mut t, &app)
        .await
        .unwrap();
    assert_eq!(t.expires_at, None);

    // A revoked token: reconnect, with Meta's reason, and neither token in the error.
    let mut t = Token::new("REVOKED");
    let err = meta::discover_expiry(&http, &graph, &mut t, &app)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert!(err.to_string().contains("has not authorized"), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("REVOKED") && !shown.contains("app-secret"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_malformed_debug_answer_is_an_error() {
    let (server, graph) = graph().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/debug_token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"data\": 7}"))
        .mount(&server)
        .await;
    let err = meta::debug_token(
        &Client::default(),
        &graph,
        &Secret::new("T"),
        &Secret::new(APP_TOKEN),
    )
    .await
    .unwrap_err();
    assert_ne!(err.kind(), ErrorKind::Unauthenticated);
}

#[tokio::test]
async fn the_user_chooses_a_page_or_an_instagram_account_and_the_choice_is_stored() {
    let (server, graph) = graph().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/oauth/access_token"))
        .and(query_param("grant_type", "fb_exchange_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "LONGUSER", "token_type": "bearer", "expires_in": 5_183_944
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v23.0/me/accounts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [
                {"id": "101", "name": "ACME Anvils", "access_token": "PAGE101", "category": "Retail",
                 "instagram_business_account": {"id": "17841400000000001"}},
                {"id": "102", "name": "ACME Outlet", "access_token": "PAGE102", "category": "Retail"}
            ],
            "paging": {"cursors": {"before": "b", "after": "a"}}
        })))
        .mount(&server)
        .await;
    debug_answer("PAGE101", 0, true).mount(&server).await;
    debug_answer("PAGE102", 1_900_000_000, true)
        .mount(&server)
        .await;

    let http = Client::default();
    let (user, accounts) = connect_accounts(
        &http,
        &graph,
        "app-id",
        &Secret::new("app-secret"),
        &Secret::new("SHORT"),
    )
    .await
    .unwrap();
    assert!(
        user.expires_at.is_some(),
        "the long-lived user token's expiry"
    );
    let listed: Vec<(AccountKind, &str, &str)> = accounts
        .iter()
        .map(|a| (a.kind, a.id.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (
                AccountKind::InstagramAccount,
                "17841400000000001",
                "Instagram account of ACME Anvils"
            ),
            (AccountKind::FacebookPage, "101", "ACME Anvils"),
            (AccountKind::FacebookPage, "102", "ACME Outlet"),
        ]
    );
    assert!(!format!("{accounts:?}").contains("PAGE10"));
    let ig = &accounts[0];
    assert_eq!(ig.settings["ig_user_id"], "17841400000000001");
    assert_eq!(ig.settings["token"], "PAGE101");
    assert!(
        ig.settings.get("token_expires_at").is_none(),
        "never expires"
    );

    // The user picks the outlet; it is stored (with its discovered expiry) and comes back.
    let chosen = choose(accounts.clone(), "102").unwrap();
    assert_eq!(chosen.settings["version"], "v23.0");
    assert_eq!(
        chosen.settings["token_expires_at"],
        json!(chrono::DateTime::from_timestamp(1_900_000_000, 0).unwrap())
    );
    let engine = Engine::builder(Arc::new(MemoryStore::new()))
        .vault(Arc::new(KeyRing::single("k1".parse().unwrap(), [7; 32])))
        .build();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    engine
        .connect_stored(
            &ws,
            "olga",
            ChannelRecord::new("outlet", "facebook"),
            ChannelSource::from(chosen),
        )
        .await
        .unwrap();
    let stored = engine
        .vault()
        .unwrap()
        .open(&ws, &"outlet".into())
        .await
        .unwrap();
    match stored.source {
        ChannelSource::Config(c) => {
            assert_eq!(c.platform, "facebook");
            assert_eq!(c.settings["page_id"], "102");
        }
        other => panic!("stored as {other:?}"),
    }
    assert_eq!(
        stored.row.expires_at.map(|d| d.timestamp()),
        Some(1_900_000_000),
        "the expiry is in the vault row's clear metadata"
    );

    // A choice that is not offered, and a user with nothing to offer.
    let err = choose(accounts, "999").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("102 (ACME Outlet)"));
    assert_eq!(
        choose(Vec::new(), "1").unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
}

/// LinkedIn: the organizations a member administers, as `GET /rest/organizationAcls` answers
/// (source: <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role>).
#[cfg(feature = "linkedin")]
#[tokio::test]
async fn a_linkedin_member_chooses_an_organization() {
    use socialkit::adapters::linkedin::{LinkedIn, LinkedInConfig};
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/organizationAcls"))
        .and(query_param("q", "roleAssignee"))
        .and(query_param("role", "ADMINISTRATOR"))
        .and(query_param("state", "APPROVED"))
        .and(wiremock::matchers::header(
            "X-Restli-Protocol-Version",
            "2.0.0",
        ))
        .and(wiremock::matchers::header("Authorization", "Bearer MEMBER"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "paging": {"count": 10, "start": 0, "links": []},
            "elements": [
                {"role": "ADMINISTRATOR", "organization": "urn:li:organization:2414183",
                 "roleAssignee": "urn:li:person:K1RwyVNukt", "state": "APPROVED"},
                {"role": "ADMINISTRATOR", "organization": "urn:li:organization:7777",
                 "roleAssignee": "urn:li:person:K1RwyVNukt", "state": "APPROVED"}
            ]
        })))
        .mount(&server)
        .await;
    // The names: "Retrieve an Administered Organization" (source:
    // <https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api>);
    // 7777 is not described (404) and keeps its URN as its name.
    Mock::given(method("GET"))
        .and(path("/rest/organizations/2414183"))
        .and(wiremock::matchers::header("Authorization", "Bearer MEMBER"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 2414183, "localizedName": "Acme Anvils", "vanityName": "acme-anvils"
        })))
        .mount(&server)
        .await;
    let mut config = LinkedInConfig::new("MEMBER").unwrap();
    config.base_url = url::Url::parse(&server.uri()).unwrap();
    let member = LinkedIn::new(config);
    let orgs = member.administered_organizations().await.unwrap();
    assert_eq!(orgs.len(), 2);
    assert_eq!(orgs[0].name, "Acme Anvils");
    assert_eq!(orgs[1].name, "urn:li:organization:7777");
    assert!(
        orgs.iter()
            .all(|o| o.kind == AccountKind::LinkedInOrganization)
    );
    let chosen = choose(orgs, "urn:li:organization:7777").unwrap();
    assert_eq!(chosen.settings["author"], "urn:li:organization:7777");
    let channel = socialkit::Registry::default()
        .from_config(&socialkit::ChannelConfig {
            platform: chosen.platform.clone(),
            settings: chosen.settings.clone(),
        })
        .unwrap();
    assert_eq!(channel.name(), "linkedin");
}
