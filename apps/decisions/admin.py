from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from .models import (
    Answer,
    AuthOption,
    Consequence,
    Consideration,
    Criterion,
    Decision,
    FreeSection,
    Participant,
    Reference,
    Relation,
    Scenario,
    ScenarioPoint,
    Score,
    Support,
    Tag,
)


class PartOfDecisionAdmin(admin.ModelAdmin):
    """A part of a decision saved or deleted on its own admin page moves that decision on.

    Every cached rendering and kept site page is keyed by the decision's revision and
    `updated_at`, and the editor's optimistic lock by its revision: a change made here that left
    them alone would be served stale, or overwritten by an editor still holding the old revision.
    """

    @staticmethod
    def decision_ids(obj) -> list[int]:
        return [obj.decision_id]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        touch_decisions(self.decision_ids(form.instance))

    def delete_model(self, request, obj) -> None:
        ids = self.decision_ids(obj)
        super().delete_model(request, obj)
        touch_decisions(ids)

    def delete_queryset(self, request, queryset) -> None:
        ids = [pk for obj in queryset for pk in self.decision_ids(obj)]
        super().delete_queryset(request, queryset)
        touch_decisions(ids)


def touch_decisions(ids) -> None:
    Decision.objects.filter(pk__in=set(ids)).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


class ScenarioInline(admin.StackedInline):
    model = Scenario
    extra = 0
    show_change_link = True


class ConsequenceInline(admin.TabularInline):
    model = Consequence
    extra = 0


class ConsiderationInline(admin.StackedInline):
    model = Consideration
    extra = 0
    show_change_link = True


class RelationInline(admin.TabularInline):
    model = Relation
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["target"]


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 0


class FreeSectionInline(admin.StackedInline):
    model = FreeSection
    extra = 0


class AnswerInline(admin.TabularInline):
    """The Decide step's answers; what each means for the scenarios is set in the step."""

    model = Answer
    extra = 0
    fields = ["position", "key", "question", "answer", "note"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "title", "weight", "option", "option_name"]
    raw_id_fields = ["option"]
    show_change_link = True


class DecisionAdminForm(forms.ModelForm):
    # The revision the form was opened at: saving goes through the same lock as the editor.
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Decision
        fields = "__all__"  # noqa: DJ007 - the admin lays out the fields itself

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_revision"].initial = self.instance.revision

    def clean(self):
        data = super().clean()
        seen = data.get("seen_revision")
        if self.instance.pk and seen is not None and seen != self.instance.revision:
            raise ValidationError(
                "Someone saved this decision since you opened it. Reload the page to see their "
                "change, then make yours again."
            )
        return data


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    form = DecisionAdminForm
    list_display = ["__str__", "workspace", "status", "owner", "updated_at"]
    list_filter = ["status", "workspace", "tags"]
    search_fields = ["title", "context"]
    autocomplete_fields = ["owner", "tags"]
    readonly_fields = ["revision", "created_at", "updated_at"]
    inlines = [
        ParticipantInline,
        ScenarioInline,
        ConsequenceInline,
        ConsiderationInline,
        RelationInline,
        ReferenceInline,
        FreeSectionInline,
        AnswerInline,
        CriterionInline,
    ]

    def get_readonly_fields(self, request, obj=None):
        # The status of an existing decision moves only along the lifecycle, with its history.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "status"] if obj is not None else fields

    def save_model(self, request, obj, form, change) -> None:
        seen = form.cleaned_data.get("seen_revision")
        if change and seen is not None and not obj.bump_revision(seen, drafts_only=False):
            # Lost the race after the form's check: the admin's transaction undoes the inlines.
            raise ValidationError("Someone saved this decision at the same moment; reload.")
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # Only this decision's scenarios can be its outcome.
        chosen = form.base_fields.get("chosen")
        if chosen is not None:
            chosen.queryset = (
                Scenario.objects.filter(decision=obj) if obj else Scenario.objects.none()
            )
        return form


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    raw_id_fields = ["scenario"]


@admin.register(Criterion)
class CriterionAdmin(PartOfDecisionAdmin):
    """A weighted driver's scores, one per scenario (-2 to +2)."""

    list_display = ["__str__", "decision"]
    raw_id_fields = ["decision", "option"]
    inlines = [ScoreInline]


class ScenarioPointInline(admin.TabularInline):
    model = ScenarioPoint
    extra = 0


@admin.register(Scenario)
class ScenarioAdmin(PartOfDecisionAdmin):
    list_display = ["title", "decision", "position"]
    search_fields = ["title", "decision__title"]
    inlines = [ScenarioPointInline]


class OptionInline(admin.StackedInline):
    model = AuthOption
    extra = 0
    show_change_link = True


@admin.register(Consideration)
class ConsiderationAdmin(PartOfDecisionAdmin):
    list_display = ["title", "decision", "is_open"]
    list_filter = ["is_open"]
    search_fields = ["title", "decision__title"]
    inlines = [OptionInline]


class SupportInline(admin.TabularInline):
    model = Support
    extra = 0


@admin.register(AuthOption)
class OptionAdmin(PartOfDecisionAdmin):
    list_display = ["title", "consideration"]
    search_fields = ["title"]
    inlines = [SupportInline]

    @staticmethod
    def decision_ids(obj) -> list[int]:
        return [obj.consideration.decision_id]


@admin.register(Tag)
class TagAdmin(PartOfDecisionAdmin):
    list_display = ["name", "workspace"]
    search_fields = ["name"]

    @staticmethod
    def decision_ids(obj) -> list[int]:
        return list(obj.decisions.values_list("pk", flat=True))


class ScenarioPointAdmin(PartOfDecisionAdmin):
    @staticmethod
    def decision_ids(obj) -> list[int]:
        return [obj.scenario.decision_id]


class SupportAdmin(PartOfDecisionAdmin):
    @staticmethod
    def decision_ids(obj) -> list[int]:
        return [obj.scenario.decision_id]


class RelationAdmin(PartOfDecisionAdmin):
    # Both ends show the relation: the target lists it as incoming.
    @staticmethod
    def decision_ids(obj) -> list[int]:
        return [obj.source_id, obj.target_id]


admin.site.register(ScenarioPoint, ScenarioPointAdmin)
admin.site.register(Support, SupportAdmin)
admin.site.register(Relation, RelationAdmin)
admin.site.register([Consequence, Reference, FreeSection, Participant], PartOfDecisionAdmin)
