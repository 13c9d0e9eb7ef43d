from django.contrib import admin
from django.urls import include, path

from fireside.api import api
from fireside.core import views as core_views

admin.site.site_header = "Fireside administration"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("about/", core_views.about, name="about"),
    # Before accounts: it adds content negotiation to the profile URL (/@handle/).
    path("", include("fireside.federation.urls")),
    path("", include("fireside.accounts.urls")),
    path("", include("fireside.communities.urls")),
    path("", include("fireside.posts.urls")),
    path("", include("fireside.feed.urls")),
    path("", include("fireside.conversations.urls")),
    path("", include("fireside.trust.urls")),
    path("", include("fireside.safety.urls")),
    path("", include("fireside.moderation.urls")),
    path("", include("fireside.appeals.urls")),
    path("", include("fireside.staff.urls")),
    path("", include("fireside.blocklists.urls")),
    path("", include("fireside.dialogues.urls")),
    path("", include("fireside.ratings.urls")),
    path("", include("fireside.connections.urls")),
    path("", include("fireside.yourdata.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "fireside.core.views.bad_request"
handler403 = "fireside.core.views.permission_denied"
handler404 = "fireside.core.views.page_not_found"
handler500 = "fireside.core.views.server_error"
