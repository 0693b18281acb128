//! What the fuzz targets share: a loopback HTTP server that answers each request with the next
//! response taken from the fuzz input, a generator of arbitrary JSON shapes over the field
//! names the adapters read, and a runner that drives one [`Platform`] operation against it.
//!
//! The input of an adapter target is: one byte choosing the operation, then responses, each
//! `status selector, header flags, header value length, header value, body length (u16 LE),
//! body`. A status selector with its high bit set turns the body bytes into a generated JSON
//! value (arbitrary shapes over [`keys::KEYS`]) instead of sending them raw. Once the responses
//! run out every further request is answered `400` with an empty body, so no loop in an
//! adapter can go on forever.

pub mod keys;
pub mod properties;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use socialkit::http::{Client, HttpConfig, ManualClock};
use socialkit::model::{
    InteractionQuery, InteractionRef, Post, PostRef, PublishOptions, SearchQuery,
};
use socialkit::{Platform, PlatformExt};

/// One canned answer.
#[derive(Debug, Clone)]
pub struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

const STATUSES: [u16; 24] = [
    200, 200, 200, 200, 200, 201, 201, 202, 204, 206, 301, 400, 401, 403, 404, 409, 410, 413, 422,
    426, 429, 500, 503, 200,
];

const HEADERS: [&[&str]; 8] = [
    &["content-type"],
    &["x-restli-id", "x-linkedin-id"],
    &["retry-after"],
    &["x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"],
    &["etag"],
    &["location"],
    &["x-app-usage", "x-business-use-case-usage"],
    &["x-rate-limit-remaining", "link"],
];

/// Reads responses from fuzz bytes (see the crate docs).
pub fn responses(mut data: &[u8]) -> Vec<Canned> {
    let mut out = Vec::new();
    while !data.is_empty() && out.len() < 64 {
        let take = |d: &mut &[u8]| -> u8 {
            let b = d.first().copied().unwrap_or(0);
            *d = d.get(1..).unwrap_or(&[]);
            b
        };
        let sel = take(&mut data);
        let flags = take(&mut data);
        let hv_len = (take(&mut data) % 48) as usize;
        let hv_len = hv_len.min(data.len());
        let value: String = data[..hv_len]
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '0'
                }
            })
            .collect();
        data = &data[hv_len..];
        let lo = take(&mut data) as usize;
        let hi = take(&mut data) as usize;
        let len = (lo | (hi << 8)).min(data.len());
        let raw = &data[..len];
        data = &data[len..];
        let status = STATUSES[(sel & 0x7f) as usize % STATUSES.len()];
        let body = if sel & 0x80 != 0 {
            serde_json::to_vec(&json_value(&mut Bytes::new(raw), 0)).unwrap_or_default()
        } else {
            raw.to_vec()
        };
        let mut headers = Vec::new();
        for (bit, names) in HEADERS.iter().enumerate() {
            if flags & (1 << bit) != 0 {
                for name in *names {
                    let v = if *name == "content-type" {
                        "application/json".to_string()
                    } else {
                        value.clone()
                    };
                    headers.push((*name, v));
                }
            }
        }
        out.push(Canned {
            status,
            headers,
            body,
        });
    }
    out
}

/// A byte reader for the JSON generator.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// Reads from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.first().copied().unwrap_or(0);
        self.data = self.data.get(1..).unwrap_or(&[]);
        b
    }

    fn u64(&mut self) -> u64 {
        let mut v = 0u64;
        for _ in 0..8 {
            v = (v << 8) | u64::from(self.byte());
        }
        v
    }
}

/// An arbitrary JSON value: objects use the adapters' field names as keys.
pub fn json_value(b: &mut Bytes<'_>, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    if b.data.is_empty() {
        return Value::Null;
    }
    let tag = b.byte();
    match tag % 10 {
        0 => Value::Null,
        1 => Value::Bool(tag & 0x10 != 0),
        2 => Value::from(b.byte() as i64 - 64),
        3 => match tag >> 4 {
            0 => Value::from(b.u64()),
            1 => Value::from(b.u64() as i64),
            2 => serde_json::Number::from_f64(f64::from_bits(b.u64()))
                .map_or(Value::Null, Value::Number),
            _ => Value::from(u64::from(b.byte()) * 1_000_000_000_000),
        },
        4 => {
            let n = (b.byte() % 24) as usize;
            let s: Vec<u8> = (0..n).map(|_| b.byte()).collect();
            Value::String(String::from_utf8_lossy(&s).into_owned())
        }
        5 => Value::String(keys::KEYS[b.byte() as usize % keys::KEYS.len()].to_string()),
        6 | 7 if depth < 6 => {
            let n = (b.byte() % 5) as usize;
            Value::Array((0..n).map(|_| json_value(b, depth + 1)).collect())
        }
        _ if depth < 6 => {
            let n = (b.byte() % 6) as usize;
            let mut m = serde_json::Map::new();
            for _ in 0..n {
                let i = usize::from(b.byte()) | (usize::from(b.byte() & 1) << 8);
                let k = keys::KEYS[i % keys::KEYS.len()];
                m.insert(k.to_string(), json_value(b, depth + 1));
            }
            Value::Object(m)
        }
        _ => Value::Null,
    }
}

