"""erlen-specific routing behaviour: error messages that name the fix, and the places
where erlen deliberately differs from Werkzeug (documented in docs/porting.md)."""

from __future__ import annotations

import pytest

from erlen.routing import BuildError, Map, Rule
from erlen.routing.exceptions import BuildValueError


def adapter(*rules: Rule, **map_options: object):
    return Map(list(rules), **map_options).bind("example.com")


def test_negative_converter_arguments_are_numbers() -> None:
    # Werkzeug's argument parser rejects "-5"; a signed int with a negative minimum
    # is a natural thing to write.
    urls = adapter(Rule("/<int(signed=True, min=-5):x>", endpoint="n"))
    assert urls.match("/-5") == ("n", {"x": -5})
    with pytest.raises(Exception) as info:
        urls.match("/-6")
    assert type(info.value).__name__ == "NotFound"


def test_string_length_arguments_split_on_commas() -> None:
    urls = adapter(Rule("/<string(2,5):x>", endpoint="s"))
    assert urls.match("/abc") == ("s", {"x": "abc"})
    with pytest.raises(Exception) as info:
        urls.match("/abcdef")
    assert type(info.value).__name__ == "NotFound"


@pytest.mark.parametrize(
    ("rule", "position"),
    [("/<int:>", 6), ("/<1a>", 2), ("/<a", 3), ("/<int(3:a>", 5), ("/<a b>", 3)],
)
def test_malformed_rule_names_the_rule_and_position(rule: str, position: int) -> None:
    with pytest.raises(ValueError) as info:
        Map([Rule(rule, endpoint="e")])
    message = str(info.value)
    assert repr(rule) in message
    assert f"position {position}" in message


def test_duplicate_variable_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        Map([Rule("/<x>/<int:x>", endpoint="dup")])


def test_unknown_converter_names_the_known_ones() -> None:
    with pytest.raises(LookupError) as info:
        Map([Rule("/<nope:x>", endpoint="n")])
    assert "'nope'" in str(info.value)
    assert "app.url_map.converters" in str(info.value)


def test_build_error_for_unknown_endpoint_suggests_close_names() -> None:
    urls = adapter(Rule("/post/<int:post_id>", endpoint="show_post"))
    with pytest.raises(BuildError) as info:
        urls.build("show_pots", {"post_id": 1})
    assert "'show_post'" in str(info.value)
    assert "no endpoint named 'show_pots'" in str(info.value)


def test_build_error_for_missing_value_names_value_and_rule() -> None:
    urls = adapter(Rule("/post/<int:post_id>", endpoint="show_post"))
    with pytest.raises(BuildError) as info:
        urls.build("show_post")
    message = str(info.value)
    assert "'post_id'" in message
    assert "'/post/<int:post_id>'" in message
    assert "url_for('show_post', post_id=...)" in message


def test_build_error_for_method_mismatch_names_the_methods() -> None:
    urls = adapter(Rule("/create", endpoint="create", methods=["POST"]))
    with pytest.raises(BuildError) as info:
        urls.build("create", method="GET")
    assert "accepts POST" in str(info.value)


def test_value_the_converter_rejects_is_a_value_error_naming_it() -> None:
    urls = adapter(Rule("/post/<int:post_id>", endpoint="show_post"))
    with pytest.raises(ValueError) as info:
        urls.build("show_post", {"post_id": "abc"})
    assert isinstance(info.value, BuildValueError)
    assert not isinstance(info.value, BuildError)  # as in Flask: a plain ValueError
    message = str(info.value)
    assert "'abc'" in message and "'post_id'" in message and "/post/<int:post_id>" in message


def test_generated_sources_are_readable() -> None:
    url_map = Map([Rule("/a/<int:x>", endpoint="a"), Rule("/b", endpoint="b")])
    source = url_map.matcher_source()
    assert "def match(" in source
    assert ".isdecimal()" in source
    rule = next(url_map.iter_rules("a"))
    assert "def build(" in rule._build.__source__


# The compiled matcher keeps one tree per path length plus a generic tree for lengths
# only a ``path`` part can reach; these rules mix all the cases (expected results are
# Werkzeug 3.1's).
_MIXED_LENGTH_RULES = [
    Rule("/files/<path:p>", endpoint="files"),
    Rule("/files/<a>/meta", endpoint="meta"),
    Rule("/files/<a>/<b>/c/d/e/f/g", endpoint="deep"),
    Rule("/x/<a>/", endpoint="x", strict_slashes=False),
    Rule("/y/<a>", endpoint="y"),
    Rule("/y/<a>/<b>", endpoint="y2", methods=["POST"]),
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/files/a/meta", ("meta", {"a": "a"})),
        ("/files/a", ("files", {"p": "a"})),
        ("/files/a/b/c/d", ("files", {"p": "a/b/c/d"})),
        ("/files/a/b/c/d/e/f/g", ("deep", {"a": "a", "b": "b"})),
        ("/files/a/b/c/d/e/f/g/h", ("files", {"p": "a/b/c/d/e/f/g/h"})),
        ("/x/1", ("x", {"a": "1"})),
        ("/x/1/", ("x", {"a": "1"})),
        ("/y/1", ("y", {"a": "1"})),
        ("/y/1/", "NotFound"),
        ("/y/1/2", "MethodNotAllowed"),
        ("/y/1/2/3/4/5/6/7/8/9/10", "NotFound"),
        ("/files/", "NotFound"),
    ],
)
def test_paths_of_every_length_match_as_in_werkzeug(path: str, expected: object) -> None:
    urls = Map([rule.empty() for rule in _MIXED_LENGTH_RULES]).bind("localhost")
    if isinstance(expected, str):
        with pytest.raises(Exception) as info:
            urls.match(path, "GET")
        assert type(info.value).__name__ == expected
        if expected == "MethodNotAllowed":
            assert info.value.valid_methods == ["POST"]  # type: ignore[attr-defined]
    else:
        assert urls.match(path, "GET") == expected
