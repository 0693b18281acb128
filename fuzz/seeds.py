#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/seeds/<target>/.

Adapter seeds are documented example answers, encoded as the adapter targets read them (see
fuzz/src/lib.rs): an operation byte, then per answer a status selector, header flags, a header
value, a little-endian u16 body length and the body. The fuzzer mutates from there; its own
finds go to fuzz/corpus/<target>/ (minimised).
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
STATUSES = [200, 200, 200, 200, 200, 201, 201, 202, 204, 206, 301, 400, 401, 403, 404, 409, 410,
            413, 422, 426, 429, 500, 503, 200]
CT, RESTLI, RETRY, RESET, ETAG, LOCATION, USAGE, LINK = (1 << i for i in range(8))

OPS = {"publish": 0, "channel": 1, "interactions": 2, "recent": 3, "metrics": 4, "delete": 5,
       "reply": 6, "search": 7, "thread": 8}


def answer(status, body=b"", flags=CT, header=""):
    if not isinstance(body, (bytes, bytearray)):
        body = json.dumps(body).encode()
    h = header.encode()
    return bytes([STATUSES.index(status), flags, len(h)]) + h + struct.pack("<H", len(body)) + body


def seed(target, name, op, *answers, flags=0):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes([OPS[op] | flags]) + b"".join(answers))


def text(target, name, s, prefix=b""):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(prefix + s.encode())


# X: docs.x.com example answers (creation-of-a-post, user-mention-quickstart, delete).
tweet = {"id": "1346889436626259968", "text": "Learn how to use the user Tweet timeline",
         "author_id": "2244994945", "created_at": "2024-01-15T10:30:00.000Z",
         "public_metrics": {"retweet_count": 5, "reply_count": 2, "like_count": 42, "quote_count": 1}}
users = {"users": [{"id": "2244994945", "name": "Developers", "username": "XDevelopers"}]}
seed("adapter_x", "publish", "publish", answer(201, {"data": {"id": tweet["id"], "text": tweet["text"]}}))
seed("adapter_x", "channel", "channel", answer(200, {"data": {"id": "2244994945", "name": "Developers", "username": "XDevelopers", "public_metrics": {"followers_count": 1, "following_count": 2, "tweet_count": 3}}}))
seed("adapter_x", "mentions", "interactions", answer(200, {"data": [tweet], "includes": users, "meta": {"result_count": 1, "next_token": "b26v89c19zqg8o3fo7gesq314yb9l2l4ptqy"}}))
seed("adapter_x", "recent", "recent", answer(200, {"data": [tweet], "meta": {"result_count": 1}}))
seed("adapter_x", "metrics", "metrics", answer(200, {"data": [tweet]}))
seed("adapter_x", "delete", "delete", answer(200, {"data": {"deleted": True}}))
seed("adapter_x", "search", "search", answer(200, {"data": [tweet], "includes": users, "meta": {"newest_id": "1", "oldest_id": "1", "result_count": 1}}))
seed("adapter_x", "throttled", "publish", answer(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}, CT | RESET | RETRY, "1800000900"))
seed("adapter_x", "thread", "thread", answer(201, {"data": {"id": "1", "text": "first part"}}), answer(201, {"data": {"id": "2", "text": "second part"}}))

# LinkedIn: posts-api, comments-api, social-metadata-api shapes.
post = {"id": "urn:li:share:6844785523593134080", "author": "urn:li:person:abc", "commentary": "hello", "createdAt": 1700000000000, "publishedAt": 1700000000000, "lifecycleState": "PUBLISHED"}
comment = {"id": "6636062862760562688", "commentUrn": "urn:li:comment:(urn:li:activity:6844785523593134080,6636062862760562688)", "actor": "urn:li:person:bob", "object": post["id"], "message": {"text": "Nice"}, "created": {"actor": "urn:li:person:bob", "time": 1700000001000}}
seed("adapter_linkedin", "publish", "publish", answer(201, b"", CT | RESTLI, post["id"]))
seed("adapter_linkedin", "channel", "channel", answer(200, {"sub": "abc", "name": "A Member", "picture": "https://media.licdn.com/x.png"}))
seed("adapter_linkedin", "comments", "interactions", answer(200, {"elements": [post], "paging": {"start": 0, "count": 10}}), answer(200, {"elements": [comment], "paging": {"start": 0, "count": 100, "total": 1}}))
seed("adapter_linkedin", "recent", "recent", answer(200, {"elements": [post], "paging": {"start": 0, "count": 5}}))
seed("adapter_linkedin", "metrics", "metrics", answer(200, {"reactionSummaries": {"LIKE": {"reactionType": "LIKE", "count": 3}}, "commentSummary": {"count": 1, "topLevelCount": 1}}))
seed("adapter_linkedin", "delete", "delete", answer(200, post), answer(204))
seed("adapter_linkedin", "reply", "reply", answer(201, comment, CT | RESTLI, comment["id"]))
seed("adapter_linkedin", "retired", "publish", answer(426, {"status": 426, "code": "NONEXISTENT_VERSION", "message": "Requested version 202401 is not active"}))
with open(os.path.join(HERE, "seeds", "adapter_linkedin", "page-channel"), "wb") as f:
    f.write(bytes([OPS["channel"] | 0x20]) + answer(200, {"id": 5, "localizedName": "Acme", "vanityName": "acme"}) + answer(200, {"firstDegreeSize": 1234}))
