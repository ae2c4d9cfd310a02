from django.contrib import admin

from .models import Office, OutboundEmail


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "domain", "city"]
    search_fields = ["name", "slug"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "office", "status", "created_at", "sent_at"]
    list_filter = ["office", "status", "template"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
