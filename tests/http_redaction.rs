//! No token reaches an error's Display/Debug or a log line, whatever the path it travels:
//! header, query, URL path, or echoed back in a body.

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::TimeZone;
use socialkit::ErrorKind;
use socialkit::auth::Secret;
use socialkit::http::{Call, Client, DefaultErrorMapper, HttpConfig, ManualClock};
use url::Url;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRETS: &[&str] = &[
    "HEADERTOKEN123",
    "QUERYTOKEN456",
    "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    "WEBHOOKTOKEN789",
    "BODYTOKEN000",
];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn subscriber(capture: &Capture) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish()
}

fn client() -> Client {
    let mut cfg = HttpConfig::default();
    cfg.retry.max_attempts = 2;
    Client::new(cfg)
        .unwrap()
        .with_clock(Arc::new(ManualClock::new(
            chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        )))
}

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s}:\n{text}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn tokens_never_reach_errors_or_logs() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));

    let server = MockServer::start().await;
    // Every answer is a 401 that echoes secrets back.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            r#"{"error":"invalid_token","error_description":"token BODYTOKEN000 is bad","access_token":"QUERYTOKEN456"}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string(
            "<html>upstream said Bearer HEADERTOKEN123 and bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw</html>",
        ))
        .mount(&server)
        .await;

    let client = client();
    let base = server.uri();
    let calls = [
        Call::get(
            "facebook",
            "read",
            Url::parse(&format!(
                "{base}/v21.0/me?fields=id&access_token=QUERYTOKEN456"
            ))
            .unwrap(),
        )
        .bearer(&Secret::new("HEADERTOKEN123")),
        Call::post(
            "telegram",
            "publish",
            Url::parse(&format!(
                "{base}/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"
            ))
            .unwrap(),
        )
        .json(&serde_json::json!({"chat_id": 1, "text": "hi"})),
        Call::post(
            "discord",
            "publish",
            Url::parse(&format!(
                "{base}/api/v10/webhooks/42/WEBHOOKTOKEN789?wait=true"
            ))
            .unwrap(),
        ),
    ];
    for call in calls {
        let dbg = format!("{call:?}");
        assert_clean("Call Debug", &dbg);
        let err = client.send(call, &DefaultErrorMapper).await.unwrap_err();
        assert_clean("error Display", &err.to_string());
        assert_clean("error Debug", &format!("{err:?}"));
        assert_clean(
            "error record",
            &serde_json::to_string(&err.to_record()).unwrap(),
        );
    }

    // Transport errors: nothing listens on this port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let dead = Url::parse(&format!(
        "http://user:WEBHOOKTOKEN789@127.0.0.1:{port}/bot1:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe?access_token=QUERYTOKEN456"
    ))
    .unwrap();
    let err = client
        .send(Call::get("telegram", "channel", dead), &DefaultErrorMapper)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_clean("transport error Display", &err.to_string());
    assert_clean("transport error Debug", &format!("{err:?}"));
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        assert_clean("error source chain", &s.to_string());
        source = s.source();
    }

    let logs = capture.text();
    assert_clean("logs", &logs);
    // The logs do say what happened.
    assert!(logs.contains("platform=\"facebook\""), "{logs}");
    assert!(logs.contains("/v21.0/me"), "{logs}");
    assert!(logs.contains("bot123456789:***/sendMessage"), "{logs}");
    assert!(logs.contains("webhooks/42/***"), "{logs}");
    assert!(logs.contains("status=401"), "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
}

/// Stored channels: the credential vault seals a channel's secrets. None reaches the raw
/// SQLite file, a log line, an event (what webhooks carry), a channel record, an error of a
/// wrong key, or `Debug` of what the vault returns.
#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "current_thread")]
async fn stored_channel_secrets_never_leave_the_vault() {
    use socialkit::engine::Engine;
    use socialkit::model::Post;
    use socialkit::store::vault::{ChannelSource, KeyRing};
    use socialkit::store::{ChannelRecord, SqliteStore, Store};
    use socialkit::{ChannelConfig, Platform, Registry};

    const STORED: &[&str] = &["VAULTACCESS111", "VAULTREFRESH222", "VAULTCLIENT333"];
    let clean = |what: &str, text: &str| {
        for s in STORED {
            assert!(!text.contains(s), "{what} leaks {s}:\n{text}");
        }
    };
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));

    // A platform whose config holds credentials (built on the sandbox; the settings are
    // what an X or LinkedIn config holds).
    let mut registry = Registry::default();
    registry.register(
        "secretive",
        Arc::new(|_| Err(socialkit::Error::config("URL form not used"))),
        Arc::new(|settings: serde_json::Value| {
            assert_eq!(
                settings["token"], "VAULTACCESS111",
                "the factory gets the secret"
            );
            Ok(
                socialkit::adapters::sandbox::Sandbox::from_url("sandbox://capture-vault")?
                    as Arc<dyn Platform>,
            )
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capture.db");
    let keys = Arc::new(KeyRing::single("k1".parse().unwrap(), [3; 32]));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    let engine = Engine::builder(store.clone())
        .vault(keys)
        .registry(registry.clone())
        .build();
    let mut events = engine.subscribe();
    let ws = engine
        .create_workspace("acme", "ACME", "olga")
        .await
        .unwrap();
    let source = ChannelSource::Config(ChannelConfig {
        platform: "secretive".into(),
        settings: serde_json::json!({
            "token": "VAULTACCESS111",
            "expires_at": "2030-01-01T00:00:00Z",
            "refresh": {"client_id": "app", "client_secret": "VAULTCLIENT333", "refresh_token": "VAULTREFRESH222"}
        }),
    });
    clean("ChannelSource Debug", &format!("{source:?}"));
    engine
        .connect_stored(&ws, "olga", ChannelRecord::new("main", "secretive"), source)
        .await
        .unwrap();
    engine
        .submit(&ws, "olga", Post::text("hello"), &["main".into()])
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().published, 1);

    // What the vault hands back and what the engine reports.
    let vault = engine.vault().unwrap();
    let opened = vault.open(&ws, &"main".into()).await.unwrap();
    clean("opened channel Debug", &format!("{opened:?}"));
    clean(
        "channel health",
        &format!(
            "{:?}",
            engine.channel_health(&ws, &"main".into()).await.unwrap()
        ),
    );
    clean(
        "channel records",
        &format!("{:?}", store.channels(&ws).await.unwrap()),
    );
    clean("engine Debug", &format!("{engine:?}"));
    while let Ok(e) = events.try_recv() {
        clean(
            "event JSON (webhook body)",
            &serde_json::to_string(&e).unwrap(),
        );
        clean("event Debug", &format!("{e:?}"));
    }

    // A wrong key: the error names the key id, nothing else.
    let wrong = socialkit::store::vault::Vault::new(
        store.vault().unwrap(),
        Arc::new(KeyRing::single("k1".parse().unwrap(), [4; 32])),
    );
    let err = wrong.open(&ws, &"main".into()).await.unwrap_err();
    assert!(err.to_string().contains("'k1'"), "{err}");
    clean("wrong-key error", &format!("{err} {err:?}"));

    drop(engine);
    drop(store);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    clean("raw database file", &String::from_utf8_lossy(&bytes));
    clean("logs", &capture.text());
}
