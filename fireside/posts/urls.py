from django.urls import path

from fireside.posts import views

urlpatterns = [
    path("c/<slug:slug>/posts/new/", views.post_create, name="post_create"),
    path("p/<int:post_id>/", views.post_detail, name="post_detail"),
    path("p/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("p/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("p/<int:post_id>/history/", views.post_history, name="post_history"),
    path("search/", views.post_search, name="post_search"),
]
