"""Django's admin, for the operator alone (entry point): `assessments.web.admin_site` keeps
everyone else out, `registrations` says what the operator may see and change. Whatever has
rules of its own (memberships, report prefixes, seals, content, history) is shown read-only
here and changed in the product, through its services."""

from . import (
    outlines,  # noqa: F401 - report outlines, written by the operator
    registrations,  # noqa: F401 - registers the models with the admin site
)
