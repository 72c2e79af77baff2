"""Forms of the guided form (填报向导) and the list filters.

Forms only parse and validate input; saving goes through `services`.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import content, permissions, search
from .content import THRESHOLD_FIELDS, unprintable_characters, unprintable_message
from .fonts import BODY_FONT, font_characters
from .models import (
    REPORT_DATE_SORT,
    TEXT_LIMITS,
    Assessment,
    Dimension,
    Mode,
    Recommendation,
    Resolution,
    RiskCategory,
    RiskLevel,
    Status,
    Unit,
    Verdict,
)
from .pagination import Order

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")

# Characters that change what a text appears to say without being seen: bidirectional
# overrides and isolates (U+202E makes "txt.exe" read "exe.txt"), zero-width characters,
# and private-use code points (drawn differently by every font, or not at all). A signed
# report must say exactly what it shows.
INVISIBLE_RANGES = [
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x2069),  # bidi isolates
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
    (0xE000, 0xF8FF),  # private use area
    (0xF0000, 0x10FFFF),  # supplementary private use areas
]


def invisible_characters(text: str) -> list[str]:
    return sorted(
        {ch for ch in text if any(low <= ord(ch) <= high for low, high in INVISIBLE_RANGES)}
    )


def _describe(character: str) -> str:
    name = unicodedata.name(character, "") or _("private-use character")
    return f"U+{ord(character):04X} {name}"


def validate_visible(value: str) -> None:
    found = invisible_characters(value or "")
    if found:
        raise ValidationError(
            _(
                "The text contains invisible characters that can change what the report "
                "appears to say: %(chars)s. Please delete them (retype the text around them "
                "if you cannot see where they are)."
            )
            % {"chars": "; ".join(_describe(ch) for ch in found[:5])},
            code="invisible",
        )


def validate_printable(value: str) -> None:
    """Refuse text the report cannot print (emoji, rare symbols) where it is typed, rather
    than when the approved report fails to render."""
    if not font_characters(BODY_FONT):
        return  # no report font at all is a start-up error (checks.py), not the user's
    missing = unprintable_characters(value or "")
    if missing:
        raise ValidationError(unprintable_message(missing), code="unprintable")


def _one_newline_each(to_python):
    """Browsers count a line break as one character but send it as CR LF: store LF, so the
    counter beside the field, the form and the database all count the same."""

    def convert(value):
        value = to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value

    return convert


def require_printable(form: forms.BaseForm) -> None:
    """Every text field of the form: line breaks counted once, no invisible characters,
    only characters the report can print."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            field.to_python = _one_newline_each(field.to_python)
            field.validators.extend([validate_visible, validate_printable])


def validate_phone(value: str) -> None:
    compact = value.replace(" ", "")
    if not (MOBILE.match(compact) or LANDLINE.match(compact)):
        raise ValidationError(
            _(
                "Enter an 11-digit mobile number (e.g. 13800000001) or a landline with its "
                "area code (e.g. 0533-6400001)."
            ),
            code="invalid_phone",
        )


def valid_data(form: forms.BaseForm) -> dict:
    """The fields of a (possibly invalid) bound form whose input is valid: a draft save
    stores these and marks only the others."""
    cleaned = getattr(form, "cleaned_data", {})
    return {name: value for name, value in cleaned.items() if name not in form.errors}


