from django.urls import path

from fireside.safety import views

urlpatterns = [
    path("settings/blocks/", views.block_list, name="block_list"),
    path("settings/blocks/@<str:handle>/", views.block_create, name="block_create"),
    path("settings/blocks/@<str:handle>/lift/", views.block_lift, name="block_lift"),
]
