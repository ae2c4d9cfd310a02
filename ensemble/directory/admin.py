from django.contrib import admin

from .models import Category, Contact, Establishment, Organisation


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "position"]
    list_filter = ["office"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "siret", "city"]
    list_filter = ["office"]
    search_fields = ["name", "siret", "siren"]


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "category", "city"]
    list_filter = ["office", "category"]
    search_fields = ["name"]
    raw_id_fields = ["organisation"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["full_name", "organisation", "email", "role", "language"]
    list_filter = ["office", "role"]
    search_fields = ["last_name", "email"]
    raw_id_fields = ["organisation", "user"]
