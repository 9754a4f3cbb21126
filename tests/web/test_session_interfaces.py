"""Custom session interfaces against Flask (a server-side store opened eagerly, an
interface giving no session, subclasses of the default one) and the test client's
``session_transaction``."""

from __future__ import annotations

import pytest

from .apps.common import same, snap
from .apps.sessions import session_app

# --------------------------------------------------------------------------------------
# Custom session interfaces
# --------------------------------------------------------------------------------------


def _server_side(fw, session_base):
    """A server-side session store keyed by an id cookie, as in Flask's docs."""

    if session_base == "mixin":

        class ServerSession(dict, fw.sessions.SessionMixin):
            def __init__(self, data, sid):
                super().__init__(data)
                self.sid = sid
                self.modified = False

            def __setitem__(self, key, value):
                super().__setitem__(key, value)
                self.modified = True

    else:

        class ServerSession(fw.sessions.SecureCookieSession):
            def __init__(self, data, sid):
                super().__init__(data)
                self.sid = sid

    class DictSessionInterface(fw.sessions.SessionInterface):
        def __init__(self):
            self.store = {}
            self.events = []
            self.next_id = 0

        def open_session(self, app, request):
            sid = request.cookies.get("sid")
            if sid not in self.store:
                self.next_id += 1
                sid = f"s{self.next_id}"
            self.events.append(("open", request.path, fw.has_request_context()))
            return ServerSession(self.store.get(sid, {}), sid)

        def save_session(self, app, session, response):
            self.events.append(
                ("save", fw.request.path, session.accessed, session.modified, dict(session))
            )
            if session.modified:
                self.store[session.sid] = dict(session)
                response.set_cookie(
                    "sid",
                    session.sid,
                    httponly=self.get_cookie_httponly(app),
                    path=self.get_cookie_path(app),
                    samesite=self.get_cookie_samesite(app),
                )

    return DictSessionInterface()


def _server_side_run(fw, session_base):
    app = session_app(fw)
    app.session_interface = _server_side(fw, session_base)
    client = app.test_client()
    responses = [
        snap(client.get(path))
        for path in ("/untouched", "/set", "/get", "/untouched", "/missing", "/clear", "/get")
    ]
    with client.session_transaction() as sess:
        sess["user"] = "from transaction"
    responses.append(snap(client.get("/get")))
    return responses, app.session_interface.events, sorted(app.session_interface.store)


def test_server_side_session_interface():
    responses, events, store = same(lambda fw: _server_side_run(fw, "callback-dict"))
    assert ("open", "/untouched", True) in events  # opened for every request, eagerly
    assert responses[2]["body"] == b'{"user":"ada"}\n'


def test_server_side_session_interface_with_plain_mixin():
    same(lambda fw: _server_side_run(fw, "mixin"))


def test_url_converter_sees_a_custom_session():
    """Flask opens the session before matching the URL, so converters may use it."""

    def run(fw):
        app = session_app(fw)
        app.session_interface = _server_side(fw, "callback-dict")

        class SessionUser(fw.BaseConverter):
            def to_python(self, value):
                return f"{value}:{fw.session.get('user')}"

        app.url_map.converters["session_user"] = SessionUser

        @app.route("/converter/<session_user:name>")
        def converter(name):
            return name

        client = app.test_client()
        client.get("/set")
        return client.get("/converter/x").get_data(as_text=True)

    assert same(run) == "x:ada"


def test_interface_returning_none_gives_a_null_session(caplog):
    def run(fw):
        class NoSessions(fw.sessions.SessionInterface):
            def open_session(self, app, request):
                return None

            def save_session(self, app, session, response):
                raise AssertionError("a null session is never saved")

        app = session_app(fw)
        app.session_interface = NoSessions()
        app.testing = True
        client = app.test_client()
        out = [snap(client.get("/get")), snap(client.get("/untouched"))]
        try:
            client.get("/set")
        except RuntimeError:
            out.append("RuntimeError on write")
        return out

    same(run)


@pytest.mark.parametrize(
    "refresh",
    [
        True,
        pytest.param(
            False,
        ),
    ],
)
def test_subclass_changing_only_should_set_cookie(refresh):
    """A subclass of the default interface that always sets the cookie."""

    def run(fw):
        class Always(fw.sessions.SecureCookieSessionInterface):
            def should_set_cookie(self, app, session):
                return True

        app = session_app(fw, SESSION_REFRESH_EACH_REQUEST=refresh)
        app.session_interface = Always()
        client = app.test_client()
        client.get("/set")
        return [snap(client.get(path)) for path in ("/untouched", "/get")]

    # Flask opens (and saves) the session on every request, so an interface whose
    # should_set_cookie is always true re-sends the cookie even for /untouched.
    same(run)


def test_subclass_changing_the_cookie_name_per_request():
    def run(fw):
        class PerHost(fw.sessions.SecureCookieSessionInterface):
            def get_cookie_name(self, app):
                return "s_" + fw.request.host.split(".")[0]

        app = session_app(fw)
        app.session_interface = PerHost()
        client = app.test_client()
        out = []
        for host in ("a.example.com", "b.example.com", "a.example.com"):
            base = f"http://{host}/"
            out.append(snap(client.get("/get", base_url=base), session_names=["s_a", "s_b"]))
            out.append(
                snap(
                    client.get("/set", query_string={"host": host}, base_url=base),
                    session_names=["s_a", "s_b"],
                )
            )
        return out

    same(run)


# --------------------------------------------------------------------------------------
# session_transaction
# --------------------------------------------------------------------------------------


def test_session_transaction():
    def run(fw):
        client = session_app(fw).test_client()
        out = []
        with client.session_transaction() as sess:
            out.append(("empty at first", dict(sess), type(sess).__name__))
            sess["user"] = "from test"
            sess["items"] = (1, 2)
        out.append(("view sees it", client.get("/get").get_json()))
        client.get("/set", query_string={"user": "from view"})
        with client.session_transaction() as sess:
            out.append(("test sees the view's", dict(sess)))
        with client.session_transaction() as sess:
            sess.clear()
        out.append(("cleared", client.get("/get").get_json(), client.get_cookie("session")))
        with client.session_transaction("/", base_url="https://shop.example.com/") as sess:
            sess["shop"] = True
        out.append(
            ("other host", client.get("/get", base_url="https://shop.example.com/").get_json())
        )
        out.append(("localhost unaffected", client.get("/get").get_json()))
        return out

    same(run)


@pytest.mark.parametrize("problem", ["no-secret-key", "cookies-disabled"])
def test_session_transaction_errors(problem):
    def run(fw):
        app = session_app(fw)
        if problem == "no-secret-key":
            app.secret_key = None
            client = app.test_client()
        else:
            client = app.test_client(use_cookies=False)
        with client.session_transaction() as sess:
            sess["x"] = 1
        return "no error"

    same(run)
