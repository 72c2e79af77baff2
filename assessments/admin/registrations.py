from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.tasks import TaskResultStatus
from django.utils.translation import gettext_lazy as _

from ..issuing.tasks import issue_report_task
from ..models import (
    ActivityKind,
    Assessment,
    AuditAction,
    AuditEvent,
    Contact,
    DailyRun,
    DecisionOption,
    Finding,
    IssueFailure,
    LocalityRule,
    Membership,
    ModeThreshold,
    ReportCounter,
    RetentionRule,
    ReviewEvent,
    RiskLevel,
    RiskMatrixCell,
    RiskPoint,
    Seal,
    SignedReport,
    Status,
    Unit,
    Version,
)
from ..reports import storage
from ..services import accounts
from ..services.audit import audit_record

admin.site.site_header = _("WenPing · system administration")
admin.site.site_title = _("WenPing admin")
admin.site.index_title = _("Administration")


def _field_value(obj, name: str) -> str:
    value = getattr(obj, name, "")
    return "" if value is None else str(value)[:200]


class AuditedAdmin:
    """Every change the operator makes here reaches the audit log (who, what, before → after)
    in the same transaction: `django_admin_log` can be deleted, the audit log cannot."""

    def save_model(self, request, obj, form, change):
        changed = list(form.changed_data) if change else []
        before = {}
        if change and obj.pk is not None:
            old = type(obj)._base_manager.filter(pk=obj.pk).first()
            before = {name: _field_value(old, name) for name in changed if hasattr(old, name)}
        super().save_model(request, obj, form, change)
        after = {name: _field_value(obj, name) for name in before}
        audit_admin_change(
            request,
            obj,
            "change" if change else "add",
            before=before,
            after=after if change else {"fields": ", ".join(form.changed_data)},
        )

    def delete_model(self, request, obj):
        audit_admin_change(request, obj, "delete")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_admin_change(request, obj, "delete")
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_admin_change(request, obj, "add")
        for obj, fields in formset.changed_objects:
            audit_admin_change(request, obj, "change", after={"fields": ", ".join(fields)})
        for obj in formset.deleted_objects:
            audit_admin_change(request, obj, "delete")


def audit_admin_change(request, obj, verb: str, *, before=None, after=None) -> None:
    audit_record(
        action=AuditAction.ADMIN_CHANGE,
        user=request.user,
        request=request,
        obj=obj,
        old_state=verb,
        detail=f"{verb} {obj._meta.label_lower}: before {before or {}} → after {after or {}}",
    )


class LookOnly:
    """The admin may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(LookOnly, admin.ModelAdmin):
    """History is append-only."""


class MembershipInline(LookOnly, admin.TabularInline):
    """Roles are granted and withdrawn in unit administration (/units/), whose services keep
    the rules (a unit never without an administrator, who may grant what); here they are
    only shown."""

    model = Membership
    extra = 0


@admin.register(Unit)
class UnitAdmin(AuditedAdmin, admin.ModelAdmin):
    """Units and their tree. Members are better managed by the unit's own administrators in
    the product (/units/); the operator can set up a new unit's first administrator here."""

    list_display = ["name", "code", "parent", "report_prefix"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]

    # The prefix is set in unit administration, whose service keeps a prefix once issued
    # under from ever being used by another unit.
    readonly_fields = ["report_prefix"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Look only: roles change in unit administration (/units/), through its services."""

    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role", "unit"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]


admin.site.unregister(Group)  # roles are memberships per unit, not global groups
admin.site.unregister(User)


class UsernameRules:
    """The operator names accounts by the rules every account's name obeys: normalised, one
    script, nothing that looks like another account's username."""

    def clean_username(self):
        try:
            return accounts.username_check(self.cleaned_data["username"], exclude=self.instance)
        except ValidationError as error:
            raise ValidationError(error.message_dict["username"]) from error


class OperatorUserCreationForm(UsernameRules, AdminUserCreationForm):
    pass


class OperatorUserChangeForm(UsernameRules, UserChangeForm):
    pass


@admin.register(User)
class OperatorUserAdmin(AuditedAdmin, UserAdmin):
    """Accounts, for the operator. Roles are memberships (see Units); Django's groups and
    per-user permissions play no part in what anyone may do, so they are not offered."""

    form = OperatorUserChangeForm
    add_form = OperatorUserCreationForm

    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Status"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    list_filter = ["is_active", "is_superuser"]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The look-alike key follows the name; the home unit is the first unit to give the
        # account a role (services.memberships), not the operator's choice here.
        accounts.profile_claim(obj)


@admin.register(RiskLevel)
class RiskLevelAdmin(AuditedAdmin, admin.ModelAdmin):
    """A locality may reword a level; its code is what stored versions refer to, and the
    scheme keeps its three levels."""

    list_display = ["name", "code", "rank", "recommendation", "recommendation_note"]
    ordering = ["rank"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskMatrixCell)
class RiskMatrixCellAdmin(AuditedAdmin, admin.ModelAdmin):
    """Every likelihood × impact pair keeps its cell; only the level it means can change."""

    list_display = ["likelihood", "impact", "level"]
    list_filter = ["level", "likelihood", "impact"]
    list_editable = ["level"]
    readonly_fields = ["likelihood", "impact"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityKind)
class ActivityKindAdmin(AuditedAdmin, admin.ModelAdmin):
    """A locality may add kinds of consultation activity; versions keep the names they had."""

    list_display = ["name", "code", "order"]
    list_editable = ["order"]


@admin.register(DecisionOption)
class DecisionOptionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "recommendation", "order"]


