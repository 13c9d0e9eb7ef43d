from django.contrib import messages
from django.contrib.auth import login as start_session
from django.contrib.auth import logout as end_session
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fireside.accounts import actions, forms
from fireside.accounts.authentication import session_member
from fireside.accounts.handles import handle_problem, normalize_handle
from fireside.accounts.models import ApiToken, Member
from fireside.core.exceptions import RateLimited, ValidationFailed
from fireside.core.forms import add_action_errors
from fireside.core.ratelimit import client_address
from fireside.live.broadcast import broadcast_on_commit
from fireside.live.consumers import session_key_hash
from fireside.live.groups import session_group
from fireside.yourdata.banner import remember_pending_deletion


def _form_page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    form = context.get("form")
    if status == 200 and getattr(form, "errors", None):
        status = 400
    return render(request, template, context, status=status)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = forms.SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.sign_up_member(
                **form.cleaned_data, address=client_address(request)
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        else:
            start_session(request, member)
            messages.success(
                request,
                f"Welcome, {member.display_name}. We sent a link to {member.email}: "
                "open it to verify your address.",
            )
            return redirect("home")
    return _form_page(request, "accounts/signup.html", {"form": form}, status)


@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = forms.LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.log_in(
                form.cleaned_data["login"],
                form.cleaned_data["password"],
                address=client_address(request),
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        except actions.InvalidCredentials as error:
            form.add_error(None, error.message)
            status = 401
        else:
            start_session(request, member)
            # A pending account deletion shows on every page, with a cancel button.
            remember_pending_deletion(request, member)
            return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request)}
    return _form_page(request, "accounts/login.html", context, status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.session.session_key:
        group = session_group(session_key_hash(request.session.session_key))
        broadcast_on_commit(group, {"type": "auth.logged_out"})
    end_session(request)
    messages.info(request, "You are logged out.")
    return redirect("home")


@require_safe
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    # A GET verifies: the link only proves the mailbox, so a mail scanner opening it first
    # does no harm, and a person gets there in one click.
    try:
        member = actions.verify_email(token)
    except ValidationFailed as error:
        context = {"problem": error.errors["token"][0], "code": error.code}
        return render(request, "accounts/verify_email.html", context, status=400)
    if request.user.pk == member.pk:
        # request.user was read before the update; stale, the page would still ask to verify.
        request.user = member
    return render(request, "accounts/verify_email.html", {"verified": member})


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    actions.resend_verification_mail(
        session_member(request), address=client_address(request)
    )
    messages.success(
        request, f"A new link is on its way to {session_member(request).email}."
    )
    return redirect(_next_url(request))


@require_http_methods(["GET", "HEAD", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.ResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_password_reset(
                form.cleaned_data["email"], address=client_address(request)
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        except RateLimited as error:
            form.add_error(None, error.message)
            status = 429
        else:
            return render(request, "accounts/password_reset_sent.html")
    return _form_page(request, "accounts/password_reset.html", {"form": form}, status)


@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_confirm(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    # GET only shows the form: opening the link must not use it up.
    try:
        actions.member_for_reset(uid, token)
    except ValidationFailed as error:
        context = {"problem": error.errors["token"][0]}
        return render(
            request, "accounts/password_reset_confirm.html", context, status=400
        )
    form = forms.ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reset_password(
                uid, token, new_password=form.cleaned_data["new_password"]
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, "Your password is changed. Log in with the new one."
            )
            return redirect("login")
    return _form_page(request, "accounts/password_reset_confirm.html", {"form": form})


@require_safe
def member_detail(request: HttpRequest, handle: str) -> HttpResponse:
    if "@" in handle:
        return _remote_member_detail(request, handle)
    normal = normalize_handle(handle)
    if handle_problem(normal):
        # Not a handle anyone can have (and PostgreSQL refuses some such text outright).
        raise Http404
    if normal != handle:
        return redirect("member_detail", handle=normal, permanent=True)
    member = get_object_or_404(Member.objects.visible_to(request.user), handle=normal)
    return render(request, "accounts/member_detail.html", {"member": member})


def _remote_member_detail(request: HttpRequest, handle: str) -> HttpResponse:
    """A small page for someone on another server (their stand-in, name@server): who
    they are, where, and a link to their own page there."""
    member = get_object_or_404(
        Member.objects.visible_to(request.user).filter(is_remote=True), handle=handle
    )
    actor = getattr(member, "remote_actor", None)
    context = {"member": member, "actor": actor}
    return render(request, "accounts/remote_member_detail.html", context)


@login_required
@require_safe
def settings_overview(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings_overview.html")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    initial = {
        "display_name": member.display_name,
        "bio": member.bio,
        "interests": ", ".join(member.interests),
    }
    form = forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_profile(member, **form.cleaned_data)
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("member_detail", handle=member.handle)
    return _form_page(request, "accounts/profile_edit.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    member = session_member(request)
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(member, **form.cleaned_data)
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            # Keep this session; the others end with the old password hash.
            update_session_auth_hash(request, member)
            messages.success(
                request, "Your password is changed. Other sessions were logged out."
            )
            return redirect("settings")
    return _form_page(request, "accounts/password_change.html", {"form": form})


def _tokens_page(
    request: HttpRequest,
    form: forms.ApiTokenForm,
    new_secret: str | None = None,
    status: int = 200,
) -> HttpResponse:
    tokens = ApiToken.objects.owned_by(session_member(request)).live()
    context = {"form": form, "tokens": tokens, "new_secret": new_secret}
    template = "accounts/tokens.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#tokens"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = forms.ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = actions.issue_api_token(
                session_member(request), name=form.cleaned_data["name"]
            )
        except ValidationFailed as error:
            add_action_errors(form, error)
        else:
            return _tokens_page(
                request, forms.ApiTokenForm(), new_secret=secret, status=201
            )
    return _tokens_page(request, form, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    member = session_member(request)
    token = get_object_or_404(ApiToken.objects.owned_by(member).live(), pk=token_id)
    actions.revoke_api_token(token, by=member)
    if request.htmx:  # type: ignore[attr-defined]
        return _tokens_page(request, forms.ApiTokenForm())
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("tokens")
