from django.apps import AppConfig


class PerfConfig(AppConfig):
    """No models: only the perf_seed and perf_run management commands."""

    name = "perf"
    verbose_name = "Performance harness"