with open(os.path.join(HERE, "seeds", "adapter_linkedin", "page-metrics"), "wb") as f:
    f.write(bytes([OPS["metrics"] | 0x20]) + answer(200, {"elements": [{"share": "urn:li:share:1", "totalShareStatistics": {"impressionCount": 10, "uniqueImpressionsCount": 5, "clickCount": 1, "shareCount": 0}}]}) + answer(200, {"reactionSummaries": {}, "commentSummary": {"count": 0}}))

# Graph API (Facebook Pages, Instagram, Threads): page, feed, comments, containers.
graph_list = {"data": [{"id": "1784_99", "message": "hello", "created_time": "2026-01-01T00:00:00+0000", "permalink_url": "https://www.facebook.com/1784/posts/99"}], "paging": {"cursors": {"before": "b", "after": "a"}}}
graph_error = {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4, "fbtrace_id": "A1"}}
seed("adapter_facebook", "publish", "publish", answer(200, {"id": "1784_99"}), answer(200, {"id": "1784_99", "permalink_url": "https://www.facebook.com/1784/posts/99", "created_time": "2026-01-01T00:00:00+0000"}))
seed("adapter_facebook", "channel", "channel", answer(200, {"id": "1784", "name": "Acme", "username": "acme", "followers_count": 10, "fan_count": 9, "picture": {"data": {"url": "https://x"}}}))
seed("adapter_facebook", "comments", "interactions", answer(200, graph_list), answer(200, {"data": [{"id": "99_1", "message": "hi", "created_time": "2026-01-01T00:00:01+0000", "from": {"id": "7", "name": "Bob"}}]}))
seed("adapter_facebook", "recent", "recent", answer(200, graph_list))
seed("adapter_facebook", "metrics", "metrics", answer(200, {"id": "1784_99", "reactions": {"data": [], "summary": {"total_count": 7}}, "comments": {"data": [], "summary": {"total_count": 2}}, "shares": {"count": 3}}), answer(200, {"data": [{"name": "post_clicks", "period": "lifetime", "values": [{"value": 4}]}]}))
seed("adapter_facebook", "delete", "delete", answer(200, {"success": True}))
seed("adapter_facebook", "throttled", "publish", answer(400, graph_error, CT | USAGE, '{"call_count":100}'))
seed("adapter_instagram", "channel", "channel", answer(200, {"id": "1784", "username": "acme", "followers_count": 10, "media_count": 2}))
seed("adapter_instagram", "recent", "recent", answer(200, {"data": [{"id": "17895695668004550", "caption": "hi", "timestamp": "2026-01-01T00:00:00+0000", "permalink": "https://www.instagram.com/p/x/"}]}))
seed("adapter_instagram", "comments", "interactions", answer(200, {"data": [{"id": "1", "caption": "hi", "timestamp": "2026-01-01T00:00:00+0000", "comments_count": 1}]}), answer(200, {"data": [{"id": "2", "text": "yo", "timestamp": "2026-01-01T00:00:01+0000", "username": "bob", "replies": {"data": [{"id": "3", "text": "hey"}]}}]}))
seed("adapter_instagram", "metrics", "metrics", answer(200, {"id": "1", "like_count": 3, "comments_count": 1}), answer(200, {"data": [{"name": "reach", "values": [{"value": 10}]}, {"name": "views", "total_value": {"value": 20}}]}))
seed("adapter_instagram", "search", "search", answer(200, {"data": [{"id": "17843853986012965"}]}), answer(200, {"data": [{"id": "1", "caption": "#fuzz", "timestamp": "2026-01-01T00:00:00+0000"}]}))
seed("adapter_threads", "publish", "publish", answer(200, {"quota_usage": 1, "config": {"quota_total": 250}}), answer(200, {"id": "1234567890"}), answer(200, {"status": "FINISHED", "id": "1234567890"}), answer(200, {"id": "1234567"}), answer(200, {"id": "1234567", "permalink": "https://www.threads.net/@acme/post/x"}))
seed("adapter_threads", "channel", "channel", answer(200, {"id": "1784", "username": "acme", "name": "Acme"}), answer(200, {"data": [{"name": "followers_count", "total_value": {"value": 5}}]}))
seed("adapter_threads", "recent", "recent", answer(200, {"data": [{"id": "1", "text": "hi", "timestamp": "2026-01-01T00:00:00+0000", "permalink": "https://www.threads.net/@acme/post/x", "username": "acme"}]}))
seed("adapter_threads", "search", "search", answer(200, {"data": [{"id": "1", "text": "fuzz", "timestamp": "2026-01-01T00:00:00+0000", "username": "bob"}]}))
seed("adapter_threads", "error", "publish", answer(400, {"error": {"message": "The user has reached the limit", "type": "OAuthException", "code": 9, "error_subcode": 2207042}}))

