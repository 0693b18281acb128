//! What the container personalities (Instagram, Threads) share: the publishing limit answer,
//! container status polls, and the checks before a container is published.

use serde_json::json;

use super::{ContainerState, Ctx, NodeKind, Reply, State};

/// The quota answer both container platforms use.
pub(crate) fn publishing_limit(ctx: &Ctx<'_>, state: &State, with_replies: bool) -> Reply {
    let mut entry = json!({
        "quota_usage": state.publishes_in_window(ctx.now),
        "config": { "quota_total": state.quota_total, "quota_duration": 86_400 },
    });
    if with_replies {
        entry["reply_quota_usage"] = json!(state.replies_in_window(ctx.now));
        entry["reply_config"] =
            json!({ "quota_total": state.reply_quota_total, "quota_duration": 86_400 });
    }
    Reply::ok(json!({ "data": [entry] }))
}

/// `GET /{container}`: the status (counting the poll).
pub(crate) fn container_status(
    state: &mut State,
    id: &str,
    code_field: &str,
    message_field: &str,
) -> Option<Reply> {
    let st = state.poll_container(id)?;
    let mut body = json!({ "id": id, code_field: st.code() });
    match &st {
        ContainerState::Error(reason) => body[message_field] = json!(reason),
        _ if message_field == "status" => {
            body["status"] = json!(format!("{}: {}", st.code(), "ok"))
        }
        _ => {}
    }
    Some(Reply::ok(body))
}

/// Checks a container can be published: it must be `FINISHED` and the quota not used up.
pub(crate) fn check_publishable(
    ctx: &Ctx<'_>,
    state: &State,
    id: &str,
    is_reply: bool,
) -> std::result::Result<(), Reply> {
    let Some(node) = state.node(id).filter(|n| n.kind == NodeKind::Container) else {
        return Err(Reply::error(
            400,
            100,
            Some(2207006),
            "OAuthException",
            "The media with the given creation_id was not found",
        ));
    };
    match &node.container {
        Some(ContainerState::Finished) => {}
        Some(ContainerState::Published(_)) => {
            return Err(Reply::error(
                400,
                100,
                None,
                "OAuthException",
                "This media container was already published",
            ));
        }
        Some(ContainerState::Expired) => {
            return Err(Reply::error(
                400,
                100,
                Some(2207008),
                "OAuthException",
                "The media container has expired",
            ));
        }
        _ => {
            return Err(Reply::error(
                400,
                9007,
                Some(2207027),
                "OAuthException",
                "Media ID is not available: the media is not ready for publishing, please wait for a moment",
            ));
        }
    }
    let (used, total) = if is_reply {
        (state.replies_in_window(ctx.now), state.reply_quota_total)
    } else {
        (state.publishes_in_window(ctx.now), state.quota_total)
    };
    if used >= total {
        return Err(Reply::error(
            400,
            4,
            Some(2207042),
            "OAuthException",
            "Application request limit reached: the daily publishing limit is reached",
        ));
    }
    Ok(())
}
