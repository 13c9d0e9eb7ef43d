from django.urls import path

from fireside.ratings import views

urlpatterns = [
    path(
        "rate/<str:kind>/<int:target_id>/",
        views.rating_update,
        name="rating_update",
    ),
    path(
        "c/<slug:slug>/highlights/",
        views.community_highlights,
        name="community_highlights",
    ),
    path("highlights/how/", views.highlights_how, name="highlights_how"),
    path(
        "highlights/notices/read/",
        views.helpful_notices_read,
        name="helpful_notices_read",
    ),
]
