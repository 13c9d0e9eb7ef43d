from django.urls import path

from fireside.connections import views

urlpatterns = [
    path("connections/", views.connection_list, name="connection_list"),
    path("connections/audit/", views.connection_audit, name="connection_audit"),
    path(
        "connections/audit/notice/dismiss/",
        views.audit_notice_dismiss,
        name="audit_notice_dismiss",
    ),
    path("connections/offer/", views.connection_offer, name="connection_offer"),
    path(
        "connections/@<str:handle>/accept/",
        views.connection_accept,
        name="connection_accept",
    ),
    path(
        "connections/@<str:handle>/decline/",
        views.connection_decline,
        name="connection_decline",
    ),
    path(
        "connections/@<str:handle>/withdraw/",
        views.offer_withdraw,
        name="offer_withdraw",
    ),
    path(
        "connections/@<str:handle>/let-go/",
        views.connection_let_go,
        name="connection_let_go",
    ),
    path(
        "connections/@<str:handle>/reconnect/",
        views.connection_reconnect,
        name="connection_reconnect",
    ),
    path("settings/reminders/", views.reminder_settings, name="reminder_settings"),
]
