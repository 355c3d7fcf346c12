from django.urls import path

from tokodesk.storefront.views import (
    customer_link,
    customer_payment,
    customer_returns,
    landing,
    manage,
    shipping,
    shop,
)

app_name = "storefront"

urlpatterns = [
    # public
    path("shop/logo/", shop.shop_logo_view, name="shop_logo"),
    path("p/<slug:slug>/", landing.landing_page_view, name="landing"),
    path("p/<slug:slug>/thanks/<str:token>/", landing.thank_you_view, name="thanks"),
    path("p/<slug:slug>/districts/", shipping.districts_view, name="landing_districts"),
    path("p/<slug:slug>/shipping/", shipping.shipping_view, name="landing_shipping"),
    path("o/<str:token>/", customer_link.order_link_view, name="order_link"),
    path("o/<str:token>/cancel/", customer_link.request_cancellation_view, name="request_cancellation"),
    path("o/<str:token>/proof/", customer_payment.send_proof_view, name="send_proof"),
    path("o/<str:token>/return/", customer_returns.return_request_view, name="request_return"),
    path("o/<str:token>/returns/<str:reference>/label/", customer_returns.return_label_view, name="return_label"),
    path("o/<str:token>/returns/<str:reference>/slip/", customer_returns.return_slip_view, name="return_slip"),
    # shop users
    path("buyer-proofs/<str:reference>/", customer_payment.customer_proof_view, name="customer_proof"),
    path("landing-pages/", manage.landing_pages_view, name="manage_list"),
    path("landing-pages/new/", manage.landing_page_edit_view, name="manage_new"),
    path("landing-pages/availability/", manage.landing_page_availability_view, name="manage_availability"),
    path("landing-pages/<slug:slug>/", manage.landing_page_edit_view, name="manage_edit"),
]
