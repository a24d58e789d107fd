from __future__ import annotations

from django.contrib import admin

from .models import Invitation, LoginFailure


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "ip"]
    search_fields = ["username", "ip"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """To look up and revoke: invitations are sent from the members page, which emails the only
    copy of the token."""

    list_display = ["email", "workspace", "role", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["workspace"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "revoked_at"]

    def has_add_permission(self, request) -> bool:
        return False
