"""Reference data that data migrations load (the reference handbook, the findings
theme vocabulary, the survey question bank), loaded again for tests whose database was
flushed by a transactional test before them (live servers need real commits)."""

from __future__ import annotations

from django.apps import apps


def reload_reference_data() -> None:
    from findings import vocabulary
    from handbooks import reference
    from surveys import bank

    reference.load(apps)
    vocabulary.load(apps)
    bank.load(apps)
