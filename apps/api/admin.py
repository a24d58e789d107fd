from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "hint"]
    # A token is made by its owner, who sees it once; the admin can only read and revoke.
    readonly_fields = ["user", "name", "key_hash", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
