"""Back-office forms of the print guide: they check the shape of the input; the guide services
apply the rules and their French messages land on the fields."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import PlainTextField
from ensemble.guide.models import GuideEdition

from .forms import BackofficeForm


class CategoriesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        "invalid_choice": _("Catégorie inconnue."),
        "invalid_pk_value": _("Catégorie inconnue."),
    }


class GuideForm(BackofficeForm):
    title = PlainTextField(
        label=_("Titre"),
        max_length=200,
        help_text=_("Imprimé sur la couverture, par exemple : Guide touristique 2023."),
    )
    language = forms.ChoiceField(label=_("Langue du guide"), choices=GuideEdition.Language.choices)
    paper = forms.ChoiceField(label=_("Format"), choices=GuideEdition.Paper.choices)
    categories = CategoriesField(
        label=_("Catégories"),
        queryset=None,
        required=False,
        help_text=_("Aucune cochée : toutes les fiches publiées de l'office."),
    )

    def __init__(self, data=None, *, categories, **kwargs):
        today = timezone.localdate()
        year = today.year + 1 if today.month >= 9 else today.year  # autumn: next season's guide
        kwargs.setdefault("initial", {"title": _("Guide touristique %(year)d") % {"year": year}})
        super().__init__(data, **kwargs)
        self.fields["categories"].queryset = categories
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_helptext"

    def settings(self) -> dict:
        """The cleaned values as `request_guide`'s keyword arguments."""
        return dict(self.cleaned_data)


class ExportForm(BackofficeForm):
    """The GET form of the exports for the layout agency (categories to include)."""

    categories = CategoriesField(
        label=_("Catégories exportées"),
        queryset=None,
        required=False,
        help_text=_("Aucune cochée : toutes les fiches publiées de l'office."),
    )

    def __init__(self, *args, categories, **kwargs):
        kwargs.setdefault("prefix", "export")  # beside the guide form on the same page
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = categories
        self.fields["categories"].widget.attrs["aria-describedby"] = f"{self['categories'].auto_id}_helptext"
