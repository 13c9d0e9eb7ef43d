"""Discovery routes. Included at the root before accounts' urls: `member_actor` takes over
the profile URL (/@handle/) to add content negotiation and hands browsers to
accounts.views.member_detail; `member_detail` still names that URL for reverse()."""

from django.urls import path

from fireside.federation import inbox, staff_views, views

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/host-meta", views.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", views.nodeinfo_discovery, name="nodeinfo_discovery"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("actor", views.instance_actor, name="instance_actor"),
    path("@<str:handle>/", views.member_actor, name="member_actor"),
    path("@<str:handle>/followers", views.member_followers, name="member_followers"),
    path("@<str:handle>/following", views.member_following, name="member_following"),
    path("@<str:handle>/outbox", views.member_outbox, name="member_outbox"),
    # Communities as Groups (FEP-1b12): `community_actor` takes over the community page
    # URL like member_actor does the profile URL; posts and dialogues get the same
    # content negotiation (`post_object`, `dialogue_object`).
    path("c/<slug:slug>/", views.community_actor, name="community_actor"),
    path("c/<slug:slug>/inbox", views.community_inbox, name="community_inbox"),
    path("c/<slug:slug>/outbox", views.community_outbox, name="community_outbox"),
    path(
        "c/<slug:slug>/followers",
        views.community_followers,
        name="community_followers",
    ),
    path("p/<int:post_id>/", views.post_object, name="post_object"),
    path("d/<int:dialogue_id>/", views.dialogue_object, name="dialogue_object"),
    path("inbox", inbox.shared_inbox, name="shared_inbox"),
    path("@<str:handle>/inbox", inbox.member_inbox, name="member_inbox"),
    path("settings/follows/", views.follow_settings, name="follow_settings"),
    path(
        "settings/follows/<int:follower_id>/",
        views.follower_decide,
        name="follower_decide",
    ),
    # Instance blocks: the administrators', a cohort's, and the public list.
    path("staff/federation/", staff_views.staff_federation, name="staff_federation"),
    path(
        "staff/federation/unblock/",
        staff_views.staff_instance_unblock,
        name="staff_instance_unblock",
    ),
    path(
        "staff/federation/import/",
        staff_views.staff_instance_blocks_import,
        name="staff_instance_blocks_import",
    ),
    path(
        "staff/federation/export.csv",
        staff_views.staff_instance_blocks_export,
        name="staff_instance_blocks_export",
    ),
    path(
        "c/<slug:slug>/cohort/instances/",
        staff_views.community_instance_blocks,
        name="community_instance_blocks",
    ),
    path(
        "c/<slug:slug>/cohort/instances/unblock/",
        staff_views.community_instance_unblock,
        name="community_instance_unblock",
    ),
    path(
        "about/instances/",
        staff_views.instance_block_list,
        name="instance_block_list",
    ),
]