static QUEUE: Mutex<VecDeque<Canned>> = Mutex::new(VecDeque::new());
static ADDR: OnceLock<SocketAddr> = OnceLock::new();

/// The loopback server's address (started on first use).
pub fn server() -> SocketAddr {
    *ADDR.get_or_init(|| {
        let listener =
            TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("cannot listen: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no address: {e}"));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = serve_one(stream);
            }
        });
        addr
    })
}

fn serve_one(stream: std::net::TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length.min(64 << 20)];
    reader.read_exact(&mut body)?;
    let canned = lock().pop_front().unwrap_or(Canned {
        status: 400,
        headers: Vec::new(),
        body: Vec::new(),
    });
    let mut out = format!("HTTP/1.1 {} X\r\n", canned.status);
    for (k, v) in &canned.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        canned.body.len()
    ));
    let mut w = stream;
    w.write_all(out.as_bytes())?;
    w.write_all(&canned.body)?;
    w.flush()
}

fn lock() -> std::sync::MutexGuard<'static, VecDeque<Canned>> {
    QUEUE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether property `name` is checked: every property is, unless `FUZZ_SKIP` names it
/// (comma-separated). Only for exploring past a known finding: CI checks every property.
pub fn checks(name: &str) -> bool {
    static SKIP: OnceLock<Vec<String>> = OnceLock::new();
    !SKIP
        .get_or_init(|| {
            std::env::var("FUZZ_SKIP")
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_string())
                .collect()
        })
        .iter()
        .any(|s| s == name)
}

/// The token every adapter target uses.
pub const TOKEN: &str = "fuzz-token-0123456789";

/// A client with a manual clock (sleeps return at once), no retries and short timeouts.
pub fn client() -> Client {
    let mut config = HttpConfig::default();
    config.connect_timeout = Duration::from_secs(2);
    config.request_timeout = Duration::from_secs(5);
    config.pool_idle_timeout = None;
    config.pool_max_idle_per_host = 0;
    config.retry.max_attempts = 1;
    let clock =
        ManualClock::new(chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default());
    Client::new(config)
        .unwrap_or_else(|e| panic!("client: {e}"))
        .with_clock(Arc::new(clock))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    })
}

/// Points every proxy variable at a closed loopback port, except for loopback itself: should an
/// adapter follow a URL an answer names (an upload URL, a paging link), the request goes
/// nowhere instead of leaving the machine. `run-ci.sh` and `run.sh` export the same variables;
/// this covers a binary started by hand.
fn fence() {
    static FENCE: OnceLock<()> = OnceLock::new();
    FENCE.get_or_init(|| {
        for k in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            if std::env::var_os(k).is_none() {
                // SAFETY: called once, before this process starts its server thread or any
                // runtime; libFuzzer's own threads do not read the environment.
                unsafe { std::env::set_var(k, "http://127.0.0.1:9") };
            }
        }
        for k in ["NO_PROXY", "no_proxy"] {
            // SAFETY: as above.
            unsafe { std::env::set_var(k, "127.0.0.1,localhost") };
        }
    });
}

/// Runs one operation of `platform` (chosen by `data[0]`) against the responses in the rest of
/// `data`. Any `Result` is fine; a panic is the finding. No error may show the token
/// (property `token_leak`).
pub fn run(data: &[u8], make: impl FnOnce(SocketAddr) -> Option<Arc<dyn Platform>>) {
    let Some((&op, rest)) = data.split_first() else {
        return;
    };
    fence();
    let addr = server();
    {
        let mut q = lock();
        q.clear();
        q.extend(responses(rest));
    }
    let Some(platform) = make(addr) else {
        return;
    };
    let post_id = "1234567890";
    let result: socialkit::Result<String> = runtime().block_on(async {
        let p = platform.as_ref();
        let post = PostRef::new(p.name(), post_id);
        Ok(match op % 9 {
            0 => format!(
                "{:?}",
                p.publish_text("hello fuzz #tag @someone https://example.com")
                    .await?
            ),
            1 => format!("{:?}", p.channel().await?),
            2 => {
                let q = InteractionQuery {
                    cursor: (op & 0x10 != 0).then(|| "c1:0".to_string()),
                    ..InteractionQuery::default()
                };
                format!("{:?}", p.interactions(&q).await?)
            }
            3 => format!("{:?}", p.recent_posts(5).await?),
            4 => format!("{:?}", p.post_metrics(std::slice::from_ref(&post)).await?),
            5 => format!("{:?}", p.delete(&post).await?),
            6 => {
                let to = InteractionRef::new(p.name(), post_id).with_post(post.clone());
                format!("{:?}", p.reply_text(&to, "thanks!").await?)
            }
            7 => {
                let q = SearchQuery::new("fuzz");
                format!("{:?}", p.search(&q).await?)
            }
            _ => {
                let thread = Post::thread(["first part", "second part"]);
                format!(
                    "{:?}",
                    p.publish(&thread, &PublishOptions::default()).await?
                )
            }
        })
    });
    if let (Err(e), true) = (&result, checks("token_leak")) {
        let shown = format!("{e} {e:?}");
        assert!(
            !shown.contains(TOKEN),
            "the token leaked into an error: {shown}"
        );
    }
}
