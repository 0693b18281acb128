//! Exactly once against the real servers, with faults injected in front of them.
//!
//! A fault-injecting proxy ([`proxy`]) on loopback sits between socialkit and each real peer
//! from `../shared/peers/` (snac for the Mastodon API, the reference Bluesky PDS, and the full
//! local Bluesky network with its AppView). For every fault (the answer lost after the server
//! processed the request; the connection reset before the request reached it; an answer
//! slower than the client's timeout; a 502 after the server processed it; the connection
//! refused, nothing sent), every write (post, thread, reply, media, delete where the server
//! has it) and every way of building the channel (channel URL through the registry, serde
//! config through the registry, `new`, `connect`), the test publishes through the engine's
//! outbox (delete: through the adapter), and then counts the results **on the server itself**
//! through its own API, not through socialkit: exactly one of each part, never two, and the
//! delivery published.
//!
//! It prints the matrix with its counts. Without the peers it prints why it was skipped and
//! passes, except with `CI=true`.

mod matrix;
mod peers;
mod proxy;

use matrix::{Cell, Op, Outcome, Path, Server};
use proxy::Fault;

/// Every fault the matrix injects (`None` = the connection is refused).
const FAULTS: [Option<Fault>; 5] = [
    Some(Fault::LoseAnswer),
    Some(Fault::ResetBefore),
    Some(Fault::Stall),
    Some(Fault::BadGateway),
    None,
];

fn fault_name(f: Option<Fault>) -> &'static str {
    f.map_or("refused", Fault::name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_write_is_made_exactly_once_whatever_breaks() {
    let mut found = peers::load();
    // For working on one server: SOCIALKIT_EO_ONLY=snac (or pds, network). CI runs them all.
    if let Ok(only) = std::env::var("SOCIALKIT_EO_ONLY") {
        found.retain(|p| p.server().name().contains(only.as_str()));
    }
    if found.is_empty() {
        return;
    }
    let run = format!("{:08x}", rand_u32());
    let mut cells = Vec::new();
    for peer in &found {
        for op in Op::ALL {
            for &path in Path::for_server(peer.server()) {
                for fault in FAULTS {
                    cells.push(Cell {
                        peer: peer.clone(),
                        op,
                        path,
                        fault,
                        marker: format!("eo{run}n{}", cells.len()),
                    });
                }
            }
        }
    }
    let total = cells.len();
    use futures::stream::StreamExt;
    let outcomes: Vec<(Cell, Outcome)> = futures::stream::iter(cells)
        .map(|cell| async move {
            let outcome = matrix::run(&cell).await;
            (cell, outcome)
        })
        .buffer_unordered(6)
        .collect()
        .await;
    assert_eq!(outcomes.len(), total);
    let table = print_matrix(&found, &outcomes);
    println!("{table}");
    // Kept for CI to print (`cargo test` shows a passing test's output only on request).
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("exactly-once-matrix.txt");
    std::fs::write(&file, &table).expect("write the matrix");
    let bad: Vec<String> = outcomes
        .iter()
        .filter(|(_, o)| !o.ok())
        .map(|(c, o)| {
            format!(
                "{} / {} / {} / {}: {}",
                c.peer.server().name(),
                c.op.name(),
                c.path.name(),
                fault_name(c.fault),
                o.detail
            )
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {total} cells failed:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The matrix as a table: one row per server, operation and construction path, one column
/// per fault; each cell the count on the server (a thread: one count per part) and the
/// delivery's end state.
fn print_matrix(found: &[peers::Peer], outcomes: &[(Cell, Outcome)]) -> String {
    let mut out = String::new();
    out.push_str("\nEXACTLY-ONCE MATRIX (count on the server / delivery state)\n");
    out.push_str(&format!(
        "{:<16} {:<7} {:<8}",
        "server", "write", "built by"
    ));
    for f in FAULTS {
        out.push_str(&format!(" | {:<18}", fault_name(f)));
    }
    out.push('\n');
    for peer in found {
        let server: Server = peer.server();
        for op in Op::ALL {
            for &path in Path::for_server(server) {
                out.push_str(&format!(
                    "{:<16} {:<7} {:<8}",
                    server.name(),
                    op.name(),
                    path.name()
                ));
                for f in FAULTS {
                    let cell = outcomes.iter().find(|(c, _)| {
                        c.peer.server() == server && c.op == op && c.path == path && c.fault == f
                    });
                    let text = cell.map_or("-".to_string(), |(_, o)| o.short());
                    out.push_str(&format!(" | {text:<18}"));
                }
                out.push('\n');
            }
        }
    }
    let n = outcomes.len();
    let ok = outcomes.iter().filter(|(_, o)| o.ok()).count();
    let na = outcomes.iter().filter(|(_, o)| o.not_applicable).count();
    out.push_str(&format!(
        "{ok} of {n} cells hold ({na} not applicable: the server has no such write); \
         a count is the number of posts with the cell's text on the server (thread: per part; \
         delete: what is left)\n"
    ));
    out
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish() as u32
}
