"""Plain-text hygiene shared by every app."""

from __future__ import annotations

from django.db import models

# Characters that reorder the text around them (embeddings, overrides, isolates, marks). In a
# one-line field they only serve to make a title read differently from what it holds:
# "Use \u202egpj.exe" shows as "Use exe.jpg".
BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
)


def without_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)


def clean_one_line_fields(sender, instance, raw: bool = False, **kwargs) -> None:
    """pre_save, for every model: bidi controls out of every one-line (CharField) value.

    Connected for all models in CoreConfig.ready, so titles, names and labels of decisions,
    scenarios, options, workspaces and people are cleaned however they are saved (forms, the
    import, the admin, the shell) without each model repeating it. Multi-line text is left as
    written: there a mark may be a right-to-left writer's own. Fixtures (raw) load as they are.
    """
    if raw:
        return
    for field in sender._meta.concrete_fields:
        if not isinstance(field, models.CharField):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str) and not value.isascii():
            setattr(instance, field.attname, without_bidi_controls(value))
