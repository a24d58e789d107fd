from __future__ import annotations

from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import AuditEvent, Notification


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is a record of what happened, not something to edit."""

    list_display = ["created_at", "workspace", "actor_label", "verb", "target_label"]
    list_filter = ["verb", "workspace"]
    search_fields = ["actor_label", "target_label", "verb"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "message", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["message", "user__username"]
    raw_id_fields = ["user"]