class DraftStepForm(forms.ModelForm):
    """A wizard step's model form. A draft may leave a text empty — completeness is checked
    before submission, not on every save — so a field is required only where the model
    cannot store it empty (the project's names, set when it was created)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)

    def valid_data(self) -> dict:
        return valid_data(self)


class ProjectInfoForm(DraftStepForm):
    report_date = forms.DateField(
        label=_("Report date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The date printed under the title, usually the day the report is signed."),
    )

    class Meta:
        model = Assessment
        fields = [
            "title",
            "project_name",
            "responsible_entity",
            "mode",
            "evaluating_unit",
            "report_date",
            *THRESHOLD_FIELDS,
            "mode_reason",
        ]
        widgets = {"mode_reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "title": _("As it will head the report, e.g. 周村区重大项目社会稳定风险评估报告."),
            "project_name": _(
                "The decision or project being assessed, e.g. 《周村区新型智慧城市顶层设计》."
            ),
            "responsible_entity": _(
                "The body that proposes the decision and answers for its risks (责任主体)."
            ),
            "mode": _(
                "Simple mode (简易评估) for decisions with limited impact; standard mode "
                "(一般评估) when the rules require consultation, hearings or expert review."
            ),
            "evaluating_unit": _("The unit that carries out this assessment (评估单位)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The figures the mode rules read are optional: a project may have none of them.
        for name in (*THRESHOLD_FIELDS, "mode_reason"):
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        thresholds = {name: cleaned.get(name) for name in THRESHOLD_FIELDS}
        if content.mode_reason_required(
            mode=cleaned.get("mode", ""),
            thresholds=thresholds,
            reason=cleaned.get("mode_reason", ""),
        ):
            exceeded = content.mode_suggestion(thresholds)
            self.add_error(
                "mode_reason",
                _(
                    "The project's figures suggest a standard assessment (%(reasons)s): say "
                    "why simple mode is enough."
                )
                % {
                    "reasons": "；".join(
                        f"{item.label} {item.value} ≥ {item.minimum:g}" for item in exceeded
                    )
                },
            )
        return cleaned


class RowForm(forms.Form):
    """A row in an editable list. Moving a blank row (ORDER) does not make it filled in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)

    def has_changed(self) -> bool:
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)


class NewAssessmentForm(ProjectInfoForm):
    """Step 1 for a new assessment: also which of the user's units will own it."""

    class Meta(ProjectInfoForm.Meta):
        fields = ["owner_unit", *ProjectInfoForm.Meta.fields]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner_unit"]
        field.queryset = units
        field.empty_label = None
        if len(units) == 1:
            field.initial = units[0].pk
            field.widget = forms.HiddenInput()


