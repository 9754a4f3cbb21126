"""A fixture application made of blueprints: relative ``.name`` endpoints in blueprint
modules and templates, a nested blueprint and a blueprint registered twice."""

from erlen import Erlen, url_for

from .api import api_bp
from .blog import bp as blog_bp

app = Erlen(__name__)
app.register_blueprint(blog_bp, url_prefix="/blog")
app.register_blueprint(blog_bp, url_prefix="/news", name="news")
app.register_blueprint(api_bp, url_prefix="/api")


@app.route("/")
def home():
    return url_for("blog.index") + url_for("news.post", slug="hello") + url_for("api.v1.status")
