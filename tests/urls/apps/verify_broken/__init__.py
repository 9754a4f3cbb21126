"""A fixture application with one url_for mistake of each kind.

Each faulty line carries a marker comment naming the finding code expected there;
the tests check that ``erlen check`` reports exactly those, once each, at those lines.
"""

from erlen import Erlen, url_for

app = Erlen(__name__)


@app.route("/")
def index():
    return url_for("show_post")  # expect: missing-values


@app.route("/post/<int:post_id>")
def show_post(post_id):
    return url_for("index", _scheme="https")  # expect: scheme-without-external


@app.route("/price/<float:amount>")
def price(amount):
    return url_for("price", amount=-2.5)  # expect: rejected-value


@app.route("/upload", methods=["POST"])
def upload():
    return url_for("upload", _method="DELETE")  # expect: method-not-allowed


def mail_links():
    return [
        url_for("show_post", post_id=1, _expires=60),  # expect: expires-without-sign
        url_for("index", _extrenal=True),  # expect: unknown-option
        url_for("shop.cart"),  # expect: unknown-endpoint
        url_for(  # expect: rejected-value
            "show_post",
            post_id=-1,
        ),
    ]


from .shop import bp as shop_bp  # noqa: E402

app.register_blueprint(shop_bp, url_prefix="/shop")
