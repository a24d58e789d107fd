from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are records of what happened (audit events, versions, who wrote a text): shown
    in the admin to look things up, never added, changed or removed there."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
