"""Read-mostly admin for superusers; staff work in the back office, which goes through services."""

from django.contrib import admin

from .models import Membership, Offer, Season, TermsDocument


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["year", "office", "is_open_for_joining"]
    list_filter = ["office"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "season", "kind", "pricing_mode", "price_ttc", "vat_rate"]
    list_filter = ["season__office", "season", "kind"]


@admin.register(TermsDocument)
class TermsDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "season", "kind", "version", "is_current"]
    readonly_fields = ["content_hash"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Status changes must go through the services: the admin shows, it does not edit."""

    list_display = ["organisation", "season", "status", "amount_due", "activated_on"]
    list_filter = ["office", "season", "status"]
    search_fields = ["organisation__name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
