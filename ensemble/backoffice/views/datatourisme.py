"""Importing DATAtourisme objects from the back office: staff upload a zip archive (as the
national platform delivers its flux) or a few JSON files, then read the report (imported,
updated, unchanged, and each skipped file with its reason). Larger imports: the
`import_datatourisme` command, which writes the same report."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.datatourisme import selectors, services
from ensemble.datatourisme.models import ImportRun
from ensemble.directory.models import Category

from ..access import StaffRequiredMixin
from ..forms import BackofficeForm

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # under settings.MAX_REQUEST_BODY_BYTES, or a 413 answers first
MAX_OBJECTS = 500  # imported while the page waits; the command has no limit
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
RECENT_RUNS = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".zip,.json,.jsonld"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        if isinstance(data, list | tuple):
            data = None
        return [single(data, initial)]


class ImportForm(BackofficeForm):
    files = MultipleFileField(
        label=_("Objets DATAtourisme"),
        help_text=_(
            "Une archive zip (un fichier JSON par objet, comme les flux de la plateforme) ou des "
            "fichiers JSON ; 500 objets et 20 Mo au plus par envoi."
        ),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if sum(upload.size for upload in files) > MAX_UPLOAD_BYTES:
            raise ValidationError(_("L'envoi dépasse 20 Mo : découpez-le, ou utilisez la commande d'import."))
        zips = [upload for upload in files if is_zip(upload)]
        if zips and len(files) > 1:
            raise ValidationError(_("Envoyez une seule archive zip, ou des fichiers JSON."))
        if not zips and len(files) > MAX_OBJECTS:
            raise ValidationError(_("500 fichiers au plus par envoi."))
        return files


def is_zip(upload) -> bool:
    head = upload.read(4)
    upload.seek(0)
    return head == b"PK\x03\x04" or upload.name.lower().endswith(".zip")


class DatatourismeImportView(StaffRequiredMixin, TemplateView):
    permission = Permission.IMPORT
    template_name = "backoffice/datatourisme.html"
    nav = "datatourisme"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm())
        context["runs"] = selectors.import_runs(self.office)[:RECENT_RUNS]
        return context

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                sources = self._sources(form.cleaned_data["files"])
            except services.DatatourismeError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form), status=400)
        report = services.import_objects(
            self.office, sources, actor=request.user, source=ImportRun.Source.UPLOAD
        )
        messages.success(
            request,
            gettext(
                "Import terminé : %(created)s créée(s), %(updated)s mise(s) à jour, %(skipped)s ignoré(s)."
            )
            % {"created": report.created, "updated": report.updated, "skipped": report.skipped},
        )
        return redirect(self.office_url("datatourisme_run", run_id=report.run.pk))

    def _sources(self, uploads):
        if len(uploads) == 1 and is_zip(uploads[0]):
            return services.files_from_zip(
                uploads[0].read(), max_files=MAX_OBJECTS, max_total=MAX_UNZIPPED_BYTES
            )
        return ((upload.name, upload.read()) for upload in uploads)


class DatatourismeRunView(StaffRequiredMixin, TemplateView):
    permission = Permission.IMPORT
    template_name = "backoffice/datatourisme_run.html"
    nav = "datatourisme"

    def load_object(self, **kwargs) -> None:
        self.run = selectors.import_run(self.office, kwargs["run_id"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(run=self.run, **kwargs)


class ClassMappingForm(BackofficeForm):
    datatourisme_class = forms.CharField(
        label=_("Classe DATAtourisme"),
        max_length=100,
        help_text=_(
            "Par exemple WineCellar, EquipmentRentalShop ou schema:Hotel (voir le tableau ci-dessous)."
        ),
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie de l'annuaire"),
        queryset=None,
        required=False,
        empty_label=_("Celle par défaut"),
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(office=office)


class DatatourismeClassesView(StaffRequiredMixin, TemplateView):
    """The office's table of DATAtourisme classes: which category the places of each class go to
    (the shipped default, or the office's choice), and a form to change one."""

    permission = Permission.IMPORT
    template_name = "backoffice/datatourisme_classes.html"
    nav = "datatourisme"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ClassMappingForm(office=self.office))
        context["table"] = selectors.class_table(self.office)
        return context

    def post(self, request, *args, **kwargs):
        form = ClassMappingForm(request.POST, office=self.office)
        if form.is_valid():
            try:
                services.set_class_mapping(
                    self.office,
                    datatourisme_class=form.cleaned_data["datatourisme_class"],
                    category=form.cleaned_data["category"],
                    actor=request.user,
                )
            except services.DatatourismeError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            request, gettext("Table des classes enregistrée : elle vaut pour les prochains imports.")
        )
        return redirect(self.office_url("datatourisme_classes"))
