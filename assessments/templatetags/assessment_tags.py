import re

from django import template

from assessments.common.names import display_name

register = template.Library()


@register.filter
def mask_phone(value: str) -> str:
    """138****0001: personal data shown in lists keeps only the first three and last four."""
    value = value or ""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


@register.filter
def first_contact(assessment):
    """The first responsible-side contact, from prefetched contacts (no query)."""
    contacts = sorted(
        (c for c in assessment.contacts.all() if c.side == "responsible"), key=lambda c: c.order
    )
    return contacts[0] if contacts else None


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (the lockout page's cool-off time)."""
    return int(delta.total_seconds() // 60) if delta else 0


@register.filter
def person(user) -> str:
    return display_name(user)
