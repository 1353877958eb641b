from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "findings"
    verbose_name = "Findings and moderation"

    def ready(self) -> None:
        # Publishing a review waits for its findings' moderation; reviews cannot import
        # findings (findings builds on reviews), so the guard is registered here.
        from reviews.services.lifecycle import register_publication_guard

        from .services.moderation import unmoderated_findings_refusal

        register_publication_guard(unmoderated_findings_refusal)
