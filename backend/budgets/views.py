"""Budget pages (UX screen 14): a partnership's years side by side, one year's figures
with a chart and its table, entering and changing a year (enter, check your answers,
save), importing a file (upload, read the report, confirm) and downloading them.

The answers between "Continue" and "Save" wait in the session; nothing is written
until the check-answers page is confirmed, and the services check everything again
then."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import PermissionDenied, ValidationFailed
from tenancy import selectors as tenancy_selectors
from tenancy.access import actor_of
from tenancy.models import Partnership
from web.errors import product_page
from web.forms import add_service_errors, posted

from . import policies, selectors, services
from .api import attachment
from .chart import contribution_chart
from .figures import compare_years, figures_for
from .forms import BudgetForm, ImportForm, income_lines_for, initial_for
from .models import Budget, SpendingCategory, year_label
from .services.files import MAX_ROWS, read_rows

View = Callable[..., HttpResponse]
DRAFT_KEY = "budget_draft"
IMPORT_KEY = "budget_import"
YEARS_SIDE_BY_SIDE = 5


# Signed in; 404 for a foreign or missing budget or partnership, 403 with the reason.
budgets_page = product_page()


# --- a partnership's budgets --------------------------------------------------------


@budgets_page
@require_GET
def budget_index(request: HttpRequest) -> HttpResponse:
    """The user's partnership's budgets, or which partnership's (if several)."""
    actor = actor_of(request)
    partnerships = [m.partnership for m in tenancy_selectors.membership_list_for_user(actor=actor)]
    if len(partnerships) == 1:
        return redirect("budgets:list", slug=partnerships[0].slug)
    return render(request, "budgets/index.html", {"partnerships": partnerships})


