def office(request):
    return {"office": getattr(request, "office", None)}
