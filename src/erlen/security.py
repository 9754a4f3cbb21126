"""Password hashing in Werkzeug's format, so existing Flask user tables port as they are.

``generate_password_hash`` writes ``method$salt$hash`` strings (``scrypt:32768:8:1``
by default, or ``pbkdf2:<hash>:<iterations>``) with the standard library's key
derivation functions; ``check_password_hash`` verifies any hash in that format,
including ones Werkzeug made.  The comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .utils import safe_join

__all__ = ["check_password_hash", "gen_salt", "generate_password_hash", "safe_join"]

SALT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
DEFAULT_PBKDF2_ITERATIONS = 1_000_000
_SCRYPT_DEFAULTS = (2**15, 8, 1)


def gen_salt(length: int) -> str:
    """A random salt of *length* letters and digits."""
    if length <= 0:
        raise ValueError("Salt length must be at least 1.")
    return "".join(secrets.choice(SALT_CHARS) for _ in range(length))


def _derive(method: str, salt: str, password: str) -> tuple[str, str]:
    """``(hex digest, normalized method)`` for *method* (``scrypt:n:r:p``,
    ``pbkdf2:name:iterations``, or their bare names for the defaults)."""
    name, *params = method.split(":")
    if name == "scrypt":
        if params:
            try:
                n, r, p = (int(value) for value in params)
            except ValueError:
                raise ValueError(
                    f"'scrypt' takes three integer parameters (n:r:p), got {method!r}."
                ) from None
        else:
            n, r, p = _SCRYPT_DEFAULTS
        digest = hashlib.scrypt(
            password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p
        )
        return digest.hex(), f"scrypt:{n}:{r}:{p}"
    if name == "pbkdf2":
        if len(params) > 2:
            raise ValueError(
                f"'pbkdf2' takes at most two parameters (hash:iterations), got {method!r}."
            )
        hash_name = params[0] if params else "sha256"
        iterations = int(params[1]) if len(params) == 2 else DEFAULT_PBKDF2_ITERATIONS
        digest = hashlib.pbkdf2_hmac(hash_name, password.encode(), salt.encode(), iterations)
        return digest.hex(), f"pbkdf2:{hash_name}:{iterations}"
    raise ValueError(f"Invalid hash method {name!r}: use 'scrypt' or 'pbkdf2'.")


def generate_password_hash(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
    """Hash *password* with a new random salt: ``"scrypt:32768:8:1$<salt>$<hex>"``."""
    salt = gen_salt(salt_length)
    digest, method = _derive(method, salt, password)
    return f"{method}${salt}${digest}"


def check_password_hash(pwhash: str, password: str) -> bool:
    """Whether *password* matches *pwhash* (a ``method$salt$hash`` string).

    Malformed or unknown hashes do not match (they never raise).
    """
    try:
        method, salt, expected = pwhash.split("$", 2)
        actual, _ = _derive(method, salt, password)
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
