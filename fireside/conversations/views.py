from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect

from fireside.accounts.actions import set_who_may_ask
from fireside.accounts.authentication import session_member
from fireside.accounts.models import Member
from fireside.conversations import actions, forms, permissions, queries
from fireside.conversations.models import Conversation, Message
from fireside.conversations.payloads import NOTICE_TEXT
from fireside.core.exceptions import DomainError, NotAllowed, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.htmx import render_page, wants_fragment
from fireside.posts.models import Post

PAGE_METHODS = ["GET", "HEAD", "POST"]


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.visible_to(request.user).select_related(
            "initiator", "recipient", "post"
        ),
        pk=conversation_id,
    )


def _message(request: HttpRequest, conversation_id: int, seq: int) -> Message:
    conversation = _conversation(request, conversation_id)
    return get_object_or_404(
        conversation.messages.select_related("conversation"), seq=seq
    )


def _go_to(request: HttpRequest, url: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _message_url(conversation_id: int, seq: int) -> str:
    url = reverse("conversation_detail", kwargs={"conversation_id": conversation_id})
    return f"{url}#m{seq}"


def _detail_context(
    request: HttpRequest, conversation: Conversation, form: forms.MessageForm
) -> dict[str, Any]:
    member = session_member(request)
    return {
        "conversation": conversation,
        "other": conversation.other(member),
        "rows": queries.message_rows(conversation, member),
        "form": form,
        "can_write": permissions.can_write(member, conversation),
        "is_your_turn": conversation.is_your_turn(member),
        "other_read_seq": conversation.read_seq_of(conversation.other(member)),
    }


# Inbox and requests ----------------------------------------------------------------


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    try:
        rows, next_cursor = queries.inbox_for(member, request.GET.get("after", ""))
    except ValidationFailed:
        # A damaged "Load more" link: start from the top rather than fail.
        return redirect("inbox")
    if request.GET.get("after") and wants_fragment(request):
        # "Load more": only the next rows and the next button.
        return render(
            request,
            "conversations/inbox.html#more_rows",
            {"rows": rows, "next_cursor": next_cursor},
        )
    context = {
        "rows": rows,
        "next_cursor": next_cursor,
        "waiting": queries.waiting_requests(member).count(),
        "notice": queries.request_notice(member),
        "notice_text": NOTICE_TEXT,
    }
    return render(request, "conversations/inbox.html", context)


def _tray_page(request: HttpRequest, tray: str) -> HttpResponse:
    member = session_member(request)
    waiting = queries.waiting_requests(member, tray=tray).prefetch_related("messages")
    context = {
        "requests": waiting,
        "tray": tray,
        "notice": queries.request_notice(member),
        "notice_text": NOTICE_TEXT,
        "paused": member.requests_paused,
    }
    return render(request, "conversations/requests_tray.html", context)


@login_required
@require_safe
def requests_tray(request: HttpRequest) -> HttpResponse:
    return _tray_page(request, Conversation.Tray.REQUESTS)


@login_required
@require_safe
def requests_later(request: HttpRequest) -> HttpResponse:
    """Requests held without notifications: strong unfamiliar-sender signals, or a
    pile-on. They can be answered here like any other."""
    return _tray_page(request, Conversation.Tray.LATER)


@login_required
@require_POST
def request_move(request: HttpRequest, conversation_id: int) -> HttpResponse:
    form = forms.TrayForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({"tray": ["Choose Requests or Later."]})
    conversation = actions.move_request(
        _conversation(request, conversation_id),
        by=session_member(request),
        tray=form.cleaned_data["tray"],
    )
    notice = (
        "Moved to Later. It waits there without notifications."
        if conversation.tray == Conversation.Tray.LATER
        else "Moved to Requests."
    )
    return _answered(request, conversation, notice)


@login_required
@require_POST
def request_notice_dismiss(request: HttpRequest) -> HttpResponse:
    actions.dismiss_request_notice(session_member(request))
    if wants_fragment(request):
        return HttpResponse("")
    back = "inbox" if request.POST.get("next") == "inbox" else "requests_tray"
    return redirect(back)


def _answered(
    request: HttpRequest, conversation: Conversation, notice: str
) -> HttpResponse:
    if wants_fragment(request):
        context = {"item": conversation, "answered": notice}
        return render(request, "conversations/requests_tray.html#request_row", context)
    messages.success(request, notice)
    if conversation.state == Conversation.State.ACTIVE:
        return redirect("conversation_detail", conversation_id=conversation.pk)
    if conversation.tray == Conversation.Tray.LATER:
        return redirect("requests_later")
    return redirect("requests_tray")


@login_required
@require_POST
def request_accept(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    conversation = actions.accept_conversation(conversation, by=session_member(request))
    notice = f"You accepted. Your conversation with {conversation.initiator.display_name} is open."
    return _answered(request, conversation, notice)


@login_required
@require_POST
def request_decline(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    conversation = actions.decline_conversation(
        conversation, by=session_member(request)
    )
    notice = (
        f"Not now, then. {conversation.initiator.display_name} will not be told why."
    )
    return _answered(request, conversation, notice)


def _find_recipient(request: HttpRequest) -> Member | HttpResponse:
    """The member `?to=` names, or the page asking for one (with why it was not found).
    Someone on another server (@name@server) is looked up through federation."""
    typed = request.GET.get("to", "").strip()
    find = forms.FindMemberForm(request.GET if typed else None)
    if typed and find.is_valid():
        if "@" not in typed.lstrip("@"):
            return get_object_or_404(
                Member.objects.visible_to(request.user), handle=typed.lstrip("@")
            )
        from fireside.federation.resolve import resolve_handle

        try:
            return resolve_handle(typed)
        except DomainError as error:
            find.add_error("to", error.message)
            return render_page(
                request,
                "conversations/conversation_new.html",
                {"find": find},
                status=error.status,
            )
    return render_page(
        request,
        "conversations/conversation_new.html",
        {"find": find},
        status=400 if typed else 200,
    )


@login_required
@require_http_methods(PAGE_METHODS)
def conversation_new(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    to = _find_recipient(request)
    if isinstance(to, HttpResponse):
        return to
    post_id = request.GET.get("post", "")
    post = (
        Post.objects.visible_to(member).filter(pk=post_id).first()
        if post_id.isdigit()
        else None
    )
    context: dict[str, Any] = {"to": to, "post": post}
    try:
        permissions.check_request_conversation(member, to, post)
    except (NotAllowed, ValidationFailed) as refusal:
        context["refusal"] = refusal
        context["existing"] = Conversation.objects.between(member, to).open().first()
        return render_page(
            request, "conversations/conversation_new.html", context, status=403
        )
    form = context["form"] = forms.RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = actions.request_conversation(
                by=member, to=to, message=form.cleaned_data["message"], post=post
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, f"Your request is on its way to {to.display_name}."
            )
            return redirect("conversation_detail", conversation_id=conversation.pk)
    return render_page(request, "conversations/conversation_new.html", context)


# One conversation ------------------------------------------------------------------


@login_required
@require_http_methods(PAGE_METHODS)
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = session_member(request)
    conversation = _conversation(request, conversation_id)
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = actions.send_message(conversation, by=member, **form.cleaned_data)
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            return _go_to(request, _message_url(conversation.pk, message.seq))
    elif request.method != "POST":
        actions.mark_read(conversation, by=member, seq=conversation.last_seq)
    context = _detail_context(request, conversation, form)
    return render_page(request, "conversations/conversation_detail.html", context)


@login_required
@require_safe
def conversation_messages(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The messages after `after`, for the polling fallback when no socket is open."""
    member = session_member(request)
    conversation = _conversation(request, conversation_id)
    after = int(request.GET["after"]) if request.GET.get("after", "").isdigit() else 0
    actions.mark_read(conversation, by=member, seq=conversation.last_seq)
    context = _detail_context(request, conversation, forms.MessageForm())
    context["rows"] = queries.message_rows(conversation, member, after=after)
    context["poll"] = True
    return render(request, "conversations/conversation_detail.html#poll", context)


@login_required
@require_POST
def conversation_archive(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    actions.archive_conversation(conversation, by=session_member(request))
    messages.success(request, "The conversation is archived. It stays readable here.")
    return _go_to(request, reverse("conversation_detail", args=[conversation.pk]))


@login_required
@require_http_methods(PAGE_METHODS)
def message_edit(request: HttpRequest, conversation_id: int, seq: int) -> HttpResponse:
    message = _message(request, conversation_id, seq)
    form = forms.EditMessageForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_message(
                message, by=session_member(request), **form.cleaned_data
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            return redirect(_message_url(conversation_id, seq))
    context = {"message": message, "conversation": message.conversation, "form": form}
    return render_page(request, "conversations/message_edit.html", context)


@login_required
@require_http_methods(PAGE_METHODS)
def message_delete(
    request: HttpRequest, conversation_id: int, seq: int
) -> HttpResponse:
    message = _message(request, conversation_id, seq)
    if request.method != "POST":
        context = {"message": message, "conversation": message.conversation}
        return render(request, "conversations/message_delete.html", context)
    actions.delete_message(message, by=session_member(request))
    return _go_to(request, _message_url(conversation_id, seq))


# Settings --------------------------------------------------------------------------


@login_required
@require_http_methods(PAGE_METHODS)
def request_settings(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    initial = {"who_may_ask": member.who_may_ask}
    form = forms.RequestSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_who_may_ask(member, rule=form.cleaned_data["who_may_ask"])
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Your choice is saved.")
            return redirect("request_settings")
    context = {"form": form, "paused": member.requests_paused}
    return render_page(request, "conversations/request_settings.html", context)


def _paused_choice(request: HttpRequest) -> bool:
    form = forms.PauseForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({"requests": ["Choose to pause or to resume requests."]})
    return bool(form.cleaned_data["requests"] == "pause")


@login_required
@require_POST
def requests_pause(request: HttpRequest) -> HttpResponse:
    paused = _paused_choice(request)
    actions.set_requests_paused(session_member(request), paused=paused)
    messages.success(
        request,
        "Requests are paused. Nobody can ask you to talk until you resume them."
        if paused
        else "You take requests again.",
    )
    return redirect("request_settings")


@login_required
@require_POST
def post_requests_pause(request: HttpRequest, post_id: int) -> HttpResponse:
    paused = _paused_choice(request)
    post = get_object_or_404(Post.objects.visible_to(request.user), pk=post_id)
    actions.set_post_requests_paused(post, by=session_member(request), paused=paused)
    messages.success(
        request,
        "Requests about this post are paused."
        if paused
        else "Readers can ask you to talk about this post again.",
    )
    return redirect(reverse("post_detail", args=[post.pk]) + "#talk")
