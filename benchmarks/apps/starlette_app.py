"""The benchmark app on Starlette: the ASGI toolkit under FastAPI, ASGI only."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route


async def hello(request: Request) -> Response:
    return PlainTextResponse("Hello, World!")


async def user_post(request: Request) -> Response:
    user_id: int = request.path_params["user_id"]
    return PlainTextResponse(f"user {user_id:d}, post {request.path_params['slug']}")


async def json_message(request: Request) -> Response:
    return JSONResponse({"message": "Hello, World!"})


async def search(request: Request) -> Response:
    args = request.query_params
    page = int(args.get("page", "1"))
    tags = ",".join(args.getlist("tag"))
    return PlainTextResponse(f"q={args.get('q', '')} page={page:d} tags={tags}")


async def form(request: Request) -> Response:
    async with request.form() as fields:
        return PlainTextResponse(f"name={fields['name']} email={fields['email']}")


async def old(request: Request) -> Response:
    return RedirectResponse("/hello", status_code=302)


app = Starlette(
    routes=[
        Route("/hello", hello),
        Route("/users/{user_id:int}/posts/{slug}", user_post),
        Route("/json", json_message),
        Route("/search", search),
        Route("/form", form, methods=["POST"]),
        Route("/old", old),
    ]
)

asgi_app = app
