from django.contrib import admin

from .models import Version


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    """Read-only: a version is what was approved, and nobody may change or remove it."""

    list_display = ["__str__", "sha256", "accepted_by", "created_at"]
    search_fields = ["decision__title", "sha256"]
    readonly_fields = [
        "decision",
        "number",
        "sha256",
        "accepted_by",
        "created_at",
        "approvals",
        "snapshot",
        "markdown",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
