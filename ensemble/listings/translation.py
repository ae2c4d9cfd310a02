"""Public content in French, English and Dutch (django-modeltranslation adds _fr, _en, _nl)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Amenity, Listing, OpeningPeriod, Photo, Price


@register(Listing)
class ListingTranslation(TranslationOptions):
    fields = ("short_description", "long_description")


@register(Amenity)
class AmenityTranslation(TranslationOptions):
    fields = ("name",)


@register(Photo)
class PhotoTranslation(TranslationOptions):
    fields = ("alt_text",)


@register(Price)
class PriceTranslation(TranslationOptions):
    fields = ("label",)


@register(OpeningPeriod)
class OpeningPeriodTranslation(TranslationOptions):
    fields = ("note",)  # « Fermé le 25 décembre »: written by the partner, read by visitors
