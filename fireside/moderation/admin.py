from django.contrib import admin

from fireside.moderation.models import Case, Report


class ReportInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Report
    extra = 0
    fields = ["reporter", "rule_number", "reason", "created_at"]
    readonly_fields = ["reporter", "rule_number", "reason", "created_at"]
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "id",
        "community",
        "target_type",
        "target_label",
        "state",
        "opened_at",
    ]
    list_filter = ["state", "target_type"]
    search_fields = ["target_label", "community__slug", "subject__handle"]
    raw_id_fields = ["community", "post", "message", "subject", "claimed_by"]
    inlines = [ReportInline]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "case", "reporter", "rule_number", "created_at"]
    raw_id_fields = ["case", "reporter"]
    search_fields = ["reason", "reporter__handle"]
