from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from assessments.health import healthz
from assessments.report_views import verify

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language can be chosen on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # Public: anyone holding a report can check it (DESIGN §6).
    path("verify/", verify, name="verify_upload"),
    path("verify/<str:token>/", verify, name="verify"),
    # For the load balancer and monitoring: no login, nothing sensitive (see README).
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("assessments.urls")),
]
