from django.urls import path

from tokodesk.payments import views

app_name = "payments"

urlpatterns = [
    path("cod/", views.reconciliation_view, name="reconciliation"),
    path("cod/import/", views.import_view, name="import"),
    path("cod/remittances/<int:remittance_id>/", views.remittance_view, name="remittance"),
]
