"""Build then match gives back what was built: ``match(build(endpoint, values)) ==
(endpoint, values)``, for every converter, the custom ones registered through
``Map(converters=...)`` included.

The URL that ``build`` returns goes through what a server does before routing: split off
scheme, host and query, strip the script name, percent-decode the path. Its host picks
the subdomain (or, with host matching, the server name) to match on; a ``ws://`` URL is
matched as a WebSocket request. Every property runs on Werkzeug too, which checks that
the strategies only produce values that can round-trip at all.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .impls import (
    bounded_settings,
    candidate_impl,
    candidate_names,
)
from .strategies import (
    CONVERTER_KINDS,
    DOMAIN_NAMES,
    MapSpec,
    round_trip_maps,
)

IMPLEMENTATIONS = ["self"] + [name for name in candidate_names() if name != "self"]
SERVER = "example.com"
EXTRA_KEYS = st.sampled_from(["q", "zz", "ü", "a b"])
EXTRA_VALUES = st.text(st.sampled_from(list("ab1 &=?+%é/")), max_size=4)


def typed(values: Any) -> list[tuple[str, str, Any]]:
    """Values with their types, so that 1, 1.0 and True are told apart."""
    return [(k, type(v).__name__, v) for k, v in sorted(dict(values).items())]


def round_trip(spec: MapSpec, impl_name: str, data: st.DataObject) -> None:
    url_map = spec.build(candidate_impl(impl_name))
    rule = spec.rules[0]
    values = {
        name: data.draw(conv.values(domain=name in DOMAIN_NAMES), label=name)
        for name, conv in rule.variables().items()
    }
    extras = data.draw(st.dictionaries(EXTRA_KEYS, EXTRA_VALUES, max_size=2), label="extras")
    bind: dict[str, Any] = {"server_name": SERVER}
    script_name = data.draw(st.sampled_from([None, "/app", "/app/", "/ü"]), label="script")
    if script_name:
        bind["script_name"] = script_name
    if not spec.host_matching:
        subdomain = data.draw(st.sampled_from([None, "", "www", rule.domain_text(values)]))
        if subdomain is not None:
            bind["subdomain"] = subdomain
    url = url_map.bind(**bind).build(rule.endpoint, {**values, **extras})

    parts = urllib.parse.urlsplit(url)
    again = dict(bind)
    if parts.netloc and spec.host_matching:
        again["server_name"] = parts.netloc
    elif parts.netloc:
        host = parts.netloc
        again["subdomain"] = "" if host == SERVER else host.removesuffix("." + SERVER)
    prefix = (script_name or "").rstrip("/")
    assert parts.path.startswith(prefix), url
    path = urllib.parse.unquote(parts.path[len(prefix) :])
    method = (rule.options.get("methods") or ["GET"])[0]
    websocket = parts.scheme in ("ws", "wss")
    matched = url_map.bind(**again).match(path, method, websocket=websocket)

    message = f"\n{spec.render()}\nvalues={values!r} extras={extras!r}\nbuilt {url!r}"
    assert (matched[0], typed(matched[1])) == (rule.endpoint, typed(values)), message
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    assert sorted(query) == sorted(extras.items()), message


@pytest.mark.parametrize("kind", CONVERTER_KINDS)
@pytest.mark.parametrize("impl_name", IMPLEMENTATIONS)
@bounded_settings(50)
@given(data=st.data())
def test_each_converter_round_trips(impl_name: str, kind: str, data: st.DataObject) -> None:
    round_trip(data.draw(round_trip_maps(kind), label="map"), impl_name, data)


@pytest.mark.parametrize("impl_name", IMPLEMENTATIONS)
@bounded_settings(300)
@given(data=st.data())
def test_random_rules_round_trip(impl_name: str, data: st.DataObject) -> None:
    round_trip(data.draw(round_trip_maps(), label="map"), impl_name, data)
