from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fireside.accounts.authentication import session_member
from fireside.accounts.models import Member
from fireside.connections import actions, forms, queries
from fireside.connections.models import Connection
from fireside.conversations.models import Conversation
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page

PAGE_METHODS = ["GET", "HEAD", "POST"]


def _member(handle: str) -> Member:
    return get_object_or_404(Member.objects.active(), handle=handle)


def _back(member: Member, conversation_id: int | None) -> str:
    """Where an offer made from a page returns: the conversation, else the profile."""
    if conversation_id is not None:
        return reverse("conversation_detail", args=[conversation_id])
    return reverse("member_detail", args=[member.handle])


@login_required
@require_safe
def connection_list(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    context = {
        "connections": queries.connections_of(member),
        "offers": queries.offers_received(member),
        "sent": queries.offers_sent(member),
    }
    return render_page(request, "connections/connection_list.html", context)


@login_required
@require_safe
def connection_audit(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    # Opening the audit is what its reminder asks for.
    actions.dismiss_audit_notices(member)
    context = {"rows": queries.audit(member)}
    return render_page(request, "connections/connection_audit.html", context)


@login_required
@require_POST
def audit_notice_dismiss(request: HttpRequest) -> HttpResponse:
    actions.dismiss_audit_notices(session_member(request))
    messages.success(request, "Put away. The next reminder comes in a month.")
    return redirect("home")


@login_required
@require_POST
def connection_offer(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    form = forms.OfferForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({"handle": ["Say whom to keep in touch with."]})
    other = _member(form.cleaned_data["handle"])
    conversation_id = form.cleaned_data["conversation"]
    conversation = (
        Conversation.objects.visible_to(member).filter(pk=conversation_id).first()
        if conversation_id
        else None
    )
    found = actions.offer_connection(other, by=member, conversation=conversation)
    messages.success(
        request,
        f"You and {other.display_name} keep in touch now."
        if isinstance(found, Connection)
        else f"Offered. If {other.display_name} accepts, you keep in touch.",
    )
    return redirect(_back(other, conversation.pk if conversation else None))


@login_required
@require_POST
def connection_accept(request: HttpRequest, handle: str) -> HttpResponse:
    other = _member(handle)
    actions.accept_connection(other, by=session_member(request))
    messages.success(request, f"You and {other.display_name} keep in touch now.")
    return redirect("connection_list")


@login_required
@require_POST
def connection_decline(request: HttpRequest, handle: str) -> HttpResponse:
    other = _member(handle)
    actions.decline_connection(other, by=session_member(request))
    messages.success(request, f"Declined. {other.display_name} is not told.")
    return redirect("connection_list")


@login_required
@require_POST
def offer_withdraw(request: HttpRequest, handle: str) -> HttpResponse:
    other = _member(handle)
    actions.withdraw_offer(other, by=session_member(request))
    messages.success(request, "Your offer is taken back.")
    return redirect("connection_list")


@login_required
@require_http_methods(PAGE_METHODS)
def connection_let_go(request: HttpRequest, handle: str) -> HttpResponse:
    member = session_member(request)
    other = _member(handle)
    connection = get_object_or_404(Connection.objects.visible_to(member), other=other)
    if request.method == "POST":
        actions.let_go(other, by=member)
        messages.success(
            request,
            f"You let {other.display_name} go. They are not told, and your "
            "conversations stay as they were.",
        )
        return redirect("connection_list")
    context = {"other": other, "connection": connection}
    return render_page(request, "connections/connection_let_go.html", context)


def _opening(old: Conversation | None) -> str:
    if old is not None and old.post is not None:
        return f"Picking up from our conversation about “{old.post.title}”: "
    return "Picking up from our last conversation: "


@login_required
@require_http_methods(PAGE_METHODS)
def connection_reconnect(request: HttpRequest, handle: str) -> HttpResponse:
    """The audit's "reconnect" prompt: a request to a connection, with the old
    conversation as context."""
    member = session_member(request)
    other = _member(handle)
    get_object_or_404(Connection.objects.visible_to(member), other=other)
    conversations = Conversation.objects.between(member, other).select_related("post")
    open_one = conversations.open().first()
    if open_one is not None and open_one.state == Conversation.State.ACTIVE:
        messages.info(request, "Your conversation is still open: write here.")
        return redirect("conversation_detail", conversation_id=open_one.pk)
    old = conversations.order_by("-last_message_at").first()
    form = forms.ReconnectForm(request.POST or None, initial={"message": _opening(old)})
    context: dict[str, Any] = {"other": other, "old": old, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            conversation = actions.reconnect(
                other, by=member, message=form.cleaned_data["message"]
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        except NotAllowed as refusal:
            context["refusal"] = refusal
            return render_page(
                request, "connections/connection_reconnect.html", context, status=403
            )
        else:
            messages.success(
                request, f"Your request is on its way to {other.display_name}."
            )
            return redirect("conversation_detail", conversation_id=conversation.pk)
    return render_page(request, "connections/connection_reconnect.html", context)


@login_required
@require_http_methods(PAGE_METHODS)
def reminder_settings(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    current = actions.reminder_settings_of(member)
    form = forms.ReminderSettingsForm(
        request.POST or None,
        initial={
            "audit_reminder": current.audit_reminder,
            "email_digest": current.email_digest,
        },
    )
    if request.method == "POST" and form.is_valid():
        actions.set_reminder_settings(member, **form.cleaned_data)
        messages.success(request, "Your choice is saved.")
        return redirect("reminder_settings")
    return render_page(request, "connections/reminder_settings.html", {"form": form})