# Mastodon: docs.joinmastodon.org entities.
account = {"id": "109", "username": "acme", "acct": "acme", "display_name": "Acme", "followers_count": 1, "following_count": 2, "statuses_count": 3, "url": "https://m.example/@acme"}
status = {"id": "110", "uri": "https://m.example/users/acme/statuses/110", "url": "https://m.example/@acme/110", "created_at": "2026-01-01T00:00:00.000Z", "content": "<p>hello <a href=\"https://m.example/tags/fuzz\">#fuzz</a></p>", "account": account, "favourites_count": 1, "reblogs_count": 0, "replies_count": 0, "visibility": "public", "media_attachments": [], "mentions": [], "tags": []}
instance = {"domain": "m.example", "configuration": {"statuses": {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23}, "media_attachments": {"description_limit": 1500, "image_size_limit": 16777216}}}
seed("adapter_mastodon", "publish", "publish", answer(200, instance), answer(200, status))
seed("adapter_mastodon", "channel", "channel", answer(200, account))
seed("adapter_mastodon", "mentions", "interactions", answer(200, [{"id": "5", "type": "mention", "created_at": "2026-01-01T00:00:00.000Z", "account": account, "status": status}], CT | LINK, '<https://m.example/api/v1/notifications?max_id=5>; rel="next"'))
seed("adapter_mastodon", "recent", "recent", answer(200, account), answer(200, [status]))
seed("adapter_mastodon", "search", "search", answer(200, {"accounts": [], "statuses": [status], "hashtags": []}))
seed("adapter_mastodon", "throttled", "publish", answer(429, {"error": "Too many requests"}, CT | RESET, "2026-01-01T00:05:00.000Z"))

