"""The boundaries, kept by a machine: the import contract (pyproject.toml,
[tool.importlinter]) and a lint of the faces. Faces (REST, GraphQL, pages) only
parse, call a selector, service or policy, and render: they never query a table
(`.objects`), read the actor's roles or teams (`role_in`, `partnership_ids`,
`group_ids`, `open_group_ids`) or write or read a guardian grant."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "backend"
FACE_NAMES = {"api", "schema", "views", "views_exchanges", "forms", "forms_exchanges", "urls"}
FACE_PACKAGES = {"views", "api", "graphql"}
# Reading a table, or the actor's roles and teams, is for selectors and policies.
ACTOR_RULES = {"objects", "role_in", "partnership_ids", "group_ids", "open_group_ids"}
GUARDIAN_CALLS = {"assign_perm", "remove_perm", "get_perms", "get_objects_for_user"}


def face_modules() -> list[Path]:
    """Every face module of every app: api.py, schema.py, views*.py, forms*.py,
    urls*.py and the modules of a views/ (api/, graphql/) package."""
    faces = []
    for path in sorted(BACKEND.glob("*/**/*.py")):
        relative = path.relative_to(BACKEND)
        if relative.parts[0] in ("config", "migrations") or "migrations" in relative.parts:
            continue
        if path.stem in FACE_NAMES or FACE_PACKAGES & set(relative.parts[1:-1]):
            faces.append(path)
    return faces


def offences(source: str) -> list[str]:
    """What a face module does that only selectors, services and policies may do."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ACTOR_RULES:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in GUARDIAN_CALLS:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("guardian"):
            found.append(f"line {node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Import) and any(
            a.name.startswith("guardian") for a in node.names
        ):
            found.append(f"line {node.lineno}: imports guardian")
    return sorted(found, key=lambda text: int(text.split(":")[0].removeprefix("line ")))


def test_the_face_lint_finds_each_forbidden_use():
    bad = (
        "from guardian.shortcuts import assign_perm\n"
        "import guardian\n"
        "items = EvidenceItem.objects.all()\n"
        "mine = actor.role_in(item.partnership_id)\n"
        "remove_perm('view', group, item)\n"
    )
    assert offences(bad) == [
        "line 1: imports guardian.shortcuts",
        "line 2: imports guardian",
        "line 3: .objects",
        "line 4: .role_in",
        "line 5: remove_perm",
    ]
    assert offences("items = selectors.evidence_list(actor=actor)\n") == []


def test_faces_use_no_objects_roles_or_guardian():
    faces = face_modules()
    assert BACKEND / "evidence" / "views" / "items.py" in faces
    assert BACKEND / "reviews" / "views_exchanges.py" in faces
    found = {str(path.relative_to(BACKEND)): offences(path.read_text()) for path in faces}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_import_contract_holds():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("lint-imports is not installed: pip install the dev extra")
    done = subprocess.run(
        [lint, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=BACKEND,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