@budgets_page
@require_GET
def budget_list(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_of(request)
    partnership = selectors.budget_partnership(actor=actor, slug=slug)
    figures = selectors.budget_figures(
        budgets=selectors.budget_years(actor=actor, partnership=partnership)
    )
    recent = figures[-YEARS_SIDE_BY_SIDE:]
    return render(
        request,
        "budgets/list.html",
        {
            "partnership": partnership,
            "figures": list(reversed(figures)),
            "recent": recent,
            "comparison": compare_years(recent),
            "illustrative": any(f.budget.illustrative for f in figures),
            "flags": selectors.partnership_budget_permissions(actor=actor, partnership=partnership),
        },
    )


@budgets_page
@require_GET
def budget_detail(request: HttpRequest, budget_id: int) -> HttpResponse:
    actor = actor_of(request)
    budget = selectors.budget_get(actor=actor, budget_id=budget_id)
    figures = figures_for(budget)
    return render(
        request,
        "budgets/detail.html",
        {
            "budget": budget,
            "figures": figures,
            "chart": contribution_chart(figures),
            "flags": selectors.budget_permissions(actor=actor, budgets=[budget])[budget.pk],
        },
    )


@budgets_page
@require_GET
def budget_export(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    export = services.budget_export(
        actor=actor_of(request), partnership_slug=slug, file_format=file_format
    )
    return attachment(export)


# --- entering and changing a year ---------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What the form writes: a new year of `partnership`, or the `budget` being changed."""

    partnership: Partnership
    budget: Budget | None

    @property
    def key(self) -> str:
        if self.budget is not None:
            return f"edit:{self.budget.pk}"
        return f"add:{self.partnership.pk}"

    def url(self, step: str) -> str:
        if self.budget is not None:
            name = {"form": "edit", "check": "edit-check"}[step]
            return reverse(f"budgets:{name}", args=[self.budget.pk])
        name = {"form": "add", "check": "add-check"}[step]
        return reverse(f"budgets:{name}", args=[self.partnership.slug])

    @property
    def back(self) -> str:
        if self.budget is not None:
            return reverse("budgets:detail", args=[self.budget.pk])
        return reverse("budgets:list", args=[self.partnership.slug])


def _add_target(request: HttpRequest, slug: str) -> Target:
    return Target(selectors.budget_partnership_for_adding(actor=actor_of(request), slug=slug), None)


def _edit_target(request: HttpRequest, budget_id: int) -> Target:
    actor = actor_of(request)
    budget = selectors.budget_get(actor=actor, budget_id=budget_id)
    if not policies.may_change(actor, budget):
        raise PermissionDenied(policies.CHANGE_REFUSED)
    return Target(budget.partnership, budget)


def _form(target: Target, data: Any = None, initial: Any = None) -> BudgetForm:
    return BudgetForm(
        data,
        initial=initial,
        partners=selectors.statutory_partners(partnership=target.partnership),
        income_lines=income_lines_for(data if data is not None else initial, target.budget),
    )


def _draft(request: HttpRequest, target: Target) -> dict[str, Any] | None:
    draft = request.session.get(DRAFT_KEY)
    if not isinstance(draft, dict) or draft.get("target") != target.key:
        return None
    data = draft.get("data")
    return data if isinstance(data, dict) else None


def _checked(target: Target, form: BudgetForm) -> services.CleanBudget | None:
    """The form's answers checked by the services; None (errors on the form) if wrong."""
    if not form.is_valid():
        return None
    try:
        return services.check(
            partnership=target.partnership,
            data=form.budget_input(),
            except_id=target.budget.pk if target.budget is not None else None,
        )
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        return None


def _render_form(
    request: HttpRequest, target: Target, form: BudgetForm, status: int = 200
) -> HttpResponse:
    return render(request, "budgets/form.html", {"target": target, "form": form}, status=status)


def _form_page(request: HttpRequest, target: Target) -> HttpResponse:
    if request.method != "POST":
        draft = _draft(request, target)
        if draft is None and target.budget is not None:
            draft = initial_for(target.budget)
        return _render_form(request, target, _form(target, initial=draft))
    form = _form(target, request.POST)
    if _checked(target, form) is None:
        return _render_form(request, target, form, status=400)
    fields = set(form.fields)
    request.session[DRAFT_KEY] = {
        "target": target.key,
        "data": {k: v for k, v in request.POST.items() if k in fields},
    }
    return redirect(target.url("check"))


def _check_page(request: HttpRequest, target: Target) -> HttpResponse:
    draft = _draft(request, target)
    if draft is None:
        return redirect(target.url("form"))
    form = _form(target, draft)
    clean = _checked(target, form)
    if clean is None:
        # The answers no longer hold (someone entered the same year meanwhile, say).
        return _render_form(request, target, form, status=400)
    if request.method == "POST":
        actor = actor_of(request)
        try:
            if target.budget is not None:
                budget = services.budget_update(
                    actor=actor, budget_id=target.budget.pk, data=form.budget_input()
                )
            else:
                budget = services.budget_create(
                    actor=actor, partnership_id=target.partnership.pk, data=form.budget_input()
                )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
            return _render_form(request, target, form, status=400)
        del request.session[DRAFT_KEY]
        verb = "changed" if target.budget is not None else "saved"
        messages.success(request, f"The budget for {budget.year_label} has been {verb}.")
        return redirect("budgets:detail", budget_id=budget.pk)
    return render(
        request,
        "budgets/check.html",
        {
            "target": target,
            "clean": clean,
            "form_url": target.url("form"),
            "year_label": year_label(clean.year),
            "spending": [
                (SpendingCategory(category).label, category, amount)
                for category, amount in clean.spending
            ],
        },
    )


@budgets_page
@require_http_methods(["GET", "POST"])
def budget_add(request: HttpRequest, slug: str) -> HttpResponse:
    return _form_page(request, _add_target(request, slug))


@budgets_page
@require_http_methods(["GET", "POST"])
def budget_add_check(request: HttpRequest, slug: str) -> HttpResponse:
    return _check_page(request, _add_target(request, slug))


@budgets_page
@require_http_methods(["GET", "POST"])
def budget_edit(request: HttpRequest, budget_id: int) -> HttpResponse:
    return _form_page(request, _edit_target(request, budget_id))


@budgets_page
@require_http_methods(["GET", "POST"])
def budget_edit_check(request: HttpRequest, budget_id: int) -> HttpResponse:
    return _check_page(request, _edit_target(request, budget_id))


# --- importing a file ---------------------------------------------------------------


@budgets_page
@require_http_methods(["GET", "POST"])
def budget_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file; it is read and checked, and the report page shows every row."""
    target = _add_target(request, slug)
    form = ImportForm(posted(request), request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload is None:
            form.add_error("file", "Select a CSV or XLSX file")
        else:
            try:
                rows = read_rows(upload.name or "", upload, upload.size or 0)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
                status = exc.status_code
            else:
                request.session[IMPORT_KEY] = {
                    "partnership": target.partnership.pk,
                    "name": upload.name,
                    "rows": rows,
                }
                return redirect("budgets:import-check", slug=target.partnership.slug)
    return render(
        request,
        "budgets/import.html",
        {"target": target, "form": form, "max_rows": MAX_ROWS},
        status=400 if form.errors and status == 200 else status,
    )


@budgets_page
@require_http_methods(["GET", "POST"])
def budget_import_check(request: HttpRequest, slug: str) -> HttpResponse:
    """The report, row by row; "Import" writes every year, or nothing if any row is
    refused."""
    target = _add_target(request, slug)
    draft = request.session.get(IMPORT_KEY)
    if not isinstance(draft, dict) or draft.get("partnership") != target.partnership.pk:
        return redirect("budgets:import", slug=target.partnership.slug)
    rows = [(int(number), list(cells)) for number, cells in draft.get("rows", [])]
    actor = actor_of(request)
    partnership_id = target.partnership.pk
    report = services.budget_import_check(actor=actor, partnership_id=partnership_id, rows=rows)
    if request.method == "POST" and report.ok:
        try:
            budgets = services.budget_import(actor=actor, partnership_id=partnership_id, rows=rows)
        except ValidationFailed:
            # Checked a moment ago: something changed since (a year entered meanwhile).
            report = services.budget_import_check(
                actor=actor, partnership_id=partnership_id, rows=rows
            )
        else:
            del request.session[IMPORT_KEY]
            years = ", ".join(b.year_label for b in budgets)
            messages.success(request, f"Imported the budgets for {years}.")
            return redirect("budgets:list", slug=target.partnership.slug)
    return render(
        request,
        "budgets/import_check.html",
        {"target": target, "report": report, "name": draft.get("name", "")},
        status=400 if request.method == "POST" else 200,
    )
