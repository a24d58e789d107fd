from django.contrib import admin

from .models import Digest


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """What the reminders sent, to answer "why did (not) I get one?"; never edited."""

    list_display = ["day", "user", "sent_at"]
    list_filter = ["day"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = ["user", "day", "items", "sent_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
