"""Back-office forms: they check the shape of the input; the services apply the rules."""

import datetime
import re
import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ensemble.billing.payments import Payment
from ensemble.core.forms import PlainTextField, ServiceErrorFormMixin, localize_limits
from ensemble.directory.models import LANGUAGES as CONTACT_LANGUAGES
from ensemble.directory.models import Contact, NoteKind
from ensemble.directory.postcodes import COUNTRIES, clean_address
from ensemble.memberships.models import LateStart, Membership

REASON_REQUIRED = _("Le motif est obligatoire.")


class DateInput(forms.DateInput):
    """A native date picker; the value travels as ISO 8601 whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MoneyField(forms.DecimalField):
    """Euros with at most two decimals; accepts "90,00", "90.00", "1 234,50" and "90 €"."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)
        localize_limits(self)  # « supérieure ou égale à 0,01 » in French

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(inputmode="decimal", autocomplete="off")
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f€]", "", value)
            if "," in value and "." in value:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            value = value.replace(",", ".")
        return super().to_python(value)


def format_amount(amount: Decimal) -> str:
    """The way staff type an amount in French: 90,00."""
    return f"{amount:.2f}".replace(".", ",")


class BackofficeForm(ServiceErrorFormMixin, forms.Form):
    """Ties each error to its field for assistive technologies, and takes a service's error."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)


# --- Lists -------------------------------------------------------------------------------------


class MembershipFilterForm(BackofficeForm):
    """The GET form above the memberships list. Bad values are ignored, never an error page."""

    season = forms.TypedChoiceField(label=_("Saison"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Statut"), required=False)
    category = forms.TypedChoiceField(label=_("Catégorie"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)

    def __init__(self, *args, seasons, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["season"].choices = [("", _("Toutes"))] + [(s.pk, s.year) for s in seasons]
        self.fields["status"].choices = [("", _("Tous"))] + list(Membership.Status.choices)
        self.fields["category"].choices = [("", _("Toutes"))] + [(c.pk, c.name) for c in categories]
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of `membership_list`."""
        self.is_valid()  # an invalid filter is dropped; the others still apply
        data = self.cleaned_data
        return {
            "season_id": data.get("season"),
            "status": data.get("status") or None,
            "category_id": data.get("category"),
            "search": (data.get("q") or "").strip(),
        }


