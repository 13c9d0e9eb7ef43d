from django.urls import path

from fireside.conversations import views

urlpatterns = [
    path("conversations/", views.inbox, name="inbox"),
    path("conversations/requests/", views.requests_tray, name="requests_tray"),
    path("conversations/requests/later/", views.requests_later, name="requests_later"),
    path(
        "conversations/requests/notice/dismiss/",
        views.request_notice_dismiss,
        name="request_notice_dismiss",
    ),
    path("conversations/new/", views.conversation_new, name="conversation_new"),
    path(
        "conversations/<int:conversation_id>/",
        views.conversation_detail,
        name="conversation_detail",
    ),
    path(
        "conversations/<int:conversation_id>/messages/",
        views.conversation_messages,
        name="conversation_messages",
    ),
    path(
        "conversations/<int:conversation_id>/accept/",
        views.request_accept,
        name="request_accept",
    ),
    path(
        "conversations/<int:conversation_id>/decline/",
        views.request_decline,
        name="request_decline",
    ),
    path(
        "conversations/<int:conversation_id>/tray/",
        views.request_move,
        name="request_move",
    ),
    path(
        "conversations/<int:conversation_id>/archive/",
        views.conversation_archive,
        name="conversation_archive",
    ),
    path(
        "conversations/<int:conversation_id>/messages/<int:seq>/edit/",
        views.message_edit,
        name="message_edit",
    ),
    path(
        "conversations/<int:conversation_id>/messages/<int:seq>/delete/",
        views.message_delete,
        name="message_delete",
    ),
    path("settings/requests/", views.request_settings, name="request_settings"),
    path("settings/requests/pause/", views.requests_pause, name="requests_pause"),
    path(
        "p/<int:post_id>/requests/pause/",
        views.post_requests_pause,
        name="post_requests_pause",
    ),
]
