from django import template

from assessments.common.names import display_name, mask_phone

register = template.Library()
register.filter("mask_phone", mask_phone)


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (the lockout page's cool-off time)."""
    return int(delta.total_seconds() // 60) if delta else 0


@register.filter
def person(user) -> str:
    return display_name(user)
