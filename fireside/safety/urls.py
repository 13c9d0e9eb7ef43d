from django.urls import path

from fireside.safety import views

urlpatterns = [
    path("settings/safety/", views.safety_settings, name="safety_settings"),
    # The same page, under the address blocks always had.
    path("settings/blocks/", views.safety_settings, name="block_list"),
    path("settings/blocks/@<str:handle>/", views.block_create, name="block_create"),
    path("settings/blocks/@<str:handle>/lift/", views.block_lift, name="block_lift"),
    path("settings/mutes/@<str:handle>/", views.mute_create, name="mute_create"),
    path("settings/mutes/@<str:handle>/lift/", views.mute_lift, name="mute_lift"),
]
