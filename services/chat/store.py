"""chat's reads and writes in MongoDB, each one a span named after the seed's operations."""

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from opentelemetry.trace import Tracer
from pymongo.asynchronous.database import AsyncDatabase

from services.chat.models import TITLE_CHARS

Doc = dict[str, Any]


class ChatStore:
    def __init__(self, db: AsyncDatabase, tracer: Tracer) -> None:
        self.db = db
        self.tracer = tracer

    async def fetch_conversation(self, conversation_id: ObjectId) -> Doc | None:
        with self.tracer.start_as_current_span("fetch_conversation"):
            return await self.db.conversations.find_one({"_id": conversation_id})

    async def check_permissions(self, user_id: str, conversation_id: ObjectId) -> bool:
        with self.tracer.start_as_current_span("check_permissions"):
            grant = await self.db.permissions.find_one(
                {"user_id": user_id, "conversation_id": conversation_id}, {"_id": 1}
            )
            return grant is not None

    async def fetch_messages(
        self, conversation_id: ObjectId, limit: int, before: tuple[datetime, ObjectId] | None = None
    ) -> list[Doc]:
        """The newest `limit` messages, optionally those older than a (timestamp, _id) cursor."""
        with self.tracer.start_as_current_span("fetch_messages") as span:
            query: Doc = {"conversation_id": conversation_id}
            if before is not None:
                at, object_id = before
                query["$or"] = [{"timestamp": {"$lt": at}}, {"timestamp": at, "_id": {"$lt": object_id}}]
            cursor = self.db.messages.find(query).sort([("timestamp", -1), ("_id", -1)]).limit(limit)
            messages = await cursor.to_list()
            span.set_attribute("lab.messages.returned", len(messages))
            return messages

    async def list_conversations(self, user_id: str, limit: int, before: ObjectId | None = None) -> list[Doc]:
        with self.tracer.start_as_current_span("list_conversations"):
            query: Doc = {"user_id": user_id}
            if before is not None:
                query["_id"] = {"$lt": before}
            return await self.db.conversations.find(query).sort("_id", -1).limit(limit).to_list()

    async def save_exchange(
        self, user_id: str, conversation_id: ObjectId | None, question: str, answer: str, asked_at: datetime
    ) -> ObjectId:
        """Store the user's message and the reply; a new conversation is created only now.

        Called once the model has answered, so a failed call leaves no orphan message behind.
        """
        with self.tracer.start_as_current_span("save_to_db"):
            answered_at = datetime.now(UTC)
            if conversation_id is None:
                conversation_id = ObjectId()
                await self.db.conversations.insert_one(
                    {
                        "_id": conversation_id,
                        "user_id": user_id,
                        "title": question[:TITLE_CHARS],
                        "created_at": asked_at,
                        "updated_at": answered_at,
                        "message_count": 0,
                    }
                )
                await self.db.permissions.insert_one(
                    {"user_id": user_id, "conversation_id": conversation_id, "role": "owner"}
                )
            await self.db.messages.insert_many(
                [
                    {"conversation_id": conversation_id, "role": "user", "content": question, "timestamp": asked_at},
                    {"conversation_id": conversation_id, "role": "assistant", "content": answer, "timestamp": answered_at},
                ]
            )
            await self.db.conversations.update_one(
                {"_id": conversation_id}, {"$set": {"updated_at": answered_at}, "$inc": {"message_count": 2}}
            )
            return conversation_id
