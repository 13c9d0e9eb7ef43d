from django.contrib import admin

from fireside.safety.models import Block, Mute


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["blocker", "blocked", "created_at"]
    raw_id_fields = ["blocker", "blocked"]


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["muter", "muted", "created_at"]
    raw_id_fields = ["muter", "muted"]
