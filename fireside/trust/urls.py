from django.urls import path

from fireside.trust import views

urlpatterns = [
    path("settings/trust/", views.trust_detail, name="trust_detail"),
]
