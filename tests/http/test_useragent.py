"""erlen.http.useragent.UserAgent has the shape of Werkzeug 3.1's UserAgent."""

from __future__ import annotations

import pytest
from werkzeug.user_agent import UserAgent as WzUserAgent

from erlen.http.useragent import UserAgent

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/120.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize("string", [CHROME, "", "curl/8.5.0"])
def test_matches_werkzeug(string):
    ours = UserAgent(string)
    theirs = WzUserAgent(string)
    assert ours.string == theirs.string == string
    assert str(ours) == str(theirs)
    assert ours.to_header() == theirs.to_header()
    assert bool(ours) is bool(theirs) is False
    assert repr(ours) == repr(theirs) == "<UserAgent None/None>"
    for name in ("platform", "browser", "version", "language"):
        assert getattr(ours, name) is None is getattr(theirs, name)


def test_subclass_can_parse():
    class Parsing(UserAgent):
        def __init__(self, string: str) -> None:
            super().__init__(string)
            if "Chrome/" in string:
                self.browser = "chrome"
                self.version = string.split("Chrome/")[1].split()[0]
                self.platform = "linux"

    agent = Parsing(CHROME)
    assert agent
    assert agent.browser == "chrome"
    assert agent.version == "120.0.0.0"
    assert repr(agent) == "<Parsing chrome/120.0.0.0>"
    assert not Parsing("curl/8")


def test_attributes_can_be_set_on_instances():
    agent = UserAgent("x")
    agent.browser = "firefox"
    assert agent
    assert UserAgent("y").browser is None
