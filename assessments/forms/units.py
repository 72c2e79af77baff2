"""Forms of unit administration and of one's own password. They parse and show errors; the
services in `assessments.services.memberships` decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..common.text import normalise_identifier, validate_identifier
from ..models import REPORT_PREFIX_VALIDATORS, Role
from ..reports.seals import read_seal_image
from ..services.accounts import username_check


class IdentifierFormField(forms.CharField):
    """A name or number as `models.org.IdentifierField` keeps it: normalised as it is read,
    refused beside the field if it holds a hidden character."""

    default_validators = [validate_identifier]

    def to_python(self, value):
        return normalise_identifier(super().to_python(value))


class NewUserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles in this unit"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one role.")},
    )

    class Meta:
        model = get_user_model()
        # Nothing else: no staff or superuser flag can be set from the product.
        fields = ["username", "last_name", "first_name"]
        labels = {
            "last_name": gettext_lazy("Family name"),
            "first_name": gettext_lazy("Given name"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("last_name", "first_name"):
            self.fields[name].required = True

    def clean_username(self):
        try:
            return username_check(self.cleaned_data["username"])
        except ValidationError as error:  # the service names the field; this is the field
            raise ValidationError(error.message_dict["username"]) from error


class GrantForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)

    def clean_username(self):
        username = normalise_identifier(self.cleaned_data["username"])
        self.user = get_user_model().objects.filter(username=username).first()
        if self.user is None:
            raise ValidationError(_("There is no account with this username."))
        return username


class UnitSettingsForm(forms.Form):
    report_prefix = IdentifierFormField(
        label=gettext_lazy("Report number prefix"),
        max_length=20,
        validators=REPORT_PREFIX_VALIDATORS,
        help_text=gettext_lazy(
            "Printed before the year in report numbers, e.g. 某某稳评〔2026〕3号. "
            "No other unit may use it."
        ),
    )
    seal = forms.FileField(
        label=gettext_lazy("Seal image (PNG or JPEG, at most 2 MB)"),
        required=False,
        help_text=gettext_lazy(
            "The unit's own seal, scanned. Leave empty to keep the current one. "
            "The system never draws a seal itself."
        ),
    )

    def clean_seal(self):
        upload = self.cleaned_data.get("seal")
        return read_seal_image(upload) if upload else None


class UnitRuleForm(forms.Form):
    """A unit's own setting of one requirement: on or off (a counted one: how many), and the
    rule it comes from. The service decides whether the unit may set it."""

    required = forms.TypedChoiceField(
        label=gettext_lazy("This unit requires it"),
        choices=[("1", gettext_lazy("Required")), ("0", gettext_lazy("Not required"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say whether it is required.")},
    )
    number = forms.IntegerField(
        label=gettext_lazy("At least"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        error_messages={
            "invalid": gettext_lazy("Enter a whole number."),
            "min_value": gettext_lazy(
                "Enter a number of at least 1; to require none, choose “Not required”."
            ),
            "max_value": gettext_lazy("Enter a number of at most 1,000,000."),
        },
    )
    source = forms.CharField(
        label=gettext_lazy("Source of the rule"),
        max_length=200,
        help_text=gettext_lazy(
            "The document and article this setting follows, e.g. 《某区实施细则》第八条."
        ),
        error_messages={
            "required": gettext_lazy("Name the document and article this setting follows."),
            "max_length": gettext_lazy("At most 200 characters."),
        },
    )

    def __init__(self, *args, counted: bool, days: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.counted = counted
        if days:
            # A deadline: "required" means there is one, and the number is its length.
            self.fields["required"].label = gettext_lazy("This unit sets a deadline")
            self.fields["required"].choices = [
                ("1", gettext_lazy("A deadline of")),
                ("0", gettext_lazy("No deadline")),
            ]
            self.fields["number"].label = gettext_lazy("Days")
        if not counted:
            del self.fields["number"]

    def clean_source(self):
        source = self.cleaned_data["source"].strip()
        if not source:
            raise ValidationError(_("Name the document and article this setting follows."))
        return source

    def clean(self):
        cleaned = super().clean()
        number_missing = cleaned.get("number") is None and "number" not in self.errors
        if self.counted and cleaned.get("required") and number_missing:
            self.add_error("number", _("Say how many are required."))
        return cleaned


class ChangeOwnPasswordForm(PasswordChangeForm):
    """Django's form (old password, the project's password validators) plus one rule: the
    new password is not the old one — a temporary password was seen by an administrator."""

    def clean_new_password1(self):
        password = self.cleaned_data["new_password1"]
        if self.user.check_password(password):
            raise ValidationError(_("Choose a password different from the current one."))
        return password
