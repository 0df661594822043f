"""The public API: log in, chat, see your profile, and read conversations back a page at a time."""

import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from fastapi.encoders import jsonable_encoder

from services.chat.deps import (
    ActiveScenarios,
    Auth,
    Avatars,
    CurrentUser,
    Llm,
    Settings,
    Store,
    Tracer,
    record_scenarios,
)
from services.chat.models import (
    ChatRequest,
    ChatResponse,
    ConversationDetail,
    ConversationPage,
    ConversationSummary,
    LoginRequest,
    MessageOut,
    Profile,
    message_cursor,
    parse_message_cursor,
    parse_object_id,
    to_object_id,
)

# Every request records the active scenarios on its root span, whichever handler serves it.
router = APIRouter(prefix="/api", tags=["chat"], dependencies=[Depends(record_scenarios)])

PageSize = Annotated[int, Query(ge=1, le=100)]
NOT_FOUND = "conversation not found"


@router.post("/login")
async def login(body: LoginRequest, auth: Auth) -> dict:
    return await auth.login(body.username, body.password)


async def _authorized_conversation(store: Store, user_id: str, conversation_id: str, with_transcript: bool = False) -> dict:
    """The conversation, if this user may read it. Unknown, malformed and forbidden ids look the same: 404."""
    object_id = to_object_id(conversation_id)
    conversation = await store.fetch_conversation(object_id, with_transcript) if object_id else None
    if conversation is None or not await store.check_permissions(user_id, object_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return conversation


@router.post("/chat")
async def chat(body: ChatRequest, user_id: CurrentUser, store: Store, llm: Llm, settings: Settings) -> ChatResponse:
    asked_at = datetime.now(UTC)
    history: list[dict] = []
    conversation_id = None
    if body.conversation_id is not None:
        conversation = await _authorized_conversation(store, user_id, body.conversation_id)
        conversation_id = conversation["_id"]
        history = await store.fetch_messages(conversation_id, settings.history_limit)
    context = [{"role": m["role"], "content": m["content"]} for m in reversed(history)]
    reply = await llm.complete([*context, {"role": "user", "content": body.message}])
    saved_id = await store.save_exchange(user_id, conversation_id, body.message, reply, asked_at)
    return ChatResponse(conversation_id=str(saved_id), reply=reply)


@router.get("/profile")
async def profile(user_id: CurrentUser, avatars: Avatars, scenarios: ActiveScenarios) -> Profile:
    cached = "slow_external_call" not in scenarios
    return Profile(user_id=user_id, avatar_url=await avatars.avatar_url(user_id, cached=cached))


@router.get("/conversations")
async def list_conversations(
    user_id: CurrentUser, store: Store, scenarios: ActiveScenarios, limit: PageSize = 20, cursor: str | None = None
) -> ConversationPage:
    before = parse_object_id(cursor, "cursor")
    docs = await store.list_conversations(user_id, limit, before)
    previews = await store.fetch_previews(docs, one_query_each="n_plus_one" in scenarios)
    return ConversationPage(
        items=[ConversationSummary.from_doc(d, previews.get(d["_id"])) for d in docs],
        next_cursor=str(docs[-1]["_id"]) if len(docs) == limit else None,
    )


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
async def get_conversation(
    conversation_id: str,
    user_id: CurrentUser,
    store: Store,
    scenarios: ActiveScenarios,
    tracer: Tracer,
    limit: PageSize = 50,
    cursor: str | None = None,
) -> Response:
    before = parse_message_cursor(cursor)
    legacy = "slow_serialization" in scenarios
    conversation = await _authorized_conversation(store, user_id, conversation_id, with_transcript=legacy)
    unbounded = "unbounded_query" in scenarios
    messages = await store.fetch_messages(conversation["_id"], None if unbounded else limit, before)
    page_full = not unbounded and len(messages) == limit
    with tracer.start_as_current_span("serialize") as span:
        detail = ConversationDetail(
            conversation=ConversationSummary.from_doc(conversation),
            messages=[MessageOut.from_doc(m) for m in messages],
            next_cursor=message_cursor(messages[-1]) if page_full else None,
            transcript=conversation.get("transcript") if legacy else None,
        )
        if legacy:  # slow_serialization: the generic encoder walks every field of every embedded message
            body = json.dumps(jsonable_encoder(detail)).encode()
        else:
            body = detail.model_dump_json(exclude={"transcript"}).encode()
        span.set_attribute("lab.response.bytes", len(body))
    return Response(body, media_type="application/json")
