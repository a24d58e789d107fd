from django.contrib import admin

from apps.core.admin import ReadOnlyAdmin

from .models import Approval, ChangeRequest, Comment, Contribution, ReviewRound, Thread


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    readonly_fields = ["reviewer", "sha256", "at", "version"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Approvals come from reviewers on the page, pinned to the content they saw.
        return False


class ChangeRequestInline(admin.TabularInline):
    model = ChangeRequest
    extra = 0
    readonly_fields = ["reviewer", "sha256", "at"]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    """Who wrote or submitted each text: recorded by saving it, never typed in or removed here,
    since it decides whose approval counts."""

    list_display = ["decision", "user", "kind", "at", "version"]
    list_filter = ["kind"]


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "approvals_needed", "opened_by", "closed_at", "outcome"]
    # The count of approvals changes on the review panel, where the workspace's minimum holds
    # and the change is audited; here it is shown only.
    readonly_fields = [
        "decision",
        "approvals_needed",
        "opened_by",
        "opened_at",
        "closed_at",
        "outcome",
    ]
    autocomplete_fields = ["reviewers"]
    inlines = [ApprovalInline, ChangeRequestInline]


class CommentInline(admin.StackedInline):
    model = Comment
    extra = 0


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "opened_by", "opened_at", "resolved_at"]
    list_filter = ["resolved_at"]
    inlines = [CommentInline]
