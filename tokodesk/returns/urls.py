from django.urls import path

from tokodesk.returns.views import (
    actions,
    calendar,
    create,
    customer_credit,
    detail,
    edit_items,
    goodwill,
    lists,
    refunds,
    reports,
)
from tokodesk.returns.views import list as list_views

app_name = "returns"

urlpatterns = [
    path("", list_views.return_list_view, name="list"),
    path("new/", create.return_create_view, name="create"),
    path("goodwill/", goodwill.goodwill_view, name="goodwill"),
    path("lists/", lists.return_lists_view, name="lists"),
    path("report-templates/", reports.report_templates_view, name="report_templates"),
    path("report-templates/<str:document>/", reports.report_template_edit_view, name="report_template"),
    path("report-templates/<str:document>/preview/", reports.report_template_preview_view,
         name="report_template_preview"),
    path("calendar/", calendar.return_calendar_view, name="calendar"),
    path("refunds/", refunds.refunds_to_pay_view, name="refunds_to_pay"),
    path("store-credit/<int:customer_id>/", customer_credit.customer_credit_view, name="customer_credit"),
    path("refunds/<int:refund_id>/paid/", detail.mark_paid_view, name="mark_paid"),
    path("refunds/<int:refund_id>/proof/", detail.refund_proof_view, name="refund_proof"),
    path("<str:reference>/", detail.return_detail_view, name="detail"),
    path("<str:reference>/edit/", detail.edit_view, name="edit"),
    path("<str:reference>/items/", edit_items.edit_items_view, name="edit_items"),
    path("<str:reference>/label/", detail.label_view, name="label"),
    path("<str:reference>/summary/", reports.return_summary_view, name="summary"),
    path("<str:reference>/summary.pdf", reports.return_summary_pdf_view, name="summary_pdf"),
    path("<str:reference>/photos/", detail.add_photo_view, name="add_photo"),
    path("<str:reference>/photos/<int:photo_id>/", detail.photo_view, name="photo"),
    path("<str:reference>/recreate/", actions.recreate_view, name="recreate"),
    path("<str:reference>/actions/<str:action>/", actions.action_view, name="action"),
]
