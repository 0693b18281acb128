//! From a handle to the account's authorization server: handle → DID → DID document (PDS
//! and the handle it claims) → the PDS's protected-resource metadata → the authorization
//! server's metadata.
//!
//! Sources: <https://atproto.com/specs/handle> (resolution and the bidirectional check),
//! <https://atproto.com/specs/did> (`#atproto_pds` service, `alsoKnownAs`),
//! <https://atproto.com/specs/oauth> (`/.well-known/oauth-protected-resource`,
//! `/.well-known/oauth-authorization-server`, the fields a client must check).

use serde::Deserialize;
use url::Url;

use crate::adapters::bluesky::errors::BlueskyErrors;
use crate::http::{Call, Client, RateLimitStyle};
use crate::{Error, ErrorKind, Result};

/// Where handles and DIDs are resolved. The defaults are Bluesky's public services; a local
/// network (the reference PDS with its own PLC directory) sets both.
///
/// ```
/// use socialkit::adapters::bluesky::oauth::Resolver;
/// let r = Resolver::default();
/// assert_eq!(r.plc.as_str(), "https://plc.directory/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolver {
    /// A service answering `com.atproto.identity.resolveHandle` (any PDS or AppView).
    pub handle_service: Url,
    /// The did:plc directory.
    pub plc: Url,
}

impl Default for Resolver {
    fn default() -> Self {
        Resolver {
            handle_service: Url::parse("https://public.api.bsky.app")
                .unwrap_or_else(|_| unreachable!("a constant URL")),
            plc: Url::parse("https://plc.directory")
                .unwrap_or_else(|_| unreachable!("a constant URL")),
        }
    }
}

/// An account found by [`Resolver::identity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The DID.
    pub did: String,
    /// The handle, checked both ways (the DID document claims it).
    pub handle: String,
    /// The account's PDS.
    pub pds: Url,
}

/// The authorization server fields a client uses (RFC 8414 plus atproto's requirements).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerMetadata {
    /// The issuer; must equal the origin the metadata was read from.
    pub issuer: Url,
    /// Where the user signs in.
    pub authorization_endpoint: Url,
    /// Code and refresh exchanges.
    pub token_endpoint: Url,
    /// Pushed authorization requests (required by atproto).
    pub pushed_authorization_request_endpoint: Url,
    /// Token revocation, if offered.
    #[serde(default)]
    pub revocation_endpoint: Option<Url>,
    /// Scopes offered.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// DPoP algorithms accepted.
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Vec<String>,
}

#[derive(Deserialize)]
struct ResolvedHandle {
    did: String,
}

#[derive(Deserialize)]
struct DidDocument {
    id: String,
    #[serde(default, rename = "alsoKnownAs")]
    also_known_as: Vec<String>,
    #[serde(default)]
    service: Vec<DidService>,
}

#[derive(Deserialize)]
struct DidService {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "serviceEndpoint")]
    endpoint: serde_json::Value,
}

#[derive(Deserialize)]
struct ProtectedResource {
    #[serde(default)]
    authorization_servers: Vec<Url>,
}

fn unresolvable(what: String) -> Error {
    Error::new(ErrorKind::NotFound, what)
        .with_platform("bluesky")
        .with_operation("connect")
}

