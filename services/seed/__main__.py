"""Load the demo users, conversations and messages: `python -m services.seed --help`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import defaultdict

from pymongo import ASCENDING, AsyncMongoClient, IndexModel

from services.auth.passwords import hash_password
from services.seed.data import SeedPlan, generate, user_ids

BATCH = 5_000
# Bump when the documents' shape changes, so an older data set is reloaded instead of reused.
DATA_FORMAT = 3
COLLECTIONS = ("users", "conversations", "messages", "permissions")
# Indexes every scenario keeps. messages.conversation_id is left out on purpose: that is the incident.
INDEXES = {
    "conversations": [IndexModel([("user_id", ASCENDING), ("_id", ASCENDING)])],
    "permissions": [IndexModel([("user_id", ASCENDING), ("conversation_id", ASCENDING)], unique=True)],
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.seed", description=__doc__)
    parser.add_argument("--mongo-url", default=os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017"))
    parser.add_argument("--db", default=os.environ.get("MONGO_DB", "chatlab"))
    parser.add_argument("--users", type=int, default=int(os.environ.get("SEED_USERS", 100)))
    parser.add_argument("--messages", type=int, default=int(os.environ.get("SEED_MESSAGES", 1_000_000)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED_RANDOM", 7)))
    parser.add_argument("--force", action="store_true", help="reload even if the same data is already there")
    return parser.parse_args(argv)


async def _flush(db, pending: dict[str, list[dict]], counts: dict[str, int], min_size: int) -> None:
    for name, docs in pending.items():
        if len(docs) >= min_size and docs:
            # Unordered: the server may apply the batch in parallel, and one bad document does not stop the rest.
            await db[name].insert_many(docs, ordered=False)
            counts[name] += len(docs)
            docs.clear()


async def seed(args: argparse.Namespace, password: str) -> None:
    plan = SeedPlan(users=args.users, messages=args.messages, seed=args.seed)
    fingerprint = {"users": plan.users, "messages": plan.messages, "seed": plan.seed, "format": DATA_FORMAT}
    client = AsyncMongoClient(args.mongo_url, tz_aware=True)
    db = client[args.db]
    try:
        if not args.force and await db.lab_meta.find_one({"_id": "seed", **fingerprint}):
            print(f"seed: {args.db} already holds this data set ({fingerprint}); nothing to do", flush=True)
            return
        for name in (*COLLECTIONS, "lab_meta"):
            await db.drop_collection(name)
        started = time.monotonic()
        await db.users.insert_many(
            [{"_id": uid, "display_name": uid.title(), "password_hash": hash_password(password)} for uid in user_ids(plan.users)]
        )
        pending: dict[str, list[dict]] = defaultdict(list)
        counts: dict[str, int] = defaultdict(int)
        for collection, doc in generate(plan):
            pending[collection].append(doc)
            if len(pending[collection]) >= BATCH:
                await _flush(db, pending, counts, BATCH)
                print(f"seed: {counts['messages']:>9,} / {plan.messages:,} messages", end="\r", flush=True)
        await _flush(db, pending, counts, 0)
        for name, indexes in INDEXES.items():
            await db[name].create_indexes(indexes)
        await db.lab_meta.insert_one({"_id": "seed", **fingerprint})
        print(
            f"seed: loaded {plan.users} users, {counts['conversations']:,} conversations, "
            f"{counts['messages']:,} messages in {time.monotonic() - started:.1f}s",
            flush=True,
        )
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    password = os.environ.get("DEMO_USER_PASSWORD")
    if not password:
        print("seed: set DEMO_USER_PASSWORD (the password of every demo user)", file=sys.stderr)
        return 2
    asyncio.run(seed(args, password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
