"""Discovery routes. Included at the root before accounts' urls: `member_actor` takes over
the profile URL (/@handle/) to add content negotiation and hands browsers to
accounts.views.member_detail; `member_detail` still names that URL for reverse()."""

from django.urls import path

from fireside.federation import inbox, views

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/host-meta", views.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", views.nodeinfo_discovery, name="nodeinfo_discovery"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path("actor", views.instance_actor, name="instance_actor"),
    path("@<str:handle>/", views.member_actor, name="member_actor"),
    path("@<str:handle>/followers", views.member_followers, name="member_followers"),
    path("@<str:handle>/following", views.member_following, name="member_following"),
    path("inbox", inbox.shared_inbox, name="shared_inbox"),
    path("@<str:handle>/inbox", inbox.member_inbox, name="member_inbox"),
    path("settings/follows/", views.follow_settings, name="follow_settings"),
    path(
        "settings/follows/<int:follower_id>/",
        views.follower_decide,
        name="follower_decide",
    ),
]
