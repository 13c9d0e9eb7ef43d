from django.urls import path

from fireside.yourdata import views

urlpatterns = [
    path("settings/data/", views.your_data, name="your_data"),
    path("settings/data/export/", views.export_start, name="export_start"),
    path("settings/data/export/status/", views.export_status, name="export_status"),
    path(
        "settings/data/export/download/<str:token>/",
        views.export_download,
        name="export_download",
    ),
    path("settings/data/delete/", views.deletion_request, name="deletion_request"),
    path("settings/data/delete/cancel/", views.deletion_cancel, name="deletion_cancel"),
]
