"""erlen.forms.Form: where its data comes from, submission, hidden_tag, Meta and i18n."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
)
from wtforms import Form as PlainForm
from wtforms.csrf.core import CSRF
from wtforms.validators import DataRequired, Length, ValidationError

import erlen.forms
from erlen import Erlen, jsonify, render_template_string, request
from erlen.forms import FileField, FlaskForm, Form

from .frameworks import both, stack


class NameForm(Form):
    name = StringField("Name", validators=[DataRequired()])
    age = IntegerField("Age")
    tags = SelectMultipleField("Tags", choices=[("a", "A"), ("b", "B")])
    agree = BooleanField("Agree")


@pytest.fixture
def app() -> Erlen:
    app = Erlen(__name__)
    app.config.update(SECRET_KEY="form-secret", WTF_CSRF_ENABLED=False)
    return app


def test_flaskform_is_an_alias() -> None:
    assert FlaskForm is Form
    assert erlen.forms.FlaskForm is erlen.forms.Form


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_submitting_methods_fill_the_form(app: Erlen, method: str) -> None:
    with app.test_request_context(method=method, data={"name": "ada", "age": "36"}):
        form = NameForm()
        assert form.is_submitted()
        assert form.validate_on_submit()
        assert (form.name.data, form.age.data) == ("ada", 36)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_do_not_submit(app: Erlen, method: str) -> None:
    with app.test_request_context("/?name=ada", method=method):
        form = NameForm()
        assert not form.is_submitted()
        assert not form.validate_on_submit()
        assert form.name.data is None  # the query string is never form data
        assert form.errors == {}


def test_json_object_body(app: Erlen) -> None:
    body = {"name": "ada", "age": 36, "tags": ["a", "b"], "agree": True}
    with app.test_request_context(method="POST", json=body):
        form = NameForm()
        assert form.validate_on_submit()
        assert form.data == {"name": "ada", "age": 36, "tags": ["a", "b"], "agree": True}


@pytest.mark.parametrize("body", [[1, 2, 3], "text", 42, None, [["name", "ada"]]])
def test_json_body_that_is_not_an_object_fills_no_field(app: Erlen, body: Any) -> None:
    # Flask-WTF crashes (500) on these; erlen reports the missing values instead.
    with app.test_request_context(method="POST", json=body):
        form = NameForm()
        assert not form.validate_on_submit()
        assert form.errors == {"name": ["This field is required."]}


def test_malformed_json_is_a_bad_request(app: Erlen) -> None:
    @app.route("/", methods=["POST"])
    def index() -> Any:
        NameForm()
        return "unreachable"

    response = app.test_client().post(
        "/", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_multipart_combines_files_and_fields(app: Erlen) -> None:
    class UploadForm(Form):
        name = StringField()
        upload = FileField()

    data = {"name": "ada", "upload": (BytesIO(b"hello"), "hello.txt")}
    with app.test_request_context(method="POST", data=data):
        form = UploadForm()
        assert form.name.data == "ada"
        assert form.upload.data.filename == "hello.txt"
        assert form.upload.data.read() == b"hello"


def test_explicit_formdata_wins(app: Erlen) -> None:
    from erlen.datastructures import MultiDict

    with app.test_request_context(method="POST", data={"name": "from-request"}):
        assert NameForm(formdata=MultiDict({"name": "given"})).name.data == "given"
        assert NameForm(formdata=None).name.data is None
        assert NameForm(formdata=None, data={"name": "default"}).name.data == "default"


def test_formdata_without_getlist_is_refused(app: Erlen) -> None:
    with app.test_request_context(method="POST"), pytest.raises(TypeError, match="getlist"):
        NameForm(formdata={"name": "x"})


def test_form_outside_a_request(app: Erlen) -> None:
    with app.app_context():
        form = NameForm(data={"name": "offline"})
        assert not form.is_submitted()
        assert form.name.data == "offline"
        assert form.validate()


def test_obj_prefill_and_populate_obj(app: Erlen) -> None:
    class User:
        name = "old"
        age = 1
        tags: list[str] = []
        agree = False

    user = User()
    with app.test_request_context():
        assert NameForm(obj=user).name.data == "old"
    with app.test_request_context(method="POST", data={"name": "new", "age": "2"}):
        form = NameForm(obj=user)
        assert form.validate_on_submit()
        form.populate_obj(user)
    assert (user.name, user.age) == ("new", 2)


def test_prefix(app: Erlen) -> None:
    with app.test_request_context(method="POST", data={"a-name": "first", "b-name": "second"}):
        assert NameForm(prefix="a").name.data == "first"
        assert NameForm(prefix="b").name.data == "second"


def test_sub_forms_and_field_lists(app: Erlen) -> None:
    class Address(PlainForm):
        city = StringField(validators=[DataRequired()])

    class Checkout(Form):
        billing = FormField(Address)
        rows = FieldList(StringField(validators=[Length(max=3)]), min_entries=1)

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context(
        method="POST", data={"billing-city": "Oslo", "rows-0": "abc", "rows-1": "abcd"}
    ):
        form = Checkout()
        assert not form.validate_on_submit()
        assert form.errors["rows"] == [[], ["Field cannot be longer than 3 characters."]]
        assert form.billing.city.data == "Oslo"
        assert "csrf_token" not in form.billing  # only the outer form has a token
        assert "csrf_token" in form


# -- hidden_tag ----------------------------------------------------------------------


class HiddenForm(Form):
    visible = StringField()
    secret_id = HiddenField(default="7")
    other_id = HiddenField(default="<&>")


@both
def test_hidden_tag_matches_flask_wtf(stack_name: str) -> None:
    fw = stack(stack_name)

    class Hidden(fw.Form):
        visible = StringField()
        secret_id = HiddenField(default="7")
        other_id = HiddenField(default="<&>")

    app = fw.App(__name__)
    app.config.update(SECRET_KEY="k", WTF_CSRF_ENABLED=False)
    with app.test_request_context():
        form = Hidden()
        everything = str(form.hidden_tag())
        chosen = str(form.hidden_tag("other_id", form.visible, "missing"))
        in_template = fw.render_template_string("{{ form.hidden_tag() }}", form=form)
    assert everything == (
        '<input id="secret_id" name="secret_id" type="hidden" value="7">\n'
        '<input id="other_id" name="other_id" type="hidden" value="&lt;&amp;&gt;">'
    )
    assert chosen == '<input id="other_id" name="other_id" type="hidden" value="&lt;&amp;&gt;">'
    assert in_template == everything  # Markup: not escaped twice


def test_hidden_tag_includes_csrf_token(app: Erlen) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context():
        html = str(HiddenForm().hidden_tag())
    assert html.count("<input") == 3
    assert '<input id="csrf_token" name="csrf_token" type="hidden" value="' in html


# -- Meta options ----------------------------------------------------------------------


def test_meta_reads_app_settings(app: Erlen) -> None:
    app.config.update(
        WTF_CSRF_ENABLED=True,
        WTF_CSRF_SECRET_KEY="meta-secret",
        WTF_CSRF_FIELD_NAME="xsrf",
        WTF_CSRF_TIME_LIMIT=60,
    )
    with app.test_request_context():
        meta = NameForm().meta
        assert meta.csrf is True
        assert meta.csrf_secret == "meta-secret"
        assert meta.csrf_field_name == "xsrf"
        assert meta.csrf_time_limit == 60
        assert meta.csrf_context is erlen.session or meta.csrf_context == erlen.session


def test_meta_defaults(app: Erlen) -> None:
    del app.config["WTF_CSRF_ENABLED"]
    with app.test_request_context():
        meta = NameForm().meta
        assert meta.csrf is True
        assert meta.csrf_secret == "form-secret"
        assert meta.csrf_field_name == "csrf_token"
        assert meta.csrf_time_limit == 3600


def test_meta_per_class_and_per_instance(app: Erlen) -> None:
    class Custom(Form):
        class Meta:
            csrf_field_name = "token"
            csrf_time_limit = None

        name = StringField()

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context():
        form = Custom()
        assert "token" in form and "csrf_token" not in form
        assert form.meta.csrf_time_limit is None
        assert "token" not in Custom(meta={"csrf": False})


def test_custom_csrf_class(app: Erlen) -> None:
    class FixedCSRF(CSRF):
        def setup_form(self, form: Any) -> Any:
            self.context = form.meta.csrf_context
            return super().setup_form(form)

        def generate_csrf_token(self, field: Any) -> str:
            return "fixed"

        def validate_csrf_token(self, form: Any, field: Any) -> None:
            if field.data != "fixed":
                raise ValidationError("Nope.")

    class Custom(Form):
        class Meta:
            csrf_class = FixedCSRF

        name = StringField()

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context(method="POST", data={"csrf_token": "fixed"}):
        form = Custom()
        assert form.validate_on_submit()
        assert form.csrf_token.current_token == "fixed"
    with app.test_request_context(method="POST", data={"csrf_token": "other"}):
        form = Custom()
        assert not form.validate_on_submit()
        assert form.errors == {"csrf_token": ["Nope."]}


def test_csrf_without_secret_key_says_so() -> None:
    app = Erlen(__name__)
    with app.test_request_context(), pytest.raises(RuntimeError, match="secret key"):
        NameForm()


# -- i18n ------------------------------------------------------------------------------


def _required_message(app: Erlen, form_class: type = NameForm, **headers: str) -> str:
    with app.test_request_context(method="POST", data={"age": "1"}, headers=headers):
        form = form_class()
        form.validate()
        return form.errors["name"][0]  # type: ignore[no-any-return]


def test_messages_are_english_by_default(app: Erlen) -> None:
    message = _required_message(app, **{"Accept-Language": "de-DE,de;q=0.9"})
    assert message == "This field is required."


def test_messages_follow_accept_language_when_enabled(app: Erlen) -> None:
    app.config["WTF_I18N_ENABLED"] = True
    assert _required_message(app, **{"Accept-Language": "de-DE,de;q=0.9"}) == (
        "Dieses Feld wird benötigt."
    )
    assert _required_message(app, **{"Accept-Language": "xx, fr;q=0.5"}) == ("Ce champ est requis.")
    assert _required_message(app, **{"Accept-Language": "pt-BR"}) == "Campo obrigatório."
    # Nothing WTForms can translate to, or no header: English.
    assert _required_message(app, **{"Accept-Language": "tlh, xx-YY"}) == (
        "This field is required."
    )
    assert _required_message(app) == "This field is required."


def test_explicit_locales_win(app: Erlen) -> None:
    class German(NameForm):
        class Meta:
            locales = ["de_DE", "de"]

    assert _required_message(app, German) == "Dieses Feld wird benötigt."
    app.config["WTF_I18N_ENABLED"] = True
    assert _required_message(app, German, **{"Accept-Language": "fr"}) == (
        "Dieses Feld wird benötigt."
    )


def test_hostile_accept_language_stays_bounded(app: Erlen) -> None:
    from erlen.forms import i18n

    app.config["WTF_I18N_ENABLED"] = True
    for index in range(600):
        header = ", ".join(f"x{index}-{n}" for n in range(50)) + ", de"
        # Only the first languages count, so "de" at the end is not reached.
        assert _required_message(app, **{"Accept-Language": header}) == "This field is required."
    assert len(i18n._cache) <= i18n._CACHE_LIMIT
    assert i18n.negotiate_locales(["de-ch", "DE", "zh-tw", "*"]) == ("de_CH", "de", "zh_TW")


# -- in a view -----------------------------------------------------------------------


def test_ajax_view_returns_errors_as_json(app: Erlen) -> None:
    @app.route("/api/notes", methods=["POST"])
    def create_note() -> Any:
        form = NameForm()
        if form.validate_on_submit():
            return jsonify(success=True, name=form.name.data), 201
        return jsonify(success=False, errors=form.errors), 400

    client = app.test_client()
    created = client.post("/api/notes", json={"name": "ada"})
    assert (created.status_code, created.get_json()) == (201, {"success": True, "name": "ada"})
    failed = client.post("/api/notes", data={"age": "x"})
    assert failed.status_code == 400
    assert failed.get_json() == {
        "success": False,
        "errors": {"name": ["This field is required."], "age": ["Not a valid integer value."]},
    }


def test_field_rendering_in_templates(app: Erlen) -> None:
    @app.route("/")
    def index() -> Any:
        form = NameForm(data={"name": 'Ada "<b>"'})
        return render_template_string(
            '{{ form.name.label(class="form-label") }}{{ form.name(class="form-control") }}',
            form=form,
        )

    html = app.test_client().get("/").get_data(as_text=True)
    assert html == (
        '<label class="form-label" for="name">Name</label>'
        '<input class="form-control" id="name" name="name" required type="text"'
        ' value="Ada &#34;&lt;b&gt;&#34;">'
    )


def test_request_proxy_is_erlens(app: Erlen) -> None:
    with app.test_request_context(method="POST", data={"name": "x"}):
        assert request.form["name"] == "x"
        assert NameForm().name.data == "x"
