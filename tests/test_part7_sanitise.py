"""Text pasted from Word or a web page (issue 12, item A7).

It was stored with its tags stripped by a regular expression: paragraphs and list items ran
together, entities stayed encoded and a script's content was kept
(`Bienvenue au Bistrot&nbsp;du Marais !CarbonnadeSoupe à l'endivealert("x")`). Now one rule
(core/text.py, nh3) gives the words with a line per paragraph or list item, entities decoded
(a non-breaking space kept as the character U+00A0), scripts and styles dropped — in every
form where free text is entered and in the services, so the API and imports follow it too.
"""

import pytest
from django import forms
from django.urls import reverse

from ensemble.backoffice import campaign_forms, claim_forms, guide_forms, screen_forms
from ensemble.backoffice import forms as backoffice_forms
from ensemble.backoffice.moderation_forms import FieldDecisionForm, RejectForm, UnpublishForm
from ensemble.core.forms import PlainTextField
from ensemble.core.text import one_line, plain_text
from ensemble.listings import services as listing_services
from ensemble.listings.models import ChangeProposal, Listing
from ensemble.portal import account_forms, listing_photo_forms
from ensemble.portal import listing_forms as portal_listing_forms
from ensemble.portal import quote_views as portal_quote_views
from ensemble.public import forms as public_forms
from ensemble.public import quote_views as public_quote_views

PASTED = (
    "<p><b>Bienvenue</b> au Bistrot&nbsp;du Marais !</p><ul><li>\nCarbonnade</li>"
    '<li>Soupe à l\'endive</li></ul><script>alert("x")</script>'
)
EXPECTED = "Bienvenue au Bistrot\u00a0du Marais !\nCarbonnade\nSoupe à l'endive"
ONE_LINE = "Bienvenue au Bistrot\u00a0du Marais ! Carbonnade Soupe à l'endive"


# ---- the rule ------------------------------------------------------------------------------------


def test_the_pasted_example():
    assert plain_text(PASTED) == EXPECTED
    assert one_line(PASTED) == ONE_LINE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Poisson &amp; frites, 3 &lt; 5", "Poisson & frites, 3 < 5"),
        ("Enfants <12 ans, adultes > 12 ans", "Enfants <12 ans, adultes > 12 ans"),
        ("Ligne 1<br>Ligne 2<br/><br>Ligne 4", "Ligne 1\nLigne 2\n\nLigne 4"),
        ('<style>p { color: red }</style><p style="x">Texte</p><!-- Word -->', "Texte"),
        ("<p>&nbsp;</p><p>Un</p><p></p><p>Deux</p>", "Un\nDeux"),
        ("<div><h2>Titre</h2><table><tr><td>a</td><td>b</td></tr></table></div>", "Titre\na\nb"),
        ('<a href="javascript:alert(1)" onclick="x()">Lien</a> <img src=x onerror=alert(1)>', "Lien"),
        ("Para 1\r\n\r\n\r\n\r\nPara 2   avec   espaces", "Para 1\n\nPara 2 avec espaces"),
        ("nul\x00 et\ttab", "nul et tab"),
        ("&lt;script&gt;encodé&lt;/script&gt;", "<script>encodé</script>"),  # shown, never run
        # An address between angle brackets is text (the CGV cite <https://www.mtv.voyage/>).
        (
            "Voir <https://www.mtv.voyage/> ou <contact@otc.example>.",
            "Voir <https://www.mtv.voyage/> ou <contact@otc.example>.",
        ),
        (None, ""),
        (42, "42"),
    ],
)
def test_the_rule(value, expected):
    assert plain_text(value) == expected


def test_plain_text_is_kept_as_it_is():
    text = "Moulin à eau du XVIIIᵉ siècle.\n\nOuvert d'avril à octobre : 10 h – 18 h.\nTél. 03 21 00 00 00"
    assert plain_text(text) == text
    assert plain_text(plain_text(PASTED)) == EXPECTED


def test_the_form_field():
    assert PlainTextField(widget=forms.Textarea).clean(PASTED) == EXPECTED
    assert PlainTextField().clean(PASTED) == ONE_LINE
    assert PlainTextField(multiline=True).clean(PASTED) == EXPECTED
    # max_length counts the plain text, not the tags.
    assert PlainTextField(max_length=10).clean("<b>Bienvenue</b>") == "Bienvenue"
    with pytest.raises(forms.ValidationError):
        PlainTextField(required=True).clean("<script>x</script>")


# ---- through the espace pro and through a service -------------------------------------------------

pytestmark = pytest.mark.django_db


def texts_data(**overrides) -> dict:
    data = {"name": "Le Moulin des Marais"}
    for base in ("short_description", "long_description"):
        for lang in ("fr", "en", "nl"):
            data[f"{base}_{lang}"] = ""
    return {**data, **overrides}


def test_through_the_portal_form(client, partner):
    client.force_login(partner.user)
    path = reverse(
        "portal:listing_general", kwargs={"office_slug": "saint-omer", "listing_id": partner.listing.pk}
    )
    client.post(path, texts_data(long_description_fr=PASTED, name="<p>Le Moulin <i>des</i> Marais</p>"))
    proposal = ChangeProposal.objects.get(listing=partner.listing, status="pending")
    assert proposal.changes == {"long_description_fr": EXPECTED}  # the name is unchanged


