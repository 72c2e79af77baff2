"""Forms of the guided form's steps (填报向导): the project, contacts, the texts, the four
dimensions, the risk points and the conclusion.

Forms only parse and show errors beside the field; saving goes through
`assessments.services.editing`, and what is required before submission is decided by
`assessments.content`.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import content
from ..content import FACT_FIELDS, FACT_FIGURES, kinds_of
from ..models import (
    TEXT_LIMITS,
    Assessment,
    Dimension,
    Recommendation,
    Resolution,
    RiskCategory,
    RiskLevel,
    Verdict,
)
from .base import (
    BaseRowFormSet,
    DraftStepForm,
    RowForm,
    require_printable,
    valid_data,
    validate_phone,
)
from .marks import SUFFIX, add_marks, merged, split_marks

# What each figure the mode rules read means, and what it does (issue 16: explained).
THRESHOLD_NOTE = _(
    "The locality's mode rules compare it with their threshold: at or above it, a standard "
    "assessment (一般评估) is suggested. Printed in 基本情况 where given."
)


class ProjectInfoForm(DraftStepForm):
    """The cover, the kind of matter and the matter's own facts. Every fact is optional and
    printed only where given; a figure the source does not state is marked 未载明. The page
    shows the facts of the chosen kind (each field names its kinds for static/js/matter.js);
    facts of other kinds are kept, not printed."""

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
            "matter_kind",
            *FACT_FIELDS,
            "mode_reason",
        ]
        widgets = {
            "mode_reason": forms.Textarea(attrs={"rows": 2}),
            "scale_content": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "title": _("As it will head the report, e.g. 某某路改造工程社会稳定风险评估报告."),
            "project_name": _("The decision or project being assessed, e.g. 某某路改造工程."),
            "responsible_entity": _(
                "The body that proposes the decision and answers for its risks (责任主体)."
            ),
            "mode": _(
                "Simple mode (简易评估) for decisions with limited impact; standard mode "
                "(一般评估) when the rules require consultation, hearings or expert review."
            ),
            "evaluating_unit": _("The unit that carries out this assessment (评估单位)."),
            "matter_kind": _(
                "What is decided: a construction project, a policy or normative document, an "
                "expropriation, a reform … The form then asks for the facts of that kind."
            ),
            "document_title": _("The policy's or document's full title (文件名称)."),
            "drafting_unit": _("The body that drafts the policy or leads the reform (起草单位)."),
            "project_unit": _(
                "The project's own unit (建设单位/项目单位), if it is not the responsible entity."
            ),
            "location": _("Where the project is built or the matter takes place."),
            "scope": _("Whom and what the policy or reform applies to (适用范围)."),
            "scale_content": _(
                "The project's scale and content (建设规模和内容), as the source states it."
            ),
            "schedule": _("The construction or implementation period, e.g. 2026年3月至12月."),
            "funding_sources": _("Where the money comes from, e.g. 区级财政资金、专项债券."),
            "area_sqm": _("The area built on, expropriated or otherwise affected, in m²."),
            "households_affected": _("How many households the matter affects."),
            "households_relocated": _("Households that must move (征地拆迁). %(note)s"),
            "people_resettled": _("People to be resettled (移民安置). %(note)s"),
            "farmland_mu": _("Farmland the project occupies, in mu (亩). %(note)s"),
            "environmental_category": _(
                "The project's environmental impact document: registration form, report "
                "form or report (the heaviest). %(note)s"
            ),
            "investment_wan": _("Total investment in 万元 (10,000 yuan). %(note)s"),
            "people_affected": _("People directly affected by the decision. %(note)s"),
            "mode_reason": _(
                "Required when simple mode is chosen although the figures suggest standard."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every fact is optional: a published report often states only some of them.
        for name in (*FACT_FIELDS, "mode_reason"):
            field = self.fields[name]
            field.required = False
            field.help_text = str(field.help_text).replace("%(note)s", str(THRESHOLD_NOTE))
            field.widget.attrs["data-matter-kinds"] = " ".join(kinds_of(name))
        # An older page (or client) that does not send the kind keeps the one saved.
        self.fields["matter_kind"].required = False
        add_marks(self, FACT_FIGURES, self.instance.not_stated)
        for name in FACT_FIGURES:
            self.fields[name + SUFFIX].widget.attrs["data-matter-kinds"] = " ".join(kinds_of(name))

    def clean_matter_kind(self) -> str:
        return self.cleaned_data["matter_kind"] or self.instance.matter_kind

    def clean(self):
        cleaned = super().clean()
        cleaned["not_stated"] = merged(
            self.instance.not_stated, FACT_FIGURES, split_marks(self, cleaned)
        )
        thresholds = {name: cleaned.get(name) for name in content.THRESHOLD_FIELDS}
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
    name = forms.CharField(
        label=_("Name"), max_length=30, help_text=_("As printed under the side's name.")
    )
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
                help_text=_("The verdict the finding above reaches."),
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
        fields = ["risk_narrative", "measures_count"]
        widgets = {"risk_narrative": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "risk_narrative": _(
                "Section 三: the risks found and how each is prevented or defused, in prose. "
                "The structured risk points below are printed as a table after it."
            ),
            "measures_count": _(
                "Standard mode: how many prevention and mitigation measures the source "
                "states, counted on their own (a risk point may have several). Empty: "
                "counted from the risk points that have measures."
            ),
        }

    def __init__(self, *args, standard: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures_count"].required = False
        if not standard:
            # Kept, not shown: the simple report does not count measures.
            self.fields["measures_count"].widget = forms.HiddenInput()


SCORE_CHOICES = [("", "—")] + [(n, str(n)) for n in range(1, 6)]


class RiskPointForm(RowForm):
    description = forms.CharField(
        label=_("Risk point"),
        max_length=TEXT_LIMITS["risk_description"],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What could go wrong, and for whom."),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "---------"), *RiskCategory.choices],
        help_text=_("The kind of risk, for the table."),
    )
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood"),
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 rare … 5 almost certain. Leave empty if the source gives none."),
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"),
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 slight … 5 severe. Leave empty if the source gives none."),
    )
    level_after = forms.ChoiceField(
        label=_("Level after measures"),
        help_text=_("The level that remains once the measures are taken."),
    )
    mitigation = forms.CharField(
        label=_("Mitigation measures"),
        max_length=TEXT_LIMITS["mitigation"],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the risk is prevented or defused."),
    )
    responsible_party = forms.CharField(
        label=_("Responsible party"),
        max_length=100,
        required=False,
        help_text=_("Who carries the measures out; leave empty if the source does not say."),
    )
    resolution_state = forms.ChoiceField(
        label=_("Resolution"),
        choices=[("", "—"), *Resolution.choices],
        required=False,
        help_text=_("Standard mode: is the risk already defused?"),
    )
    resolution = forms.CharField(
        label=_("What resolved it"),
        max_length=TEXT_LIMITS["risk_resolution"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Standard mode: what was done that defused it."),
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

    def clean(self):
        cleaned = super().clean()
        # The matrix needs both scores; one alone would print as if it were assessed.
        if (cleaned.get("likelihood") is None) != (cleaned.get("impact") is None):
            missing = "impact" if cleaned.get("impact") is None else "likelihood"
            if missing not in self.errors:
                self.add_error(missing, _("Give both likelihood and impact, or neither."))
        return cleaned


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
            "risk_level": _("Suggested from the risk points' levels after measures."),
            "recommendation": _("Suggested by the chosen level in the locality's scheme."),
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
        # A reason typed although the choice agrees is the author's to keep or delete.
        return cleaned
