"""The evidence upload's form: which part of the record a file documents, and the file."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import AttachmentSection
from ..services import evidence


class AttachmentForm(forms.Form):
    section = forms.ChoiceField(choices=AttachmentSection.choices)
    activity = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    file = forms.FileField(
        label=gettext_lazy("Evidence file"),
        help_text=gettext_lazy("PDF, JPEG or PNG. Save the step first: the page is reloaded."),
    )

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = {a.pk: a for a in assessment.activities.select_related("kind")}
        self.fields["activity"].choices = [("", "—")] + [
            (pk, str(a)) for pk, a in self.activities.items()
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("section") == AttachmentSection.ACTIVITY:
            activity = self.activities.get(cleaned.get("activity"))
            if activity is None:
                self.add_error("activity", _("Choose the activity this file documents."))
            cleaned["activity"] = activity
        else:
            cleaned["activity"] = None
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["data"], cleaned["type"] = evidence.validate_upload(
                    upload.name, upload.size, upload.read
                )
            except ValidationError as error:
                self.add_error("file", error)
        return cleaned
