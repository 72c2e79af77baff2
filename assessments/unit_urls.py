from django.urls import path

from .views import outlines, unit_rules, units

app_name = "units"

urlpatterns = [
    path("", units.unit_list, name="list"),
    path("<int:unit_id>/", units.unit_detail, name="detail"),
    path("<int:unit_id>/settings/", units.unit_settings, name="settings"),
    path("<int:unit_id>/rules/", unit_rules.unit_rules, name="rules"),
    path(
        "<int:unit_id>/rules/<slug:mode>/<str:key>/",
        unit_rules.unit_rule_edit,
        name="rule_edit",
    ),
    path(
        "<int:unit_id>/rules/<slug:mode>/<str:key>/reset/",
        unit_rules.unit_rule_reset,
        name="rule_reset",
    ),
    path("<int:unit_id>/outlines/", outlines.unit_outlines, name="outlines"),
    path("<int:unit_id>/users/new/", units.user_new, name="user_new"),
    path("<int:unit_id>/roles/grant/", units.role_grant, name="grant"),
    path(
        "<int:unit_id>/roles/<int:membership_id>/withdraw/",
        units.role_withdraw,
        name="withdraw",
    ),
    path(
        "<int:unit_id>/users/<int:user_id>/deactivate/",
        units.user_deactivate,
        name="deactivate",
    ),
    path(
        "<int:unit_id>/users/<int:user_id>/reactivate/",
        units.user_reactivate,
        name="reactivate",
    ),
    path(
        "<int:unit_id>/users/<int:user_id>/reset-password/",
        units.password_reset,
        name="reset_password",
    ),
    path("<int:unit_id>/users/<int:user_id>/unlock/", units.user_unlock, name="unlock"),
]
