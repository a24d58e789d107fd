from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.decisions.models import Decision, IncompleteDraft, Status
from apps.formats.record import Record
from apps.reviews.models import submit_for_review

from .models import REVIEW_ROLES, ReviewError, ReviewRound, section_choices


def reviewer_choices(decision: Decision):
    """Members who may review, except the decision's owner."""
    users = get_user_model().objects.filter(
        memberships__workspace=decision.workspace_id, memberships__role__in=REVIEW_ROLES
    )
    if decision.owner_id:
        users = users.exclude(pk=decision.owner_id)
    return users.order_by("username")


# The review panel passes the open round it has read (or None); other callers leave it unread.
UNREAD = object()


class AskForm(forms.Form):
    """Submitting a draft, or asking more people once it is in review.

    The editor's check step and the review panel both submit through `submit`, so a draft goes
    to review one way only: with its reviewers named and asked, and only when it is complete.
    """

    reviewers = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    approvals_needed = forms.IntegerField(min_value=1, max_value=20, label="Approvals needed")

    def __init__(self, *args, decision: Decision, round=UNREAD, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewer_choices(decision)
        self.fields["reviewers"].label_from_instance = lambda u: u.get_full_name() or u.username
        minimum = decision.workspace.default_approvals or 1
        if round is UNREAD:
            round = ReviewRound.objects.open().filter(decision=decision).first()
        needed = self.fields["approvals_needed"]
        # Asking more reviewers keeps the round's count unless someone changes it on purpose.
        needed.initial = round.approvals_needed if round else minimum
        needed.help_text = (
            f"Minimum approvals in this workspace: {minimum}. Only a workspace admin may ask for "
            "fewer. The approvals of whoever wrote or submitted the text never count."
        )
        self.decision = decision
        self.gaps: list = []  # what a refused draft still lacks, each with where to fill it

    def clean(self):
        data = super().clean()
        reviewers, needed = data.get("reviewers"), data.get("approvals_needed")
        if reviewers is not None and needed and len(reviewers) < needed:
            self.add_error(
                "reviewers", f"Name at least {needed} reviewer{'s' if needed != 1 else ''}."
            )
        return data

    def submit(self, by) -> bool:
        """Send the draft to review, or ask more reviewers once there; errors go on the form."""
        if not self.is_valid():
            return False
        decision = self.decision
        reviewers, needed = self.cleaned_data["reviewers"], self.cleaned_data["approvals_needed"]
        try:
            with transaction.atomic():
                if decision.status == Status.DRAFT:
                    submit_for_review(decision, by=by, reviewers=reviewers, approvals_needed=needed)
                elif decision.status == Status.IN_REVIEW:
                    ReviewRound.open_for(
                        decision, by=by, reviewers=reviewers, approvals_needed=needed
                    )
                else:
                    raise ReviewError(f"{decision.ref} is {decision.get_status_display().lower()}.")
        except IncompleteDraft as error:
            self.gaps = error.gaps
            self.add_error(None, error)
            return False
        except ValidationError as error:
            self.add_error(None, error)
            return False
        return True


# A comment is read on every poll of the review panel: long enough for any review, bounded so no
# comment makes each reader's page slow (apps/core/markdown.py shows a longer text unformatted).
COMMENT_MAX = 10_000


class ThreadForm(forms.Form):
    section = forms.ChoiceField(label="On")
    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown.",
    )

    def __init__(self, *args, record: Record, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = section_choices(record)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply", max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChangeRequestForm(forms.Form):
    note = forms.CharField(
        label="What should change",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Markdown.",
    )


# Moves people make by hand; acceptance comes from approvals, superseding from a successor.
MOVES = {
    Status.DRAFT: "edit",
    Status.REJECTED: "review",
    Status.DEPRECATED: "admin",
}


def move_need(status: str, to: str) -> str:
    """The right a move asks for. Rejecting a draft is its authors' withdrawing it: the
    writers may drop their own proposal, while a text in review is the reviewers' to reject."""
    if status == Status.DRAFT and to == Status.REJECTED:
        return "edit"
    return MOVES.get(to, "edit")


def move_label(decision: Decision, to: str, next_version: int) -> str:
    """What the button of a move says: a verb, as people name what they do."""
    if to == Status.DRAFT:
        if decision.status == Status.DRAFT:
            return "Back to draft"
        return (
            f"Reopen as draft of v{next_version}"
            if decision.status in (Status.ACCEPTED, Status.ELSEWHERE)
            else "Back to draft"
        )
    if to == Status.REJECTED:
        return "Withdraw draft" if decision.status == Status.DRAFT else "Reject"
    return {Status.DEPRECATED: "Deprecate"}.get(to, Status(to).label)


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=[(s, Status(s).label) for s in MOVES])
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The status the page showed: a move clicked on an older page is refused, not applied.
    seen = forms.ChoiceField(choices=Status.choices, required=False)
