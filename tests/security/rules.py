"""The authorization matrix's table: for every page (by URL name) and every API operation
(by "METHOD /path"), what each persona gets. A route missing here fails the suite with
"route X has no rule in the authorization matrix"; that failure lists what each persona
gets now, to be judged (not copied) before it becomes a rule.

Personas (world.py): anonymous; stranger (logged in, unrelated); blocked (blocked by
alice, yet a member of hearth); suspended (deactivated after logging in); participant
(alice: the post's author, one of the conversation's two members, the token's owner);
moderator (mod: a moderator in hearth's cohort); administrator (is_staff, is_superuser)."""

from fireside.accounts.tests.factories import PASSWORD
from tests.security.matrix import (
    FORBIDDEN,
    INVALID,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    Rule,
    api_expect,
    everyone,
    expect,
)

NEW_PASSWORD = "a brand new evening by the fire"

# Shorthands for the common shapes --------------------------------------------------------

PUBLIC_PAGE = Rule(get=everyone(OK), post=everyone(NOT_ALLOWED))
MEMBER_PAGE = Rule(get=expect(LOGIN, OK), post=expect(LOGIN, NOT_ALLOWED))
MEMBER_FORM = Rule(get=expect(LOGIN, OK), post=expect(LOGIN, OK))
LOGGED_OUT_FORM = Rule(
    get=expect(OK, REDIRECT), post=expect(OK, REDIRECT), why="members are sent home"
)
#: One of the two members of a conversation, nobody else: a stranger learns nothing,
#: not even that it exists (404), and no cohort or administrator reads private messages.
CONVERSATION_ONLY = expect(LOGIN, NOT_FOUND, participant=OK)
CONVERSATION_ACTION = expect(LOGIN, NOT_FOUND, participant=(OK, REDIRECT))
#: The community's cohort only: others are told so (403), the community being public.
COHORT_ONLY = expect(LOGIN, FORBIDDEN, moderator=OK)
COHORT_ACTION = expect(LOGIN, FORBIDDEN, moderator=(OK, REDIRECT))
#: The post's author only (cohort moderation of posts comes with issue 6).
AUTHOR_ONLY = expect(LOGIN, FORBIDDEN, participant=OK)
AUTHOR_ACTION = expect(LOGIN, FORBIDDEN, participant=(OK, REDIRECT))
#: Members of hearth (blocked, participant, moderator) but not the stranger or the
#: administrator, who belong to no community.
HEARTH_MEMBERS = expect(LOGIN, OK, stranger=FORBIDDEN, administrator=FORBIDDEN)
#: The unlisted invitation-only community den: its members see it, for everyone else it
#: does not exist.
DEN_MEMBERS = expect(NOT_FOUND, NOT_FOUND, participant=OK, moderator=OK)
NOBODY_POSTS = everyone(NOT_ALLOWED)
#: Federation documents while federation is off: nobody gets one (issue 9).
FEDERATION_OFF = Rule(
    get=everyone(NOT_FOUND),
    post=NOBODY_POSTS,
    why="federation is off without FIRESIDE_DOMAIN and an https SITE_URL",
)


def _den(world):
    return world.hidden.slug


def _request(world):
    return world.request.pk


def _hidden_post(world):
    return world.hidden_post.pk


def _daves_message(world):
    return 2


def _follow_choice(world):
    return {"follows": "approve"}


def _follow_decision(world):
    return {"decision": "accept"}


def _no_follower(world):
    return 999_999


#: Variants on den's post: for everyone outside den it does not exist.
HIDDEN_POST = {"post_id": _hidden_post}


