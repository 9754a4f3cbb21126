"""Password hashes: Werkzeug's format in both directions."""

from __future__ import annotations

import pytest
from werkzeug import security as wz

from erlen.security import check_password_hash, gen_salt, generate_password_hash


@pytest.mark.parametrize(
    "method", ["scrypt", "scrypt:1024:8:1", "pbkdf2:sha256:1000", "pbkdf2:sha512:2000"]
)
def test_hashes_cross_check_with_werkzeug(method: str) -> None:
    ours = generate_password_hash("s3cret pässword", method=method)
    theirs = wz.generate_password_hash("s3cret pässword", method=method)
    assert ours.split("$")[0] == theirs.split("$")[0]
    assert wz.check_password_hash(ours, "s3cret pässword")
    assert check_password_hash(theirs, "s3cret pässword")
    assert not check_password_hash(theirs, "wrong")
    assert not wz.check_password_hash(ours, "wrong")


def test_default_method_and_salt() -> None:
    value = generate_password_hash("x")
    method, salt, digest = value.split("$")
    assert method == "scrypt:32768:8:1"
    assert len(salt) == 16 and salt.isalnum()
    assert len(digest) == 128
    assert generate_password_hash("x") != value  # fresh salt each time


@pytest.mark.parametrize(
    "bad", ["", "plain", "md5$salt$abc", "scrypt:x:y:z$s$h", "pbkdf2:a:b:c:d$s$h", "$$"]
)
def test_malformed_hashes_never_match_and_never_raise(bad: str) -> None:
    assert check_password_hash(bad, "x") is False


def test_invalid_method_and_salt_length_are_errors() -> None:
    with pytest.raises(ValueError, match="Invalid hash method"):
        generate_password_hash("x", method="md5")
    with pytest.raises(ValueError):
        gen_salt(0)
