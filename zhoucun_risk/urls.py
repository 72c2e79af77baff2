from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from assessments.ops.health import healthz
from assessments.views import accounts
from assessments.views.verify import verify

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.password_change, name="password_change"),
    path("accounts/password/done/", accounts.password_change_done, name="password_change_done"),
    # The language can be chosen on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # Public: anyone holding a report can check it (DESIGN §6).
    path("verify/", verify, name="verify_upload"),
    path("verify/<str:token>/", verify, name="verify"),
    # For the load balancer and monitoring: no login, nothing sensitive (see docs/operations.md).
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("units/", include("assessments.unit_urls")),
    path("", include("assessments.urls")),
]

# Every 403 is audited once: the app's own denials write their row, this handler the rest.
handler403 = "assessments.web.errors.permission_denied"
