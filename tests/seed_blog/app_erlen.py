# app.py: the blog of seed 003 ("Let us pull everything together"), verbatim; only
# the import differs from app_flask.py.
from erlen import Erlen as Flask
from erlen import abort, render_template

app = Flask(__name__)

# Simulated blog data (in a real app, this comes from a database)
POSTS = [
    {
        "id": 1,
        "title": "Getting Started with Flask",
        "slug": "getting-started-with-flask",
        "author": "Folau Kaveinga",
        "date": "2026-02-20",
        "summary": "Learn the basics of Flask, the lightweight Python web framework.",
        "content": (
            "Flask is a micro-framework for Python that gives you the essentials "
            "for building web applications without imposing unnecessary complexity. "
            "In this post, we explore the core concepts that make Flask a favorite "
            "among Python developers."
        ),
    },
    {
        "id": 2,
        "title": "Understanding Jinja2 Templates",
        "slug": "understanding-jinja2-templates",
        "author": "Folau Kaveinga",
        "date": "2026-02-22",
        "summary": "Deep dive into Jinja2 template engine features and best practices.",
        "content": (
            "Jinja2 is the template engine that powers Flask's HTML rendering. "
            "It supports template inheritance, filters, macros, and more. "
            "Mastering Jinja2 is essential for building maintainable Flask applications."
        ),
    },
    {
        "id": 3,
        "title": "Flask Routing and URL Building",
        "slug": "flask-routing-and-url-building",
        "author": "Folau Kaveinga",
        "date": "2026-02-25",
        "summary": "Master Flask routing, variable rules, and URL generation.",
        "content": (
            "Routing is the backbone of any web application. Flask makes it "
            "intuitive with decorators and supports variable rules, multiple "
            "HTTP methods, and dynamic URL building with url_for()."
        ),
    },
]


@app.route("/")
def index():
    return render_template("blog/index.html", posts=POSTS)


@app.route("/about")
def about():
    return render_template("blog/about.html")


@app.route("/post/<int:post_id>")
def post_detail(post_id):
    post = next((p for p in POSTS if p["id"] == post_id), None)
    if post is None:
        abort(404)
    return render_template("blog/post.html", post=post)


@app.errorhandler(404)
def page_not_found(error):
    return render_template("blog/404.html"), 404


if __name__ == "__main__":
    app.run(debug=True)
