from . import permissions
from .models import Role


def navigation(request) -> dict:
    """Flags for the navigation bar, so the base template does not test roles itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_review": permissions.has_role(user, Role.REVIEWER),
        "nav_can_admin": user.is_staff,
    }
