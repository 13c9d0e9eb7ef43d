from django.urls import path

from fireside.staff import views

# /staff/cases/ (reports outside communities) is moderation's; this area links to it.
urlpatterns = [
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/appeals/", views.staff_appeal_list, name="staff_appeal_list"),
    path(
        "staff/suspensions/", views.staff_suspension_list, name="staff_suspension_list"
    ),
    path("staff/suspend/", views.staff_suspend, name="staff_suspend"),
    path("staff/restore/", views.staff_restore, name="staff_restore"),
    path("staff/accounts/unfamiliar/", views.staff_unfamiliar, name="staff_unfamiliar"),
]
