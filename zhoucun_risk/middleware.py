import logging

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("django.request")


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
