import yaml
from django.contrib import admin
from django.utils.html import format_html_join

from .models import Kit


@admin.register(Kit)
class KitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "position", "question_count"]
    list_filter = ["kind"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["questions_asked"]

    @admin.display(description="questions")
    def question_count(self, kit: Kit) -> int:
        try:
            return len(kit.questions())
        except (yaml.YAMLError, ValueError, TypeError):
            return 0

    @admin.display(description="Questions the Decide step asks")
    def questions_asked(self, kit: Kit) -> str:
        """What the body's `questions:` say, as the team will see them (edited in the body)."""
        try:
            asked = kit.questions()
        except (yaml.YAMLError, ValueError, TypeError) as error:
            return f"Not valid: {error}"
        if not asked:
            return "None: add them under `questions:` in the body (apps/authoring/questions.py)."
        return format_html_join(
            "",
            "<p><strong>{}</strong> ({})<br>{}</p>",
            ((q.ask, q.key, " · ".join(c.label for c in q.choices)) for q in asked),
        )