# Bluesky: createSession, then the XRPC answers (atproto lexicons).
session = {"did": "did:plc:abc", "handle": "alice.test", "accessJwt": "a.b.c", "refreshJwt": "d.e.f", "active": True}
bsky_post = {"uri": "at://did:plc:abc/app.bsky.feed.post/3k2a", "cid": "bafyreib2rxk3rw6putwqx2kvnmbrjlbdcovhhc6jjztebd3dthl3bvbcse", "author": {"did": "did:plc:abc", "handle": "alice.test"}, "record": {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2026-01-01T00:00:00.000Z"}, "indexedAt": "2026-01-01T00:00:00.000Z", "likeCount": 1, "repostCount": 0, "replyCount": 0}
seed("adapter_bluesky", "publish", "publish", answer(200, session), answer(200, {"uri": "at://did:plc:abc/app.bsky.feed.post/3k2a", "cid": bsky_post["cid"], "commit": {"cid": "x", "rev": "y"}}))
seed("adapter_bluesky", "channel", "channel", answer(200, session), answer(200, {"did": "did:plc:abc", "handle": "alice.test", "displayName": "Alice", "followersCount": 3, "followsCount": 2, "postsCount": 1}))
seed("adapter_bluesky", "notifications", "interactions", answer(200, session), answer(200, {"notifications": [{"uri": "at://did:plc:bob/app.bsky.feed.post/1", "cid": bsky_post["cid"], "author": {"did": "did:plc:bob", "handle": "bob.test"}, "reason": "reply", "record": {"$type": "app.bsky.feed.post", "text": "yo", "createdAt": "2026-01-01T00:00:00.000Z", "reply": {"root": {"uri": bsky_post["uri"], "cid": bsky_post["cid"]}, "parent": {"uri": bsky_post["uri"], "cid": bsky_post["cid"]}}}, "isRead": False, "indexedAt": "2026-01-01T00:00:01.000Z"}], "cursor": "c"}))
seed("adapter_bluesky", "recent", "recent", answer(200, session), answer(200, {"feed": [{"post": bsky_post}], "cursor": "c"}))
seed("adapter_bluesky", "search", "search", answer(200, session), answer(200, {"posts": [bsky_post], "cursor": "c"}))
seed("adapter_bluesky", "error", "publish", answer(400, {"error": "InvalidRequest", "message": "Input/text must not be longer than 300 graphemes"}))

# Telegram: core.telegram.org/bots/api examples (Message, User, ChatFullInfo, Update, the error
# object with ResponseParameters).
tg_chat = {"id": -1001234567890, "title": "Acme News", "type": "channel", "username": "acme"}
tg_msg = {"message_id": 42, "date": 1800000000, "chat": tg_chat, "text": "hello fuzz #tag @someone https://example.com",
          "entities": [{"type": "hashtag", "offset": 11, "length": 4}, {"type": "url", "offset": 26, "length": 19}]}
tg_reply = {"message_id": 7, "date": 1800000100, "chat": {"id": -1009876543210, "title": "Acme Chat", "type": "supergroup"},
            "from": {"id": 99, "is_bot": False, "first_name": "Bob", "username": "bob"}, "text": "Nice!",
            "reply_to_message": {"message_id": 5, "date": 1800000000, "chat": {"id": -1009876543210, "type": "supergroup"},
                                 "sender_chat": tg_chat, "is_automatic_forward": True, "forward_origin": {"type": "channel", "chat": tg_chat, "message_id": 42, "date": 1800000000}}}
seed("adapter_telegram", "publish", "publish", answer(200, {"ok": True, "result": tg_msg}))
seed("adapter_telegram", "channel", "channel", answer(200, {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Acme", "username": "acme_bot"}}),
     answer(200, {"ok": True, "result": dict(tg_chat, linked_chat_id=-1009876543210)}), answer(200, {"ok": True, "result": 1234}))
seed("adapter_telegram", "updates", "interactions", answer(200, {"ok": True, "result": [{"update_id": 1000, "message": tg_reply},
     {"update_id": 1001, "message_reaction_count": {"chat": tg_chat, "message_id": 42, "date": 1800000200, "reactions": [{"type": {"type": "emoji", "emoji": "👍"}, "total_count": 3}]}}]}), flags=0x20)
seed("adapter_telegram", "delete", "delete", answer(200, {"ok": True, "result": True}))
seed("adapter_telegram", "reply", "reply", answer(200, {"ok": True, "result": tg_reply}))
seed("adapter_telegram", "thread", "thread", answer(200, {"ok": True, "result": tg_msg}), answer(200, {"ok": True, "result": dict(tg_msg, message_id=43)}))
seed("adapter_telegram", "throttled", "publish", answer(429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5", "parameters": {"retry_after": 5}}))
seed("adapter_telegram", "migrated", "publish", answer(400, {"ok": False, "error_code": 400, "description": "Bad Request: group chat was upgraded to a supergroup chat", "parameters": {"migrate_to_chat_id": -1001111111111}}))

# Discord: discord.com/developers/docs examples (Message, User, Channel objects; the rate-limit
# answer of topics/rate-limits).
dc_user = {"id": "80351110224678912", "username": "Nelly", "discriminator": "0", "global_name": "Nelly", "avatar": None}
dc_msg = {"id": "1234567890123456789", "channel_id": "5", "author": dc_user, "content": "hello fuzz #tag @someone https://example.com",
          "timestamp": "2026-01-15T10:30:00.000000+00:00", "edited_timestamp": None, "tts": False, "mention_everyone": False,
          "mentions": [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": False, "type": 0}
dc_reply = dict(dc_msg, id="1234567890123456790", content="thanks!", type=19,
                message_reference={"type": 0, "message_id": dc_msg["id"], "channel_id": "5"}, referenced_message=dc_msg)
seed("adapter_discord", "publish", "publish", answer(200, dc_msg))
seed("adapter_discord", "channel", "channel", answer(200, dict(dc_user, bot=True)), answer(200, {"id": "5", "type": 0, "guild_id": "41771983423143937", "name": "general", "position": 6}))
seed("adapter_discord", "messages", "interactions", answer(200, [dc_reply, dc_msg]))
seed("adapter_discord", "recent", "recent", answer(200, [dc_msg]))
seed("adapter_discord", "delete", "delete", answer(204))
seed("adapter_discord", "reply", "reply", answer(200, dc_reply))
seed("adapter_discord", "thread", "thread", answer(200, dc_msg), answer(200, dict(dc_msg, id="1234567890123456791")))
seed("adapter_discord", "throttled", "publish", answer(429, {"message": "You are being rate limited.", "retry_after": 64.57, "global": False, "code": 0}, CT | RETRY, "65"))
seed("adapter_discord", "webhook", "publish", answer(200, dict(dc_msg, webhook_id="42")), flags=0x20)

# Error mappers: status (LE), flags, header value length, header value, body.
for name, status, body in [("li401", 401, {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message": "revoked"}),
                           ("graph", 400, graph_error), ("x429", 429, {"title": "Too Many Requests", "status": 429}),
                           ("masto", 422, {"error": "Validation failed: Text character limit of 500 exceeded"}),
                           ("bsky", 400, {"error": "ExpiredToken", "message": "Token has expired"})]:
    d = os.path.join(HERE, "seeds", "error_mappers")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        v = b"1800000900"
        f.write(struct.pack("<H", status - 100) + bytes([0x07, len(v)]) + v + json.dumps(body).encode())

# TikTok: the example answers of developers.tiktok.com (query-creator-info, direct-post,
# get-video-status, tiktok-api-v2-get-user-info, video-query, video-list).
tt_ok = {"code": "ok", "message": "", "log_id": "202206221854370101130062072500FFA2"}
tt_creator = {"data": {"creator_avatar_url": "https://lf16-tt4d.tiktokcdn.com/obj/x.jpeg", "creator_username": "tiktok", "creator_nickname": "TikTok Official",
                       "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"], "comment_disabled": False,
                       "duet_disabled": False, "stitch_disabled": True, "max_video_post_duration_sec": 300}, "error": tt_ok}
tt_video = {"id": "7080217258529818886", "title": "hello fuzz", "create_time": 1648590312, "share_url": "https://www.tiktok.com/@x/video/7080217258529818886",
            "view_count": 10, "like_count": 2, "comment_count": 1, "share_count": 0}
seed("adapter_tiktok", "publish", "publish", answer(200, tt_creator),
     answer(200, {"data": {"publish_id": "v_pub_file~v2-1.123456789", "upload_url": "http://127.0.0.1:1/upload/?upload_id=67890&upload_token=Xza123"}, "error": tt_ok}))
seed("adapter_tiktok", "status", "publish", answer(200, tt_creator),
     answer(200, {"data": {"publish_id": "v_pub_url~v2-1.123456789"}, "error": tt_ok}),
     answer(200, {"data": {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [7080217258529818886], "uploaded_bytes": 64}, "error": tt_ok}))
seed("adapter_tiktok", "failed", "publish", answer(200, tt_creator),
     answer(200, {"data": {"status": "FAILED", "fail_reason": "duration_check_failed"}, "error": tt_ok}))
seed("adapter_tiktok", "channel", "channel", answer(200, {"data": {"user": {"open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4", "union_id": "c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1",
     "avatar_url": "https://p19-sign.tiktokcdn-us.com/x.jpeg", "display_name": "Tik Toker", "follower_count": 5, "following_count": 2, "video_count": 9}}, "error": tt_ok}))
seed("adapter_tiktok", "metrics", "metrics", answer(200, {"data": {"videos": [tt_video]}, "error": tt_ok}))
seed("adapter_tiktok", "recent", "recent", answer(200, {"data": {"videos": [tt_video], "cursor": 1643332803000, "has_more": False}, "error": tt_ok}))
seed("adapter_tiktok", "throttled", "channel", answer(429, {"data": {}, "error": {"code": "rate_limit_exceeded", "message": "API rate limit exceeded", "log_id": "x"}}, CT | RETRY, "60"))
seed("adapter_tiktok", "expired", "channel", answer(401, {"data": {}, "error": {"code": "access_token_invalid", "message": "The access token is invalid", "log_id": "x"}}),
     answer(200, {"access_token": "act.new", "expires_in": 86400, "open_id": "o", "refresh_expires_in": 31536000, "refresh_token": "rft.new", "scope": "user.info.basic", "token_type": "Bearer"}))

# Pinterest: the examples of Pinterest's OpenAPI description (pinterest/api-description v5).
pn_pin = {"id": "813744226420795884", "created_at": "2020-01-01T20:10:40-00:00", "title": "hello", "description": "fuzz", "board_id": "549755885175"}
seed("adapter_pinterest", "publish", "publish", answer(201, pn_pin))
seed("adapter_pinterest", "channel", "channel", answer(200, {"account_type": "BUSINESS", "id": "2783136121146311751", "username": "acme", "follower_count": 10, "following_count": 347, "pin_count": 339}))
seed("adapter_pinterest", "recent", "recent", answer(200, {"items": [pn_pin], "bookmark": "b"}), answer(200, {"items": [], "bookmark": None}))
seed("adapter_pinterest", "metrics", "metrics", answer(200, {"all": {"daily_metrics": [], "summary_metrics": {"IMPRESSION": 240, "OUTBOUND_CLICK": 20, "SAVE": 20, "VIDEO_MRC_VIEW": 20}, "lifetime_metrics": {"TOTAL_COMMENTS": 10, "TOTAL_REACTIONS": 12}}}))
seed("adapter_pinterest", "delete", "delete", answer(204))
seed("adapter_pinterest", "throttled", "publish", answer(429, {"code": 8, "message": "Rate limit exceeded"}, CT | RETRY, "30"))

texts = ["Hello world", "Launch (v2) is *live* — see <docs> @team #rust_lang ~ {all}",
         "👩🏽‍💻 🏳️‍🌈 🇩🇪 1️⃣ #️⃣ 🫠 café e\u0301 日本語のテキスト", "see https://example.com/path?q=1 and www.example.org, x.com/a",
         "@alice.bsky.social hi #tag https://bsky.app/profile/alice $TSLA", "\r\n\u200d\u200b\ufe0f",
         "Mastodon @user@m.example https://m.example/@x #Fuzz", "ทดสอบภาษาไทย العربية עברית"]
for target in ["text_x", "text_bluesky", "text_misc"]:
    for i, t in enumerate(texts):
        text(target, f"t{i}", t)
for i, t in enumerate(texts + ["First sentence is here. Second sentence follows it. Third one ends the text. " * 6]):
    text("thread_split", f"t{i}", t, bytes([i % 5, 0x41, i % 3]))
for i, q in enumerate(['acme OR "acme anvils" -job', '(#launch OR @acme) AND NOT spam*', 'anvil\nour anvil is great', 'a b c (d OR (e AND -f))']):
    text("listen_query", f"q{i}", q)
for i, u in enumerate(["x://TOKEN@api.x.com?user_id=1", "linkedin://TOKEN@api.linkedin.com?author=urn:li:organization:5&scopes=w_organization_social",
                       "facebook://T@graph.facebook.com?page_id=1", "instagram://T@graph.instagram.com?ig_user_id=1&expires_at=2027-01-01T00:00:00Z",
                       "threads://T@graph.threads.net?user_id=1", "mastodon://T@m.example", "bluesky://alice.test:pw@bsky.social?scheme=http", "sandbox://acme?seed=42"]):
    text("channel_url", f"u{i}", u, b"\x00")
text("channel_url", "json", '{"token":"t","author":"urn:li:person:a"}', b"\x81")
with open(os.path.join(HERE, "..", "examples", "campaign.toml")) as f:
    text("campaign", "example", f.read(), b"\x00")

# YouTube: the resource shapes of developers.google.com/youtube/v3/docs (videos, channels,
# playlistItems, commentThreads, comments) and the resumable upload guide (Location, 308 Range).
yt_video = {"kind": "youtube#video", "id": "Ks-_Mh1QhMc", "snippet": {"publishedAt": "2026-01-01T00:00:00Z", "title": "hello fuzz", "description": ""},
            "status": {"privacyStatus": "public", "uploadStatus": "uploaded"},
            "statistics": {"viewCount": "10", "likeCount": "2", "commentCount": "1"}}
yt_channel = {"kind": "youtube#channel", "id": "UC_x5XG1OV2P6uZZ5FSM9Ttw", "snippet": {"title": "Google for Developers", "customUrl": "@googledevelopers"},
              "statistics": {"subscriberCount": "2300000", "hiddenSubscriberCount": False, "videoCount": "5900"},
              "contentDetails": {"relatedPlaylists": {"uploads": "UU_x5XG1OV2P6uZZ5FSM9Ttw"}}}
yt_comment = {"kind": "youtube#comment", "id": "UgzDE2tasfmrYLyNkGt4AaABAg", "snippet": {"authorDisplayName": "viewer", "authorChannelId": {"value": "UCa"},
              "videoId": "Ks-_Mh1QhMc", "textOriginal": "nice", "publishedAt": "2026-01-02T00:00:00Z"}}
seed("adapter_youtube", "publish", "publish", answer(200, b"", CT | LOCATION, "/upload/youtube/v3/videos?uploadType=resumable&upload_id=xa298sd_f"), answer(201, yt_video))
seed("adapter_youtube", "publish-resume", "publish", answer(200, b"", CT | LOCATION, "/upload/youtube/v3/videos?upload_id=u1"), answer(503, b"busy"), answer(301, b""), answer(201, yt_video))
seed("adapter_youtube", "channel", "channel", answer(200, {"items": [yt_channel]}))
seed("adapter_youtube", "comments", "interactions", answer(200, {"items": [yt_channel]}), answer(200, {"items": [{"kind": "youtube#commentThread", "id": yt_comment["id"], "snippet": {"videoId": "Ks-_Mh1QhMc", "topLevelComment": yt_comment, "totalReplyCount": 0}}], "nextPageToken": "QURTSl9p"}))
seed("adapter_youtube", "recent", "recent", answer(200, {"items": [yt_channel]}), answer(200, {"items": [{"snippet": {"title": "t", "description": "d", "resourceId": {"videoId": "Ks-_Mh1QhMc"}}}]}))
seed("adapter_youtube", "metrics", "metrics", answer(200, {"items": [dict(yt_video, id="1234567890")]}))
seed("adapter_youtube", "delete", "delete", answer(204))
seed("adapter_youtube", "reply", "reply", answer(200, yt_comment))
seed("adapter_youtube", "quota", "publish", answer(403, {"error": {"code": 403, "message": "quota", "errors": [{"domain": "youtube.quota", "reason": "quotaExceeded"}]}}))

# Google Business Profile: the v4 reference's LocalPost and Review shapes, the posts guide's examples.
gbp_post = {"name": "accounts/1001/locations/2002/localPosts/77", "languageCode": "en-US", "summary": "Come in for our spooky Halloween event!",
            "topicType": "STANDARD", "state": "LIVE", "createTime": "2026-10-01T10:00:00Z", "searchUrl": "https://local.google.com/place?id=1&use=posts&lpsid=77"}
gbp_review = {"name": "accounts/1001/locations/2002/reviews/AbFvOq1", "reviewId": "AbFvOq1", "reviewer": {"displayName": "Ann", "isAnonymous": False},
              "starRating": "FIVE", "comment": "Great", "createTime": "2026-10-01T10:00:00Z", "updateTime": "2026-10-01T10:00:00Z"}
seed("adapter_google_business", "publish", "publish", answer(200, gbp_post))
seed("adapter_google_business", "channel", "channel", answer(200, {"reviews": [gbp_review], "averageRating": 4.5, "totalReviewCount": 12}))
seed("adapter_google_business", "reviews", "interactions", answer(200, {"reviews": [gbp_review], "averageRating": 4.5, "totalReviewCount": 12, "nextPageToken": "n1"}), answer(200, {"reviews": []}))
seed("adapter_google_business", "recent", "recent", answer(200, {"localPosts": [gbp_post]}))
seed("adapter_google_business", "reply", "reply", answer(200, {"comment": "Thanks!", "updateTime": "2026-10-02T10:00:00Z"}))
seed("adapter_google_business", "unverified", "publish", answer(400, {"error": {"code": 400, "message": "Location is not verified.", "status": "FAILED_PRECONDITION"}}))
