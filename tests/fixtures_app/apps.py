from django.apps import AppConfig


class FixturesAppConfig(AppConfig):
    """Test-only tenant models (installed by config.settings.test alone) that exercise
    parts of the access chokepoint no product model uses yet."""

    name = "tests.fixtures_app"
    label = "fixtures_app"
    verbose_name = "Test fixtures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenancy import access

        # Shareable across tenants for viewing only; changing stays with managers.
        access.register(
            "fixtures_app.Dossier",
            access.RoleMap(
                partnership_path="partnership_id",
                roles={"view": access.ALL_ROLES, "change": access.MANAGERS},
                shareable=frozenset({"view"}),
            ),
        )
