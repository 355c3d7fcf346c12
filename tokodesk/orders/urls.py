from django.urls import path

from tokodesk.orders.views import (
    actions,
    bulk,
    create,
    detail,
    edit,
    landing,
    serials,
    settings,
    wa_templates,
    whatsapp,
)
from tokodesk.orders.views import list as list_views

app_name = "orders"

urlpatterns = [
    path("", list_views.order_list_view, name="list"),
    path("columns/", list_views.set_columns, name="columns"),
    path("tabs/", list_views.order_tabs_view, name="tabs"),
    path("bulk/", bulk.bulk_view, name="bulk"),
    path("new/", create.order_create_view, name="create"),
    path("settings/", settings.settings_view, name="settings"),
    path("settings/whatsapp/", wa_templates.template_list_view, name="wa_templates"),
    path("settings/whatsapp/new/", wa_templates.template_edit_view, name="wa_template_new"),
    path("settings/whatsapp/preview/", wa_templates.template_preview_view, name="wa_template_preview"),
    path("settings/whatsapp/<int:template_id>/", wa_templates.template_edit_view, name="wa_template_edit"),
    path("settings/whatsapp/<int:template_id>/delete/", wa_templates.template_delete_view,
         name="wa_template_delete"),
    path("transfers/", landing.transfers_view, name="transfers"),
    path("<str:reference>/", detail.order_detail_view, name="detail"),
    path("<str:reference>/menu/", list_views.order_menu_view, name="menu"),
    path("<str:reference>/edit/", edit.order_edit_view, name="edit"),
    path("<str:reference>/serials/", serials.serials_view, name="serials"),
    path("<str:reference>/notes/", detail.add_note_view, name="add_note"),
    path("<str:reference>/tags/", detail.tags_view, name="tags"),
    path("<str:reference>/agent/", detail.assign_view, name="assign"),
    path("<str:reference>/whatsapp/", detail.whatsapp_view, name="whatsapp"),
    path("<str:reference>/whatsapp/dialog/", whatsapp.whatsapp_dialog_view, name="whatsapp_dialog"),
    path("<str:reference>/language/", whatsapp.language_view, name="language"),
    path(
        "<str:reference>/payments/<int:payment_id>/proof/",
        detail.payment_proof_view,
        name="payment_proof",
    ),
    path("<str:reference>/actions/<str:action>/", actions.action_view, name="action"),
]
