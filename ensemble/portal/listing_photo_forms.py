"""Espace pro forms for a listing's photos: uploading one (with its credit, alternative texts
and rights declaration) and editing the credit and alternative texts of one already proposed.

The listings services check the image and the credit (`services.upload_photo`, `PHOTO_RULES`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import PlainTextField
from ensemble.core.images import MEGABYTE
from ensemble.listings.fields import LANGS
from ensemble.listings.services import PHOTO_RULES

from .listing_forms import LANGUAGE_LABELS, DescribedForm

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


def _alt_fields(form: forms.Form) -> None:
    for lang in LANGS:
        form.fields[f"alt_text_{lang}"] = PlainTextField(
            label=_("Texte alternatif (%(lang)s)") % {"lang": LANGUAGE_LABELS[lang]},
            required=False,
            max_length=250,
            help_text=_("Ce que montre la photo, pour les personnes qui ne la voient pas.")
            if lang == "fr"
            else "",
        )


def photo_help_text() -> str:
    return str(
        _(
            "JPEG, PNG ou WebP, %(size)s Mo au plus, d'au moins %(long)s × %(short)s pixels "
            "(pour l'impression). La photo est redimensionnée et ses métadonnées (dont la position "
            "GPS) sont retirées."
        )
    ) % {
        "size": PHOTO_RULES.max_bytes // MEGABYTE,
        "long": PHOTO_RULES.min_long_side,
        "short": PHOTO_RULES.min_short_side,
    }


class PhotoUploadForm(DescribedForm):
    image = forms.FileField(
        label=_("Photo"),
        error_messages={"required": _("Choisissez la photo à envoyer.")},
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    credit = PlainTextField(
        label=_("Crédit photo (obligatoire)"),
        required=False,
        max_length=150,
        help_text=_("Le nom de l'auteur de la photo, publié avec elle."),
    )
    rights_declared = forms.BooleanField(
        label=_(
            "Je déclare détenir les droits de cette photo et autorise l'office à la diffuser (CGV art. 4.1)"
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = photo_help_text()
        _alt_fields(self)
        self.order_fields(["image", "credit", *(f"alt_text_{lang}" for lang in LANGS), "rights_declared"])
        self.describe()

    def alt_texts(self) -> dict[str, str]:
        return {lang: self.cleaned_data.get(f"alt_text_{lang}", "") for lang in LANGS}


class PhotoEditForm(DescribedForm):
    """The credit and alternative texts of one photo of the listing."""

    service_field_map = {"photos": "credit"}

    credit = PlainTextField(label=_("Crédit photo (obligatoire)"), required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _alt_fields(self)
        self.describe()

    def item(self, photo_id: int) -> dict:
        return {"id": photo_id, **{key: self.cleaned_data[key] for key in self.fields}}
