from django.views.generic import TemplateView


class PortalHomeView(TemplateView):
    template_name = "portal/home.html"
