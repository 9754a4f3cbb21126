"""Small erlen apps that the server tests run in real server processes.

Each module exposes ``app`` (the WSGI application) and ``asgi_app = app.asgi`` (gunicorn
cannot import the attribute path ``app.asgi``; uvicorn can and is given it).
"""
