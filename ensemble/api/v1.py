"""Version 1 of the open-data API: one NinjaAPI instance, mounted at /<office>/api/v1/.

Read-only and public: no login, no cookies. Each route reads `request.office` (set by the office
middleware from the URL) and only ever shows that office's published content; another office's
ids answer 404. Errors are JSON `{"detail": "<message en français>"}`.
"""

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer

from ensemble.core.errors import EnsembleError
from ensemble.publishing.selectors import BadFilter

from . import datatourisme, events, listings, reference

DESCRIPTION = """Les données publiées par l'office : fiches (partenaires et lieux de l'office),
agenda, catégories, équipements et labels ; et les fiches au format DATAtourisme (JSON-LD).

- Lecture seule, publique, sans authentification ni cookie.
- Pagination par curseur : suivez l'URL `next` (100 éléments par page au plus, `limit`).
- Requêtes conditionnelles : chaque réponse porte un `ETag` (fort) et un `Last-Modified` ;
  renvoyez-les dans `If-None-Match` / `If-Modified-Since` pour recevoir `304 Not Modified`.
- Synchronisation incrémentale : `since=` (ISO 8601) ne renvoie que ce qui a changé depuis, et
  `removed` liste ce qui n'est plus publié (à supprimer de votre copie).
- CORS : seuls les sites déclarés par l'office (paramètres de l'office) peuvent appeler l'API
  depuis un navigateur.
- Erreurs : `{"detail": "<message en français>"}` avec le code 400 ou 404.
"""


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Ensemble — API open data",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url=None,  # the docs page is ours (docs.py): no Swagger UI from a CDN, no inline script
    renderer=Renderer(),
)
api.add_router("", listings.router)
api.add_router("", events.router)
api.add_router("", reference.router)
api.add_router("", datatourisme.router)

PARAMETER_ERRORS = {
    "int_parsing": "nombre entier attendu",
    "bool_parsing": "true ou false attendu",
    "less_than_equal": "au plus {le}",
    "greater_than_equal": "au moins {ge}",
    "missing": "obligatoire",
}


@api.exception_handler(BadFilter)
def bad_filter(request: HttpRequest, exc: BadFilter):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(EnsembleError)
def refused(request: HttpRequest, exc: EnsembleError):
    return api.create_response(request, {"detail": exc.message}, status=400)


@api.exception_handler(ValidationError)
def bad_parameter(request: HttpRequest, exc: ValidationError):
    error = exc.errors[0] if exc.errors else {}
    name = str(error.get("loc", ("", "?"))[-1])
    context = error.get("ctx") or {}
    reason = PARAMETER_ERRORS.get(error.get("type", ""), "valeur invalide").format(**context)
    return api.create_response(request, {"detail": f"Paramètre « {name} » invalide : {reason}."}, status=400)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(
        request, {"detail": "Introuvable : rien de publié à cette adresse."}, status=404
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"detail": "Requête refusée."}, status=exc.status_code)
