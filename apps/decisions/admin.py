from django.contrib import admin

from .models import (
    AuthOption,
    Consequence,
    Consideration,
    Decision,
    FreeSection,
    Participant,
    Reference,
    Relation,
    Scenario,
    ScenarioPoint,
    Support,
    Tag,
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


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
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
    ]

    def get_readonly_fields(self, request, obj=None):
        # The status of an existing decision moves only along the lifecycle, with its history.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "status"] if obj is not None else fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # Only this decision's scenarios can be its outcome.
        chosen = form.base_fields.get("chosen")
        if chosen is not None:
            chosen.queryset = (
                Scenario.objects.filter(decision=obj) if obj else Scenario.objects.none()
            )
        return form


class ScenarioPointInline(admin.TabularInline):
    model = ScenarioPoint
    extra = 0


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["title", "decision", "position"]
    search_fields = ["title", "decision__title"]
    inlines = [ScenarioPointInline]


class OptionInline(admin.StackedInline):
    model = AuthOption
    extra = 0
    show_change_link = True


@admin.register(Consideration)
class ConsiderationAdmin(admin.ModelAdmin):
    list_display = ["title", "decision", "is_open"]
    list_filter = ["is_open"]
    search_fields = ["title", "decision__title"]
    inlines = [OptionInline]


class SupportInline(admin.TabularInline):
    model = Support
    extra = 0


@admin.register(AuthOption)
class OptionAdmin(admin.ModelAdmin):
    list_display = ["title", "consideration"]
    search_fields = ["title"]
    inlines = [SupportInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace"]
    search_fields = ["name"]


admin.site.register(
    [ScenarioPoint, Consequence, Support, Relation, Reference, FreeSection, Participant]
)
