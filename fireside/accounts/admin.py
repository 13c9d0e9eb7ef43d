from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm

from fireside.accounts.models import ApiToken, Member


class MemberCreationForm(AdminUserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = Member
        fields = ("handle", "email", "display_name")


@admin.register(Member)
class MemberAdmin(UserAdmin):  # type: ignore[type-arg]
    add_form = MemberCreationForm
    ordering = ["handle"]
    list_display = [
        "handle",
        "display_name",
        "email",
        "trust_level",
        "joined_at",
        "is_active",
    ]
    list_filter = ["trust_level", "is_active", "is_staff"]
    search_fields = ["handle", "display_name", "email"]
    readonly_fields = ["joined_at", "last_login", "email_verified_at"]
    fieldsets = (
        (None, {"fields": ("handle", "password")}),
        ("Profile", {"fields": ("display_name", "email", "bio", "interests")}),
        (
            "Standing",
            {"fields": ("trust_level", "email_verified_at", "joined_at", "last_login")},
        ),
        ("Instance", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("handle", "email", "display_name", "password1", "password2"),
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "member",
        "name",
        "hint",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["key_hash", "hint", "created_at", "last_used_at"]
    search_fields = ["member__handle", "name"]
