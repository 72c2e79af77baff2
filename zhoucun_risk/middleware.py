from django.conf import settings
from django.utils import translation


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
