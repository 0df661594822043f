"""A deterministic, OpenAI-shaped reply: same conversation in, same answer out."""

import hashlib
import time

from pydantic import BaseModel, Field, StrictStr

REPLIES = (
    "That is a good question. Let me think it through step by step.",
    "Here is a short answer, with the details you will probably need next.",
    "I would start by measuring, then change one thing at a time.",
    "It depends on your constraints; here are the trade-offs as I see them.",
    "Sure. The simplest version that works looks like this.",
)


class ChatMessage(BaseModel):
    role: StrictStr = Field(pattern="^(system|user|assistant)$")
    content: StrictStr = Field(max_length=100_000)


class CompletionRequest(BaseModel):
    model: StrictStr = "lab-stub-1"
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)


def _tokens(text: str) -> int:
    # Roughly what a BPE tokenizer gives for English; exactness does not matter to the lab.
    return max(1, len(text) // 4)


def complete(request: CompletionRequest) -> dict:
    transcript = "\n".join(f"{m.role}:{m.content}" for m in request.messages)
    digest = hashlib.sha256(transcript.encode()).hexdigest()
    reply = REPLIES[int(digest, 16) % len(REPLIES)]
    prompt_tokens = sum(_tokens(m.content) for m in request.messages)
    completion_tokens = _tokens(reply)
    return {
        "id": f"chatcmpl-{digest[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def avatar_url(user_id: str) -> str:
    """A stable avatar address per user, as an avatar service derives it from a hash."""
    return f"https://avatars.example/{hashlib.sha256(user_id.encode()).hexdigest()[:16]}.png"
