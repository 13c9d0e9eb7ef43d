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
    path("c/<slug:slug>/cohort/", views.cohort_detail, name="cohort_detail"),
    path("c/<slug:slug>/cohort/invite/", views.cohort_invite, name="cohort_invite"),
    path("c/<slug:slug>/cohort/answer/", views.cohort_answer, name="cohort_answer"),
    path(
        "c/<slug:slug>/cohort/invitations/<str:handle>/withdraw/",
        views.cohort_withdraw,
        name="cohort_withdraw",
    ),
    path(
        "c/<slug:slug>/cohort/handover/", views.cohort_handover, name="cohort_handover"
    ),
    path(
        "c/<slug:slug>/cohort/step-down/",
        views.cohort_step_down,
        name="cohort_step_down",
    ),
    path(
        "c/<slug:slug>/cohort/remove/<str:handle>/",
        views.cohort_remove,
        name="cohort_remove",
    ),
    path(
        "c/<slug:slug>/cohort/settings/",
        views.cohort_settings,
        name="cohort_settings",
    ),
]
