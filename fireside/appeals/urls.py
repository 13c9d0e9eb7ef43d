from django.urls import path

from fireside.appeals import views

urlpatterns = [
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/new/<int:action_id>/", views.appeal_create, name="appeal_create"),
    path("appeals/<int:appeal_id>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<int:appeal_id>/decide/", views.appeal_decide, name="appeal_decide"),
    path(
        "c/<slug:slug>/appeals/",
        views.community_appeal_list,
        name="community_appeal_list",
    ),
]
