"""The public API: log in, chat, and read conversations back a page at a time."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from services.chat.deps import Auth, CurrentUser, Llm, Settings, Store
from services.chat.models import (
    ChatRequest,
    ChatResponse,
    ConversationDetail,
    ConversationPage,
    ConversationSummary,
    LoginRequest,
    MessageOut,
    message_cursor,
    parse_message_cursor,
    parse_object_id,
    to_object_id,
)

router = APIRouter(prefix="/api", tags=["chat"])

PageSize = Annotated[int, Query(ge=1, le=100)]
NOT_FOUND = "conversation not found"


@router.post("/login")
async def login(body: LoginRequest, auth: Auth) -> dict:
    return await auth.login(body.username, body.password)


async def _authorized_conversation(store: Store, user_id: str, conversation_id: str) -> dict:
    """The conversation, if this user may read it. Unknown, malformed and forbidden ids look the same: 404."""
    object_id = to_object_id(conversation_id)
    conversation = await store.fetch_conversation(object_id) if object_id else None
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


@router.get("/conversations")
async def list_conversations(
    user_id: CurrentUser, store: Store, limit: PageSize = 20, cursor: str | None = None
) -> ConversationPage:
    before = parse_object_id(cursor, "cursor")
    docs = await store.list_conversations(user_id, limit, before)
    next_cursor = str(docs[-1]["_id"]) if len(docs) == limit else None
    return ConversationPage(items=[ConversationSummary.from_doc(d) for d in docs], next_cursor=next_cursor)


@router.get("/conversations/{conversation_id}")
async def get_conversation(
    conversation_id: str, user_id: CurrentUser, store: Store, limit: PageSize = 50, cursor: str | None = None
) -> ConversationDetail:
    before = parse_message_cursor(cursor)
    conversation = await _authorized_conversation(store, user_id, conversation_id)
    messages = await store.fetch_messages(conversation["_id"], limit, before)
    return ConversationDetail(
        conversation=ConversationSummary.from_doc(conversation),
        messages=[MessageOut.from_doc(m) for m in messages],
        next_cursor=message_cursor(messages[-1]) if len(messages) == limit else None,
    )
