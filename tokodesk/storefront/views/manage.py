from django.http import Http404


def landing_pages_view(request):
    raise Http404


def landing_page_edit_view(request, slug=None):
    raise Http404
