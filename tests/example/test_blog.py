"""The seed's blog pages, backed by the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import typing as t
from datetime import datetime, timedelta

from examples.taskmanager.extensions import db
from examples.taskmanager.models import Post

from .conftest import add_user, csrf_token, post_form, text


def add_post(app: t.Any, author_id: int, title: str, **fields: t.Any) -> int:
    fields.setdefault("content", f"The text of {title}.")
    fields.setdefault("summary", f"About {title}.")
    with app.app_context():
        post = Post(author_id=author_id, title=title, **fields)
        db.session.add(post)
        db.session.commit()
        return t.cast(int, post.id)


def test_blog_index_lists_posts_newest_first(app: t.Any, client: t.Any) -> None:
    author = add_user(app, "folau")
    add_post(app, author, "Older", created_at=datetime(2026, 2, 20))
    add_post(app, author, "Newer", created_at=datetime(2026, 2, 25))
    page = text(client.get("/blog/"))
    assert page.index("Newer") < page.index("Older")
    assert "folau · " in page
    assert "February 25, 2026" in page
    assert "About Newer." in page
    assert "Write a post" not in page  # only for logged-in users


def test_blog_index_paginates_without_n_plus_one(app: t.Any, client: t.Any) -> None:
    """Five posts a page, each showing its author: the author comes with the post
    (the app's tests run with the N+1 guard set to raise)."""
    start = datetime(2026, 1, 1)
    authors = [add_user(app, f"author{n}") for n in range(7)]
    for n, author in enumerate(authors):
        add_post(app, author, f"Post {n}", created_at=start + timedelta(days=n))
    first = text(client.get("/blog/"))
    assert "Post 6" in first and "Post 2" in first and "Post 1" not in first
    second = text(client.get("/blog/?page=2"))
    assert "Post 1" in second and "Post 0" in second and "Post 2" not in second
    assert client.get("/blog/?page=3").status_code == 404


def test_blog_empty_state(client: t.Any) -> None:
    assert "No posts yet" in text(client.get("/blog/"))


def test_post_detail_and_missing_post(app: t.Any, client: t.Any) -> None:
    post_id = add_post(app, add_user(app, "folau"), "Routing", content="First.\n\nSecond.")
    page = text(client.get(f"/blog/post/{post_id}"))
    assert "<h1>Routing</h1>" in page
    assert "<p>First.</p><p>Second.</p>" in page
    assert "← Back to all posts" in page

    response = client.get(f"/blog/post/{post_id + 1}")
    assert response.status_code == 404
    assert "There is no such post." in text(response)


def test_about_page(client: t.Any) -> None:
    response = client.get("/blog/about")
    assert response.status_code == 200
    assert "About this app" in text(response)


def test_write_a_post(app: t.Any, client: t.Any, alice: int) -> None:
    assert "Write a post" in text(client.get("/blog/"))
    content = "word " * 60
    response = post_form(client, "/blog/new", {"title": "Hello", "content": content})
    assert response.status_code == 302
    with app.app_context():
        post = db.session.execute(db.select(Post)).scalar_one()
        assert response.headers["Location"] == f"/blog/post/{post.id}"
        assert post.author_id == alice
        assert post.content == content.strip()
        # No summary given: the start of the text, cut at a word, stands in.
        assert post.summary.endswith("word…") and len(post.summary) <= 151
    assert 'Post "Hello" published.' in text(client.get(response.headers["Location"]))


def test_write_a_post_validation_and_csrf(app: t.Any, client: t.Any, alice: int) -> None:
    response = post_form(client, "/blog/new", {"title": "", "content": ""})
    assert response.status_code == 422
    page = text(response)
    assert "Give the post a title." in page and "Write something." in page
    response = client.post("/blog/new", data={"title": "t", "content": "c", "csrf_token": "x"})
    assert response.status_code == 400
    csrf_token(client)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Post.id))).scalar() == 0
