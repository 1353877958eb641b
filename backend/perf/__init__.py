"""The performance harness: `manage.py perf_seed` and `manage.py perf_run`
(shared/design/PERFORMANCE.md; docs/operations.md, "Performance harness")."""