@admin.register(ModeThreshold)
class ModeThresholdAdmin(AuditedAdmin, admin.ModelAdmin):
    """The figures from which a project should be assessed in standard mode."""

    list_display = ["measure", "minimum", "source"]


@admin.register(LocalityRule)
class LocalityRuleAdmin(AuditedAdmin, admin.ModelAdmin):
    """What the completeness check requires, per mode: the national defaults (no unit) are
    the operator's; unit administrators set their unit's own in the product."""

    list_display = ["key", "mode", "unit", "required", "number", "source"]
    list_filter = ["mode", "unit"]
    search_fields = ["key", "source"]


@admin.register(RetentionRule)
class RetentionRuleAdmin(AuditedAdmin, admin.ModelAdmin):
    """How long the archive keeps an assessment's file, per mode and risk level (the archive
    package's 保管期限): none by default; the operator's national rows have no unit, a
    unit's rows hold for the units below it."""

    list_display = ["mode", "risk_level", "retention", "unit", "source"]
    list_filter = ["mode", "retention", "unit"]
    search_fields = ["source"]


class ReadOnlyInline(LookOnly):
    extra = 0


class ContactInline(ReadOnlyInline, admin.TabularInline):
    model = Contact


class FindingInline(ReadOnlyInline, admin.StackedInline):
    model = Finding


class RiskPointInline(ReadOnlyInline, admin.StackedInline):
    model = RiskPoint


@admin.register(Assessment)
class AssessmentAdmin(AuditedAdmin, admin.ModelAdmin):
    """Look only: content is edited in the guided form, which keeps the edit lock and the
    workflow's rules; the admin would bypass both."""

    list_display = [
        "title",
        "project_name",
        "responsible_entity",
        "mode",
        "status",
        "owner_unit",
        "author",
        "updated_at",
    ]
    list_filter = ["status", "mode", "risk_level", "owner_unit"]
    search_fields = ["title", "project_name", "responsible_entity", "evaluating_unit"]
    readonly_fields = ["status", "lock_version", "created_at", "updated_at"]
    date_hierarchy = "report_date"
    list_select_related = ["owner_unit", "author"]
    inlines = [ContactInline, FindingInline, RiskPointInline]
    actions = ["retry_issue"]

    @admin.action(description=_("Issue the signed report again (after a failure)"))
    def retry_issue(self, request, queryset):
        for assessment in queryset.filter(status=Status.APPROVED):
            result = issue_report_task.enqueue(assessment.pk)
            level = messages.ERROR if result.status == TaskResultStatus.FAILED else messages.INFO
            self.message_user(request, f"{assessment}: {result.status.label}", level)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Assessments with history are evidence; only a never-submitted draft may go.
        return super().has_delete_permission(request, obj) and (
            obj is None or not obj.versions.exists()
        )


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "number", "created_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["assessment__title", "assessment__project_name"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status", "created_at"]
    search_fields = ["assessment__title", "comment", "actor__username"]
    list_select_related = ["assessment", "actor"]


@admin.register(SignedReport)
class SignedReportAdmin(ReadOnlyAdmin):
    """Rows only: the PDF is in the reports storage and is never opened here (the clerk's
    download re-hashes it; `manage.py reports_check` checks them all)."""

    list_display = ["report_number", "assessment", "signer", "signed_at", "sha256"]
    search_fields = ["report_number", "assessment__project_name", "sha256"]
    readonly_fields = ["stored_file"]
    list_select_related = ["assessment"]

    @admin.display(description=_("Stored file"))
    def stored_file(self, obj):
        return storage.report_name(obj.sha256)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log spans all units; like the whole admin, the operator's alone."""

    list_display = [
        "created_at",
        "username",
        "ip_address",
        "action",
        "object_repr",
        "old_state_label",
        "new_state_label",
        "success",
    ]
    list_filter = ["action", "success", "created_at"]
    search_fields = ["username", "object_repr", "detail", "ip_address"]
    date_hierarchy = "created_at"

    @admin.display(description=_("Old state"), ordering="old_state")
    def old_state_label(self, obj):
        return _status_label(obj.old_state)

    @admin.display(description=_("New state"), ordering="new_state")
    def new_state_label(self, obj):
        return _status_label(obj.new_state)


def _status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


@admin.register(IssueFailure)
class IssueFailureAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "created_at", "short_error"]
    list_filter = ["created_at"]
    list_select_related = ["assessment"]

    @admin.display(description=_("Error"))
    def short_error(self, obj):
        return obj.error.strip().splitlines()[-1][:120] if obj.error else ""


@admin.register(ReportCounter)
class ReportCounterAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "last_number"]


@admin.register(DailyRun)
class DailyRunAdmin(ReadOnlyAdmin):
    """When the daily jobs ran, where, and what they did (`manage.py daily_reminders`)."""

    list_display = ["job", "day", "host", "started_at", "created"]


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    """Look only: a seal is uploaded in unit administration (/units/…/settings/), where the
    image is checked and the change audited by the same service for everyone."""

    list_display = ["unit", "content_type", "uploaded_at"]
    exclude = ["image"]