class SearchForm(BackofficeForm):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"

    def search(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class SeasonChoiceForm(BackofficeForm):
    season = forms.TypedChoiceField(label=_("Saison"), coerce=int)

    def __init__(self, *args, seasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["season"].choices = [(s.pk, s.year) for s in seasons]


class SeasonSalesForm(BackofficeForm):
    """When the join form offers the season, and what a membership that starts late pays
    (memberships.services.set_season_sales)."""

    sales_from = forms.DateField(
        label=_("Mise en vente à partir du"),
        required=False,
        widget=DateInput,
        help_text=_(
            "Par exemple le 1er novembre de l'année précédente : le bulletin en ligne propose alors "
            "cette saison. Vide : dès l'ouverture des adhésions."
        ),
    )
    late_start_rule = forms.ChoiceField(
        label=_("Adhésion en cours de saison"), choices=LateStart.choices, widget=forms.RadioSelect
    )


# --- Membership actions --------------------------------------------------------------------------


class MembershipActionForm(BackofficeForm):
    """The form of one action on a membership page; the prefix keeps ids unique on the page."""

    def __init__(self, *args, membership: Membership | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership


class ConfirmForm(MembershipActionForm):
    """An action without input: the button and the CSRF token are enough."""


class AcceptForm(MembershipActionForm):
    """Validating a request; a cheque that came with the bulletin is recorded on the invoice at
    once (all three fields empty: no cheque yet)."""

    cheque_amount = MoneyField(label=_("Chèque joint au bulletin : montant"), required=False)
    cheque_number = forms.CharField(label=_("N° du chèque joint"), required=False, max_length=30)
    cheque_bank = forms.CharField(label=_("Banque du chèque joint"), required=False, max_length=100)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("cheque_amount") and not cleaned.get("cheque_number", "").strip():
            self.add_error("cheque_number", _("Indiquez le numéro du chèque."))
        cleaned["_cheque"] = self._cheque(cleaned)
        return cleaned

    def _cheque(self, data: dict) -> dict | None:
        if not data.get("cheque_amount") or self.errors:
            return None
        return {
            "amount": data["cheque_amount"],
            "cheque_number": data["cheque_number"],
            "bank": data["cheque_bank"],
            "received_on": getattr(self.membership, "bulletin_signed_on", None) or timezone.localdate(),
        }


class ReasonForm(MembershipActionForm):
    """An action whose reason is written to the partner and kept in the history."""

    reason_label = _("Motif")
    reason_required = True

    reason = PlainTextField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = self.reason_label
        field.required = self.reason_required
        field.error_messages["required"] = REASON_REQUIRED


class RefuseForm(ReasonForm):
    reason_label = _("Motif du refus")


class SuspendForm(ReasonForm):
    reason_label = _("Motif de la suspension")


class TerminateForm(ReasonForm):
    reason_label = _("Motif de la résiliation")


class ReinstateForm(ReasonForm):
    reason_label = _("Commentaire (facultatif)")
    reason_required = False


class NoticeForm(MembershipActionForm):
    received_on = forms.DateField(
        label=_("Préavis reçu le"),
        widget=DateInput,
        help_text=_("L'adhésion prendra fin 30 jours plus tard, ou à la fin de la saison."),
    )
    reason = PlainTextField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class BulletinForm(MembershipActionForm):
    received_on = forms.DateField(label=_("Bulletin signé reçu le"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class PaymentForm(MembershipActionForm):
    amount = MoneyField(label=_("Montant"), help_text=_("En euros TTC, par exemple 90,00."))
    received_on = forms.DateField(label=_("Date de réception"), widget=DateInput)
    method = forms.ChoiceField(label=_("Mode de règlement"), choices=Payment.Method.choices)
    cheque_number = forms.CharField(
        label=_("N° de chèque"),
        required=False,
        max_length=30,
        help_text=_("Obligatoire pour un chèque."),
    )
    bank = forms.CharField(label=_("Banque (facultatif)"), required=False, max_length=100)
    transfer_reference = forms.CharField(
        label=_("Référence du virement (facultatif)"), required=False, max_length=140
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = uuid.uuid4().hex
        self.fields["received_on"].initial = timezone.localdate()
        membership = self.membership
        if membership is not None:
            self.fields["method"].initial = membership.payment_method
            paid = getattr(membership, "amount_paid", Decimal("0.00"))
            if membership.amount_due > paid:
                self.fields["amount"].initial = format_amount(membership.amount_due - paid)


# --- Directory and catalogue ------------------------------------------------------------------------


class NoteForm(BackofficeForm):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[
            (NoteKind.CALL, NoteKind.CALL.label),
            (NoteKind.VISIT, NoteKind.VISIT.label),
            (NoteKind.NOTE, NoteKind.NOTE.label),
        ],
    )
    summary = PlainTextField(label=_("Résumé"), max_length=250)
    body = PlainTextField(
        label=_("Détail (facultatif)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].error_messages["required"] = _("Le résumé de la note est obligatoire.")


class CategoryForm(BackofficeForm):
    name = PlainTextField(label=_("Nom"), max_length=100)
    name_en = PlainTextField(label=_("Nom en anglais (facultatif)"), required=False, max_length=100)
    name_nl = PlainTextField(label=_("Nom en néerlandais (facultatif)"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Le nom de la catégorie est obligatoire.")


class TermsForm(BackofficeForm):
    """A new version of the charter or the CGV: the French text, and the English and Dutch ones
    where the office has them (empty: visitors reading that language get the French text)."""

    title = PlainTextField(label=_("Titre (français)"), max_length=200)
    body = PlainTextField(
        label=_("Texte (français)"), max_length=100000, widget=forms.Textarea(attrs={"rows": 14})
    )
    title_en = PlainTextField(label=_("Titre en anglais (facultatif)"), max_length=200, required=False)
    body_en = PlainTextField(
        label=_("Texte en anglais (facultatif)"),
        max_length=100000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "lang": "en"}),
    )
    title_nl = PlainTextField(label=_("Titre en néerlandais (facultatif)"), max_length=200, required=False)
    body_nl = PlainTextField(
        label=_("Texte en néerlandais (facultatif)"),
        max_length=100000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "lang": "nl"}),
    )

    fieldsets = [
        (_("Français (fait foi)"), ["title", "body"]),
        (_("Anglais"), ["title_en", "body_en"]),
        (_("Néerlandais"), ["title_nl", "body_nl"]),
    ]

    def groups(self) -> list[tuple]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def translations(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {lang: (data[f"title_{lang}"], data[f"body_{lang}"]) for lang in ("en", "nl")}


# --- Directory edits (the services validate; these forms only check the shape) -------------------


class IdentifierField(forms.CharField):
    """SIREN, SIRET: pasted as "123 456 789 00012" or "123.456.789"; kept as digits only."""

    def to_python(self, value):
        return re.sub(r"[\s.\u00a0\u202f-]", "", super().to_python(value))


class CoordinateField(forms.DecimalField):
    """Decimal degrees, typed "50,7512" or "50.7512"; the range is the service's rule."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(max_digits=9, decimal_places=6, required=False, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(inputmode="decimal")
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


def _text(label, max_length: int, *, required: bool = True, help_text="", input_type="") -> forms.Field:
    # Free text by the one rule (core/text.py); a phone or a code keeps its characters as typed.
    kind = forms.CharField if input_type else PlainTextField
    field = kind(label=label, max_length=max_length, required=required, help_text=help_text)
    if input_type:
        field.widget.input_type = input_type
    return field


def _phone() -> forms.Field:
    return _text(
        _("Téléphone (facultatif)"),
        30,
        required=False,
        help_text=_("Par exemple 03 21 12 34 56."),
        input_type="tel",
    )


def _email() -> forms.Field:
    return forms.EmailField(label=_("E-mail (facultatif)"), required=False, max_length=254)


class DirectoryForm(BackofficeForm):
    """A directory record's form. Staff type a third party's details: the browser must not
    offer their own; help texts describe their input. `fieldsets` groups the fields on the page."""

    fieldsets: list[tuple] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("autocomplete", "off")
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_helptext"

    def groups(self) -> list[tuple]:
        """(legend, [bound fields]) for each fieldset."""
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def changed_fields(self) -> dict:
        """The cleaned values that differ from the record's (what an update passes on)."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class OrganisationForm(DirectoryForm):
    name = _text(_("Raison sociale"), 200)
    siren = IdentifierField(
        label=_("SIREN (facultatif)"),
        required=False,
        max_length=20,
        help_text=_("9 chiffres ; déduit du SIRET s'il est laissé vide."),
    )
    siret = IdentifierField(
        label=_("SIRET (facultatif)"),
        required=False,
        max_length=20,
        help_text=_("14 chiffres : le SIREN suivi du numéro de l'établissement siège."),
    )
    vat_number = _text(
        _("N° de TVA intracommunautaire (facultatif)"),
        20,
        required=False,
        help_text=_("Par exemple FR40303265045."),
    )
    address = _text(_("Adresse"), 200)  # under the "Adresse de facturation" legend
    postcode = _text(_("Code postal"), 10)
    city = _text(_("Ville"), 100)
    country = forms.ChoiceField(label=_("Pays"), choices=COUNTRIES, initial="FR", required=False)
    email = _email()
    phone = _phone()

    fieldsets = [
        (_("Identité"), ["name", "siren", "siret", "vat_number"]),
        (_("Adresse de facturation"), ["address", "postcode", "city", "country"]),
        (_("Coordonnées"), ["email", "phone"]),
    ]

    def clean_country(self) -> str:
        return self.cleaned_data["country"] or "FR"

    def changed_fields(self) -> dict:
        changed = super().changed_fields()
        if changed.get("country") == self.get_initial_for_field(self.fields["country"], "country"):
            del changed["country"]  # not posted: the country stays
        return changed


class EstablishmentForm(DirectoryForm):
    name = _text(_("Enseigne"), 200, help_text=_("Le nom que le public voit."))
    category = forms.ModelChoiceField(label=_("Catégorie"), queryset=None, empty_label=_("Choisir…"))
    address = _text(_("Adresse"), 200)
    postcode = _text(_("Code postal"), 10)
    city = _text(_("Ville"), 100)
    latitude = CoordinateField(
        label=_("Latitude (facultatif)"), help_text=_("En degrés, par exemple 50,7512.")
    )
    longitude = CoordinateField(
        label=_("Longitude (facultatif)"), help_text=_("En degrés, par exemple 2,2526.")
    )
    phone = _phone()
    email = _email()
    website = forms.URLField(
        label=_("Site web (facultatif)"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        help_text=_("Par exemple https://www.example.fr."),
    )

    fieldsets = [
        (_("Établissement"), ["name", "category"]),
        (_("Localisation"), ["address", "postcode", "city", "latitude", "longitude"]),
        (_("Coordonnées"), ["phone", "email", "website"]),
    ]

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class ContactForm(DirectoryForm):
    first_name = _text(_("Prénom"), 100)
    last_name = _text(_("Nom"), 100)
    role = forms.ChoiceField(label=_("Rôle"), choices=Contact.Role.choices)
    email = _email()
    phone = _phone()
    language = forms.ChoiceField(
        label=_("Langue de correspondance"),
        choices=CONTACT_LANGUAGES,
        help_text=_("La langue des e-mails qui lui sont envoyés."),
    )
    is_primary = forms.BooleanField(
        label=_("Contact principal"),
        required=False,
        help_text=_("Le destinataire des e-mails adressés à l'organisation."),
    )

    fieldsets = [
        (_("Identité"), ["first_name", "last_name", "role"]),
        (_("Coordonnées"), ["email", "phone", "language", "is_primary"]),
    ]


# --- Billing ----------------------------------------------------------------------------------


class CreditNoteForm(BackofficeForm):
    reason = PlainTextField(
        label=_("Motif de l'avoir"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class FreeInvoiceForm(BackofficeForm):
    """One line: a catalogue offer (its TTC price) or a free line typed TTC."""

    offer = forms.ModelChoiceField(label=_("Prestation du catalogue"), queryset=None, required=False)
    label = PlainTextField(
        label=_("Désignation"),
        max_length=250,
        required=False,
        help_text=_("Obligatoire pour une ligne libre ; sinon, le nom de la prestation."),
    )
    quantity = MoneyField(label=_("Quantité"), initial="1")
    unit_price_ttc = MoneyField(label=_("Prix unitaire TTC (ligne libre)"), required=False)
    vat_rate = forms.DecimalField(
        label=_("Taux de TVA (%)"), initial=Decimal("20.00"), min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers
        self.fields["offer"].label_from_instance = lambda o: (
            f"{o.season.year} — {o.name} ({o.price_ttc} € TTC)"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("offer") is None:
            if not cleaned.get("label"):
                self.add_error("label", _("Indiquez la désignation de la ligne libre."))
            if cleaned.get("unit_price_ttc") is None:
                self.add_error("unit_price_ttc", _("Indiquez le prix de la ligne libre."))
        return cleaned


# --- Accounting exports -------------------------------------------------------------------------


class AccountingPeriodForm(BackofficeForm):
    """The period of the accounting exports, both days included; the current month by default."""

    MAX_DAYS = 366  # a fiscal year, leap day included

    start = forms.DateField(label=_("Du"), widget=DateInput)
    end = forms.DateField(label=_("Au (inclus)"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        first = today.replace(day=1)
        next_month = (first + datetime.timedelta(days=32)).replace(day=1)
        self.fields["start"].initial = first
        self.fields["end"].initial = next_month - datetime.timedelta(days=1)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return cleaned
        if start > end:
            self.add_error("end", _("La date de fin ne peut pas précéder la date de début."))
        elif (end - start).days + 1 > self.MAX_DAYS:
            self.add_error(
                "end",
                _("La période ne peut pas dépasser %(days)s jours : exportez un exercice à la fois.")
                % {"days": self.MAX_DAYS},
            )
        return cleaned


# --- Quotes ---------------------------------------------------------------------------------------


class QuoteForm(BackofficeForm):
    """Who the quote is for, how long it stays valid once sent, and a note printed on it."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=_("Choisir…"))
    valid_days = forms.IntegerField(
        label=_("Durée de validité (jours)"),
        initial=30,
        min_value=1,
        max_value=365,
        help_text=_("Le délai court à partir de l'envoi du devis."),
    )
    note = PlainTextField(
        label=_("Mention (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Conditions ou précisions lues par le partenaire avec le devis."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        for name in ("valid_days", "note"):
            self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_helptext"


class QuoteLineForm(BackofficeForm):
    """One optional row: an on-quote offer of the catalogue or a free label, priced TTC."""

    offer = forms.ModelChoiceField(
        label=_("Prestation sur devis"), queryset=None, required=False, empty_label=_("Ligne libre")
    )
    label = PlainTextField(
        label=_("Désignation"),
        max_length=250,
        required=False,
        help_text=_("Obligatoire pour une ligne libre ; sinon, le nom de la prestation."),
    )
    # Decimal initials: an untouched row then counts as unchanged, hence empty.
    quantity = MoneyField(label=_("Quantité"), initial=Decimal("1"))
    unit_price_ttc = MoneyField(label=_("Prix unitaire TTC"), required=False, min_value=Decimal("0"))
    vat_rate = MoneyField(
        label=_("Taux de TVA (%)"), initial=Decimal("20"), min_value=Decimal("0"), max_value=Decimal("100")
    )

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers
        self.fields["offer"].label_from_instance = lambda o: f"{o.season.year} — {o.name}"
        self.fields["label"].widget.attrs["aria-describedby"] = f"{self['label'].auto_id}_helptext"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("offer") is None and not cleaned.get("label"):
            self.add_error("label", _("Indiquez la désignation de la ligne ou choisissez une prestation."))
        if cleaned.get("unit_price_ttc") is None and "unit_price_ttc" not in self.errors:
            self.add_error("unit_price_ttc", _("Indiquez le prix unitaire TTC."))
        return cleaned

    def as_line(self):
        """The row as the billing services take it."""
        from ensemble.billing.amounts import LineInput

        data = self.cleaned_data
        offer = data.get("offer")
        return LineInput(
            label=data["label"] or offer.name,
            quantity=data["quantity"],
            vat_rate=data["vat_rate"],
            unit_price_ttc=data["unit_price_ttc"],
            offer_id=offer.pk if offer is not None else None,
        )


class BaseQuoteLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if not any(form.has_changed() for form in self.forms):
            raise ValidationError(_("Indiquez au moins une ligne."), code="no_lines")

    def lines(self) -> list:
        return [form.as_line() for form in self.forms if form.has_changed()]


QuoteLineFormSet = forms.formset_factory(
    QuoteLineForm, formset=BaseQuoteLineFormSet, extra=5, max_num=5, validate_max=True
)


class InvoicePaymentForm(PaymentForm):
    """The payment form of an invoice's page (the membership page has its own)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("membership", None)
        super().__init__(*args, **kwargs)


class CancelPaymentForm(BackofficeForm):
    reason = PlainTextField(label=_("Motif de l'annulation"), max_length=500)


class BankStatementForm(BackofficeForm):
    statement = forms.FileField(
        label=_("Relevé bancaire (CSV)"),
        help_text=_("Trois colonnes : date, montant, libellé. Séparateur « ; » ou « , »."),
    )

    def clean_statement(self):
        statement = self.cleaned_data["statement"]
        if statement.size > 2 * 1024 * 1024:
            raise ValidationError(_("Le fichier dépasse 2 Mo : découpez le relevé."))
        return statement


# --- Office settings (the services validate; these forms only check the shape) ------------------


class OfficeSettingsForm(DirectoryForm):
    """The seller printed on every invoice: identity, registration, address, payment details."""

    name = _text(
        _("Nom de l'office"), 200, help_text=_("Le nom affiché sur le site, les e-mails et les factures.")
    )
    legal_name = _text(_("Raison sociale (facultatif)"), 200, required=False)
    legal_form = _text(
        _("Forme juridique (facultatif)"),
        100,
        required=False,
        help_text=_("Par exemple SPL, SEM, EPIC ou association."),
    )
    share_capital = _text(
        _("Capital social (facultatif)"),
        60,
        required=False,
        help_text=_("Tel qu'il est imprimé sur les factures, par exemple 150 000 €."),
    )
    # The legal identity is required before an invoice is issued (billing.services: issue 12, B1).
    siret = IdentifierField(
        label=_("SIRET"),
        max_length=20,
        help_text=_("14 chiffres ; les 9 premiers forment le SIREN. Obligatoire sur les factures."),
    )
    vat_number = IdentifierField(
        label=_("N° de TVA intracommunautaire (obligatoire si vos factures portent de la TVA)"),
        required=False,
        max_length=20,
        help_text=_("Par exemple FR40303265045."),
    )
    rcs = _text(
        _("RCS (facultatif)"),
        100,
        required=False,
        help_text=_("La ville du greffe et le numéro, par exemple RCS Boulogne-sur-Mer 123 456 789."),
    )
    address = _text(_("Adresse"), 200)
    postcode = _text(_("Code postal"), 10)
    city = _text(_("Ville"), 100)
    email = _email()
    phone = _phone()
    email_from_address = forms.EmailField(
        label=_("Adresse d'expédition des e-mails (facultatif)"),
        required=False,
        max_length=254,
        help_text=_(
            "Les e-mails de l'office partent de cette adresse, sous le nom de l'office. Son domaine "
            "doit publier les enregistrements SPF, DKIM et DMARC du serveur d'envoi ; sans adresse, "
            "l'adresse d'envoi de la plateforme est utilisée."
        ),
    )
    email_reply_to = forms.EmailField(
        label=_("Adresse de réponse (facultatif)"),
        required=False,
        max_length=254,
        help_text=_("Les réponses des partenaires y arrivent ; sans adresse, à l'e-mail de l'office."),
    )
    iban = IdentifierField(
        label=_("IBAN (facultatif)"),
        required=False,
        max_length=50,
        help_text=_("Imprimé sur les factures pour les virements ; les espaces sont acceptés."),
    )
    bic = IdentifierField(label=_("BIC (facultatif)"), required=False, max_length=20)
    cheque_payee = _text(_("Ordre des chèques (facultatif)"), 200, required=False)
    privacy_notice = PlainTextField(
        label=_("Notice de protection des données (facultatif)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Publiée sur la page « Données personnelles » du site public."),
    )
    api_allowed_origins = forms.CharField(
        label=_("Sites autorisés à appeler l'API open data (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Une origine par ligne, par exemple https://www.exemple.fr : ces sites peuvent lire l'API "
            "depuis le navigateur de leurs visiteurs (CORS)."
        ),
    )

    require_staff_mfa = forms.BooleanField(
        label=_("Double authentification obligatoire pour toute l'équipe"),
        required=False,
        help_text=_(
            "Sans cette case, seuls les rôles qui touchent à l'argent, aux exports, aux paramètres "
            "ou à l'équipe doivent l'activer."
        ),
    )

    fieldsets = [
        (_("Identité"), ["name", "legal_name", "legal_form", "share_capital"]),
        (_("Immatriculation"), ["siret", "vat_number", "rcs"]),
        (_("Adresse du siège"), ["address", "postcode", "city"]),
        (_("Coordonnées"), ["email", "phone"]),
        (_("E-mails envoyés"), ["email_from_address", "email_reply_to"]),
        (_("Règlements"), ["iban", "bic", "cheque_payee"]),
        (_("Données personnelles"), ["privacy_notice"]),
        (_("API open data"), ["api_allowed_origins"]),
        (_("Sécurité"), ["require_staff_mfa"]),
    ]

    def clean(self):  # the seller's address on invoices: a French postcode that serves the town
        cleaned = super().clean()
        if cleaned.get("postcode"):
            try:
                cleaned["postcode"] = clean_address("FR", cleaned["postcode"], cleaned.get("city", ""))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class BillingSettingsForm(DirectoryForm):
    """Payment terms, late-payment terms and reminders; the limits are the service's rules."""

    payment_terms_days = forms.IntegerField(
        label=_("Délai de paiement (jours)"),
        help_text=_("Le nombre de jours entre l'émission d'une facture et son échéance."),
    )
    late_penalty_rate = MoneyField(
        label=_("Taux des pénalités de retard (% par an)"),
        min_value=None,
        help_text=_("Par exemple 12,00 ; au moins trois fois le taux d'intérêt légal."),
    )
    recovery_indemnity = MoneyField(
        label=_("Indemnité forfaitaire de recouvrement (€)"),
        min_value=None,
        help_text=_("40,00 € au minimum (Code de commerce, art. D441-5)."),
    )
    vat_on_debits = forms.BooleanField(
        label=_("Option pour le paiement de la TVA d'après les débits"),
        required=False,
        help_text=_("La mention est alors imprimée sur les factures."),
    )
    reminder_offsets = _text(
        _("Relances (jours après l'échéance)"),
        50,
        help_text=_("De 1 à 4 nombres de jours séparés par des virgules, par exemple 15,30."),
    )

    fieldsets = [
        (_("Échéance et retards"), ["payment_terms_days", "late_penalty_rate", "recovery_indemnity"]),
        (_("TVA"), ["vat_on_debits"]),
        (_("Relances"), ["reminder_offsets"]),
    ]
