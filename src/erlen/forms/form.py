"""The request-aware form: a WTForms form that reads the current request by itself.

``Form`` is what Flask-WTF calls ``FlaskForm`` (both names are exported): build it
inside a view and it takes its data from ``request.form`` and ``request.files`` (or
from a JSON object body) when the request submits data, carries a session-bound
CSRF token field, and adds :meth:`Form.validate_on_submit` and :meth:`Form.hidden_tag`.
Every CSRF and i18n setting is a ``Meta`` option, read from the app config the first
time a form instance needs it.
"""

from __future__ import annotations

import typing as t

from markupsafe import Markup
from wtforms import Form as _WTFormsForm
from wtforms.meta import DefaultMeta
from wtforms.widgets import HiddenInput

from ..ctx import has_request_context
from ..globals import current_app, request, session
from ..http.multidict import CombinedMultiDict, ImmutableMultiDict
from ..lazy import cached_property
from .csrf import FormCSRF
from .i18n import request_translations

__all__ = ["SUBMIT_METHODS", "FlaskForm", "Form"]

#: The methods whose requests carry data to validate (``is_submitted``).
SUBMIT_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))

# Marks "no formdata given": the form then reads the current request.  Passing
# ``formdata=None`` explicitly still means "no submitted data at all".
_FROM_REQUEST: t.Any = object()

_EMPTY_FORMDATA: ImmutableMultiDict[str, t.Any] = ImmutableMultiDict()


def _request_is_submitting() -> bool:
    """Whether a request is active and its method submits data."""
    return has_request_context() and request.method in SUBMIT_METHODS


def _formdata_from_request() -> t.Any:
    """The submitted data of the current request, in the shape WTForms reads.

    Files and form fields together for multipart bodies, the fields alone for
    urlencoded ones, the members of a JSON object body otherwise.  ``None`` (no data)
    when nothing was submitted, so fields keep their defaults.
    """
    if not _request_is_submitting():
        return None
    files = request.files
    if files:
        return CombinedMultiDict((files, request.form))
    form = request.form
    if form:
        return form
    if request.is_json:
        body = request.get_json()
        # Only an object maps onto fields; a list or a scalar submits no field at
        # all, so validation reports the missing values instead of crashing.
        if isinstance(body, dict):
            return ImmutableMultiDict(body)
        return _EMPTY_FORMDATA
    return None


class Form(_WTFormsForm):
    """A WTForms form bound to the current request, with CSRF protection.

    Without a ``formdata`` argument the form fills itself from the request when its
    method is POST, PUT, PATCH or DELETE; ``formdata=None`` disables that.  CSRF is
    on unless ``WTF_CSRF_ENABLED`` is false or ``Meta.csrf = False`` (``meta={"csrf":
    False}`` for one instance).  Sub-forms used with ``FormField`` should derive from
    :class:`wtforms.Form` instead, so that only the outer form carries a token.
    """

    class Meta(DefaultMeta):
        """Flask-WTF's options, each defaulting to the app's ``WTF_*`` setting."""

        csrf_class = FormCSRF
        #: The object custom ``csrf_class`` implementations bind tokens to.
        csrf_context = session

        @cached_property
        def csrf(self) -> bool:
            return bool(current_app.config.get("WTF_CSRF_ENABLED", True))

        @cached_property
        def csrf_secret(self) -> t.Any:
            return current_app.config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)

        @cached_property
        def csrf_field_name(self) -> str:
            return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")  # type: ignore[no-any-return]

        @cached_property
        def csrf_time_limit(self) -> int | None:
            return current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)  # type: ignore[no-any-return]

        def wrap_formdata(self, form: t.Any, formdata: t.Any) -> t.Any:
            if formdata is _FROM_REQUEST:
                return _formdata_from_request()
            return super().wrap_formdata(form, formdata)

        def get_translations(self, form: t.Any) -> t.Any:
            # Explicit ``locales`` always win; otherwise messages are English unless
            # the app opts in to Accept-Language negotiation.
            if self.locales:
                return super().get_translations(form)
            if current_app.config.get("WTF_I18N_ENABLED", False) and has_request_context():
                return request_translations()
            return None

    def __init__(self, formdata: t.Any = _FROM_REQUEST, **kwargs: t.Any) -> None:
        super().__init__(formdata=formdata, **kwargs)

    def is_submitted(self) -> bool:
        """Whether the current request submits data (POST, PUT, PATCH or DELETE)."""
        return _request_is_submitting()

    def validate_on_submit(self, extra_validators: t.Any = None) -> bool:
        """Validate the form if the request submits it; ``False`` on a GET.

        Shorthand for ``form.is_submitted() and form.validate()``.
        """
        return self.is_submitted() and self.validate(extra_validators=extra_validators)

    def hidden_tag(self, *fields: t.Any) -> Markup:
        """Render the hidden fields (the CSRF token among them) in one go.

        With arguments, render only those of the given fields (objects or names) that
        are hidden; names that do not exist are skipped.
        """
        chosen = fields or self
        rendered = []
        for field in chosen:
            if isinstance(field, str):
                field = getattr(self, field, None)
            if field is not None and isinstance(field.widget, HiddenInput):
                rendered.append(str(field))
        return Markup("\n".join(rendered))


#: Flask-WTF's name, kept so that ``from flask_wtf import FlaskForm`` ports by
#: changing the module alone.
FlaskForm = Form
