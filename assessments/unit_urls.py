from django.urls import path

from . import unit_views

app_name = "units"

urlpatterns = [
    path("", unit_views.unit_list, name="list"),
    path("<int:unit_id>/", unit_views.unit_detail, name="detail"),
    path("<int:unit_id>/settings/", unit_views.unit_settings, name="settings"),
    path("<int:unit_id>/users/new/", unit_views.user_new, name="user_new"),
    path("<int:unit_id>/roles/grant/", unit_views.role_grant, name="grant"),
    path(
        "<int:unit_id>/roles/<int:membership_id>/withdraw/",
        unit_views.role_withdraw,
        name="withdraw",
    ),
    path(
        "<int:unit_id>/users/<int:user_id>/deactivate/",
        unit_views.user_deactivate,
        name="deactivate",
    ),
    path(
        "<int:unit_id>/users/<int:user_id>/reactivate/",
        unit_views.user_reactivate,
        name="reactivate",
    ),
    path(
        "<int:unit_id>/users/<int:user_id>/reset-password/",
        unit_views.password_reset,
        name="reset_password",
    ),
    path("<int:unit_id>/users/<int:user_id>/unlock/", unit_views.user_unlock, name="unlock"),
]
