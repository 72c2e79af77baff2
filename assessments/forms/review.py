"""The review's forms: returning with a comment, approving, and submitting with a reply.

A decision names the version the reviewer read (the page always sends it); a comment has
the one limit of `TEXT_LIMITS` and is refused, never cut, when longer.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import TEXT_LIMITS
from .base import require_printable


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)


class ReturnForm(DecisionForm):
    comment = forms.CharField(
        label=_("Comments for the author"),
        max_length=TEXT_LIMITS["review_comment"],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Say what must change. The author sees this on the assessment and in the form."
        ),
        error_messages={"required": _("A comment is required to return an assessment.")},
    )


class ApproveForm(DecisionForm):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=TEXT_LIMITS["review_comment"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SubmitForm(forms.Form):
    """Submission of the content the author previewed (its edit version); after a return
    the author may answer the reviewer's comments (`reply`)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reply = forms.CharField(
        label=_("Reply to the reviewer's comments"),
        required=False,
        max_length=TEXT_LIMITS["review_comment"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What you changed, or why you did not. The reviewer sees it beside the changes."
        ),
    )

    def __init__(self, *args, reply: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not reply:
            del self.fields["reply"]
        require_printable(self)
