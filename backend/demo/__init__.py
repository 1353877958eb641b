"""Demo data: the 2020 Bolton and Salford reviews as seed rows, for `make run` and the
browser tests. Built only through the apps' services and models; no product app
imports it (the import contract in pyproject.toml says so)."""
