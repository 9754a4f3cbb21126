"""The benchmark app on Falcon, twice: ``falcon.App`` (WSGI) and ``falcon.asgi.App`` (ASGI).

Falcon keeps its WSGI and ASGI request types apart, so each interface gets its own set of
resources (sync responders for WSGI, coroutines for ASGI) doing the same work.
"""

from __future__ import annotations

import falcon
import falcon.asgi


class Hello:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


class UserPost:
    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: int, slug: str) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"user {user_id:d}, post {slug}"


class JsonMessage:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"message": "Hello, World!"}


class Search:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        page = req.get_param_as_int("page", default=1)
        tags = ",".join(req.get_param_as_list("tag", default=[]))
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"q={req.get_param('q', default='')} page={page:d} tags={tags}"


class Form:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = req.get_media()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"name={fields['name']} email={fields['email']}"


class Old:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise falcon.HTTPFound("/hello")


class AsyncHello:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


class AsyncUserPost:
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int, slug: str
    ) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"user {user_id:d}, post {slug}"


class AsyncJsonMessage:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = {"message": "Hello, World!"}


class AsyncSearch:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        page = req.get_param_as_int("page", default=1)
        tags = ",".join(req.get_param_as_list("tag", default=[]))
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"q={req.get_param('q', default='')} page={page:d} tags={tags}"


class AsyncForm:
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        fields = await req.get_media()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = f"name={fields['name']} email={fields['email']}"


class AsyncOld:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        raise falcon.HTTPFound("/hello")


def _add_routes(app: falcon.App, resources: tuple[object, ...]) -> None:
    """Mount one resource per endpoint of :mod:`benchmarks.cases` on ``app``."""
    hello, user_post, json_message, search, form, old = resources
    app.add_route("/hello", hello)
    app.add_route("/users/{user_id:int}/posts/{slug}", user_post)
    app.add_route("/json", json_message)
    app.add_route("/search", search)
    app.add_route("/form", form)
    app.add_route("/old", old)


wsgi_app = falcon.App()
_add_routes(wsgi_app, (Hello(), UserPost(), JsonMessage(), Search(), Form(), Old()))

asgi_app = falcon.asgi.App()
_add_routes(
    asgi_app,
    (
        AsyncHello(),
        AsyncUserPost(),
        AsyncJsonMessage(),
        AsyncSearch(),
        AsyncForm(),
        AsyncOld(),
    ),
)
