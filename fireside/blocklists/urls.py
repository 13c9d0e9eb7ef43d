from django.urls import path

from fireside.blocklists import views

urlpatterns = [
    path("blocklists/", views.blocklist_list, name="blocklist_list"),
    path(
        "blocklists/<int:blocklist_id>/",
        views.blocklist_detail,
        name="blocklist_detail",
    ),
    path(
        "blocklists/<int:blocklist_id>/entries/",
        views.blocklist_entry_add,
        name="blocklist_entry_add",
    ),
    path(
        "blocklists/<int:blocklist_id>/entries/<int:entry_id>/remove/",
        views.blocklist_entry_remove,
        name="blocklist_entry_remove",
    ),
    path(
        "blocklists/<int:blocklist_id>/publish/",
        views.blocklist_publish,
        name="blocklist_publish",
    ),
    path(
        "c/<slug:slug>/blocklists/",
        views.community_blocklists,
        name="community_blocklists",
    ),
    path(
        "c/<slug:slug>/blocklists/subscriptions/",
        views.blocklist_subscribe,
        name="blocklist_subscribe",
    ),
    path(
        "c/<slug:slug>/blocklists/subscriptions/<int:subscription_id>/remove/",
        views.blocklist_unsubscribe,
        name="blocklist_unsubscribe",
    ),
]
