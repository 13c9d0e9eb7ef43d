"""Your data: the export page (start, progress, download) and account deletion (ask with
the password, cancel during the grace period)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect

from fireside.accounts.authentication import session_member
from fireside.core.exceptions import NotFound, RateLimited, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page
from fireside.yourdata import actions
from fireside.yourdata.banner import remember_pending_deletion
from fireside.yourdata.forms import DeletionForm
from fireside.yourdata.models import Export


def _context(request: HttpRequest) -> dict[str, Any]:
    member = session_member(request)
    export = Export.objects.visible_to(member).latest_first().first()
    return {
        "export": export,
        "download_url": (
            reverse("export_download", args=[actions.download_token(export)])
            if export is not None and export.is_ready
            else ""
        ),
        "deletion": actions.pending_deletion(member),
        "lifetime_days": actions.EXPORT_LIFETIME.days,
        "grace_days": actions.DELETION_GRACE.days,
    }


@login_required
@require_safe
def your_data(request: HttpRequest) -> HttpResponse:
    return render_page(request, "yourdata/your_data.html", _context(request))


@login_required
@require_safe
def export_status(request: HttpRequest) -> HttpResponse:
    """The export's status alone: what the page polls every 2 s while it is built."""
    response = render(request, "yourdata/your_data.html#export", _context(request))
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    actions.request_export(session_member(request))
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "yourdata/your_data.html#export", _context(request), status=202
        )
    messages.success(
        request, "Your export is being built. This page shows when it is ready."
    )
    return redirect("your_data")


@require_safe
def export_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The zip, for whoever holds the link (it is the owner's to share or not); after
    its 7 days, 410 with a sentence saying what to do."""
    try:
        export, path = actions.export_for_download(token)
    except actions.ExportExpired:
        return render(request, "yourdata/export_expired.html", status=410)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"fireside-export-{export.requested_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def deletion_request(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    form = DeletionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            deletion = actions.request_deletion(
                member, password=form.cleaned_data["password"]
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        else:
            remember_pending_deletion(request, member)
            messages.success(
                request,
                f"Your account will be deleted on {deletion.final_at:%-d %B %Y}. "
                "You can cancel until then.",
            )
            return redirect("your_data")
    context = {
        "form": form,
        "deletion": actions.pending_deletion(member),
        "grace_days": actions.DELETION_GRACE.days,
    }
    return render_page(
        request, "yourdata/deletion_request.html", context, status=status
    )


@login_required
@require_POST
def deletion_cancel(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    try:
        actions.cancel_deletion(member)
    except NotFound as error:
        # Cancelled already (perhaps on another device): only the banner was stale.
        messages.info(request, error.message)
    else:
        messages.success(request, "Your account will not be deleted. Welcome back.")
    remember_pending_deletion(request, member)
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(reverse("your_data"))
    return redirect("your_data")
