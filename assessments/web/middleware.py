import logging
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect

from ..models import Profile

logger = logging.getLogger("django.request")


# When the signed-in session last pushed its idle deadline ahead (seconds since the epoch).
TOUCHED_SESSION_KEY = "_zhoucun_touched"


class IdleDeadlineMiddleware:
    """The idle timeout slides with use, but a page read does not write the session each time.

    A signed-in session is marked changed — so SessionMiddleware saves it with a new expiry,
    SESSION_COOKIE_AGE from now — when it was last pushed ahead at least
    ZHOUCUN_SESSION_REFRESH_SECONDS ago. Saving on every request (SESSION_SAVE_EVERY_REQUEST)
    cost a transaction with an UPDATE on every page a user reads.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.get(SESSION_KEY) is not None:
            now = int(time.time())
            touched = session.get(TOUCHED_SESSION_KEY)
            if not isinstance(touched, int) or now - touched >= (
                settings.ZHOUCUN_SESSION_REFRESH_SECONDS
            ):
                session[TOUCHED_SESSION_KEY] = now
        return self.get_response(request)


class DefaultChineseLocaleMiddleware:
    """Chinese unless the user chose another language (the set_language cookie).

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: a bureau's
    system speaks Chinese by default, whatever the workstation's browser was installed as.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# The session remembers, per user, whether they must change their password: read once at
# login (one small query), not on every request. A reset by an administrator changes the
# password hash, which ends the session, so the next login reads the flag afresh.
MUST_CHANGE_SESSION_KEY = "_zhoucun_must_change_password"


def must_change_password(request) -> bool:
    """Whether the logged-in user must choose a new password before anything else."""
    user = request.user
    cached = request.session.get(MUST_CHANGE_SESSION_KEY)
    if isinstance(cached, list) and len(cached) == 2 and cached[0] == user.pk:
        return bool(cached[1])
    flag = Profile.objects.filter(user_id=user.pk, must_change_password=True).exists()
    request.session[MUST_CHANGE_SESSION_KEY] = [user.pk, flag]
    return flag


def remember_password_check(sender, request, user, **kwargs) -> None:
    """At login (the user_logged_in signal): read the flag into the new session, so no page
    pays for it later. Without it the first request reads it (see must_change_password)."""
    if request is None or not hasattr(request, "session"):
        return
    flag = Profile.objects.filter(user_id=user.pk, must_change_password=True).exists()
    request.session[MUST_CHANGE_SESSION_KEY] = [user.pk, flag]
    # The login saves the session with a fresh idle deadline: the next minute's pages need
    # not push it again (IdleDeadlineMiddleware).
    request.session[TOUCHED_SESSION_KEY] = int(time.time())


def forget_password_check(request) -> None:
    """After the password changed: the next request reads the flag again."""
    request.session.pop(MUST_CHANGE_SESSION_KEY, None)


class ForcePasswordChangeMiddleware:
    """A user with a temporary password (new account, reset by an administrator) is sent to
    the password change page from every page but that one, logging out, and the language
    switch. Static files never get here (WhiteNoise answers them first) but are let through
    for a setup without it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed: frozenset[str] | None = None

    def allowed_paths(self) -> frozenset[str]:
        if self._allowed is None:
            self._allowed = frozenset(
                reverse(name) for name in ("password_change", "logout", "set_language")
            )
        return self._allowed

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path not in self.allowed_paths()
            and not request.path.startswith(settings.STATIC_URL)
            and must_change_password(request)
        ):
            if request.headers.get("HX-Request") == "true":
                # The browser's XMLHttpRequest would follow a redirect silently and htmx
                # would swap the form into the page; tell htmx to load the page instead.
                return HttpResponseClientRedirect(reverse("password_change"))
            return redirect("password_change")
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """Nothing shown to a signed-in user is kept by the browser or a proxy: pages, downloads
    and exports all carry `Cache-Control: no-store`.

    Without it the Back button showed a wizard step from the browser's cache — an old copy
    with an old edit version, whose next save looked like someone else's conflict.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class ProductErrorPagesMiddleware:
    """Development only: the product's own 404 and 500 pages instead of Django's debug pages,
    so what a developer sees is what a user will see. The traceback of a 500 still goes to
    the console log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code == 404 and is_html and not getattr(response, "product_page", 0):
            return _product_page(request, "404.html", 404)
        return response

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        if isinstance(exception, Http404 | PermissionDenied):
            return None  # answered by the 404 above and by handler403
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"request": request},
        )
        return _product_page(request, "500.html", 500)


def _product_page(request, template: str, status: int):
    response = render(request, template, status=status)
    response.product_page = True
    return response
