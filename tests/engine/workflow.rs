//! Roles, the approval workflow, audit log, brand rules, workspace isolation, recurrence.

use std::sync::Arc;

use crate::echo::EchoPlatform;
use socialkit::ErrorKind;
use socialkit::clock::ManualClock;
use socialkit::engine::schedule::Recurrence;
use socialkit::engine::{BrandRules, Disclosure, UtmRules, WorkflowSettings};
use socialkit::model::Post;
use socialkit::store::{DeliveryState, MemoryStore, Role};

use crate::common::*;

#[tokio::test]
async fn approval_workflow_with_roles_and_audit() {
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    let p = Arc::new(EchoPlatform::new("demo"));
    connect(&e, &ws, "c", p.clone()).await;
    e.add_member(&ws, OWNER, "eddie", Role::Editor)
        .await
        .unwrap();
    e.add_member(&ws, OWNER, "anna", Role::Approver)
        .await
        .unwrap();
    e.add_member(&ws, OWNER, "vic", Role::Viewer).await.unwrap();
    assert_eq!(
        e.add_member(&ws, "anna", "x", Role::Owner)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        e.draft(&ws, "vic", Post::text("hi"), &["c".into()])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        e.draft(&ws, "mallory", Post::text("hi"), &["c".into()])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    let d = e
        .draft(&ws, "eddie", Post::text("frist draft"), &["c".into()])
        .await
        .unwrap();
    e.edit(&ws, "eddie", &d.post, Post::text("first draft"))
        .await
        .unwrap();
    e.comment(&ws, "eddie", &d.post, "ready when you are")
        .await
        .unwrap();
    e.request_review(&ws, "eddie", &d.post).await.unwrap();
    assert_eq!(
        e.approve(&ws, "eddie", &d.post, "self")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        e.edit(&ws, "eddie", &d.post, Post::text("sneaky"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict,
        "no edits in review"
    );
    e.request_changes(&ws, "anna", &d.post, "say more")
        .await
        .unwrap();
    e.edit(&ws, "eddie", &d.post, Post::text("first draft, with more"))
        .await
        .unwrap();
    e.request_review(&ws, "eddie", &d.post).await.unwrap();
    let out = e.approve(&ws, "anna", &d.post, "good").await.unwrap();
    assert_eq!(
        out[0].state,
        DeliveryState::Scheduled,
        "scheduled on approval"
    );
    e.run_once().await.unwrap();
    assert_eq!(p.published()[0].text, "first draft, with more");
    let comments = e.comments(&ws, "vic", &d.post).await.unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[1].who, "anna");
    let (history, attempts) = e.history(&ws, "vic", &out[0].id).await.unwrap();
    let path: Vec<_> = history.iter().map(|h| (h.to, h.who.as_str())).collect();
    assert_eq!(
        path,
        [
            (DeliveryState::Draft, "eddie"),
            (DeliveryState::Draft, "eddie"),
            (DeliveryState::InReview, "eddie"),
            (DeliveryState::ChangesRequested, "anna"),
            (DeliveryState::ChangesRequested, "eddie"),
            (DeliveryState::InReview, "eddie"),
            (DeliveryState::Approved, "anna"),
            (DeliveryState::Scheduled, "anna"),
            (DeliveryState::Publishing, "worker:worker-1"),
            (DeliveryState::Published, "worker:worker-1"),
        ]
    );
    assert_eq!(history[3].why, "say more");
    assert_eq!(attempts.len(), 1);
    assert!(attempts[0].key.starts_with("sk-"));
}

#[tokio::test]
async fn editors_go_through_review_unless_the_workspace_waives_it() {
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    e.add_member(&ws, OWNER, "eddie", Role::Editor)
        .await
        .unwrap();
    e.add_member(&ws, OWNER, "anna", Role::Approver)
        .await
        .unwrap();
    let s = e
        .submit(&ws, "eddie", Post::text("one"), &["c".into()])
        .await
        .unwrap();
    assert_eq!(s.deliveries[0].state, DeliveryState::InReview);
    let settings = WorkflowSettings {
        four_eyes: true,
        ..WorkflowSettings::default()
    };
    e.set_workflow_settings(&ws, OWNER, &settings)
        .await
        .unwrap();
    let own = e
        .submit(&ws, "anna", Post::text("mine"), &["c".into()])
        .await
        .unwrap();
    assert_eq!(
        own.deliveries[0].state,
        DeliveryState::Scheduled,
        "approvers schedule directly"
    );
    let settings = WorkflowSettings {
        approval_required: false,
        ..WorkflowSettings::default()
    };
    e.set_workflow_settings(&ws, OWNER, &settings)
        .await
        .unwrap();
    let s = e
        .submit(&ws, "eddie", Post::text("two"), &["c".into()])
        .await
        .unwrap();
    assert_eq!(s.deliveries[0].state, DeliveryState::Scheduled);
}

#[tokio::test]
async fn brand_rules_are_checked_before_review_and_utm_is_added() {
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(&e, &ws, "c", Arc::new(EchoPlatform::new("demo"))).await;
    let rules = BrandRules {
        forbidden_words: vec!["cheap".into()],
        disclosure: Some(Disclosure {
            label: "paid".into(),
            any_of: vec!["#ad".into(), "#sponsored".into()],
        }),
        utm: Some(UtmRules {
            medium: "social".into(),
            source_by_channel: Default::default(),
            content_is_channel: true,
            hosts: vec!["acme.example".into()],
        }),
        ..BrandRules::default()
    };
    e.set_brand_rules(&ws, OWNER, &rules).await.unwrap();
    let err = e
        .submit(
            &ws,
            OWNER,
            Post::text("Cheap anvils at https://acme.example/a").with_label("paid"),
            &["c".into()],
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let msg = err.to_string();
    assert!(
        msg.contains("forbidden word \"cheap\"") && msg.contains("#ad"),
        "{msg}"
    );
    assert!(
        e.store()
            .deliveries(&ws, &Default::default())
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
    e.add_member(&ws, OWNER, "eddie", Role::Editor)
        .await
        .unwrap();
    let d = e
        .draft(
            &ws,
            "eddie",
            Post::text("Cheap!").with_label("paid"),
            &["c".into()],
        )
        .await
        .unwrap();
    assert!(
        e.request_review(&ws, "eddie", &d.post).await.is_err(),
        "checked before review"
    );
    let ok = e
        .submit(
            &ws,
            OWNER,
            Post::text("Fine anvils #ad https://acme.example/a")
                .with_label("paid")
                .with_campaign("spring"),
            &["c".into()],
        )
        .await
        .unwrap();
    assert_eq!(
        ok.deliveries[0].content.text,
        "Fine anvils #ad https://acme.example/a?utm_source=demo&utm_medium=social&utm_campaign=spring&utm_content=c"
    );
}

#[tokio::test]
async fn profile_check_reports_differences() {
    use async_trait::async_trait;
    use socialkit::model::{Channel, Profile, PublishOptions, Published};
    use socialkit::platform::{Capabilities, Platform};

    #[derive(Debug)]
    struct WithProfile(Capabilities, Profile);
    #[async_trait]
    impl Platform for WithProfile {
        fn capabilities(&self) -> &Capabilities {
            &self.0
        }
        async fn channel(&self) -> socialkit::Result<Channel> {
            Ok(Channel::new(self.name(), "1", "acme").with_profile(self.1.clone()))
        }
        async fn publish(&self, _: &Post, _: &PublishOptions) -> socialkit::Result<Published> {
            Err(socialkit::Error::unsupported("x", "publish"))
        }
    }
    let caps = |n: &str| crate::echo::EchoPlatform::new(n).capabilities().clone();
    let prof = |name: &str, bio: &str| Profile {
        display_name: Some(name.into()),
        bio: Some(bio.into()),
        website: Some("https://acme.example".into()),
        ..Profile::default()
    };
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    connect(
        &e,
        &ws,
        "m",
        Arc::new(WithProfile(caps("m"), prof("ACME", "We make anvils"))),
    )
    .await;
    connect(
        &e,
        &ws,
        "b",
        Arc::new(WithProfile(caps("b"), prof("ACME", "We make  anvils "))),
    )
    .await;
    connect(
        &e,
        &ws,
        "x",
        Arc::new(WithProfile(caps("x"), prof("ACME", "Anvils since 1949"))),
    )
    .await;
    let r = e.profile_check(&ws, OWNER).await.unwrap();
    assert_eq!(r.differences.len(), 1);
    assert_eq!(r.differences[0].field, "bio");
    assert_eq!(r.differences[0].values.len(), 2);
}

#[tokio::test]
async fn workspaces_do_not_cross() {
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let a = e.create_workspace("a", "A", "alice").await.unwrap();
    let b = e.create_workspace("b", "B", "bob").await.unwrap();
    e.connect(
        &a,
        "alice",
        socialkit::store::ChannelRecord::new("c", "demo"),
        Arc::new(EchoPlatform::new("demo")),
    )
    .await
    .unwrap();
    let s = e
        .submit(&a, "alice", Post::text("hi"), &["c".into()])
        .await
        .unwrap();
    assert_eq!(
        e.submit(&b, "alice", Post::text("hi"), &["c".into()])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        e.submit(&b, "bob", Post::text("hi"), &["c".into()])
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound,
        "b has no channel c"
    );
    assert_eq!(
        e.cancel(&b, "bob", &s.post, "mine now")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(e.pause_workspace(&b, "bob", "x").await.unwrap(), 0);
    assert_eq!(
        e.run_once().await.unwrap().published,
        1,
        "a's post is unaffected by b's pause"
    );
}

#[tokio::test]
async fn recurring_posts_are_planned_in_the_zone() {
    let clock = ManualClock::new("2026-10-19T00:00:00Z".parse().unwrap());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    let p = Arc::new(EchoPlatform::new("demo").with_clock(Arc::new(clock.clone())));
    connect(&e, &ws, "c", p.clone()).await;
    let every = Recurrence::parse("every Monday and Thursday 09:00 Europe/Berlin").unwrap();
    let planned = e
        .schedule_recurring(
            &ws,
            OWNER,
            Post::text("tip"),
            &["c".into()],
            &every,
            "2026-11-01T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(planned.len(), 4);
    e.run_simulated(&clock, 50).await.unwrap();
    let at: Vec<String> = p
        .published()
        .iter()
        .map(|r| r.created_at.to_rfc3339())
        .collect();
    assert_eq!(
        at,
        [
            "2026-10-19T07:00:00+00:00",
            "2026-10-22T07:00:00+00:00",
            "2026-10-26T08:00:00+00:00",
            "2026-10-29T08:00:00+00:00",
        ],
        "09:00 Berlin before and after the end of summer time"
    );
}

/// `Engine::member` binds workspace and user once: the same workflow as the engine's own
/// calls, the same role checks on every call (a member removed after the handle was made is
/// refused), and the audit log names the handle's user.
#[tokio::test]
async fn a_member_handle_runs_the_workflow_without_repeating_ws_and_who() {
    let clock = ManualClock::new(t0());
    let e = engine(Arc::new(MemoryStore::new()), &clock, None);
    let ws = workspace(&e).await;
    let owner = e.member(&ws, OWNER);
    let p = Arc::new(EchoPlatform::new("demo"));
    owner
        .connect(socialkit::store::ChannelRecord::new("c", "demo"), p.clone())
        .await
        .unwrap();
    owner.add_member("eddie", Role::Editor).await.unwrap();
    owner.add_member("anna", Role::Approver).await.unwrap();
    let (eddie, anna) = (e.member(&ws, "eddie"), e.member(&ws, "anna"));
    assert_eq!((eddie.workspace(), eddie.who()), (&ws, "eddie"));
    assert_eq!(eddie.role().await.unwrap(), Some(Role::Editor));

    let submitted = eddie
        .submit(Post::text("needs review"), &["c".into()])
        .await
        .unwrap();
    assert_eq!(submitted.deliveries[0].state, DeliveryState::InReview);
    let denied = eddie.approve(&submitted.post, "self").await.unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::PermissionDenied);
    anna.reject(&submitted.post, "name the weight")
        .await
        .unwrap();
    assert_eq!(
        e.deliveries(&ws, &submitted.post).await.unwrap()[0].state,
        DeliveryState::ChangesRequested
    );
    eddie
        .edit(&submitted.post, Post::text("needs review: 50 kg"))
        .await
        .unwrap();
    eddie.request_review(&submitted.post).await.unwrap();
    let approved = anna.approve(&submitted.post, "good").await.unwrap();
    assert_eq!(approved[0].state, DeliveryState::Scheduled);
    assert_eq!(
        anna.comments(&submitted.post).await.unwrap()[0].text,
        "name the weight"
    );

    e.run_once().await.unwrap();
    assert_eq!(p.published().len(), 1);
    assert_eq!(p.published()[0].text, "needs review: 50 kg");
    let log = owner.audit_log(100).await.unwrap();
    assert!(log.iter().any(|h| h.who == "anna"));

    owner.remove_member("eddie").await.unwrap();
    assert_eq!(eddie.role().await.unwrap(), None);
    let gone = eddie
        .draft(Post::text("after removal"), &["c".into()])
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::PermissionDenied);
}