def test_through_a_service_call(partner, staff_user):
    """The API, an import or any caller of the services gets the same rule."""
    pending = listing_services.propose_changes(
        partner.listing, changes={"long_description_fr": PASTED}, actor=partner.user
    ).pending
    assert pending.changes["long_description_fr"] == EXPECTED
    listing_services.edit_listing(
        partner.listing, changes={"short_description_nl": PASTED, "name": PASTED}, actor=staff_user
    )
    listing = Listing.objects.select_related("establishment").get(pk=partner.listing.pk)
    assert listing.short_description_nl == EXPECTED
    assert listing.establishment.name == ONE_LINE  # a name is one line


def test_a_price_label_and_a_photo_credit_through_the_registry(partner, staff_user):
    prices = [{"label_fr": "<p>Nuit</p><p>(2 pers.)</p>", "amount": "72", "season_year": 2022}]
    listing_services.edit_listing(partner.listing, changes={"prices": prices}, actor=staff_user)
    assert partner.listing.prices.get().label_fr == "Nuit (2 pers.)"


def test_a_staff_reason_through_a_service(partner, staff_user):
    pending = listing_services.propose_changes(
        partner.listing, changes={"rooms": 3}, actor=partner.user
    ).pending
    listing_services.reject_proposal(pending, actor=staff_user, reason=PASTED)
    pending.refresh_from_db()
    assert pending.reason == EXPECTED


# ---- every form where free text is entered -------------------------------------------------------

MULTILINE, SINGLE = True, False
STATIC_FIELDS = [
    (public_forms.JoinForm, "establishment_name", SINGLE),
    (public_forms.JoinForm, "first_name", SINGLE),
    (public_forms.JoinForm, "last_name", SINGLE),
    (public_forms.JoinForm, "address", SINGLE),
    (public_forms.JoinForm, "city", SINGLE),
    (public_quote_views.DeclineForm, "reason", MULTILINE),
    (portal_quote_views.DeclineForm, "reason", MULTILINE),
    (account_forms.NoticeForm, "reason", MULTILINE),
    (portal_listing_forms.TextsForm, "name", SINGLE),
    (portal_listing_forms.ContactForm, "address", SINGLE),
    (portal_listing_forms.ContactForm, "city", SINGLE),
    (portal_listing_forms.PeriodRowForm, "note_fr", SINGLE),
    (portal_listing_forms.PeriodRowForm, "note_nl", SINGLE),
    (portal_listing_forms.TextsForm, "name_en", SINGLE),
    (portal_listing_forms.PriceRowForm, "label_fr", SINGLE),
    (portal_listing_forms.PriceRowForm, "label_nl", SINGLE),
    (listing_photo_forms.PhotoUploadForm, "credit", SINGLE),
    (listing_photo_forms.PhotoEditForm, "credit", SINGLE),
    (RejectForm, "reason", MULTILINE),
    (UnpublishForm, "reason", MULTILINE),
    (backoffice_forms.RefuseForm, "reason", MULTILINE),
    (backoffice_forms.NoticeForm, "reason", MULTILINE),
    (backoffice_forms.NoteForm, "summary", SINGLE),
    (backoffice_forms.NoteForm, "body", MULTILINE),
    (backoffice_forms.CategoryForm, "name", SINGLE),
    (backoffice_forms.TermsForm, "title", SINGLE),
    (backoffice_forms.TermsForm, "body", MULTILINE),
    (backoffice_forms.TermsForm, "body_nl", MULTILINE),
    (backoffice_forms.OrganisationForm, "name", SINGLE),
    (backoffice_forms.OrganisationForm, "address", SINGLE),
    (backoffice_forms.CreditNoteForm, "reason", MULTILINE),
    (backoffice_forms.FreeInvoiceForm, "label", SINGLE),
    (backoffice_forms.QuoteForm, "note", MULTILINE),
    (backoffice_forms.QuoteLineForm, "label", SINGLE),
    (backoffice_forms.CancelPaymentForm, "reason", SINGLE),
    (backoffice_forms.OfficeSettingsForm, "privacy_notice", MULTILINE),
    (campaign_forms.CampaignForm, "title", SINGLE),
    (campaign_forms.CampaignForm, "message", MULTILINE),
    (claim_forms.ClaimRefuseForm, "reason", MULTILINE),
    (claim_forms.ClaimAnswerForm, "answer", MULTILINE),
    (claim_forms.MediaImageForm, "title", SINGLE),
    (claim_forms.MediaImageForm, "credit", SINGLE),
    (guide_forms.GuideForm, "title", SINGLE),
    (screen_forms.ScreenForm, "name", SINGLE),
    (screen_forms.ScreenMessageForm, "text", MULTILINE),
]


@pytest.mark.parametrize(("form_class", "name", "multiline"), STATIC_FIELDS)
def test_every_free_text_field_follows_the_rule(form_class, name, multiline):
    field = form_class.base_fields[name]
    value = field.clean(PASTED)
    assert value == (EXPECTED if multiline else ONE_LINE)


def test_the_fields_built_with_the_form_follow_it_too():
    decision = FieldDecisionForm(keys=["rooms"])
    assert decision.fields["reason_rooms"].clean(PASTED) == EXPECTED
    photo = listing_photo_forms.PhotoEditForm()
    assert photo.fields["alt_text_fr"].clean(PASTED) == ONE_LINE


def test_a_link_or_a_phone_is_not_read_as_html():
    """`&copy=` in a link would become « © » if read as HTML: addresses stay as typed."""
    contact = portal_listing_forms.ContactForm.base_fields
    assert contact["website"].clean("https://example.fr/?a=1&copy=2") == "https://example.fr/?a=1&copy=2"
    assert contact["booking_url"].clean("https://example.fr/?x&para=1") == "https://example.fr/?x&para=1"
