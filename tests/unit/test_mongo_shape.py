from bson import ObjectId

from services.telemetry.mongo_shape import statement_shape


def test_find_keeps_structure_and_redacts_values():
    command = {
        "find": "messages",
        "filter": {"conversation_id": ObjectId(), "timestamp": {"$lt": "2026-01-01"}},
        "sort": {"timestamp": -1},
        "limit": 50,
        "lsid": {"id": "session"},
    }
    assert statement_shape("find", command) == (
        'find messages {"conversation_id": "?", "timestamp": {"$lt": "?"}} sort {"timestamp": -1} limit 50'
    )


def test_in_lists_collapse_so_the_shape_does_not_depend_on_their_length():
    short = statement_shape("find", {"find": "messages", "filter": {"conversation_id": {"$in": [1]}}})
    long = statement_shape("find", {"find": "messages", "filter": {"conversation_id": {"$in": [1, 2, 3]}}})
    assert short == long == 'find messages {"conversation_id": {"$in": "?"}}'


def test_or_of_documents_keeps_each_branch():
    command = {"find": "m", "filter": {"$or": [{"a": 1}, {"a": 2, "b": "x"}]}}
    assert statement_shape("find", command) == 'find m {"$or": [{"a": "?"}, {"a": "?", "b": "?"}]}'


def test_writes_never_show_document_contents():
    insert = {"insert": "messages", "documents": [{"content": "my secret message"}]}
    assert statement_shape("insert", insert) == "insert messages"
    update = {"update": "conversations", "updates": [{"q": {"_id": ObjectId()}, "u": {"$set": {"title": "secret"}}}]}
    assert statement_shape("update", update) == 'update conversations {"_id": "?"}'


def test_aggregate_pipeline_is_redacted():
    command = {"aggregate": "messages", "pipeline": [{"$match": {"user_id": "u1"}}, {"$group": {"_id": "$conversation_id"}}]}
    assert statement_shape("aggregate", command) == (
        'aggregate messages [{"$match": {"user_id": "?"}}, {"$group": {"_id": "?"}}]'
    )


def test_commands_without_a_collection():
    assert statement_shape("ping", {"ping": 1}) == "ping"


def test_get_more_names_its_collection_not_its_cursor():
    assert statement_shape("getMore", {"getMore": 81723, "collection": "messages", "batchSize": 101}) == "getMore messages"
