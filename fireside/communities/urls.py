from django.urls import path

from fireside.communities import views

urlpatterns = [
    path("communities/", views.community_list, name="community_list"),
    path("communities/new/", views.community_create, name="community_create"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<str:name>/", views.topic_detail, name="topic_detail"),
    path("c/<slug:slug>/", views.community_detail, name="community_detail"),
    path("c/<slug:slug>/join/", views.community_join, name="community_join"),
    path("c/<slug:slug>/leave/", views.community_leave, name="community_leave"),
    path("c/<slug:slug>/members/", views.community_members, name="community_members"),
    path(
        "c/<slug:slug>/settings/", views.community_settings, name="community_settings"
    ),
    path(
        "c/<slug:slug>/settings/rules/", views.community_rules, name="community_rules"
    ),
    path(
        "c/<slug:slug>/settings/requests/<int:membership_id>/",
        views.community_request_decide,
        name="community_request_decide",
    ),
    path(
        "c/<slug:slug>/settings/invites/",
        views.community_invite_create,
        name="community_invite_create",
    ),
    path("invite/<str:code>/", views.community_invite, name="community_invite"),
]
