from django.urls import path

from tokodesk.payments import claim_views, method_views, views

app_name = "payments"

urlpatterns = [
    path("cod/", views.reconciliation_view, name="reconciliation"),
    path("cod/import/", views.import_view, name="import"),
    path("cod/remittances/<int:remittance_id>/", views.remittance_view, name="remittance"),
    path("methods/", method_views.methods_view, name="methods"),
    path("rts/", claim_views.rts_report_view, name="rts"),
    path("claims/", claim_views.claim_list_view, name="claims"),
    path("claims/new/", claim_views.claim_create_view, name="claim_new"),
    path("claims/<str:reference>/", claim_views.claim_view, name="claim"),
    path(
        "claims/<str:reference>/evidence/", claim_views.claim_evidence_view, name="claim_evidence"
    ),
    path(
        "claims/<str:reference>/evidence/<int:evidence_id>/",
        claim_views.claim_file_view,
        name="claim_file",
    ),
    path(
        "claims/<str:reference>/<slug:action>/", claim_views.claim_action_view, name="claim_action"
    ),
]
