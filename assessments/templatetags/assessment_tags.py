from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


# The list's rows, drawn in Python: through the template engine its twelve values a row cost
# about 1 ms a page, most of the list's rendering (issue 17). The markup is the one the
# template had; every value is escaped here.
_LIST_ROW = (
    "\n    <tr>\n"
    '      <td class="card-title"><a href="{url}">{project_name}</a>'
    '<div class="small text-secondary">{title}</div></td>\n'
    '      <td data-label="{l_entity}">{responsible_entity}</td>\n'
    '      <td data-label="{l_contact}">{contact}</td>\n'
    '      <td data-label="{l_mode}">{mode}</td>\n'
    '      <td data-label="{l_level}">{risk_level}</td>\n'
    '      <td><span class="badge status-{status}">{status_label}</span></td>\n'
    '      <td data-label="{l_unit}">{unit}</td>\n'
    '      <td data-label="{l_updated}" class="text-nowrap">{updated_at}</td>\n'
    "    </tr>\n"
)


@register.simple_tag
def list_rows(rows) -> str:
    """The rows of the assessment list (`lists.queries.ListRow`), as the table's markup."""
    labels = {
        "l_entity": escape(_("Responsible entity")),
        "l_contact": escape(_("Contact")),
        "l_mode": escape(_("Evaluation mode")),
        "l_level": escape(_("Risk level")),
        "l_unit": escape(_("Unit")),
        "l_updated": escape(_("Updated at")),
    }
    drawn = []
    for row in rows:
        if row.contact_name is None:
            contact = "—"
        else:
            contact = (
                f'{escape(row.contact_name)} <span class="text-secondary">'
                f"{escape(row.contact_phone)}</span>"
            )
        drawn.append(
            _LIST_ROW.format(
                **labels,
                url=escape(row.url),
                project_name=escape(row.project_name),
                title=escape(row.title),
                responsible_entity=escape(row.responsible_entity),
                contact=contact,
                mode=escape(row.mode),
                risk_level=escape(row.risk_level or "—"),
                status=escape(row.status),
                status_label=escape(row.status_label),
                unit=escape(row.unit),
                updated_at=escape(row.updated_at),
            )
        )
    return mark_safe("".join(drawn))  # noqa: S308 - every value escaped above
