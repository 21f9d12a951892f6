"""Password hashing and tokens, done wrong."""

import hashlib

import jwt


def hash_password(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()  # expect: FA114


def decode(token: str, key: str) -> dict[str, str]:
    return jwt.decode(token, key, options={"verify_signature": False})  # expect: FA106


def unsigned(claims: dict[str, str]) -> str:
    return jwt.encode(claims, "", algorithm="none")  # expect: FA113
