"""The public join form: the bulletin d'adhésion, online."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import PlainTextField, ServiceErrorFormMixin
from ensemble.core.languages import text_in
from ensemble.core.money import format_money
from ensemble.core.templatetags.content import lang_span
from ensemble.directory.postcodes import clean_address
from ensemble.directory.validators import clean_phone, clean_siret
from ensemble.memberships.models import TERMS_LANGUAGES, Membership, Offer


class JoinForm(ServiceErrorFormMixin, forms.Form):
    establishment_name = PlainTextField(
        label=_("Enseigne"), max_length=200, help_text=_("Le nom que voient vos clients.")
    )
    first_name = PlainTextField(label=_("Prénom"), max_length=100)
    last_name = PlainTextField(label=pgettext_lazy("person", "Nom"), max_length=100)
    address = PlainTextField(label=_("Adresse"), max_length=200)
    postcode = forms.CharField(label=_("Code postal"), max_length=10)
    city = PlainTextField(label=_("Ville"), max_length=100)
    phone = forms.CharField(
        label=_("Téléphone"), max_length=30, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("Votre identifiant pour l'espace pro ; nous vous y écrivons."),
    )
    siret = forms.CharField(
        label=_("SIRET"), max_length=20, help_text=_("14 chiffres, figurant sur votre Kbis.")
    )
    category = forms.TypedChoiceField(label=_("Catégorie"), coerce=int)
    pack = forms.TypedChoiceField(label=_("Pack"), coerce=int, widget=forms.RadioSelect)
    payment_method = forms.ChoiceField(
        label=_("Mode de règlement"),
        choices=Membership.PaymentMethod.choices,
        widget=forms.RadioSelect,
    )
    accept_charter = forms.BooleanField(
        label=_("J'ai lu la charte du « Club Partenaire » et je m'engage à la respecter."),
        required=True,
        error_messages={"required": _("Vous devez accepter la charte pour adhérer.")},
    )
    accept_cgv = forms.BooleanField(
        label=_("J'ai lu et j'accepte les conditions générales de vente."),
        required=True,
        error_messages={"required": _("Vous devez accepter les CGV pour adhérer.")},
    )
    charter_id = forms.IntegerField(widget=forms.HiddenInput)
    cgv_id = forms.IntegerField(widget=forms.HiddenInput)
    # The language of the page the charter and CGV were shown on: each acceptance records the
    # text the person read in it (the French one for a document without that language).
    terms_language = forms.ChoiceField(
        choices=[(code, code) for code in TERMS_LANGUAGES], widget=forms.HiddenInput, required=False
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Honeypot: hidden from people (CSS, aria-hidden, out of the tab order), filled by form robots
    # that fill every field. A value refuses the whole form (clean), so nothing is written.
    website = forms.CharField(
        label=_("Laissez ce champ vide"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, categories, offers, terms, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        lang = get_language() or "fr"
        self.packs = [o for o in offers if o.kind == Offer.Kind.PACK]
        self.options = [o for o in offers if o.kind == Offer.Kind.OPTION]
        self.fields["category"].choices = [("", "—")] + [(c.pk, text_in(c, "name", lang)) for c in categories]
        self.fields["pack"].choices = [(o.pk, self._offer_label(o, lang)) for o in self.packs]
        if len(self.packs) == 1:
            self.fields["pack"].initial = self.packs[0].pk
        for offer in self.options:
            self.fields[f"option_{offer.pk}"] = forms.BooleanField(
                label=self._offer_label(offer, lang), required=False
            )
            if offer.pricing_mode == Offer.PricingMode.PER_PERSON:
                self.fields[f"quantity_{offer.pk}"] = forms.IntegerField(
                    label=_("Nombre de personnes"),
                    required=False,
                    min_value=1,
                    max_value=50,
                    widget=forms.NumberInput(attrs={"data-quantity-for": f"id_option_{offer.pk}"}),
                )
        self.fields["charter_id"].initial = terms["charter"].pk
        self.fields["cgv_id"].initial = terms["cgv"].pk
        page_language = (get_language() or "fr")[:2]
        self.fields["terms_language"].initial = page_language if page_language in TERMS_LANGUAGES else "fr"
        self.fields["submission_key"].initial = uuid.uuid4().hex

    @staticmethod
    def _offer_label(offer: Offer, lang: str) -> str:
        """The offer's name in the page's language (nl → en → fr; a fallback name marked with
        its own lang attribute) and its price: HTML, every value escaped."""
        name = text_in(offer, "name", lang)
        price = format_money(offer.price_ttc, lang, short=True) if offer.price_ttc is not None else ""
        mode = Offer.PricingMode
        if offer.pricing_mode == mode.FLAT:
            template = _("%(name)s — %(price)s TTC")
        elif offer.pricing_mode == mode.PER_PERSON:
            template = _("%(name)s — %(price)s TTC par personne")
        else:
            template = _("%(name)s — sur devis")
        values = {"name": lang_span(name, lang), "price": conditional_escape(price)}
        return mark_safe(conditional_escape(template) % values)  # noqa: S308 — every value escaped

    def option_rows(self):
        """(checkbox, quantity or None, offer) for the template."""
        for offer in self.options:
            quantity = self[f"quantity_{offer.pk}"] if f"quantity_{offer.pk}" in self.fields else None
            yield self[f"option_{offer.pk}"], quantity, offer

    def clean_siret(self):
        try:
            return clean_siret(self.cleaned_data["siret"])
        except ValidationError as exc:
            raise ValidationError(
                _("Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte).")
            ) from exc

    def clean_phone(self):
        try:
            return clean_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(_("Ce numéro de téléphone n'est pas valide.")) from exc

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(
                _("Votre demande n'a pas été envoyée : le champ « Laissez ce champ vide » doit rester vide.")
            )
        if cleaned.get("postcode") and cleaned.get("city"):
            try:  # in France (the establishment's address): the postcode exists and serves the town
                cleaned["postcode"] = clean_address("FR", cleaned["postcode"], cleaned["city"])
            except ValidationError as exc:
                self.add_error(None, exc)
        known = {f"option_{o.pk}" for o in self.options} | {f"quantity_{o.pk}" for o in self.options}
        for key in self.data:
            if key.startswith(("option_", "quantity_")) and key not in known:
                raise ValidationError(_("Cette prestation ne fait pas partie du catalogue de la saison."))
        return cleaned

    def chosen_options(self) -> dict[int, int]:
        chosen = {}
        for offer in self.options:
            if not self.cleaned_data.get(f"option_{offer.pk}"):
                continue
            quantity = 1
            if offer.pricing_mode == Offer.PricingMode.PER_PERSON:
                quantity = self.cleaned_data.get(f"quantity_{offer.pk}") or 0
                if quantity < 1:
                    self.add_error(
                        f"quantity_{offer.pk}",
                        _("Indiquez le nombre de personnes (au moins 1)."),
                    )
            chosen[offer.pk] = quantity
        return chosen


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        return cleaned