impl Resolver {
    /// A resolver asking `handle_service` for handles and `plc` for did:plc documents.
    pub fn new(handle_service: Url, plc: Url) -> Resolver {
        Resolver {
            handle_service,
            plc,
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        http: &Client,
        op: &'static str,
        url: Url,
    ) -> Result<T> {
        let call = Call::get("bluesky", op, url).rate_limit_style(RateLimitStyle::Bluesky);
        http.send(call, &BlueskyErrors).await?.json()
    }

    /// The account behind `handle_or_did`: its DID, its handle (checked against the DID
    /// document's `alsoKnownAs`) and its PDS. An unknown handle or a document without a PDS
    /// is `NotFound`.
    pub async fn identity(&self, http: &Client, handle_or_did: &str) -> Result<Identity> {
        let input = handle_or_did
            .trim()
            .trim_start_matches('@')
            .to_ascii_lowercase();
        if input.is_empty() {
            return Err(
                Error::validation("a handle or DID is needed to connect").with_platform("bluesky")
            );
        }
        let did = if input.starts_with("did:") {
            input.clone()
        } else {
            let mut url = self.handle_service.clone();
            url.set_path("/xrpc/com.atproto.identity.resolveHandle");
            url.query_pairs_mut().append_pair("handle", &input);
            match self
                .get_json::<ResolvedHandle>(http, "resolve handle", url)
                .await
            {
                Ok(r) => r.did,
                Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Validation) => {
                    return Err(unresolvable(format!(
                        "the handle {input} does not resolve to an account; check its spelling"
                    )));
                }
                Err(e) => return Err(e),
            }
        };
        let doc_url = if let Some(id) = did.strip_prefix("did:web:") {
            Url::parse(&format!(
                "https://{}/.well-known/did.json",
                id.replace("%3A", ":")
            ))
            .map_err(|_| Error::validation(format!("{did} is not a valid did:web")))?
        } else if did.starts_with("did:plc:") && did[8..].chars().all(|c| c.is_ascii_alphanumeric())
        {
            // `join` would read `did:plc:…` as a URL of scheme `did`.
            let mut u = self.plc.clone();
            u.set_path(&format!("/{did}"));
            u.set_query(None);
            u
        } else {
            return Err(Error::validation(format!(
                "{did} uses a DID method atproto does not support (did:plc, did:web)"
            ))
            .with_platform("bluesky"));
        };
        let doc: DidDocument = self.get_json(http, "resolve did", doc_url).await?;
        if doc.id != did {
            return Err(Error::new(
                ErrorKind::Platform,
                format!("the DID document of {did} names another DID"),
            )
            .with_platform("bluesky"));
        }
        let pds = doc
            .service
            .iter()
            .find(|s| s.id.ends_with("#atproto_pds") && s.kind == "AtprotoPersonalDataServer")
            .and_then(|s| s.endpoint.as_str())
            .and_then(|e| Url::parse(e).ok())
            .ok_or_else(|| unresolvable(format!("the DID document of {did} names no PDS")))?;
        let claimed = doc
            .also_known_as
            .iter()
            .find_map(|a| a.strip_prefix("at://"))
            .map(str::to_ascii_lowercase);
        let handle = match claimed {
            // A handle given by the user must be the one the document claims (the
            // bidirectional check); a DID given takes the document's handle.
            Some(h) if h == input || input.starts_with("did:") => h,
            _ if input.starts_with("did:") => did.clone(),
            _ => {
                return Err(unresolvable(format!(
                    "the handle {input} resolves to {did}, whose DID document does not claim it"
                )));
            }
        };
        Ok(Identity { did, handle, pds })
    }

