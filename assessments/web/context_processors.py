from .. import permissions
from .backends import UNREAD_CAP


def navigation(request) -> dict:
    """Flags for the navigation bar, so the base template does not test roles itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_see_dashboard": permissions.can_see_dashboard(user),
        "nav_can_review": permissions.can_see_review_queue(user),
        "nav_can_see_filings": permissions.can_see_filing_inbox(user),
        "nav_can_manage_units": bool(permissions.administered_unit_ids(user)),
        "nav_can_admin": permissions.can_use_admin(user),
        # The unread count rides on the user's own query (web.backends): "99+" beyond.
        "unread_cap": UNREAD_CAP,
        "unread_shown": UNREAD_CAP - 1,
    }
