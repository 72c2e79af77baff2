from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Assessment,
    AuditEvent,
    Contact,
    Finding,
    ReviewEvent,
    RiskLevel,
    RiskMatrixCell,
    RiskPoint,
    SignedReport,
    Unit,
    Version,
)

admin.site.site_header = _("WenPing · system administration")
admin.site.site_title = _("WenPing admin")
admin.site.index_title = _("Administration")


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is append-only: the admin may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]


@admin.register(RiskLevel)
class RiskLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank", "recommendation", "recommendation_note"]
    ordering = ["rank"]


@admin.register(RiskMatrixCell)
class RiskMatrixCellAdmin(admin.ModelAdmin):
    list_display = ["likelihood", "impact", "level"]
    list_filter = ["level", "likelihood", "impact"]
    list_editable = ["level"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    max_num = 4


class RiskPointInline(admin.StackedInline):
    model = RiskPoint
    extra = 0


class EditableWhileDraftMixin:
    """Content may be corrected in the admin only while the workflow allows editing."""

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.status not in ("draft", "returned")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen(obj)


@admin.register(Assessment)
class AssessmentAdmin(EditableWhileDraftMixin, admin.ModelAdmin):
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
    list_display = ["report_number", "assessment", "signer", "signed_at", "sha256"]
    search_fields = ["report_number", "assessment__project_name", "sha256"]
    exclude = ["pdf"]
    list_select_related = ["assessment"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "username",
        "ip_address",
        "action",
        "object_repr",
        "old_state",
        "new_state",
        "success",
    ]
    list_filter = ["action", "success", "created_at"]
    search_fields = ["username", "object_repr", "detail", "ip_address"]
    date_hierarchy = "created_at"
