"""The public API's request and response bodies, and its opaque paging cursors."""

from datetime import UTC, datetime
from typing import Annotated, Any

from bson import ObjectId
from fastapi import HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, StrictStr, StringConstraints

MESSAGE_MAX_CHARS = 4000
TITLE_CHARS = 60
PREVIEW_CHARS = 80

# A 24-hex-digit string: checked before it reaches the database, so `{"$ne": ...}` never does.
ObjectIdStr = Annotated[StrictStr, StringConstraints(pattern=r"^[0-9a-f]{24}$")]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: StrictStr = Field(min_length=1, max_length=64)
    password: StrictStr = Field(min_length=1, max_length=256)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation_id: ObjectIdStr | None = None
    message: StrictStr = Field(min_length=1, max_length=MESSAGE_MAX_CHARS)


class ChatResponse(BaseModel):
    conversation_id: str
    reply: str


class MessageOut(BaseModel):
    id: str
    role: str
    content: str
    timestamp: datetime

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> "MessageOut":
        return cls(id=str(doc["_id"]), role=doc["role"], content=doc["content"], timestamp=doc["timestamp"])


class ConversationSummary(BaseModel):
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int
    preview: str | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any], preview: str | None = None) -> "ConversationSummary":
        return cls(
            id=str(doc["_id"]),
            title=doc["title"],
            created_at=doc["created_at"],
            updated_at=doc["updated_at"],
            message_count=doc.get("message_count", 0),
            preview=preview,
        )


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    next_cursor: str | None


class ConversationDetail(BaseModel):
    conversation: ConversationSummary
    messages: list[MessageOut] = Field(description="newest first")
    next_cursor: str | None
    # Only under the slow_serialization scenario: the legacy embedded copy of every message.
    transcript: list[dict[str, Any]] | None = None


class Profile(BaseModel):
    user_id: str
    avatar_url: str


def to_object_id(value: str) -> ObjectId | None:
    """The ObjectId a 24-hex-digit string spells, or None for anything else."""
    return ObjectId(value) if ObjectId.is_valid(value) else None


def parse_object_id(value: str | None, what: str) -> ObjectId | None:
    """A client-supplied cursor; malformed is the client's mistake (422), not ours (500)."""
    if value is None:
        return None
    object_id = to_object_id(value)
    if object_id is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"malformed {what}")
    return object_id


def message_cursor(doc: dict[str, Any]) -> str:
    """Messages page by timestamp (milliseconds, as MongoDB stores it): the index's sort key."""
    return str(int(doc["timestamp"].timestamp() * 1000))


def parse_message_cursor(value: str | None) -> datetime | None:
    if value is None:
        return None
    if not value.isdigit() or len(value) > 15:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "malformed cursor")
    return datetime.fromtimestamp(int(value) / 1000, UTC)
