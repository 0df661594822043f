"""Salted PBKDF2 password hashes, as stored in the `users` collection by the seed job."""

import asyncio
import hashlib
import hmac
import secrets

# Deliberately modest: the seed hashes every demo user's password, and this is a lab, not a bank.
ITERATIONS = 60_000


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${digest.hex()}"


def _matches(password: str, stored: str) -> bool:
    try:
        _, iterations, salt, expected = stored.split("$")
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


async def verify_password(password: str, stored: str) -> bool:
    """Check a password off the event loop: PBKDF2 is CPU work that would stall other requests."""
    return await asyncio.to_thread(_matches, password, stored)
