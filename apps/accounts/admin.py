from __future__ import annotations

from django.contrib import admin

from .models import GroupRole, Invitation, LoginFailure, ProviderIdentity


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


@admin.register(GroupRole)
class GroupRoleAdmin(admin.ModelAdmin):
    """The single sign-on mapping: people in `group` get `role` in `workspace` at each sign-in.
    Workspace admins edit their own workspace's rows at /w/<slug>/groups/."""

    list_display = ["group", "workspace", "role"]
    list_filter = ["workspace", "role"]
    search_fields = ["group"]
    list_editable = ["role"]


@admin.register(ProviderIdentity)
class ProviderIdentityAdmin(admin.ModelAdmin):
    """Who signs in as whom: deleting a row unlinks the provider's account, so its next sign-in
    finds the person again by verified email address, or makes a new one."""

    list_display = ["user", "subject", "issuer", "created_at", "last_sign_in"]
    search_fields = ["subject", "user__username", "user__email"]
    readonly_fields = ["created_at", "last_sign_in"]
    raw_id_fields = ["user"]
