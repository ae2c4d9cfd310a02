"""Events in French, English and Dutch (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Event


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "price_text")
