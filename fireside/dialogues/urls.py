from django.urls import path

from fireside.dialogues import views

urlpatterns = [
    path("d/<int:dialogue_id>/", views.dialogue_detail, name="dialogue_detail"),
    path(
        "conversations/<int:conversation_id>/dialogue/",
        views.dialogue_propose,
        name="dialogue_propose",
    ),
    path(
        "dialogues/<int:dialogue_id>/review/",
        views.dialogue_review,
        name="dialogue_review",
    ),
    path(
        "dialogues/<int:dialogue_id>/accept/",
        views.dialogue_accept,
        name="dialogue_accept",
    ),
    path(
        "dialogues/<int:dialogue_id>/decline/",
        views.dialogue_decline,
        name="dialogue_decline",
    ),
    path(
        "dialogues/<int:dialogue_id>/withdraw/",
        views.dialogue_withdraw,
        name="dialogue_withdraw",
    ),
    path(
        "c/<slug:slug>/dialogues/",
        views.community_dialogue_list,
        name="community_dialogue_list",
    ),
]
