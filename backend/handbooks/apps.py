from django.apps import AppConfig


class HandbooksConfig(AppConfig):
    name = "handbooks"
    verbose_name = "Review handbooks"
