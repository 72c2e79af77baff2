"""The kinds of matter assessed (工程项目, 政策/规范性文件, 征收, 改革 …) and the facts each has.

A construction project has a project unit, a location, an investment and households affected;
a policy has a document title, a drafting unit and a scope instead. The guided form shows the
facts of the chosen kind, and 基本情况 prints those of them that were given.
"""

from __future__ import annotations

from ..models import Assessment, MatterKind

# Every fact of a matter, in the order 基本情况 prints them (the mode figures included: they
# are facts of the project too, and the report states them where given).
FACT_FIELDS = [
    "document_title",
    "drafting_unit",
    "project_unit",
    "location",
    "scope",
    "scale_content",
    "schedule",
    "investment_wan",
    "funding_sources",
    "area_sqm",
    "farmland_mu",
    "households_affected",
    "households_relocated",
    "people_resettled",
    "people_affected",
    "environmental_category",
]

# The facts of each kind, by field name.
MATTER_FIELDS: dict[str, tuple[str, ...]] = {
    MatterKind.PROJECT: (
        "project_unit",
        "location",
        "scale_content",
        "schedule",
        "investment_wan",
        "funding_sources",
        "area_sqm",
        "farmland_mu",
        "households_affected",
        "households_relocated",
        "people_resettled",
        "people_affected",
        "environmental_category",
    ),
    MatterKind.POLICY: (
        "document_title",
        "drafting_unit",
        "scope",
        "scale_content",
        "schedule",
        "people_affected",
    ),
    MatterKind.EXPROPRIATION: (
        "project_unit",
        "location",
        "scale_content",
        "schedule",
        "investment_wan",
        "funding_sources",
        "area_sqm",
        "farmland_mu",
        "households_affected",
        "households_relocated",
        "people_resettled",
        "people_affected",
    ),
    MatterKind.REFORM: (
        "drafting_unit",
        "scope",
        "scale_content",
        "schedule",
        "investment_wan",
        "funding_sources",
        "people_affected",
    ),
    MatterKind.OTHER: (
        "project_unit",
        "location",
        "scope",
        "scale_content",
        "schedule",
        "investment_wan",
        "people_affected",
    ),
}

# The facts a user may mark 未载明 (figures: what can be unknown rather than absent).
FACT_FIGURES = (
    "investment_wan",
    "area_sqm",
    "farmland_mu",
    "households_affected",
    "households_relocated",
    "people_resettled",
    "people_affected",
)


def fields_of(kind: str) -> tuple[str, ...]:
    """The facts of a kind of matter (an unknown kind: those of "other")."""
    return MATTER_FIELDS.get(kind, MATTER_FIELDS[MatterKind.OTHER])


def kinds_of(field: str) -> list[str]:
    """The kinds of matter that have `field`, for the form to show it only for them."""
    return [kind for kind, names in MATTER_FIELDS.items() if field in names]


def fact_label(field: str) -> str:
    return str(Assessment._meta.get_field(field).verbose_name)
