"""The tutorial's forms validated by Flask-WTF and by erlen: same submissions, same results.

Each case posts one submission to the same view on both stacks (CSRF off, as these
compare validation only) and requires identical status, validity, error messages and
data; it also pins the expected validity, so both stacks being wrong the same way
cannot pass.
"""

from __future__ import annotations

from typing import Any

import pytest

from .frameworks import Upload, flask_stack, materialize
from .frameworks import erlen_stack as _erlen_stack
from .seed_app import build_app

VALID_REGISTRATION = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "username": "ada_l",
    "email": "ada@example.com",
    "password": "correct horse",
    "confirm_password": "correct horse",
    "country": "uk",
    "agree_terms": "y",
}

VALID_TOUR = {
    "username": "ada.l",
    "email": "ada@example.com",
    "password": "longenough",
    "confirm_password": "longenough",
    "role": "user",
    "nickname": "ada",
}


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = dict(base)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32

# (id, path, request kwargs, expected validity; None: the view fails with a 500)
CASES: list[tuple[str, str, dict[str, Any], bool | None]] = [
    # -- login
    ("login-ok", "/login", {"data": {"username": "ada", "password": "12345678"}}, True),
    ("login-empty", "/login", {"data": {}}, False),
    ("login-short-password", "/login", {"data": {"username": "ada", "password": "1234"}}, False),
    (
        "login-whitespace-username",
        "/login",
        {"data": {"username": "   ", "password": "x" * 8}},
        False,
    ),
    (
        "login-remember",
        "/login",
        {"data": {"username": "a", "password": "x" * 8, "remember": "y"}},
        True,
    ),
    # -- registration (the complete example)
    ("register-ok", "/register", {"data": VALID_REGISTRATION}, True),
    ("register-empty", "/register", {"data": {}}, False),
    (
        "register-taken-username",
        "/register",
        {"data": _with(VALID_REGISTRATION, username="taken")},
        False,
    ),
    (
        "register-taken-email",
        "/register",
        {"data": _with(VALID_REGISTRATION, email="taken@example.com")},
        False,
    ),
    (
        "register-bad-email",
        "/register",
        {"data": _with(VALID_REGISTRATION, email="not-an-email")},
        False,
    ),
    (
        "register-mismatch",
        "/register",
        {"data": _with(VALID_REGISTRATION, confirm_password="other one")},
        False,
    ),
    (
        "register-username-digit-first",
        "/register",
        {"data": _with(VALID_REGISTRATION, username="1ada")},
        False,
    ),
    (
        "register-username-short",
        "/register",
        {"data": _with(VALID_REGISTRATION, username="ab")},
        False,
    ),
    (
        "register-username-long",
        "/register",
        {"data": _with(VALID_REGISTRATION, username="a" * 26)},
        False,
    ),
    ("register-no-country", "/register", {"data": _with(VALID_REGISTRATION, country="")}, False),
    ("register-bad-country", "/register", {"data": _with(VALID_REGISTRATION, country="xx")}, False),
    (
        "register-no-terms",
        "/register",
        {"data": _with(VALID_REGISTRATION, agree_terms=None)},
        False,
    ),
    (
        "register-short-password",
        "/register",
        {"data": _with(VALID_REGISTRATION, password="short", confirm_password="short")},
        False,
    ),
    (
        "register-unicode",
        "/register",
        {"data": _with(VALID_REGISTRATION, first_name="Zoë", last_name="Ñandú")},
        True,
    ),
    ("register-json", "/register", {"json": _with(VALID_REGISTRATION, agree_terms=True)}, True),
    ("register-json-errors", "/register", {"json": {"username": "1x", "email": "nope"}}, False),
    # -- the validator tour
    ("tour-ok", "/validators", {"data": VALID_TOUR}, True),
    ("tour-age-optional-blank", "/validators", {"data": _with(VALID_TOUR, age="")}, True),
    ("tour-age-low", "/validators", {"data": _with(VALID_TOUR, age="12")}, False),
    ("tour-age-not-number", "/validators", {"data": _with(VALID_TOUR, age="ten")}, False),
    ("tour-website-bad", "/validators", {"data": _with(VALID_TOUR, website="not a url")}, False),
    (
        "tour-website-ok",
        "/validators",
        {"data": _with(VALID_TOUR, website="https://example.com/x")},
        True,
    ),
    ("tour-role-bad", "/validators", {"data": _with(VALID_TOUR, role="root")}, False),
    ("tour-uuid", "/validators", {"data": _with(VALID_TOUR, token="not-a-uuid")}, False),
    (
        "tour-mac-ip",
        "/validators",
        {"data": _with(VALID_TOUR, mac="00:11:22:33:44:55", ip="10.0.0.1")},
        True,
    ),
    (
        "tour-bad-mac-ip",
        "/validators",
        {"data": _with(VALID_TOUR, mac="00:11", ip="300.1.1.1")},
        False,
    ),
    ("tour-nickname-missing", "/validators", {"data": _with(VALID_TOUR, nickname=None)}, False),
    ("tour-nickname-banned", "/validators", {"data": _with(VALID_TOUR, nickname="root")}, False),
    ("tour-username-dots", "/validators", {"data": _with(VALID_TOUR, username="a-b")}, False),
    # -- custom validators
    ("signup-ok", "/signup", {"data": {"username": "new", "password": "Aa1!aaaa"}}, True),
    ("signup-taken", "/signup", {"data": {"username": "taken", "password": "Aa1!aaaa"}}, False),
    ("signup-no-upper", "/signup", {"data": {"username": "n", "password": "aa1!aaaa"}}, False),
    ("signup-no-digit", "/signup", {"data": {"username": "n", "password": "Aaa!aaaa"}}, False),
    ("signup-no-special", "/signup", {"data": {"username": "n", "password": "Aa1aaaaa"}}, False),
    # -- field types
    (
        "fields-ok",
        "/profile-fields",
        {
            "data": {
                "username": "ada",
                "email": "a@example.com",
                "password": "x" * 8,
                "bio": "hi",
                "user_id": "7",
            }
        },
        True,
    ),
    (
        "fields-long-bio",
        "/profile-fields",
        {
            "data": {
                "username": "ada",
                "email": "a@example.com",
                "password": "x" * 8,
                "bio": "b" * 501,
            }
        },
        False,
    ),
    (
        "product-ok",
        "/product",
        {"data": {"quantity": "3", "price": "9.99", "tax_rate": "7.25"}},
        True,
    ),
    (
        "product-bad-numbers",
        "/product",
        {"data": {"quantity": "abc", "price": "-1", "tax_rate": "x"}},
        False,
    ),
    (
        "product-out-of-range",
        "/product",
        {"data": {"quantity": "1001", "price": "0.001", "tax_rate": "101"}},
        False,
    ),
    (
        "order-ok",
        "/order",
        {"data": {"country": "ca", "shipping": "express", "interests": ["tech", "art"]}},
        True,
    ),
    ("order-default-shipping", "/order", {"data": {"country": "au"}}, True),
    (
        "order-bad-choices",
        "/order",
        {"data": {"country": "fr", "shipping": "teleport", "interests": ["tech", "cooking"]}},
        False,
    ),
    (
        "event-ok",
        "/event",
        {"data": {"agree_terms": "y", "event_date": "2025-06-01", "starts_at": "2025-06-01T09:30"}},
        True,
    ),
    (
        "event-bad-dates",
        "/event",
        {"data": {"agree_terms": "y", "event_date": "06/01/2025", "starts_at": "soon"}},
        False,
    ),
    ("event-no-terms", "/event", {"data": {"event_date": "2025-06-01"}}, False),
    (
        "daterange-ok",
        "/daterange",
        {"data": {"start_date": "2025-01-01", "end_date": "2025-01-02"}},
        True,
    ),
    (
        "daterange-reversed",
        "/daterange",
        {"data": {"start_date": "2025-01-02", "end_date": "2025-01-01"}},
        False,
    ),
    ("daterange-missing", "/daterange", {"data": {"start_date": "2025-01-02"}}, False),
    # -- uploads
    ("upload-ok", "/upload", {"data": {"username": "ada", "avatar": Upload(PNG, "me.png")}}, True),
    (
        "upload-uppercase-ext",
        "/upload",
        {"data": {"username": "ada", "avatar": Upload(PNG, "ME.JPG")}},
        True,
    ),
    (
        "upload-disallowed",
        "/upload",
        {"data": {"username": "ada", "avatar": Upload(b"<?php", "shell.php")}},
        False,
    ),
    (
        "upload-double-ext",
        "/upload",
        {"data": {"username": "ada", "avatar": Upload(b"x", "me.png.exe")}},
        False,
    ),
    (
        "upload-no-ext",
        "/upload",
        {"data": {"username": "ada", "avatar": Upload(b"x", "png")}},
        False,
    ),
    ("upload-missing", "/upload", {"data": {"username": "ada"}}, False),
    (
        "upload-empty-filename",
        "/upload",
        {"data": {"username": "ada", "avatar": Upload(b"", "")}},
        False,
    ),
    ("upload-text-not-file", "/upload", {"data": {"username": "ada", "avatar": "me.png"}}, False),
    (
        "upload-traversal-name",
        "/upload",
        {"data": {"username": "ada", "avatar": Upload(PNG, "../../etc/passwd.png")}},
        True,
    ),
    (
        "docs-ok",
        "/upload-docs",
        {"data": {"documents": [Upload(b"%PDF", "a.pdf"), Upload(b"doc", "b.DOCX")]}},
        True,
    ),
    (
        "docs-one-bad",
        "/upload-docs",
        {"data": {"documents": [Upload(b"%PDF", "a.pdf"), Upload(b"x", "b.exe")]}},
        False,
    ),
    (
        "docs-with-empty-part",
        "/upload-docs",
        {"data": {"documents": [Upload(b"%PDF", "a.pdf"), Upload(b"", "")]}},
        True,
    ),
    (
        "sized-ok",
        "/upload-sized",
        {
            "data": {
                "attachment": Upload(b"abcd", "a.txt"),
                "scans": [Upload(b"12", "1.png"), Upload(b"1234", "2.png")],
            }
        },
        True,
    ),
    (
        "sized-too-big",
        "/upload-sized",
        {"data": {"attachment": Upload(b"x" * 11, "a.txt"), "scans": [Upload(b"x" * 9, "1.png")]}},
        False,
    ),
    (
        "sized-too-small",
        "/upload-sized",
        {"data": {"attachment": Upload(b"x", "a.csv"), "scans": [Upload(b"", "1.png")]}},
        False,
    ),
    (
        "sized-wrong-type",
        "/upload-sized",
        {"data": {"attachment": Upload(b"abc", "a.exe"), "scans": [Upload(b"1", "1.gif")]}},
        False,
    ),
    ("sized-missing", "/upload-sized", {"data": {}}, False),
    (
        "profile-ok-no-avatar",
        "/profile/edit",
        {"data": {"first_name": "Ada", "last_name": "L", "bio": ""}},
        True,
    ),
    (
        "profile-ok-avatar",
        "/profile/edit",
        {"data": {"first_name": "Ada", "last_name": "L", "avatar": Upload(PNG, "a.jpeg")}},
        True,
    ),
    (
        "profile-bad-avatar",
        "/profile/edit",
        {"data": {"first_name": "Ada", "last_name": "L", "avatar": Upload(b"GIF89a", "a.gif")}},
        False,
    ),
    ("profile-missing-names", "/profile/edit", {"data": {"bio": "x" * 501}}, False),
    # -- dynamic forms
    ("task-ok", "/tasks/new", {"data": {"title": "Write docs", "assignee": "2"}}, True),
    (
        "task-unknown-assignee",
        "/tasks/new",
        {"data": {"title": "Write docs", "assignee": "99"}},
        False,
    ),
    ("task-not-int", "/tasks/new", {"data": {"title": "Write docs", "assignee": "bob"}}, False),
    ("task-missing", "/tasks/new", {"data": {}}, False),
    (
        "checkout-ok",
        "/checkout",
        {
            "data": {
                "full_name": "Ada",
                "billing_address-street": "1 Main",
                "billing_address-city": "X",
                "billing_address-state": "NY",
                "billing_address-zip_code": "10001",
                "shipping_address-street": "2 Main",
                "shipping_address-city": "Y",
                "shipping_address-state": "CA",
                "shipping_address-zip_code": "94105-1234",
            }
        },
        True,
    ),
    (
        "checkout-bad",
        "/checkout",
        {
            "data": {
                "full_name": "Ada",
                "billing_address-street": "1 Main",
                "billing_address-state": "New York",
                "billing_address-zip_code": "1234",
            }
        },
        False,
    ),
    (
        "recipe-ok",
        "/recipes/new",
        {
            "data": {
                "title": "Tea",
                "ingredients-0-name": "water",
                "ingredients-0-quantity": "1 cup",
                "ingredients-1-name": "tea",
                "ingredients-1-quantity": "1 bag",
            }
        },
        True,
    ),
    (
        "recipe-missing-row-field",
        "/recipes/new",
        {
            "data": {
                "title": "Tea",
                "ingredients-0-name": "water",
                "ingredients-3-quantity": "1 bag",
            }
        },
        False,
    ),
    ("recipe-no-rows", "/recipes/new", {"data": {"title": "Tea"}}, False),
    # -- AJAX
    ("note-form-encoded", "/api/notes", {"data": {"content": "remember the milk"}}, True),
    ("note-json", "/api/notes", {"json": {"content": "remember the milk"}}, True),
    ("note-json-too-long", "/api/notes", {"json": {"content": "m" * 501}}, False),
    ("note-json-empty", "/api/notes", {"json": {}}, False),
    # WTForms' Length validator cannot measure a number: a server error on both.
    ("note-json-wrong-type", "/api/notes", {"json": {"content": 12}}, None),
    ("note-put", "/api/notes", {"method": "PUT", "data": {"content": "x"}}, True),
    # -- contact and wizard
    (
        "contact-ok",
        "/contact",
        {
            "data": {
                "name": "Ada",
                "email": "a@example.com",
                "subject": "support",
                "message": "Hello there, friend",
            }
        },
        True,
    ),
    (
        "contact-short",
        "/contact",
        {"data": {"name": "Ada", "email": "a@example.com", "subject": "support", "message": "Hi"}},
        False,
    ),
    (
        "contact-bad-subject",
        "/contact",
        {
            "data": {
                "name": "Ada",
                "email": "a@example.com",
                "subject": "spam",
                "message": "Hello there, friend",
            }
        },
        False,
    ),
    ("wizard-back", "/wizard/step/2", {"data": {"prev_step": "Back"}}, True),
    ("wizard-next-missing", "/wizard/step/2", {"data": {"next_step": "Next", "city": "X"}}, False),
]