PAGE_RULES: dict[str, Rule] = {
    "home": PUBLIC_PAGE,
    "about": PUBLIC_PAGE,
    "signup": LOGGED_OUT_FORM,
    "login": LOGGED_OUT_FORM,
    "logout": Rule(get=everyone(NOT_ALLOWED), post=everyone(REDIRECT)),
    "resend_verification": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, INVALID),
        why="every persona's address is already verified",
    ),
    "verify_email": Rule(get=everyone(INVALID), post=NOBODY_POSTS),
    "password_reset": Rule(get=everyone(OK), post=everyone(OK)),
    "password_reset_confirm": Rule(get=everyone(INVALID), post=everyone(INVALID)),
    "settings": MEMBER_PAGE,
    "profile_edit": MEMBER_FORM,
    "password_change": MEMBER_FORM,
    "tokens": MEMBER_FORM,
    "token_revoke": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, participant=REDIRECT),
        owned=True,
    ),
    "member_detail": PUBLIC_PAGE,
    # Federation (issue 9). Off in the test settings (no FIRESIDE_DOMAIN), so every
    # federation document is a 404 for everyone; fireside/federation/tests cover them on.
    # member_actor is the profile URL with content negotiation: browsers get the page.
    "member_actor": PUBLIC_PAGE,
    "webfinger": FEDERATION_OFF,
    "host_meta": FEDERATION_OFF,
    "nodeinfo_discovery": FEDERATION_OFF,
    "nodeinfo": FEDERATION_OFF,
    "instance_actor": FEDERATION_OFF,
    "member_followers": FEDERATION_OFF,
    "member_following": FEDERATION_OFF,
    "member_outbox": FEDERATION_OFF,
    # Communities as Groups (FEP-1b12). community_actor, post_object and dialogue_object
    # are the page URLs with content negotiation: browsers get the pages (same rules).
    "community_inbox": Rule(
        get=everyone(NOT_FOUND), post=everyone(NOT_FOUND), why=FEDERATION_OFF.why
    ),
    "community_outbox": FEDERATION_OFF,
    "community_followers": FEDERATION_OFF,
    # Inboxes answer 404 to every method while federation is off (the view checks that
    # first), signed server-to-server POSTs otherwise (fireside/federation/tests).
    "shared_inbox": Rule(
        get=everyone(NOT_FOUND), post=everyone(NOT_FOUND), why=FEDERATION_OFF.why
    ),
    "member_inbox": Rule(
        get=everyone(NOT_FOUND), post=everyone(NOT_FOUND), why=FEDERATION_OFF.why
    ),
    # A member's own choice about remote follows, and their own follow requests.
    "follow_settings": Rule(
        get=expect(LOGIN, OK), post=expect(LOGIN, REDIRECT), data=_follow_choice
    ),
    "follower_decide": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND),
        params={"follower_id": _no_follower},
        data=_follow_decision,
        why="the world has no remote follower: nobody else's request can be answered",
    ),
    "community_list": PUBLIC_PAGE,
    "community_create": MEMBER_FORM,
    "topic_list": PUBLIC_PAGE,
    "topic_detail": PUBLIC_PAGE,
    "community_detail": Rule(
        get=everyone(OK),
        post=NOBODY_POSTS,
        variants={
            "den": Rule(get=DEN_MEMBERS, post=NOBODY_POSTS, params={"slug": _den})
        },
    ),
    "community_actor": Rule(
        get=everyone(OK),
        post=NOBODY_POSTS,
        variants={
            "den": Rule(get=DEN_MEMBERS, post=NOBODY_POSTS, params={"slug": _den})
        },
    ),
    "community_join": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, REDIRECT),
        variants={
            "den": Rule(
                get=expect(LOGIN, NOT_ALLOWED),
                post=expect(LOGIN, NOT_FOUND, participant=REDIRECT, moderator=REDIRECT),
                params={"slug": _den},
            )
        },
    ),
    "community_leave": Rule(
        get=expect(LOGIN, NOT_ALLOWED), post=expect(LOGIN, REDIRECT)
    ),
    "community_members": Rule(
        get=HEARTH_MEMBERS,
        post=expect(LOGIN, NOT_ALLOWED),
        variants={
            "den": Rule(
                get=expect(LOGIN, NOT_FOUND, participant=OK, moderator=OK),
                post=expect(LOGIN, NOT_ALLOWED),
                params={"slug": _den},
            )
        },
    ),
    "community_settings": Rule(
        get=COHORT_ONLY,
        post=expect(LOGIN, FORBIDDEN, moderator=(OK, INVALID)),
        data=lambda w: {"description": "Rewritten by whoever could."},
        owned=True,
    ),
    "community_rules": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=COHORT_ACTION,
        data=lambda w: {"rules": "Be kind."},
        owned=True,
    ),
    "community_request_decide": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=COHORT_ACTION,
        data=lambda w: {"decision": "approve"},
        owned=True,
        variants={
            # porch's request through hearth's page: mod is cohort in hearth only.
            "porch": Rule(
                get=expect(LOGIN, NOT_ALLOWED),
                post=expect(LOGIN, FORBIDDEN, moderator=NOT_FOUND),
                data=lambda w: {"decision": "approve"},
                params={"membership_id": lambda w: w.porch_request.pk},
                owned=True,
            )
        },
    ),
    "community_invite_create": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=COHORT_ACTION,
        data=lambda w: {"days": 7},
        owned=True,
    ),
    "community_invite": Rule(
        get=everyone(OK),
        post=expect(LOGIN, REDIRECT),
        why="an invitation link admits whoever holds it",
    ),
    "post_create": Rule(
        get=HEARTH_MEMBERS,
        post=expect(LOGIN, REDIRECT, stranger=FORBIDDEN, administrator=FORBIDDEN),
        data=lambda w: {"title": "A new post", "body": "Words for it."},
    ),
    "post_detail": Rule(
        get=everyone(OK),
        post=NOBODY_POSTS,
        variants={"den": Rule(get=DEN_MEMBERS, post=NOBODY_POSTS, params=HIDDEN_POST)},
    ),
    "post_object": Rule(
        get=everyone(OK),
        post=NOBODY_POSTS,
        variants={"den": Rule(get=DEN_MEMBERS, post=NOBODY_POSTS, params=HIDDEN_POST)},
    ),
    "post_edit": Rule(
        get=AUTHOR_ONLY,
        post=AUTHOR_ACTION,
        data=lambda w: {"title": "Edited", "body": "Edited words."},
        owned=True,
    ),
    "post_delete": Rule(get=AUTHOR_ONLY, post=AUTHOR_ACTION, owned=True),
    "post_history": Rule(
        get=everyone(OK),
        post=NOBODY_POSTS,
        variants={"den": Rule(get=DEN_MEMBERS, post=NOBODY_POSTS, params=HIDDEN_POST)},
    ),
    "post_search": PUBLIC_PAGE,
    "inbox": MEMBER_PAGE,
    "requests_tray": MEMBER_PAGE,
    "conversation_new": Rule(
        # A request to alice: the moderator shares hearth with her and may ask; the
        # stranger and the administrator share nothing with her; the blocked member may
        # not; alice cannot ask herself.
        get=expect(
            LOGIN,
            FORBIDDEN,
            blocked=(FORBIDDEN, NOT_FOUND),
            moderator=OK,
        ),
        post=expect(
            LOGIN,
            FORBIDDEN,
            blocked=(FORBIDDEN, NOT_FOUND),
            moderator=REDIRECT,
        ),
        query=lambda w: {"to": w.alice.handle},
        data=lambda w: {"message": "Hello, may we talk?"},
    ),
    "conversation_detail": Rule(
        get=CONVERSATION_ONLY,
        post=CONVERSATION_ACTION,
        data=lambda w: {"body": "A word from whoever could.", "client_id": "sec-1"},
        owned=True,
    ),
    "conversation_messages": Rule(
        get=CONVERSATION_ONLY, post=expect(LOGIN, NOT_ALLOWED), owned=True
    ),
    "request_accept": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=CONVERSATION_ACTION,
        params={"conversation_id": _request},
        owned=True,
    ),
    "request_decline": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=CONVERSATION_ACTION,
        params={"conversation_id": _request},
        owned=True,
    ),
    "conversation_archive": Rule(
        get=expect(LOGIN, NOT_ALLOWED), post=CONVERSATION_ACTION, owned=True
    ),
    "message_edit": Rule(
        get=CONVERSATION_ONLY,
        post=CONVERSATION_ACTION,
        data=lambda w: {"body": "Rewritten by whoever could."},
        owned=True,
    ),
    "message_delete": Rule(get=CONVERSATION_ONLY, post=CONVERSATION_ACTION, owned=True),
    "request_settings": MEMBER_FORM,
    "block_list": MEMBER_PAGE,
    "block_create": Rule(
        get=expect(LOGIN, OK),
        post=expect(LOGIN, REDIRECT, participant=INVALID),
        why="anyone may block alice; alice cannot block herself",
    ),
    "block_lift": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, INVALID, participant=REDIRECT),
        params={"handle": lambda w: w.blocked.handle},
        owned=True,
        why="only alice's own block of `blocked` can be lifted, by her",
    ),
    # Trust (fireside/trust) -------------------------------------------------------------
    "trust_detail": MEMBER_PAGE,
    # Requests, Later and pausing (fireside/conversations) -------------------------------
    "requests_later": MEMBER_PAGE,
    "request_notice_dismiss": Rule(
        get=expect(LOGIN, NOT_ALLOWED), post=expect(LOGIN, REDIRECT)
    ),
    "request_move": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=CONVERSATION_ACTION,
        params={"conversation_id": _request},
        data=lambda w: {"tray": "later"},
        owned=True,
        why="only the recipient files a request away",
    ),
    "requests_pause": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, REDIRECT),
        data=lambda w: {"requests": "pause"},
        why="each member pauses their own requests",
    ),
    "post_requests_pause": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, (FORBIDDEN, NOT_FOUND), participant=REDIRECT),
        data=lambda w: {"requests": "pause"},
        owned=True,
        why="only the post's author pauses requests citing it",
    ),
    # Blocks and mutes (fireside/safety) ------------------------------------------------
    "safety_settings": MEMBER_PAGE,
    "mute_create": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, REDIRECT, participant=INVALID),
        why="anyone may mute alice; alice cannot mute herself",
    ),
    "mute_lift": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, INVALID, participant=REDIRECT),
        params={"handle": lambda w: w.dave.handle},
        owned=True,
        why="only alice's own mute of dave can be lifted, by her",
    ),
    # Reports and cases (fireside/moderation) -------------------------------------------
    "report_member": Rule(
        get=expect(LOGIN, OK, participant=INVALID),
        post=expect(LOGIN, OK, participant=INVALID),
        why="any member may report alice (the form, sent empty, comes back); not herself",
    ),
    "report_post": Rule(
        get=expect(
            LOGIN, OK, stranger=FORBIDDEN, administrator=FORBIDDEN, participant=INVALID
        ),
        post=expect(
            LOGIN, OK, stranger=FORBIDDEN, administrator=FORBIDDEN, participant=INVALID
        ),
        why="hearth's members report its posts; the author does not report her own",
    ),
    "report_message": Rule(
        get=expect(LOGIN, NOT_FOUND, participant=OK),
        post=expect(LOGIN, NOT_FOUND, participant=(OK, REDIRECT)),
        params={"seq": _daves_message},
        data=lambda w: {"reason": "This message breaks the rules."},
        owned=True,
        why="only the conversation's members see its messages, so only they report them",
        variants={
            "own": Rule(
                get=expect(LOGIN, NOT_FOUND, participant=INVALID),
                post=expect(LOGIN, NOT_FOUND, participant=INVALID),
                owned=True,
            )
        },
    ),
    "case_list": Rule(
        get=expect(LOGIN, NOT_FOUND, moderator=OK),
        post=expect(LOGIN, NOT_ALLOWED),
        why="the cohort's queue; for everyone else it does not exist",
    ),
    "case_detail": Rule(
        get=expect(LOGIN, NOT_FOUND, moderator=OK),
        post=expect(LOGIN, NOT_ALLOWED),
        why="a case is the cohort's; nobody else learns it exists",
    ),
    "staff_case_list": Rule(
        get=expect(LOGIN, NOT_FOUND, administrator=OK),
        post=expect(LOGIN, NOT_ALLOWED),
        why="cases outside any community, for the instance's administrators",
    ),
    # Cohorts, cases and the log (fireside/moderation) ----------------------------------
    "cohort_detail": PUBLIC_PAGE,
    "moderation_log": Rule(
        get=everyone(OK), post=NOBODY_POSTS, why="the public moderation log"
    ),
    "moderation_notices": MEMBER_PAGE,
    "cohort_answer": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, INVALID),
        why="nobody here holds an invitation to hearth's cohort",
    ),
    **{
        # The lead's business (no persona leads hearth): a moderator is refused too.
        name: Rule(
            get=expect(LOGIN, NOT_ALLOWED),
            post=expect(LOGIN, FORBIDDEN),
            params={"handle": lambda w: w.moderator.handle},
            owned=True,
        )
        for name in (
            "cohort_handover",
            "cohort_invite",
            "cohort_remove",
            "cohort_settings",
            "cohort_withdraw",
        )
    },
    "cohort_step_down": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, FORBIDDEN, moderator=REDIRECT),
        owned=True,
        why="only a cohort member steps down",
    ),
    **{
        name: Rule(
            get=expect(LOGIN, NOT_FOUND, moderator=OK),
            post=expect(LOGIN, NOT_ALLOWED),
            why="the cohort's queues; for everyone else they do not exist",
        )
        for name in ("case_review", "case_workload", "community_appeal_list")
    },
    **{
        name: Rule(
            get=expect(LOGIN, NOT_ALLOWED),
            post=expect(LOGIN, NOT_FOUND, moderator=(REDIRECT, OK, INVALID)),
            data=data,
            owned=True,
            why="working a case is the cohort's; nobody else learns it exists",
        )
        for name, data in (
            ("case_claim", None),
            ("case_unclaim", None),
            ("case_resolve", None),
            ("case_reopen", lambda w: {"comment": "Looking again."}),
            ("case_second_opinion_ask", None),
            ("case_second_opinion", lambda w: {"body": "Agreed."}),
            ("case_note", lambda w: {"body": "A note for the cohort."}),
            (
                "case_action_create",
                lambda w: {"kind": "warn", "rule": 1, "reason": "Be kinder."},
            ),
        )
    },
    "action_confirm": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, moderator=FORBIDDEN),
        owned=True,
        why="the second person confirms; mod proposed the warning, so may not",
    ),
    # Appeals (fireside/appeals) --------------------------------------------------------
    "appeal_list": MEMBER_PAGE,
    "appeal_create": Rule(
        get=expect(LOGIN, NOT_FOUND, participant=REDIRECT),
        post=expect(LOGIN, NOT_FOUND, participant=REDIRECT),
        data=lambda w: {"reason": "Please look again."},
        owned=True,
        why="only the member an action affects appeals it (alice has: sent to it)",
    ),
    "appeal_detail": Rule(
        get=expect(LOGIN, NOT_FOUND, participant=OK, moderator=OK),
        post=expect(LOGIN, NOT_ALLOWED),
        why="the appellant and the cohort that reviews it",
    ),
    "appeal_decide": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, participant=FORBIDDEN, moderator=FORBIDDEN),
        data=lambda w: {"decision": "uphold", "reason": "It stands."},
        owned=True,
        why="a cohort member who did not act decides: not mod (who warned), not alice",
    ),
    # Blocklists (fireside/blocklists) --------------------------------------------------
    "blocklist_list": Rule(
        get=expect(LOGIN, FORBIDDEN, moderator=OK, administrator=OK),
        post=expect(LOGIN, NOT_ALLOWED),
        why="cohort members and administrators browse blocklists",
    ),
    "community_blocklists": Rule(
        get=COHORT_ONLY,
        post=expect(LOGIN, FORBIDDEN, moderator=(OK, REDIRECT, INVALID)),
        owned=True,
    ),
    "blocklist_detail": Rule(
        get=expect(LOGIN, NOT_FOUND, moderator=OK),
        post=expect(LOGIN, NOT_ALLOWED),
        why="unpublished: only the cohort that keeps it",
    ),
    "blocklist_entry_add": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, moderator=(REDIRECT, OK)),
        data=lambda w: {"handle": w.stranger.handle, "reason": "Spam elsewhere."},
        owned=True,
    ),
    "blocklist_entry_remove": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, moderator=REDIRECT),
        owned=True,
    ),
    "blocklist_publish": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, moderator=REDIRECT),
        owned=True,
    ),
    "blocklist_subscribe": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, FORBIDDEN, moderator=(REDIRECT, OK)),
        data=lambda w: {"blocklist": w.blocklist.pk, "mode": "refuse"},
        owned=True,
    ),
    "blocklist_unsubscribe": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, FORBIDDEN, moderator=REDIRECT),
        owned=True,
    ),
    # The instance's staff (fireside/staff) ---------------------------------------------
    **{
        name: Rule(
            get=expect(LOGIN, NOT_FOUND, administrator=OK),
            post=expect(LOGIN, NOT_ALLOWED),
            why="the staff area; for everyone else it does not exist",
        )
        for name in (
            "staff_home",
            "staff_suspension_list",
            "staff_unfamiliar",
            "staff_appeal_list",
        )
    },
    "staff_suspend": Rule(
        get=expect(LOGIN, NOT_FOUND, administrator=OK),
        post=expect(LOGIN, NOT_FOUND, administrator=(REDIRECT, OK)),
        data=lambda w: {"handle": w.dave.handle, "reason": "Spam, over and over."},
        owned=True,
    ),
    "staff_restore": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, administrator=(INVALID, REDIRECT)),
        data=lambda w: {"handle": w.dave.handle},
        owned=True,
        why="dave is not suspended: the administrator is told so",
    ),
    # Instance blocks (fireside/federation): the administrators', a cohort's, and the
    # public list. They work while federation is off, so a list can be ready before.
    "staff_federation": Rule(
        get=expect(LOGIN, NOT_FOUND, administrator=OK),
        post=expect(LOGIN, NOT_FOUND, administrator=REDIRECT),
        data=lambda w: {"domain": "spam.example", "reason": "Spam"},
        owned=True,
        why="the staff area; for everyone else it does not exist",
    ),
    "staff_instance_unblock": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, administrator=(NOT_FOUND, REDIRECT)),
        data=lambda w: {"domain": "spam.example"},
        owned=True,
        why="the world blocks no instance: the administrator hears it is not blocked",
    ),
    "staff_instance_blocks_import": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, NOT_FOUND, administrator=OK),
        data=lambda w: {"text": "domain,reason\nspam.example,Spam\n"},
        owned=True,
        why="the page shows the import's report, line by line",
    ),
    "staff_instance_blocks_export": Rule(
        get=expect(LOGIN, NOT_FOUND, administrator=OK),
        post=expect(LOGIN, NOT_ALLOWED),
    ),
    "community_instance_blocks": Rule(
        get=COHORT_ONLY,
        post=COHORT_ACTION,
        data=lambda w: {"domain": "spam.example", "reason": "Raids"},
        owned=True,
    ),
    "community_instance_unblock": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, FORBIDDEN, moderator=(NOT_FOUND, REDIRECT)),
        data=lambda w: {"domain": "spam.example"},
        owned=True,
        why="hearth blocks no instance: the cohort hears it is not blocked",
    ),
    "instance_block_list": Rule(
        get=everyone(OK), post=NOBODY_POSTS, why="blocked instances are public"
    ),
    # Dialogues (fireside/dialogues) ----------------------------------------------------
    "dialogue_detail": Rule(
        get=everyone(NOT_FOUND),
        post=NOBODY_POSTS,
        why="dave's proposal is not published: for everyone it does not exist yet",
    ),
    "dialogue_object": Rule(
        get=everyone(NOT_FOUND),
        post=NOBODY_POSTS,
        why="dave's proposal is not published: for everyone it does not exist yet",
    ),
    "dialogue_review": Rule(
        get=expect(LOGIN, NOT_FOUND, participant=OK), post=expect(LOGIN, NOT_ALLOWED)
    ),
    **{
        name: Rule(
            get=expect(LOGIN, NOT_ALLOWED),
            post=expect(LOGIN, NOT_FOUND, participant=REDIRECT),
            owned=True,
            why="alice, the other member, decides on dave's proposal",
        )
        for name in ("dialogue_accept", "dialogue_decline", "dialogue_withdraw")
    },
    "dialogue_propose": Rule(
        get=expect(LOGIN, NOT_FOUND, participant=FORBIDDEN),
        post=expect(LOGIN, NOT_FOUND, participant=FORBIDDEN),
        owned=True,
        why="one open proposal per conversation: dave's waits",
    ),
    "community_dialogue_list": PUBLIC_PAGE,
    # Connections, ratings, highlights ----------------------------------------------------
    "community_highlights": PUBLIC_PAGE,
    "highlights_how": PUBLIC_PAGE,
    "helpful_notices_read": Rule(
        get=expect(LOGIN, NOT_ALLOWED), post=expect(LOGIN, REDIRECT)
    ),
    "rating_update": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, (FORBIDDEN, NOT_FOUND), participant=(FORBIDDEN, INVALID)),
        params={"kind": lambda w: "post", "target_id": lambda w: w.post.pk},
        data=lambda w: {"value": "helpful"},
        why="rating opens at trust level 1, which no persona has; never one's own post",
    ),
    "reminder_settings": MEMBER_FORM,
    "connection_list": MEMBER_PAGE,
    "connection_audit": MEMBER_PAGE,
    "audit_notice_dismiss": Rule(
        get=expect(LOGIN, NOT_ALLOWED), post=expect(LOGIN, REDIRECT)
    ),
    "connection_offer": Rule(
        get=expect(LOGIN, NOT_ALLOWED),
        post=expect(LOGIN, INVALID),
        why="sent empty: refused for what it lacks, after the login check",
    ),
    **{
        name: Rule(
            get=expect(LOGIN, (NOT_ALLOWED, NOT_FOUND)),
            post=expect(LOGIN, NOT_FOUND),
            params={"handle": lambda w: w.dave.handle},
            owned=True,
            why="there is no offer or connection with dave for anyone to act on",
        )
        for name in (
            "connection_accept",
            "connection_decline",
            "connection_let_go",
            "connection_reconnect",
            "offer_withdraw",
        )
    },
    # Your data: export and deletion (each member's own) -----------------------------------
    "your_data": MEMBER_PAGE,
    "export_status": MEMBER_PAGE,
    "export_start": Rule(get=expect(LOGIN, NOT_ALLOWED), post=expect(LOGIN, REDIRECT)),
    "export_download": Rule(
        get=everyone(NOT_FOUND),
        post=NOBODY_POSTS,
        why="a download link is its token: a made-up one finds nothing, for anyone",
    ),
    "deletion_request": Rule(
        get=expect(LOGIN, OK),
        post=expect(LOGIN, OK),
        why="sent without the password, the form comes back",
    ),
    "deletion_cancel": Rule(
        get=expect(LOGIN, NOT_ALLOWED), post=expect(LOGIN, REDIRECT)
    ),
}

