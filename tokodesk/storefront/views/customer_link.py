from django.http import Http404


def order_link_view(request, token):
    raise Http404


request_cancellation_view = order_link_view
