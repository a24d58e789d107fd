from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Version


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
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