# The API -------------------------------------------------------------------------------

PUBLIC_FORM = everyone(INVALID)  # public endpoints, called with an empty body
READ_BY_ANYONE = api_expect(OK, OK)
READ_BY_MEMBERS = api_expect(LOGIN, OK)
API_HEARTH_MEMBERS = api_expect(LOGIN, OK, stranger=FORBIDDEN, administrator=FORBIDDEN)
API_DEN_MEMBERS = api_expect(NOT_FOUND, NOT_FOUND, participant=OK, moderator=OK)

API_RULES: dict[str, Rule] = {
    "POST /api/v1/auth/signup": Rule(expected=PUBLIC_FORM),
    "POST /api/v1/auth/token": Rule(expected=PUBLIC_FORM),
    "POST /api/v1/auth/verify": Rule(expected=PUBLIC_FORM),
    "POST /api/v1/auth/verification": Rule(
        expected=api_expect(LOGIN, INVALID), why="already verified"
    ),
    "POST /api/v1/auth/password": Rule(
        expected=api_expect(LOGIN, OK),
        data=lambda w: {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    ),
    "POST /api/v1/auth/password/reset": Rule(expected=PUBLIC_FORM),
    "POST /api/v1/auth/password/reset/confirm": Rule(expected=PUBLIC_FORM),
    "GET /api/v1/auth/tokens": Rule(expected=READ_BY_MEMBERS),
    "POST /api/v1/auth/tokens": Rule(
        expected=api_expect(LOGIN, OK), data=lambda w: {"name": "another"}
    ),
    "DELETE /api/v1/auth/tokens/{token_id}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK), owned=True
    ),
    "GET /api/v1/me": Rule(expected=READ_BY_MEMBERS),
    "PATCH /api/v1/me": Rule(
        expected=api_expect(LOGIN, OK), data=lambda w: {"bio": "Mine to write."}
    ),
    "GET /api/v1/members/{handle}": Rule(
        expected=everyone(OK), why="profiles are public and take no credentials"
    ),
    "GET /api/v1/communities": Rule(expected=READ_BY_ANYONE),
    "POST /api/v1/communities": Rule(
        expected=api_expect(LOGIN, OK),
        data=lambda w: {
            "slug": "a-new-place",
            "name": "A new place",
            "description": "Somewhere new to talk.",
        },
    ),
    "GET /api/v1/topics": Rule(expected=READ_BY_ANYONE),
    "GET /api/v1/communities/{slug}": Rule(
        expected=READ_BY_ANYONE,
        variants={"den": Rule(expected=API_DEN_MEMBERS, params={"slug": _den})},
    ),
    "PATCH /api/v1/communities/{slug}": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK),
        data=lambda w: {"description": "Rewritten by whoever could."},
        owned=True,
        variants={
            "den": Rule(
                expected=api_expect(
                    LOGIN, NOT_FOUND, participant=FORBIDDEN, moderator=OK
                ),
                data=lambda w: {"description": "Rewritten by whoever could."},
                params={"slug": _den},
                owned=True,
            )
        },
    ),
    "PUT /api/v1/communities/{slug}/rules": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK),
        data=lambda w: {"rules": ["Be kind."]},
        owned=True,
    ),
    "GET /api/v1/communities/{slug}/rules/history": Rule(expected=READ_BY_ANYONE),
    "POST /api/v1/communities/{slug}/join": Rule(
        expected=api_expect(LOGIN, OK),
        variants={
            "den": Rule(
                expected=api_expect(LOGIN, NOT_FOUND, participant=OK, moderator=OK),
                params={"slug": _den},
            )
        },
    ),
    "POST /api/v1/communities/{slug}/leave": Rule(expected=api_expect(LOGIN, OK)),
    "GET /api/v1/communities/{slug}/members": Rule(
        expected=API_HEARTH_MEMBERS,
        variants={
            "den": Rule(
                expected=api_expect(LOGIN, NOT_FOUND, participant=OK, moderator=OK),
                params={"slug": _den},
            )
        },
    ),
    "GET /api/v1/communities/{slug}/requests": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK)
    ),
    "POST /api/v1/communities/{slug}/requests/{handle}/approve": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK),
        params={"handle": lambda w: w.newcomer.handle},
        owned=True,
        variants={
            # newcomer asked porch, not den: den's cohort has nothing to approve.
            "den": Rule(
                expected=api_expect(
                    LOGIN, NOT_FOUND, participant=FORBIDDEN, moderator=NOT_FOUND
                ),
                params={"slug": _den, "handle": lambda w: w.newcomer.handle},
                owned=True,
            )
        },
    ),
    "POST /api/v1/communities/{slug}/requests/{handle}/decline": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK),
        params={"handle": lambda w: w.newcomer.handle},
        owned=True,
    ),
    "POST /api/v1/communities/{slug}/invites": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK), owned=True
    ),
    "GET /api/v1/communities/{slug}/posts": Rule(
        expected=READ_BY_ANYONE,
        variants={"den": Rule(expected=API_DEN_MEMBERS, params={"slug": _den})},
    ),
    "POST /api/v1/communities/{slug}/posts": Rule(
        expected=API_HEARTH_MEMBERS,
        data=lambda w: {"title": "A new post", "body": "Words for it."},
    ),
    "GET /api/v1/posts/{post_id}": Rule(
        expected=READ_BY_ANYONE,
        variants={"den": Rule(expected=API_DEN_MEMBERS, params=HIDDEN_POST)},
    ),
    "PATCH /api/v1/posts/{post_id}": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, participant=OK),
        data=lambda w: {"title": "Rewritten by whoever could"},
        owned=True,
    ),
    "DELETE /api/v1/posts/{post_id}": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, participant=OK), owned=True
    ),
    "GET /api/v1/posts/{post_id}/revisions": Rule(
        expected=READ_BY_ANYONE,
        variants={"den": Rule(expected=API_DEN_MEMBERS, params=HIDDEN_POST)},
    ),
    "GET /api/v1/search/posts": Rule(
        expected=READ_BY_ANYONE, query=lambda w: {"q": "kettles"}
    ),
    "GET /api/v1/feed": Rule(expected=READ_BY_MEMBERS),
    "POST /api/v1/conversations": Rule(
        expected=api_expect(
            LOGIN,
            FORBIDDEN,
            blocked=(FORBIDDEN, NOT_FOUND),
            participant=(INVALID, FORBIDDEN),
            moderator=OK,
        ),
        data=lambda w: {
            "to": w.alice.handle,
            "message": "Hello, may we talk?",
            "client_id": "sec-1",
        },
        why="a request to alice; see the conversation_new page rule",
    ),
    "GET /api/v1/conversations": Rule(expected=READ_BY_MEMBERS),
    "GET /api/v1/conversations/{conversation_id}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK)
    ),
    "POST /api/v1/conversations/{conversation_id}/accept": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        params={"conversation_id": _request},
        owned=True,
    ),
    "POST /api/v1/conversations/{conversation_id}/decline": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        params={"conversation_id": _request},
        owned=True,
    ),
    "POST /api/v1/conversations/{conversation_id}/archive": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK), owned=True
    ),
    "GET /api/v1/conversations/{conversation_id}/messages": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK)
    ),
    "POST /api/v1/conversations/{conversation_id}/messages": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        data=lambda w: {"body": "A word from whoever could.", "client_id": "sec-2"},
        owned=True,
    ),
    "PATCH /api/v1/conversations/{conversation_id}/messages/{seq}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        data=lambda w: {"body": "Rewritten by whoever could."},
        owned=True,
        variants={
            "daves": Rule(
                expected=api_expect(
                    LOGIN, NOT_FOUND, participant=(FORBIDDEN, NOT_FOUND)
                ),
                data=lambda w: {"body": "Rewritten by whoever could."},
                params={"seq": _daves_message},
                owned=True,
            )
        },
    ),
    "DELETE /api/v1/conversations/{conversation_id}/messages/{seq}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        owned=True,
        variants={
            "daves": Rule(
                expected=api_expect(
                    LOGIN, NOT_FOUND, participant=(FORBIDDEN, NOT_FOUND)
                ),
                params={"seq": _daves_message},
                owned=True,
            )
        },
    ),
    "POST /api/v1/conversations/{conversation_id}/read": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        data=lambda w: {"seq": 1},
        owned=True,
    ),
    "GET /api/v1/blocks": Rule(expected=READ_BY_MEMBERS),
    "POST /api/v1/blocks": Rule(
        expected=api_expect(LOGIN, OK), data=lambda w: {"handle": w.dave.handle}
    ),
    "DELETE /api/v1/blocks/{handle}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        params={"handle": lambda w: w.blocked.handle},
        owned=True,
    ),
    # Trust and requests (fireside/trust, fireside/conversations) -----------------------
    "GET /api/v1/me/trust": Rule(expected=READ_BY_MEMBERS),
    "GET /api/v1/me/requests": Rule(expected=READ_BY_MEMBERS),
    "POST /api/v1/me/requests/pause": Rule(expected=api_expect(LOGIN, OK)),
    "POST /api/v1/me/requests/resume": Rule(expected=api_expect(LOGIN, OK)),
    "POST /api/v1/me/requests/notice/dismiss": Rule(expected=api_expect(LOGIN, OK)),
    "POST /api/v1/conversations/{conversation_id}/tray": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        params={"conversation_id": _request},
        data=lambda w: {"tray": "later"},
        owned=True,
    ),
    "POST /api/v1/posts/{post_id}/requests/pause": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, participant=OK),
        owned=True,
        variants={
            "den": Rule(
                expected=api_expect(
                    LOGIN, NOT_FOUND, participant=OK, moderator=FORBIDDEN
                ),
                params=HIDDEN_POST,
                owned=True,
            )
        },
    ),
    "POST /api/v1/posts/{post_id}/requests/resume": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, participant=OK), owned=True
    ),
    # Mutes (fireside/safety) -----------------------------------------------------------
    "GET /api/v1/mutes": Rule(expected=READ_BY_MEMBERS),
    "POST /api/v1/mutes": Rule(
        expected=api_expect(LOGIN, OK, participant=(OK, INVALID)),
        data=lambda w: {"handle": w.dave.handle},
        why="alice has muted dave already",
    ),
    "DELETE /api/v1/mutes/{handle}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK),
        params={"handle": lambda w: w.dave.handle},
        owned=True,
    ),
    # Reports and cases (fireside/moderation) -------------------------------------------
    "GET /api/v1/reports": Rule(expected=READ_BY_MEMBERS),
    "POST /api/v1/reports": Rule(
        expected=api_expect(
            LOGIN, OK, stranger=FORBIDDEN, administrator=FORBIDDEN, participant=INVALID
        ),
        data=lambda w: {
            "target": {"type": "post", "id": w.post.pk},
            "rule": 1,
            "reason": "This post breaks the rules.",
        },
        why="hearth's members report its posts; the author does not report her own",
    ),
    "GET /api/v1/communities/{slug}/cases": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=OK)
    ),
    "GET /api/v1/cases/{case_id}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=OK)
    ),
    # Cohorts, cases and the log (fireside/moderation) ----------------------------------
    "GET /api/v1/communities/{slug}/cohort": Rule(expected=READ_BY_ANYONE),
    "GET /api/v1/communities/{slug}/log": Rule(expected=READ_BY_ANYONE),
    "GET /api/v1/me/moderation": Rule(expected=READ_BY_MEMBERS),
    "POST /api/v1/communities/{slug}/cohort/invitations": Rule(
        expected=api_expect(LOGIN, FORBIDDEN),
        data=lambda w: {"handle": w.dave.handle, "role": "moderator"},
        owned=True,
        why="the lead invites (no persona leads hearth)",
    ),
    "DELETE /api/v1/communities/{slug}/cohort/invitations/{handle}": Rule(
        expected=api_expect(LOGIN, FORBIDDEN),
        params={"handle": lambda w: w.dave.handle},
        owned=True,
    ),
    "DELETE /api/v1/communities/{slug}/cohort/members/{handle}": Rule(
        expected=api_expect(LOGIN, FORBIDDEN),
        params={"handle": lambda w: w.moderator.handle},
        owned=True,
    ),
    "PATCH /api/v1/communities/{slug}/cohort/settings": Rule(
        expected=api_expect(LOGIN, FORBIDDEN),
        data=lambda w: {"two_person_rule": False},
        owned=True,
    ),
    "POST /api/v1/communities/{slug}/cohort/handover": Rule(
        expected=api_expect(LOGIN, FORBIDDEN),
        data=lambda w: {"handle": w.moderator.handle},
        owned=True,
    ),
    "POST /api/v1/communities/{slug}/cohort/accept": Rule(
        expected=api_expect(LOGIN, NOT_FOUND),
        why="nobody here holds an invitation",
    ),
    "POST /api/v1/communities/{slug}/cohort/decline": Rule(
        expected=api_expect(LOGIN, NOT_FOUND),
    ),
    "POST /api/v1/communities/{slug}/cohort/step-down": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK), owned=True
    ),
    **{
        f"POST /api/v1/cases/{{case_id}}/{verb}": Rule(
            expected=api_expect(LOGIN, NOT_FOUND, moderator=(OK, INVALID)),
            data=data,
            owned=True,
            why="working a case is the cohort's; nobody else learns it exists",
        )
        for verb, data in (
            ("claim", lambda w: {}),
            ("unclaim", lambda w: {}),
            ("resolve", lambda w: {"comment": "Done."}),
            ("reopen", lambda w: {"comment": "Looking again."}),
            ("second-opinion/ask", lambda w: {"body": "What do you think?"}),
            ("second-opinion", lambda w: {"body": "Agreed."}),
            ("notes", lambda w: {"body": "A note for the cohort."}),
            ("actions", lambda w: {"kind": "warn", "rule": 1, "reason": "Be kinder."}),
        )
    },
    "POST /api/v1/actions/{action_id}/confirm": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=FORBIDDEN),
        owned=True,
        why="mod proposed it, and the proposer may not confirm (API.md)",
    ),
    # Appeals (fireside/appeals) --------------------------------------------------------
    "GET /api/v1/me/appeals": Rule(expected=READ_BY_MEMBERS),
    "GET /api/v1/communities/{slug}/appeals": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=OK)
    ),
    "POST /api/v1/actions/{action_id}/appeal": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=(INVALID, OK)),
        data=lambda w: {"reason": "Please look again."},
        owned=True,
        why="only the member the action affects appeals (alice did already)",
    ),
    "POST /api/v1/appeals/{appeal_id}/decide": Rule(
        expected=api_expect(
            LOGIN, NOT_FOUND, participant=FORBIDDEN, moderator=FORBIDDEN
        ),
        data=lambda w: {"decision": "uphold", "reason": "It stands."},
        owned=True,
        why="a cohort member who did not act decides: not mod (who warned), not alice",
    ),
    # Blocklists (fireside/blocklists) --------------------------------------------------
    "GET /api/v1/blocklists": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK, administrator=OK)
    ),
    "GET /api/v1/blocklists/{blocklist_id}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=OK)
    ),
    "POST /api/v1/blocklists/{blocklist_id}/entries": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=OK),
        data=lambda w: {"handle": w.stranger.handle, "reason": "Spam elsewhere."},
        owned=True,
    ),
    "DELETE /api/v1/blocklists/{blocklist_id}/entries/{handle}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=OK),
        params={"handle": lambda w: w.newcomer.handle},
        owned=True,
    ),
    "POST /api/v1/blocklists/{blocklist_id}/publish": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=OK), owned=True
    ),
    "POST /api/v1/blocklists/{blocklist_id}/unpublish": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, moderator=OK), owned=True
    ),
    "GET /api/v1/communities/{slug}/blocklists": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK)
    ),
    "POST /api/v1/communities/{slug}/blocklists": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK),
        data=lambda w: {"name": "Another list"},
        owned=True,
    ),
    "GET /api/v1/communities/{slug}/blocklist-subscriptions": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK)
    ),
    "POST /api/v1/communities/{slug}/blocklist-subscriptions": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK),
        data=lambda w: {"blocklist": w.blocklist.pk, "mode": "refuse"},
        owned=True,
    ),
    "DELETE /api/v1/communities/{slug}/blocklist-subscriptions/{subscription_id}": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK), owned=True
    ),
    "GET /api/v1/communities/{slug}/blocklist-screenings": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK)
    ),
    # The instance's staff (fireside/staff) ---------------------------------------------
    "GET /api/v1/staff/suspensions": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=OK)
    ),
    "GET /api/v1/staff/accounts/unfamiliar": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=OK)
    ),
    "POST /api/v1/staff/accounts/{handle}/suspend": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=OK),
        params={"handle": lambda w: w.dave.handle},
        data=lambda w: {"reason": "Spam, over and over."},
        owned=True,
    ),
    "POST /api/v1/staff/accounts/{handle}/restore": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=INVALID),
        params={"handle": lambda w: w.dave.handle},
        owned=True,
        why="dave is not suspended: the administrator is told so",
    ),
    # Federation (fireside/federation) ---------------------------------------------------
    "GET /api/v1/me/federation": Rule(expected=READ_BY_MEMBERS),
    "PUT /api/v1/me/federation": Rule(
        expected=api_expect(LOGIN, OK), data=lambda w: {"approve_follows": True}
    ),
    "GET /api/v1/me/followers": Rule(expected=READ_BY_MEMBERS),
    **{
        f"POST /api/v1/me/followers/{{follower_id}}/{verb}": Rule(
            expected=api_expect(LOGIN, NOT_FOUND),
            params={"follower_id": _no_follower},
            owned=True,
            why="the world has no remote follower: nobody else's can be answered",
        )
        for verb in ("accept", "refuse")
    },
    "GET /api/v1/staff/instance-blocks": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=OK)
    ),
    "POST /api/v1/staff/instance-blocks": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=OK),
        data=lambda w: {"domain": "spam.example", "reason": "Spam"},
        owned=True,
    ),
    "GET /api/v1/staff/instance-blocks/export": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=OK)
    ),
    "POST /api/v1/staff/instance-blocks/import": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=OK),
        data=lambda w: {"csv": "domain,reason\nspam.example,Spam\n"},
        owned=True,
    ),
    "DELETE /api/v1/staff/instance-blocks/{domain}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, administrator=(NOT_FOUND, OK)),
        params={"domain": lambda w: "spam.example"},
        owned=True,
        why="the world blocks no instance: the administrator hears it is not blocked",
    ),
    "GET /api/v1/communities/{slug}/instance-blocks": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK)
    ),
    "POST /api/v1/communities/{slug}/instance-blocks": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=OK),
        data=lambda w: {"domain": "spam.example", "reason": "Raids"},
        owned=True,
    ),
    "DELETE /api/v1/communities/{slug}/instance-blocks/{domain}": Rule(
        expected=api_expect(LOGIN, FORBIDDEN, moderator=(NOT_FOUND, OK)),
        params={"domain": lambda w: "spam.example"},
        owned=True,
        why="hearth blocks no instance: the cohort hears it is not blocked",
    ),
    # Dialogues (fireside/dialogues) ----------------------------------------------------
    "GET /api/v1/dialogues/{dialogue_id}": Rule(
        expected=api_expect(NOT_FOUND, NOT_FOUND),
        why="404 unless published and visible to you (API.md); dave's is proposed",
    ),
    **{
        f"POST /api/v1/dialogues/{{dialogue_id}}/{verb}": Rule(
            expected=api_expect(LOGIN, NOT_FOUND, participant=OK), owned=True
        )
        for verb in ("accept", "decline", "withdraw")
    },
    "POST /api/v1/conversations/{conversation_id}/dialogue": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=FORBIDDEN),
        data=lambda w: {"community": w.community.slug},
        owned=True,
        why="one open proposal per conversation: dave's waits",
    ),
    "GET /api/v1/conversations/{conversation_id}/dialogues": Rule(
        expected=api_expect(LOGIN, NOT_FOUND, participant=OK)
    ),
    "GET /api/v1/communities/{slug}/dialogues": Rule(expected=READ_BY_ANYONE),
    "GET /api/v1/me/dialogue-notices": Rule(expected=READ_BY_MEMBERS),
    # Connections, ratings, highlights ----------------------------------------------------
    "GET /api/v1/communities/{slug}/highlights": Rule(expected=READ_BY_ANYONE),
    "PUT /api/v1/ratings": Rule(
        expected=api_expect(
            LOGIN, (FORBIDDEN, NOT_FOUND), participant=(FORBIDDEN, INVALID)
        ),
        data=lambda w: {
            "target": {"type": "post", "id": w.post.pk},
            "value": "helpful",
        },
        why="rating opens at trust level 1, which no persona has; never one's own post",
    ),
    "GET /api/v1/ratings/{kind}/{target_id}": Rule(
        expected=api_expect(LOGIN, (OK, NOT_FOUND)),
        params={"kind": lambda w: "post", "target_id": lambda w: w.post.pk},
        why="one's own rating of alice's post (none yet)",
    ),
    "DELETE /api/v1/ratings/{kind}/{target_id}": Rule(
        expected=api_expect(LOGIN, (OK, NOT_FOUND)),
        params={"kind": lambda w: "post", "target_id": lambda w: w.post.pk},
        why="one's own rating only: nobody has rated it",
    ),
    "GET /api/v1/connections": Rule(expected=READ_BY_MEMBERS),
    "GET /api/v1/connections/audit": Rule(
        expected=READ_BY_MEMBERS, why="API.md: each connection with last_talked_at"
    ),
    "GET /api/v1/connections/settings": Rule(expected=READ_BY_MEMBERS),
    "PUT /api/v1/connections/settings": Rule(expected=api_expect(LOGIN, (OK, INVALID))),
    "POST /api/v1/connections": Rule(
        expected=api_expect(LOGIN, (OK, FORBIDDEN, INVALID)),
        data=lambda w: {"handle": w.dave.handle},
    ),
    "DELETE /api/v1/connections/{handle}": Rule(
        expected=api_expect(LOGIN, NOT_FOUND),
        params={"handle": lambda w: w.dave.handle},
        owned=True,
    ),
    **{
        f"POST /api/v1/connections/{{handle}}/{verb}": Rule(
            expected=api_expect(LOGIN, NOT_FOUND),
            params={"handle": lambda w: w.dave.handle},
            owned=True,
            why="nobody has an offer from dave",
        )
        for verb in ("accept", "decline")
    },
    # Your data: export and deletion (each member's own) -----------------------------------
    "POST /api/v1/me/export": Rule(expected=api_expect(LOGIN, OK)),
    "GET /api/v1/me/export": Rule(
        expected=api_expect(LOGIN, (OK, NOT_FOUND)), why="nobody has asked for one yet"
    ),
    "DELETE /api/v1/me": Rule(
        expected=api_expect(LOGIN, INVALID), why="sent without the password"
    ),
    "GET /api/v1/me/deletion": Rule(
        expected=api_expect(LOGIN, (OK, NOT_FOUND)), why="nobody has asked for it"
    ),
    "POST /api/v1/me/deletion/cancel": Rule(
        expected=api_expect(LOGIN, (OK, NOT_FOUND)), why="nothing to cancel"
    ),
}

#: API URLs that are not operations of the schema, and why.
API_EXTRA_URLS = {
    "/": "django-ninja's root, a pointer to the docs",
    "/openapi.json": "the schema itself",
    "/docs": "the schema, browsable",
}
