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


class ChangeOwnPasswordForm(PasswordChangeForm):
    """Django's form (old password, the project's password validators) plus one rule: the
    new password is not the old one — a temporary password was seen by an administrator."""

    def clean_new_password1(self):
        password = self.cleaned_data["new_password1"]
        if self.user.check_password(password):
            raise ValidationError(_("Choose a password different from the current one."))
        return password
