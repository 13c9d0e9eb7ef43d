from django.urls import path

from fireside.accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("verify/resend/", views.resend_verification, name="resend_verification"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "reset/<str:uid>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("settings/", views.settings_overview, name="settings"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/password/", views.password_change, name="password_change"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
    path("@<str:handle>/", views.member_detail, name="member_detail"),
]
