//! People across channels, offline on the sandbox: the same customer writes on two channels,
//! the contact layer suggests they are one person, a person merges them, a retention rule
//! fires on their unanswered complaint, a segment is exported as CSV, the person's data is
//! exported (GDPR article 15) and then erased (article 17).
//!
//! ```sh
//! cargo run --example contacts
//! ```

use std::sync::Arc;

use chrono::Duration;
use socialkit::adapters::sandbox::{IncomingInteraction, SandboxConfig, SandboxWorld};
use socialkit::contacts::{
    Contacts, NamedRule, Segment, SqliteContactStore, Subject, SuggestRules,
};
use socialkit::inbox::sla::SlaPolicy;
use socialkit::inbox::{Inbox, InboxStore, SqliteInboxStore};
use socialkit::model::{Author, Interaction, InteractionKind, InteractionRef};
use socialkit::store::{SqliteStore, WorkspaceId};

#[tokio::main]
async fn main() -> socialkit::Result<()> {
    let world = SandboxWorld::simulated("2026-03-02T09:00:00Z".parse().expect("a time"));
    let shop = world.channel("acme", SandboxConfig::default().with_seed(7))?;
    let support = world.channel("acme_help", SandboxConfig::default().with_seed(8))?;

    // One SQLite database for the engine's store, the inbox and the contacts.
    let db = SqliteStore::in_memory()?;
    let ws = WorkspaceId::from("acme");
    let inbox_store: Arc<dyn InboxStore> = Arc::new(SqliteInboxStore::new(&db.handle(), &ws)?);
    let contacts = Contacts::new(
        Arc::new(SqliteContactStore::new(&db.handle(), &ws)?),
        world.clock(),
    )
    .with_inbox(inbox_store.clone(), SlaPolicy::default());
    let mut inbox = Inbox::new(contacts.resolving(inbox_store), world.clock());
    inbox.connect("acme", shop.clone());
    inbox.connect("acme_help", support.clone());

    shop.receive(
        IncomingInteraction::new(InteractionKind::Mention)
            .text("@acme my anvil arrived cracked. Terrible, I want a refund!")
            .by("mia_b"),
    )?;
    // The same customer on X, arriving by webhook (a different platform: a second identity).
    inbox
        .ingest(
            "acme-x",
            vec![Interaction {
                reference: InteractionRef::new("x", "1790000000000000001"),
                kind: InteractionKind::Mention,
                author: Author {
                    id: "99120034".into(),
                    handle: "mia_b".into(),
                    display_name: Some("Mia B.".into()),
                    ..Author::default()
                },
                text: Some("Hello? Still no answer about my cracked anvil".into()),
                created_at: world.clock().now(),
                post: None,
                conversation: None,
                language: None,
            }],
        )
        .await?;
    support.receive(
        IncomingInteraction::new(InteractionKind::Mention)
            .text("Love the new hammer, thanks!")
            .by("lars"),
    )?;
    world.advance(Duration::minutes(5))?;
    let synced = inbox.sync().await?;
    println!("ingested {} interactions by sync, 1 by webhook", synced.new);

    let everyone = contacts.segment(&Segment::default(), None, 100).await?;
    println!("{} contacts before linking", everyone.len());
    for s in contacts.suggestions(&SuggestRules::default()).await? {
        let why: Vec<&str> = s.evidence.iter().map(|e| e.rule()).collect();
        println!(
            "suggested: {} + {} ({})",
            s.contacts[0],
            s.contacts[1],
            why.join(", ")
        );
    }
    // A person checks the evidence and merges.
    let mut groups = contacts.suggestions(&SuggestRules::default()).await?;
    let mia = match groups.pop() {
        Some(s) => {
            contacts
                .merge(&s.contacts[0], &s.contacts[1], "olga")
                .await?
        }
        None => everyone[0].clone(),
    };
    contacts.tag(&mia.id, "refund", "olga").await?;
    contacts.set_vip(&mia.id, true, "olga").await?;
    println!(
        "{}: {} interactions on {} channel(s), tags {:?}",
        mia.id,
        contacts.history(&mia.id).await?.len(),
        contacts
            .history(&mia.id)
            .await?
            .iter()
            .map(|t| &t.channel)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        contacts.contact(&mia.id).await?.tags
    );

    // A day later nobody answered: the retention rule fires.
    world.advance(Duration::hours(25))?;
    for s in contacts.check_signals(&NamedRule::defaults()).await? {
        println!("signal {} for {}: {}", s.rule, s.contact, s.detail);
    }

    let csv = contacts
        .segment_csv(&Segment {
            vip: Some(true),
            ..Segment::default()
        })
        .await?;
    print!("VIP segment:\n{csv}");

    let export = contacts
        .export(&Subject::Contact(mia.id.clone()), "dpo")
        .await?;
    println!(
        "export: {} identities, {} interactions, {} audit entries, {} bytes of JSON",
        export.identities.len(),
        export.interactions.len(),
        export.audit.len(),
        export.to_json()?.len()
    );
    let erased = contacts
        .erase(&Subject::Contact(mia.id.clone()), "dpo")
        .await?;
    println!("erased as {}: {:?}", erased.pseudonym, erased.counts);
    println!(
        "{} contacts left",
        contacts
            .segment(&Segment::default(), None, 100)
            .await?
            .len()
    );
    Ok(())
}
