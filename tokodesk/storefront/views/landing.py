from django.http import Http404


def landing_page_view(request, slug):
    raise Http404


thank_you_view = landing_page_view
