"""The forms of the forms tutorial (seed 003), defined once for either stack.

``build_forms(fw)`` returns the tutorial's form classes on ``fw.Form`` (Flask-WTF's
``FlaskForm`` or erlen's ``Form``) and ``build_app(fw)`` an app whose views validate
them the way the tutorial's views do and answer with what a test can compare: whether
the form validated, its errors and its data.
"""

from __future__ import annotations

import datetime
import decimal
import re
import types
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms import Form as PlainForm
from wtforms.validators import (
    URL,
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    IPAddress,
    Length,
    MacAddress,
    NoneOf,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.validators import UUID as UUIDValidator

from .frameworks import Stack

#: Stand-ins for the tutorial's ``User`` table.
TAKEN_USERNAMES = {"taken", "admin"}
TAKEN_EMAILS = {"taken@example.com"}
#: Stand-in for ``User.query.order_by(User.name).all()`` in the dynamic-choices form.
ASSIGNEES = [(1, "Ada"), (2, "Grace"), (3, "Linus")]


def strong_password(form: Any, field: Any) -> None:
    """The tutorial's reusable password-complexity validator."""
    password = field.data or ""
    if not re.search(r"[A-Z]", password):
        raise ValidationError("Password must contain at least one uppercase letter.")
    if not re.search(r"[a-z]", password):
        raise ValidationError("Password must contain at least one lowercase letter.")
    if not re.search(r"[0-9]", password):
        raise ValidationError("Password must contain at least one digit.")
    if not re.search(r'[!@#$%^&*(),.?":{}|<>]', password):
        raise ValidationError("Password must contain at least one special character.")


def unique_field(existing: set[str], message: str = "This value is already in use.") -> Any:
    """The tutorial's validator factory (a set stands in for the database query)."""

    def _validate(form: Any, field: Any) -> None:
        if field.data in existing:
            raise ValidationError(message)

    return _validate


def build_forms(fw: Stack) -> types.SimpleNamespace:
    """The tutorial's forms, on ``fw.Form``."""

    class LoginForm(fw.Form):
        username = StringField("Username", validators=[DataRequired()])
        password = PasswordField("Password", validators=[DataRequired(), Length(min=8)])
        remember = BooleanField("Remember me")
        submit = SubmitField("Log In")

    class RegistrationForm(fw.Form):
        first_name = StringField("First Name", validators=[DataRequired(), Length(max=50)])
        last_name = StringField("Last Name", validators=[DataRequired(), Length(max=50)])
        username = StringField(
            "Username",
            validators=[
                DataRequired(),
                Length(min=3, max=25),
                Regexp(
                    r"^[a-zA-Z][a-zA-Z0-9_]*$",
                    message="Letters, numbers, and underscores only. Must start with a letter.",
                ),
            ],
        )
        email = StringField("Email", validators=[DataRequired(), Email()])
        password = PasswordField(
            "Password", validators=[DataRequired(), Length(min=8, message="At least 8 characters.")]
        )
        confirm_password = PasswordField(
            "Confirm Password",
            validators=[DataRequired(), EqualTo("password", message="Passwords must match.")],
        )
        country = SelectField(
            "Country",
            choices=[
                ("", "-- Select --"),
                ("us", "United States"),
                ("uk", "United Kingdom"),
                ("ca", "Canada"),
            ],
            validators=[DataRequired()],
        )
        agree_terms = BooleanField(
            "I agree to the Terms of Service",
            validators=[DataRequired(message="You must accept the terms.")],
        )
        submit = SubmitField("Create Account")

        def validate_username(self, field: Any) -> None:
            if field.data in TAKEN_USERNAMES:
                raise ValidationError("Username already taken.")

        def validate_email(self, field: Any) -> None:
            if field.data in TAKEN_EMAILS:
                raise ValidationError("Email already registered.")

    class ValidatorTourForm(fw.Form):
        """The tutorial's built-in validator reference form (RegistrationForm v1)."""

        username = StringField(
            "Username",
            validators=[
                DataRequired(),
                Length(min=3, max=25),
                Regexp(
                    r"^[A-Za-z][A-Za-z0-9_.]*$",
                    message="Username must start with a letter and contain only letters,"
                    " numbers, dots, and underscores.",
                ),
            ],
        )
        email = StringField("Email", validators=[DataRequired(), Email()])
        password = PasswordField("Password", validators=[DataRequired(), Length(min=8)])
        confirm_password = PasswordField(
            "Confirm Password",
            validators=[DataRequired(), EqualTo("password", message="Passwords must match.")],
        )
        age = IntegerField("Age", validators=[Optional(), NumberRange(min=13, max=120)])
        website = StringField("Website", validators=[Optional(), URL(message="Enter a valid URL.")])
        role = SelectField("Role", choices=["user", "admin"], validators=[AnyOf(["user", "admin"])])
        token = StringField("Token", validators=[Optional(), UUIDValidator()])
        mac = StringField("MAC", validators=[Optional(), MacAddress()])
        ip = StringField("IP", validators=[Optional(), IPAddress()])
        nickname = StringField("Nickname", validators=[InputRequired(), NoneOf(["root"])])

    class SignupForm(fw.Form):
        username = StringField(
            "Username",
            validators=[DataRequired(), unique_field(TAKEN_USERNAMES, "Username taken.")],
        )
        password = PasswordField(
            "Password", validators=[DataRequired(), Length(min=8), strong_password]
        )

    class ProfileFieldsForm(fw.Form):
        """The tutorial's field-types ProfileForm."""

        username = StringField("Username", validators=[DataRequired(), Length(min=3, max=80)])
        email = StringField(
            "Email", validators=[DataRequired(), Email(message="Enter a valid email address.")]
        )
        password = PasswordField(
            "Password",
            validators=[
                DataRequired(),
                Length(min=8, message="Password must be at least 8 characters."),
            ],
        )
        bio = TextAreaField("Bio", validators=[Length(max=500)])
        user_id = HiddenField("User ID")

    class ProductForm(fw.Form):
        quantity = IntegerField(
            "Quantity",
            validators=[
                DataRequired(),
                NumberRange(min=1, max=1000, message="Quantity must be between 1 and 1000."),
            ],
        )
        price = FloatField("Price", validators=[DataRequired(), NumberRange(min=0.01)])
        tax_rate = DecimalField("Tax Rate (%)", places=2, validators=[NumberRange(min=0, max=100)])

    class OrderForm(fw.Form):
        country = SelectField(
            "Country",
            choices=[
                ("", "-- Select Country --"),
                ("us", "United States"),
                ("uk", "United Kingdom"),
                ("ca", "Canada"),
                ("au", "Australia"),
            ],
            validators=[DataRequired()],
        )
        shipping = RadioField(
            "Shipping Method",
            choices=[
                ("standard", "Standard (5-7 days)"),
                ("express", "Express (2-3 days)"),
                ("overnight", "Overnight"),
            ],
            default="standard",
        )
        interests = SelectMultipleField(
            "Interests", choices=[("tech", "Technology"), ("science", "Science"), ("art", "Art")]
        )

    class EventForm(fw.Form):
        agree_terms = BooleanField(
            "I agree to the terms and conditions",
            validators=[DataRequired(message="You must accept the terms.")],
        )
        event_date = DateField("Event Date", format="%Y-%m-%d", validators=[DataRequired()])
        starts_at = DateTimeLocalField("Starts At", format="%Y-%m-%dT%H:%M")

    class DateRangeForm(fw.Form):
        start_date = DateField("Start Date", validators=[DataRequired()])
        end_date = DateField("End Date", validators=[DataRequired()])

        def validate(self, extra_validators: Any = None) -> bool:
            if not super().validate(extra_validators=extra_validators):
                return False
            if self.end_date.data <= self.start_date.data:
                self.end_date.errors.append("End date must be after start date.")
                return False
            return True

    class AvatarUploadForm(fw.Form):
        username = StringField("Username", validators=[DataRequired()])
        avatar = fw.FileField(
            "Profile Picture",
            validators=[
                fw.FileRequired(message="Please select a file."),
                fw.FileAllowed(["jpg", "jpeg", "png", "gif"], "Images only (jpg, png, gif)."),
            ],
        )
        submit = SubmitField("Upload")

    class DocumentUploadForm(fw.Form):
        documents = fw.MultipleFileField(
            "Upload Documents",
            validators=[fw.FileAllowed(["pdf", "doc", "docx", "txt"], "Documents only.")],
        )
        submit = SubmitField("Upload All")

    class SizedUploadForm(fw.Form):
        """File validators with their default messages."""

        attachment = fw.FileField(
            "Attachment",
            validators=[fw.FileRequired(), fw.FileAllowed(["txt", "csv"]), fw.FileSize(10, 2)],
        )
        scans = fw.MultipleFileField(
            "Scans", validators=[fw.FileRequired(), fw.FileAllowed(["png"]), fw.FileSize(8)]
        )

    class ProfileForm(fw.Form):
        first_name = StringField("First Name", validators=[DataRequired(), Length(max=50)])
        last_name = StringField("Last Name", validators=[DataRequired(), Length(max=50)])
        bio = TextAreaField("Bio", validators=[Length(max=500)])
        avatar = fw.FileField(
            "Profile Picture", validators=[fw.FileAllowed(["jpg", "jpeg", "png"], "Images only.")]
        )
        submit = SubmitField("Save Changes")

    class AssignTaskForm(fw.Form):
        title = StringField("Task Title", validators=[DataRequired()])
        assignee = SelectField("Assign To", coerce=int, validators=[DataRequired()])
        submit = SubmitField("Create Task")

    class AddressForm(PlainForm):
        street = StringField("Street", validators=[DataRequired()])
        city = StringField("City", validators=[DataRequired()])
        state = StringField("State", validators=[DataRequired(), Length(min=2, max=2)])
        zip_code = StringField(
            "ZIP Code",
            validators=[DataRequired(), Regexp(r"^\d{5}(-\d{4})?$", message="Invalid ZIP code.")],
        )

    class CheckoutForm(fw.Form):
        full_name = StringField("Full Name", validators=[DataRequired()])
        billing_address = FormField(AddressForm, label="Billing Address")
        shipping_address = FormField(AddressForm, label="Shipping Address")
        same_as_billing = BooleanField("Shipping same as billing")
        submit = SubmitField("Place Order")

    class IngredientForm(PlainForm):
        name = StringField("Ingredient", validators=[DataRequired()])
        quantity = StringField("Quantity", validators=[DataRequired()])

    class RecipeForm(fw.Form):
        title = StringField("Recipe Title", validators=[DataRequired()])
        ingredients = FieldList(FormField(IngredientForm), min_entries=1)
        submit = SubmitField("Save Recipe")

    class QuickNoteForm(fw.Form):
        content = TextAreaField("Note", validators=[DataRequired(), Length(max=500)])

    class ContactForm(fw.Form):
        name = StringField("Your Name", validators=[DataRequired(), Length(max=100)])
        email = StringField("Your Email", validators=[DataRequired(), Email()])
        subject = SelectField(
            "Subject",
            choices=[
                ("general", "General Inquiry"),
                ("support", "Technical Support"),
                ("billing", "Billing Question"),
                ("feedback", "Feedback"),
            ],
        )
        message = TextAreaField(
            "Message",
            validators=[
                DataRequired(),
                Length(min=10, max=2000, message="Message must be 10-2000 characters."),
            ],
        )
        submit = SubmitField("Send Message")

    class WizardStep2Form(fw.Form):
        street = StringField("Street Address", validators=[DataRequired()])
        city = StringField("City", validators=[DataRequired()])
        state = StringField("State", validators=[DataRequired()])
        zip_code = StringField("ZIP Code", validators=[DataRequired()])
        prev_step = SubmitField("Back")
        next_step = SubmitField("Next")

    return types.SimpleNamespace(**{k: v for k, v in locals().items() if isinstance(v, type)})


def comparable(value: Any, fw: Stack) -> Any:
    """*value* (form data) as JSON: files by name and content, dates as ISO text."""
    if isinstance(value, fw.FileStorage):
        content = value.read()
        value.seek(0)
        return {"filename": value.filename, "content": content.decode("latin-1")}
    if isinstance(value, dict):
        return {key: comparable(item, fw) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [comparable(item, fw) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
        return str(value)
    return value


#: The views of ``build_app``: URL path -> form class name.
ROUTES = {
    "/login": "LoginForm",
    "/register": "RegistrationForm",
    "/validators": "ValidatorTourForm",
    "/signup": "SignupForm",
    "/profile-fields": "ProfileFieldsForm",
    "/product": "ProductForm",
    "/order": "OrderForm",
    "/event": "EventForm",
    "/daterange": "DateRangeForm",
    "/upload": "AvatarUploadForm",
    "/upload-docs": "DocumentUploadForm",
    "/upload-sized": "SizedUploadForm",
    "/profile/edit": "ProfileForm",
    "/tasks/new": "AssignTaskForm",
    "/checkout": "CheckoutForm",
    "/recipes/new": "RecipeForm",
    "/api/notes": "QuickNoteForm",
    "/contact": "ContactForm",
    "/wizard/step/2": "WizardStep2Form",
}


def build_app(fw: Stack, **config: Any) -> Any:
    """An app with one view per tutorial form; each answers with the validation outcome."""
    app = fw.App(__name__)
    app.config.update(SECRET_KEY="test-secret", **config)
    forms = build_forms(fw)

    def make_view(path: str, form_name: str) -> Any:
        form_class = getattr(forms, form_name)

        def view() -> Any:
            form = form_class()
            if form_name == "AssignTaskForm":
                # The tutorial's rule: set dynamic choices before validating.
                form.assignee.choices = list(ASSIGNEES)
            if form_name == "WizardStep2Form" and form.prev_step.data:
                return fw.jsonify(back=True)
            valid = form.validate_on_submit()
            body = {
                "submitted": form.is_submitted(),
                "valid": valid,
                "errors": form.errors,
                "data": comparable({k: v for k, v in form.data.items() if k != "csrf_token"}, fw),
            }
            return fw.jsonify(body), (200 if valid else 400)

        view.__name__ = "view_" + re.sub(r"\W", "_", path)
        app.add_url_rule(path, view.__name__, view, methods=["GET", "POST", "PUT"])

    for path, form_name in ROUTES.items():
        make_view(path, form_name)
    return app
