"""The API's documentation page (/<office>/api/v1/docs): plain HTML generated from the OpenAPI
schema, so it never disagrees with it. No Swagger UI: it would load from a CDN or need inline
script, which the strict CSP forbids; the schema itself is at openapi.json for any tool."""

from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from .v1 import api

METHODS = ("get",)


def operations(schema: dict) -> list[dict]:
    """Each operation with its path, parameters and responses, in the schema's order."""
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation:
                found.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "id": operation.get("operationId", ""),
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "parameters": [_parameter(p) for p in operation.get("parameters", [])],
                        "responses": sorted(str(code) for code in operation.get("responses", {})),
                    }
                )
    return found


def _parameter(parameter: dict) -> dict:
    schema = parameter.get("schema", {})
    kind = schema.get("type") or next((s.get("type") for s in schema.get("anyOf", []) if s.get("type")), "")
    if kind == "array":
        kind = f"liste de {schema.get('items', {}).get('type', '')}"
    return {
        "name": parameter.get("name", ""),
        "where": parameter.get("in", ""),
        "required": parameter.get("required", False),
        "type": schema.get("format") or kind,
        "description": parameter.get("description") or schema.get("description", ""),
    }


def docs_view(request: HttpRequest, office_slug: str):
    schema = api.get_openapi_schema(path_params={"office_slug": office_slug})
    context = {
        "schema": schema,
        "operations": operations(schema),
        "openapi_url": reverse("api-v1:openapi-json", kwargs={"office_slug": office_slug}),
    }
    return render(request, "api/docs.html", context)


def index_view(request: HttpRequest, office_slug: str):
    """/<office>/api/ and /<office>/api/v1/: where the schema and the docs are."""
    kwargs = {"office_slug": office_slug}
    return JsonResponse(
        {
            "versions": {
                "v1": {
                    "openapi": request.build_absolute_uri(reverse("api-v1:openapi-json", kwargs=kwargs)),
                    "docs": request.build_absolute_uri(reverse("api_docs", kwargs=kwargs)),
                }
            }
        }
    )


def unknown_view(request: HttpRequest, *args, **kwargs):
    return JsonResponse({"detail": "Introuvable : cette adresse n'existe pas dans l'API."}, status=404)
