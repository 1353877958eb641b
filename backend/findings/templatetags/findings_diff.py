"""`{% load findings_diff %}`: an amendment's wording before and after, as words
removed (<del>) and added (<ins>), for the moderation record."""

from __future__ import annotations

from difflib import SequenceMatcher

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def word_diff(before: str, after: str) -> SafeString:
    """Every word escaped; removed words in <del>, added ones in <ins> (which screen
    readers announce), unchanged ones as they are."""
    old, new = before.split(), after.split()
    parts: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(old[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(new[j1:j2]))}</ins>")
    # Each part is escaped above; only the del/ins tags are markup.
    return mark_safe(" ".join(parts))  # noqa: S308
