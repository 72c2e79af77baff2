"""Report outlines in Django's admin: the operator writes a locality's outline (issue 16);
which outline a unit follows is chosen by its administrators in the product (/units/)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from ..models import Outline, OutlineHeading, UnitOutline, outline_problems
from .registrations import AuditedAdmin, LookOnly


class HeadingFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        rows = sorted(
            (
                form.cleaned_data
                for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ),
            key=lambda row: row["position"],
        )
        problems = outline_problems(self.instance.mode, self.instance.numbering or [], rows)
        if problems:
            raise ValidationError(problems)


class HeadingInline(admin.TabularInline):
    model = OutlineHeading
    formset = HeadingFormSet
    extra = 0
    fields = ["position", "level", "title", "numbered", "binding", "key"]


@admin.register(Outline)
class OutlineAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "mode", "default_for_mode"]
    list_filter = ["mode"]
    inlines = [HeadingInline]
    # Every report of a unit that chose nothing follows its mode's default: it is never
    # unset or deleted here (a unit tree's root chooses another outline instead).
    readonly_fields = ["default_for_mode"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.default_for_mode:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(UnitOutline)
class UnitOutlineAdmin(LookOnly, admin.ModelAdmin):
    list_display = ["unit", "mode", "outline"]
    list_select_related = ["unit", "outline"]
