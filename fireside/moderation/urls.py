from django.urls import path

from fireside.moderation import views

urlpatterns = [
    path("p/<int:post_id>/report/", views.report_post, name="report_post"),
    path("@<str:handle>/report/", views.report_member, name="report_member"),
    path(
        "conversations/<int:conversation_id>/messages/<int:seq>/report/",
        views.report_message,
        name="report_message",
    ),
    path("c/<slug:slug>/cases/", views.case_list, name="case_list"),
    path("c/<slug:slug>/cases/review/", views.case_review, name="case_review"),
    path("c/<slug:slug>/cases/workload/", views.case_workload, name="case_workload"),
    path("c/<slug:slug>/log/", views.moderation_log, name="moderation_log"),
    path("staff/cases/", views.staff_case_list, name="staff_case_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/claim/", views.case_claim, name="case_claim"),
    path("cases/<int:case_id>/unclaim/", views.case_unclaim, name="case_unclaim"),
    path("cases/<int:case_id>/notes/", views.case_note, name="case_note"),
    path(
        "cases/<int:case_id>/second-opinion/ask/",
        views.case_second_opinion_ask,
        name="case_second_opinion_ask",
    ),
    path(
        "cases/<int:case_id>/second-opinion/",
        views.case_second_opinion,
        name="case_second_opinion",
    ),
    path("cases/<int:case_id>/resolve/", views.case_resolve, name="case_resolve"),
    path("cases/<int:case_id>/reopen/", views.case_reopen, name="case_reopen"),
    path(
        "cases/<int:case_id>/actions/",
        views.case_action_create,
        name="case_action_create",
    ),
    path(
        "actions/<int:action_id>/confirm/",
        views.action_confirm,
        name="action_confirm",
    ),
    path("settings/moderation/", views.moderation_notices, name="moderation_notices"),
]
