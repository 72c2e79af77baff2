"""The product's own error pages, also in development, and no private page in any cache."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from assessments.web.middleware import ProductErrorPagesMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def development(settings):
    """What dev settings do: DEBUG on, plus the product's error pages."""
    settings.DEBUG = True
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "assessments.web.middleware.ProductErrorPagesMiddleware",
    ]


def test_dev_settings_install_the_product_error_pages():
    from pathlib import Path

    import zhoucun_risk.settings as package

    dev = (Path(package.__file__).parent / "dev.py").read_text()
    assert "assessments.web.middleware.ProductErrorPagesMiddleware" in dev


def test_an_unknown_address_in_development_is_the_products_404(client, assessor, development):
    client.force_login(assessor)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert "Django" not in response.text and "URLconf" not in response.text


def test_an_unknown_verification_token_in_development_is_the_products_404(client, development):
    response = client.get(reverse("verify", args=["unknown-token"]))

    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert "Django" not in response.text


def test_an_unexpected_error_in_development_is_the_products_500_and_is_logged(assessor, caplog):
    request = RequestFactory().get("/")
    request.user = assessor
    middleware = ProductErrorPagesMiddleware(lambda r: None)

    response = middleware.process_exception(request, RuntimeError("boom"))

    assert response.status_code == 500
    assert "系统出现了错误" in response.content.decode()
    assert "boom" not in response.content.decode()
    assert "boom" in caplog.text


def test_the_500_page_renders_without_a_request(settings):
    from django.template.loader import render_to_string

    assert "系统出现了错误" in render_to_string("500.html")


def test_private_pages_are_never_cached(client, assessor, draft):
    client.force_login(assessor)

    for url in (
        reverse("assessments:home"),
        reverse("assessments:step", kwargs={"pk": draft.pk, "step": "project"}),
        reverse("assessments:detail", args=[draft.pk]),
    ):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