class ContactForm(RowForm):
    name = forms.CharField(label=_("Name"), max_length=30)
    position = forms.CharField(
        label=_("Position"),
        max_length=100,
        required=False,
        help_text=_("Job title, e.g. 区政府办公室副主任. May be left empty."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        validators=[validate_phone],
        help_text=_("Mobile, or landline with area code."),
    )


class BaseRowFormSet(forms.BaseFormSet):
    """Rows the user adds, removes (DELETE) and reorders (ORDER); order is kept on save."""

    def rows(self, saved_row=dict) -> list[dict]:
        """The rows to store, in the chosen order: every valid row; for a row with errors
        its saved version if it had one (`saved_row(initial)` turns that into a row), so a
        mistake is marked but never deletes what was stored. Rows marked for removal and
        untouched blank rows are dropped. Call after `is_valid()`."""
        kept = []
        for index, form in enumerate(self.forms):
            cleaned = getattr(form, "cleaned_data", {})
            if cleaned.get("DELETE"):
                continue
            if form.errors:
                if not form.initial:
                    continue
                row = saved_row(form.initial)
            elif not form.has_changed() and not form.initial:
                continue
            else:
                row = {k: v for k, v in cleaned.items() if k not in ("ORDER", "DELETE")}
            order = cleaned.get("ORDER") or index + 1
            kept.append((order, index, row))
        return [row for _order, _index, row in sorted(kept, key=lambda item: item[:2])]


ContactFormSet = forms.formset_factory(
    ContactForm,
    formset=BaseRowFormSet,
    extra=0,
    can_delete=True,
    can_order=True,
    max_num=20,
    validate_max=True,
)


class BasicSituationForm(DraftStepForm):
    class Meta:
        model = Assessment
        fields = ["basic_situation"]
        widgets = {"basic_situation": forms.Textarea(attrs={"rows": 16})}
        help_texts = {
            "basic_situation": _(
                "Section 一、基本情况: why the decision is made, what it contains and what it "
                "builds on. One paragraph per line."
            )
        }


FINDING_HELP = {
    Dimension.LEGALITY: _(
        "Does the decision rest on laws, regulations and higher-level plans, and was it "
        "made by the competent body through the required procedure?"
    ),
    Dimension.RATIONALITY: _(
        "Does it serve the public interest, balance the interests of those affected, and "
        "is its scope reasonable?"
    ),
    Dimension.FEASIBILITY: _(
        "Were those concerned consulted, are funds, staff and timing in place, and is the "
        "moment right?"
    ),
    Dimension.CONTROLLABILITY: _(
        "What could disturb public order or safety, and are there plans to prevent and handle it?"
    ),
}


class FindingsForm(forms.Form):
    """The four dimensions, each a finding text and a verdict."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for dimension in Dimension:
            # Not required: a draft may hold one dimension and leave the others for later.
            self.fields[f"{dimension.value}_text"] = forms.CharField(
                label=dimension.label,
                widget=forms.Textarea(attrs={"rows": 5}),
                max_length=TEXT_LIMITS["finding"],
                required=False,
                help_text=FINDING_HELP[dimension],
            )
            self.fields[f"{dimension.value}_verdict"] = forms.ChoiceField(
                label=_("Verdict on %(dimension)s") % {"dimension": dimension.label},
                choices=[("", "---------"), *Verdict.choices],
                required=False,
            )
        require_printable(self)

    @staticmethod
    def initial_for(assessment: Assessment) -> dict:
        initial = {}
        for finding in assessment.findings.all():
            initial[f"{finding.dimension}_text"] = finding.text
            initial[f"{finding.dimension}_verdict"] = finding.verdict
        return initial

    def findings(self) -> dict[str, dict]:
        """The dimensions whose text and verdict are both valid (a draft save stores these)."""
        valid = valid_data(self)
        return {
            d: {"text": valid[f"{d}_text"], "verdict": valid[f"{d}_verdict"]}
            for d in Dimension.values
            if f"{d}_text" in valid and f"{d}_verdict" in valid
        }


class RiskNarrativeForm(DraftStepForm):
    class Meta:
        model = Assessment
        fields = ["risk_narrative"]
        widgets = {"risk_narrative": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "risk_narrative": _(
                "Section 三: the risks found and how each is prevented or defused, in prose. "
                "The structured risk points below are printed as a table after it."
            )
        }


SCORE_CHOICES = [("", "—")] + [(n, str(n)) for n in range(1, 6)]


class RiskPointForm(RowForm):
    description = forms.CharField(
        label=_("Risk point"),
        max_length=TEXT_LIMITS["risk_description"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *RiskCategory.choices]
    )
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood"),
        choices=SCORE_CHOICES,
        coerce=int,
        help_text=_("1 rare … 5 almost certain"),
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=SCORE_CHOICES, coerce=int, help_text=_("1 slight … 5 severe")
    )
    level_after = forms.ChoiceField(label=_("Level after measures"))
    mitigation = forms.CharField(
        label=_("Mitigation measures"),
        max_length=TEXT_LIMITS["mitigation"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible_party = forms.CharField(label=_("Responsible party"), max_length=100)
    resolution_state = forms.ChoiceField(
        label=_("Resolution"),
        choices=[("", "—"), *Resolution.choices],
        required=False,
        help_text=_("Standard mode: is the risk already defused?"),
    )
    resolution = forms.CharField(
        label=_("What resolved it"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, levels: dict[str, RiskLevel], standard: bool = False, **kwargs):
        # The levels are loaded once per formset, not once per row.
        super().__init__(*args, **kwargs)
        self.levels = levels
        if not standard:
            # Kept, not shown: a simple assessment that was standard keeps what was entered.
            for name in ("resolution_state", "resolution"):
                self.fields[name].widget = forms.HiddenInput()
        self.fields["level_after"].choices = [("", "—")] + [
            (code, level.display_name) for code, level in levels.items()
        ]

    def clean_level_after(self) -> RiskLevel:
        return self.levels[self.cleaned_data["level_after"]]


RiskPointFormSet = forms.formset_factory(
    RiskPointForm,
    formset=BaseRowFormSet,
    extra=0,
    can_delete=True,
    can_order=True,
    max_num=50,
    validate_max=True,
)


class ConclusionForm(forms.ModelForm):
    """Level and recommendation, suggested by the matrix and scheme; a different choice
    needs a reason."""

    class Meta:
        model = Assessment
        fields = ["risk_level", "recommendation", "deviation_reason", "conclusion"]
        widgets = {
            "conclusion": forms.Textarea(attrs={"rows": 6}),
            "deviation_reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "conclusion": _(
                "Section 四: the overall judgement, stating the risk level and the "
                "recommendation, e.g. …初步确定风险等级为低级，建议准予实施。"
            ),
        }

    def __init__(self, *args, suggested_level: RiskLevel | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested_level = suggested_level
        # A draft may leave these empty; the conclusion step is complete only with all.
        self.fields["risk_level"].empty_label = "—"
        self.fields["recommendation"].choices = [("", "—"), *Recommendation.choices]
        require_printable(self)

    def valid_data(self) -> dict:
        return valid_data(self)

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("risk_level")
        recommendation = cleaned.get("recommendation")
        if not level or not recommendation:
            return cleaned
        deviates = content.deviates(
            level_code=level.code,
            recommendation=recommendation,
            suggested_code=self.suggested_level.code if self.suggested_level else None,
            implied=level.recommendation,
        )
        if deviates and not cleaned.get("deviation_reason", "").strip():
            self.add_error(
                "deviation_reason",
                _(
                    "Your choice differs from the suggestion (level %(level)s, "
                    "recommendation %(recommendation)s): say why."
                )
                % {
                    "level": self.suggested_level or level,
                    "recommendation": (self.suggested_level or level).get_recommendation_display(),
                },
            )
        if not deviates:
            cleaned["deviation_reason"] = ""
        return cleaned


class AssessmentFilterForm(forms.Form):
    ORDERINGS = {
        "-updated_at": _("Recently updated"),
        "updated_at": _("Least recently updated"),
        "-report_date": _("Report date, newest first"),
        "project_name": _("Project name"),
    }
    # Each order ends with the id (the keyset cursor's tie-breaker); each is served by an
    # index led by the owner unit (migration 0009).
    ORDERS = {
        "-updated_at": Order((("updated_at", True, "datetime"), ("id", True, "int"))),
        "updated_at": Order((("updated_at", False, "datetime"), ("id", False, "int"))),
        "-report_date": Order(
            (("report_sort", True, "date"), ("id", True, "int")),
            annotations={"report_sort": REPORT_DATE_SORT},
        ),
        "project_name": Order((("project_name", False, "str"), ("id", False, "int"))),
    }

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Project, entity, report number or contact; terms apart")}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    mode = forms.ChoiceField(label=_("Evaluation mode"), required=False)
    # Plain choices read with one query each: a ModelChoiceField reads its options through
    # a server-side cursor (three round trips) every time the form is drawn.
    risk_level = forms.TypedChoiceField(
        label=_("Risk level"), required=False, coerce=int, empty_value=None
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    ordering = forms.ChoiceField(label=_("Order by"), required=False)
    # Set by filter(): the search matched more rows than are worth counting.
    many_matches = False

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-control" if name == "q" else "form-select"
            field.widget.attrs["class"] = css
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + Status.choices
        self.fields["mode"].choices = everything + Mode.choices
        self.visible_unit_ids = permissions.visible_unit_ids(user)
        self.fields["unit"].choices = everything + list(
            Unit.objects.filter(pk__in=sorted(self.visible_unit_ids)).values_list("pk", "name")
        )
        self.fields["risk_level"].choices = everything + list(
            RiskLevel.objects.values_list("pk", "name")
        )
        self.fields["ordering"].choices = list(self.ORDERINGS.items())

    @property
    def order(self) -> Order:
        key = self.cleaned_data.get("ordering") if self.is_valid() else None
        return self.ORDERS[key or "-updated_at"]

    @property
    def unit_ids(self) -> list[int]:
        """The units the filtered rows can belong to (one query per unit for a page)."""
        if self.is_valid() and self.cleaned_data["unit"]:
            return [self.cleaned_data["unit"]]
        return sorted(self.visible_unit_ids)

    def filter(self, queryset):
        """The rows the filters select, unordered (pages and exports order them)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            matches = search.matching(queryset, data["q"])
            queryset, self.many_matches = matches.queryset, matches.many
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["mode"]:
            queryset = queryset.filter(mode=data["mode"])
        if data["risk_level"]:
            queryset = queryset.filter(risk_level_id=data["risk_level"])
        if data["unit"]:
            queryset = queryset.filter(owner_unit_id=data["unit"])
        return queryset


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comments for the author"),
        max_length=TEXT_LIMITS["review_comment"],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Say what must change. The author sees this on the assessment and in the form."
        ),
        error_messages={"required": _("A comment is required to return an assessment.")},
    )


class SubmitForm(forms.Form):
    """Submission; after a return the author may answer the reviewer's comments."""

    reply = forms.CharField(
        label=_("Reply to the reviewer's comments"),
        required=False,
        max_length=TEXT_LIMITS["review_comment"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What you changed, or why you did not. The reviewer sees it beside the changes."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)