_APPS: dict[str, Any] = {}


def _client(name: str) -> Any:
    if name not in _APPS:
        fw = flask_stack() if name == "flask" else _erlen_stack()
        _APPS[name] = (fw, build_app(fw, WTF_CSRF_ENABLED=False))
    return _APPS[name][1].test_client()


def _submit(name: str, path: str, kwargs: dict[str, Any]) -> tuple[int, Any]:
    kwargs = dict(kwargs)
    method = kwargs.pop("method", "POST")
    if "data" in kwargs:
        kwargs["data"] = materialize(kwargs["data"])
    response = _client(name).open(path, method=method, **kwargs)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    ("path", "kwargs", "expected_valid"),
    [pytest.param(path, kwargs, valid, id=case_id) for case_id, path, kwargs, valid in CASES],
)
def test_same_validation_as_flask_wtf(
    path: str, kwargs: dict[str, Any], expected_valid: bool | None
) -> None:
    flask_status, flask_body = _submit("flask", path, kwargs)
    erlen_status, erlen_body = _submit("erlen", path, kwargs)
    assert erlen_body == flask_body
    assert erlen_status == flask_status
    if expected_valid is None:
        assert flask_status == 500
    elif "back" not in flask_body:
        assert flask_body["valid"] is expected_valid, flask_body["errors"]


@pytest.mark.parametrize("path", sorted({case[1] for case in CASES}))
def test_get_shows_an_unsubmitted_form(path: str) -> None:
    flask_status, flask_body = _submit("flask", path, {"method": "GET"})
    erlen_status, erlen_body = _submit("erlen", path, {"method": "GET"})
    assert erlen_body == flask_body
    assert erlen_status == flask_status == 400
    assert flask_body["submitted"] is False
    assert flask_body["errors"] == {}
