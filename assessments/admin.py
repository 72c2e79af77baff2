from io import BytesIO

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.tasks import TaskResultStatus
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from . import issuing, storage
from .models import (
    Assessment,
    AuditEvent,
    Contact,
    Finding,
    IssueFailure,
    ReportCounter,
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

admin.site.site_header = _("WenPing · system administration")
admin.site.site_title = _("WenPing admin")
admin.site.index_title = _("Administration")


class OwnUnitsOnly:
    """Rows that belong to an assessment are shown only to members of its unit (superusers
    see all): the admin must not leak another unit's content, phones included."""

    unit_path = "assessment__owner_unit__members"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.unit_path: request.user}).distinct()


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


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]


@admin.register(RiskLevel)
class RiskLevelAdmin(admin.ModelAdmin):
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
class RiskMatrixCellAdmin(admin.ModelAdmin):
    """Every likelihood × impact pair keeps its cell; only the level it means can change."""

    list_display = ["likelihood", "impact", "level"]
    list_filter = ["level", "likelihood", "impact"]
    list_editable = ["level"]
    readonly_fields = ["likelihood", "impact"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(LookOnly):
    extra = 0


class ContactInline(ReadOnlyInline, admin.TabularInline):
    model = Contact


class FindingInline(ReadOnlyInline, admin.StackedInline):
    model = Finding


class RiskPointInline(ReadOnlyInline, admin.StackedInline):
    model = RiskPoint


@admin.register(Assessment)
class AssessmentAdmin(OwnUnitsOnly, admin.ModelAdmin):
    """Look only: content is edited in the guided form, which keeps the edit lock and the
    workflow's rules; the admin would bypass both."""

    unit_path = "owner_unit__members"

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
            result = issuing.issue_report_task.enqueue(assessment.pk)
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
class VersionAdmin(OwnUnitsOnly, ReadOnlyAdmin):
    list_display = ["assessment", "number", "created_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["assessment__title", "assessment__project_name"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(OwnUnitsOnly, ReadOnlyAdmin):
    list_display = ["assessment", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status", "created_at"]
    search_fields = ["assessment__title", "comment", "actor__username"]
    list_select_related = ["assessment", "actor"]


@admin.register(SignedReport)
class SignedReportAdmin(OwnUnitsOnly, ReadOnlyAdmin):
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
    """The audit log spans all units: superusers (the system's security officers) only."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser

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
class IssueFailureAdmin(OwnUnitsOnly, ReadOnlyAdmin):
    list_display = ["assessment", "created_at", "short_error"]
    list_filter = ["created_at"]
    list_select_related = ["assessment"]

    @admin.display(description=_("Error"))
    def short_error(self, obj):
        return obj.error.strip().splitlines()[-1][:120] if obj.error else ""


@admin.register(ReportCounter)
class ReportCounterAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "last_number"]


SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MAX_PIXELS = 3000


class SealForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Seal image (PNG or JPEG, at most 2 MB)"),
        help_text=_("The bureau's own seal, scanned. The system never draws a seal itself."),
    )

    class Meta:
        model = Seal
        fields = ["unit"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > SEAL_MAX_BYTES:
            raise ValidationError(_("The image is larger than 2 MB."))
        data = upload.read()
        try:
            image = Image.open(BytesIO(data))
            image.verify()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise ValidationError(_("This is not a PNG or JPEG image.")) from exc
        if max(image.size) > SEAL_MAX_PIXELS:
            raise ValidationError(
                _("The image is larger than %(n)s pixels on a side.") % {"n": SEAL_MAX_PIXELS}
            )
        if image.format not in ("PNG", "JPEG"):
            raise ValidationError(_("This is not a PNG or JPEG image."))
        self.image_bytes = data
        self.image_type = f"image/{image.format.lower()}"
        return upload

    def save(self, commit=True):
        seal = super().save(commit=False)
        seal.image = self.image_bytes
        seal.content_type = self.image_type
        if commit:
            seal.save()
        return seal


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    form = SealForm
    list_display = ["unit", "content_type", "uploaded_at"]
