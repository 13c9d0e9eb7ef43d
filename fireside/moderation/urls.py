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
    path("staff/cases/", views.staff_case_list, name="staff_case_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
]
