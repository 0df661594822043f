"""chat's reads and writes in MongoDB, each one a span named after the seed's operations.

Where a scenario changes how the database is queried, the broken and the fixed query sit side
by side here, so the difference is one screen apart.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from opentelemetry.trace import Tracer
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.chat.models import PREVIEW_CHARS, TITLE_CHARS

Doc = dict[str, Any]
# The index the missing_index scenario lacks, exactly as the incident write-up creates it.
MESSAGES_INDEX = [("conversation_id", ASCENDING), ("timestamp", ASCENDING)]
MESSAGES_INDEX_NAME = "conversation_id_1_timestamp_1"
NEWEST_FIRST = [("timestamp", DESCENDING)]


class ChatStore:
    def __init__(self, db: AsyncDatabase, tracer: Tracer) -> None:
        self.db = db
        self.tracer = tracer

    async def fetch_conversation(self, conversation_id: ObjectId, with_transcript: bool = False) -> Doc | None:
        """The conversation document; its embedded legacy transcript only when asked for."""
        with self.tracer.start_as_current_span("fetch_conversation"):
            projection = None if with_transcript else {"transcript": 0}
            return await self.db.conversations.find_one({"_id": conversation_id}, projection)

    async def check_permissions(self, user_id: str, conversation_id: ObjectId) -> bool:
        with self.tracer.start_as_current_span("check_permissions"):
            grant = await self.db.permissions.find_one(
                {"user_id": user_id, "conversation_id": conversation_id}, {"_id": 1}
            )
            return grant is not None

    async def fetch_messages(
        self, conversation_id: ObjectId, limit: int | None, before: datetime | None = None
    ) -> list[Doc]:
        """The newest `limit` messages (all of them if None), optionally only those before a cursor."""
        with self.tracer.start_as_current_span("fetch_messages") as span:
            query: Doc = {"conversation_id": conversation_id}
            if before is not None:
                query["timestamp"] = {"$lt": before}
            cursor = self.db.messages.find(query).sort(NEWEST_FIRST)
            if limit is not None:
                cursor = cursor.limit(limit)
            messages = await cursor.to_list()
            span.set_attribute("lab.messages.returned", len(messages))
            return messages

    async def list_conversations(self, user_id: str, limit: int, before: ObjectId | None = None) -> list[Doc]:
        with self.tracer.start_as_current_span("list_conversations"):
            query: Doc = {"user_id": user_id}
            if before is not None:
                query["_id"] = {"$lt": before}
            cursor = self.db.conversations.find(query, {"transcript": 0}).sort("_id", DESCENDING).limit(limit)
            return await cursor.to_list()

    async def fetch_previews(self, conversations: list[Doc], one_query_each: bool) -> dict[ObjectId, str]:
        """The last message of each conversation, cut to a preview."""
        with self.tracer.start_as_current_span("fetch_previews") as span:
            span.set_attribute("lab.previews.conversations", len(conversations))
            if one_query_each:  # n_plus_one: a round trip per conversation
                last = []
                for conversation in conversations:
                    doc = await self.db.messages.find_one({"conversation_id": conversation["_id"]}, sort=NEWEST_FIRST)
                    last += [doc] if doc else []
            else:
                # Fixed: one query for the whole page. A conversation's updated_at is its last
                # message's timestamp, so each wanted message is one point in the index.
                wanted = {(c["_id"], c["updated_at"]) for c in conversations}
                query = {
                    "conversation_id": {"$in": [cid for cid, _ in wanted]},
                    "timestamp": {"$in": [at for _, at in wanted]},
                }
                last = [d for d in await self.db.messages.find(query).to_list() if (d["conversation_id"], d["timestamp"]) in wanted]
            return {doc["conversation_id"]: doc["content"][:PREVIEW_CHARS] for doc in last}

    async def save_exchange(
        self, user_id: str, conversation_id: ObjectId | None, question: str, answer: str, asked_at: datetime
    ) -> ObjectId:
        """Store the user's message and the reply; a new conversation is created only now.

        Called once the model has answered, so a failed call leaves no orphan message behind.
        """
        with self.tracer.start_as_current_span("save_to_db"):
            # Strictly later than the question, so the two never share a timestamp (the paging key).
            answered_at = max(datetime.now(UTC), asked_at + timedelta(milliseconds=1))
            exchange = [
                {"role": "user", "content": question, "timestamp": asked_at},
                {"role": "assistant", "content": answer, "timestamp": answered_at},
            ]
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
            await self.db.messages.insert_many([{"conversation_id": conversation_id, **m} for m in exchange])
            await self.db.conversations.update_one(
                {"_id": conversation_id},
                {
                    "$set": {"updated_at": answered_at},
                    "$inc": {"message_count": 2},
                },
            )
            return conversation_id

    # --- scenario switches that live in the database -------------------------------------

    async def has_messages_index(self) -> bool:
        return MESSAGES_INDEX_NAME in await self.db.messages.index_information()

    async def set_messages_index(self, present: bool) -> None:
        if present:
            await self.db.messages.create_index(MESSAGES_INDEX, name=MESSAGES_INDEX_NAME)
        elif await self.has_messages_index():
            await self.db.messages.drop_index(MESSAGES_INDEX_NAME)

    async def load_scenarios(self) -> frozenset[str] | None:
        doc = await self.db.lab_meta.find_one({"_id": "scenarios"})
        return frozenset(doc["active"]) if doc else None

    async def save_scenarios(self, active: frozenset[str]) -> None:
        await self.db.lab_meta.update_one({"_id": "scenarios"}, {"$set": {"active": sorted(active)}}, upsert=True)
