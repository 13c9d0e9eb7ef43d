from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fireside.accounts.authentication import session_member
from fireside.trust.report import trust_report


@login_required
@require_safe
def trust_detail(request: HttpRequest) -> HttpResponse:
    report = trust_report(session_member(request))
    return render(request, "trust/trust_detail.html", {"report": report})