    /// The metadata of the authorization server that protects `pds`.
    pub async fn authorization_server(&self, http: &Client, pds: &Url) -> Result<ServerMetadata> {
        let resource: ProtectedResource = self
            .get_json(
                http,
                "oauth metadata",
                pds.join("/.well-known/oauth-protected-resource")
                    .map_err(|_| Error::validation("the PDS URL is not valid"))?,
            )
            .await?;
        let issuer = resource
            .authorization_servers
            .first()
            .cloned()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unsupported,
                    "the PDS names no OAuth authorization server",
                )
                .with_platform("bluesky")
            })?;
        let meta: ServerMetadata = self
            .get_json(
                http,
                "oauth metadata",
                issuer
                    .join("/.well-known/oauth-authorization-server")
                    .map_err(|_| Error::validation("the issuer URL is not valid"))?,
            )
            .await?;
        if meta.issuer.origin() != issuer.origin() {
            return Err(Error::new(
                ErrorKind::Platform,
                format!(
                    "the authorization server's metadata names issuer {} but was read from {}",
                    meta.issuer, issuer
                ),
            )
            .with_platform("bluesky"));
        }
        if !meta.dpop_signing_alg_values_supported.is_empty()
            && !meta
                .dpop_signing_alg_values_supported
                .iter()
                .any(|a| a == "ES256")
        {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "the authorization server does not accept ES256 DPoP proofs",
            )
            .with_platform("bluesky"));
        }
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const DID: &str = "did:plc:abc123";

    async fn network(claims: &str, pds: Option<&str>) -> (MockServer, Resolver) {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/xrpc/com.atproto.identity.resolveHandle"))
            .and(query_param("handle", "alice.test"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"did": DID})))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/xrpc/com.atproto.identity.resolveHandle"))
            .respond_with(ResponseTemplate::new(400).set_body_json(
                json!({"error": "InvalidRequest", "message": "Unable to resolve handle"}),
            ))
            .mount(&server)
            .await;
        let service: Vec<_> = pds
            .map(|p| json!({"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": p}))
            .into_iter()
            .collect();
        Mock::given(method("GET"))
            .and(path(format!("/{DID}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": DID, "alsoKnownAs": [format!("at://{claims}")], "service": service,
            })))
            .mount(&server)
            .await;
        let base = Url::parse(&server.uri()).unwrap();
        let resolver = Resolver::new(base.clone(), base);
        (server, resolver)
    }

    #[tokio::test]
    async fn a_handle_resolves_only_when_its_did_document_claims_it() {
        let http = Client::default();
        let (server, r) = network("alice.test", Some("https://pds.example")).await;
        let id = r.identity(&http, "@Alice.test").await.unwrap();
        assert_eq!((id.did.as_str(), id.handle.as_str()), (DID, "alice.test"));
        assert_eq!(id.pds.as_str(), "https://pds.example/");
        // From the DID: the document's handle.
        assert_eq!(r.identity(&http, DID).await.unwrap().handle, "alice.test");
        // An unknown handle.
        let e = r.identity(&http, "nobody.test").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        drop(server);

        // The document claims another handle: the bidirectional check fails.
        let (_server, r) = network("mallory.test", Some("https://pds.example")).await;
        let e = r.identity(&http, "alice.test").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("does not claim it"), "{e}");

        // No PDS in the document.
        let (_server, r) = network("alice.test", None).await;
        let e = r.identity(&http, "alice.test").await.unwrap_err();
        assert!(e.to_string().contains("names no PDS"), "{e}");

        // Bad input, before any request.
        for bad in ["", "did:key:z6Mk", "did:plc:../x"] {
            let e = r.identity(&http, bad).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation, "{bad}");
        }
    }

    #[tokio::test]
    async fn the_issuer_must_match_where_its_metadata_was_read() {
        let http = Client::default();
        let server = MockServer::start().await;
        let base = Url::parse(&server.uri()).unwrap();
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-protected-resource"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"authorization_servers": [server.uri()]})),
            )
            .mount(&server)
            .await;
        let meta = |issuer: &str| {
            json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{issuer}/oauth/authorize"),
                "token_endpoint": format!("{issuer}/oauth/token"),
                "pushed_authorization_request_endpoint": format!("{issuer}/oauth/par"),
                "dpop_signing_alg_values_supported": ["ES256"],
            })
        };
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-authorization-server"))
            .respond_with(ResponseTemplate::new(200).set_body_json(meta("https://evil.example")))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/.well-known/oauth-authorization-server"))
            .respond_with(ResponseTemplate::new(200).set_body_json(meta(&server.uri())))
            .mount(&server)
            .await;
        let r = Resolver::default();
        let e = r.authorization_server(&http, &base).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Platform);
        assert!(e.to_string().contains("evil.example"), "{e}");
        let m = r.authorization_server(&http, &base).await.unwrap();
        assert_eq!(m.token_endpoint.path(), "/oauth/token");
    }
}
