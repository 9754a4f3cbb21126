"""The blog from the seed's tutorial, backed by the database: a paginated list of
posts, one post, an about page, and a form for logged-in users to write."""

from __future__ import annotations

import typing as t

from erlen import Blueprint, current_app, flash, g, redirect, render_template, url_for

from .auth import login_required
from .extensions import db
from .forms import PostForm
from .models import Post

bp = Blueprint("blog", __name__, url_prefix="/blog")


@bp.route("/")
def index() -> t.Any:
    pagination = db.paginate(
        db.select(Post).order_by(Post.created_at.desc(), Post.id.desc()),
        per_page=current_app.config["POSTS_PER_PAGE"],
    )
    return render_template("blog/index.html", pagination=pagination, posts=pagination.items)


@bp.route("/about")
def about() -> t.Any:
    return render_template("blog/about.html")


@bp.route("/post/<int:post_id>")
def post_detail(post_id: int) -> t.Any:
    post = db.get_or_404(Post, post_id, description="There is no such post.")
    return render_template("blog/post.html", post=post)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def post_create() -> t.Any:
    form = PostForm()
    if form.validate_on_submit():
        post = Post(author=g.user)
        form.populate_obj(post)
        if not post.summary:
            post.summary = post.content[:150].rsplit(" ", 1)[0] + (
                "…" if len(post.content) > 150 else ""
            )
        db.session.add(post)
        db.session.commit()
        flash(f'Post "{post.title}" published.', "success")
        return redirect(url_for("blog.post_detail", post_id=post.id))
    status = 422 if form.errors else 200
    return render_template("blog/form.html", form=form), status
