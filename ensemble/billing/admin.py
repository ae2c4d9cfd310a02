"""Read-only admin for superusers: billing changes go through the services only."""

from django.contrib import admin

from .models import Invoice, InvoiceLine
from .payments import Payment


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """An issued invoice never changes: the admin shows invoices and edits none."""

    list_display = ["__str__", "office", "buyer_name", "issue_date", "total_ttc", "state"]
    list_filter = ["office", "kind", "state"]
    search_fields = ["number", "buyer_name"]
    inlines = [InvoiceLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "office", "organisation", "invoice", "cancelled_at"]
    list_filter = ["office", "method"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
