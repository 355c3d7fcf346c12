from django.urls import path

from tokodesk.catalog.views import stock as views

app_name = "stock"

urlpatterns = [
    path("", views.ledger_view, name="ledger"),
    path("ledger.csv", views.ledger_csv_view, name="ledger_csv"),
    path("ledger.xlsx", views.ledger_xlsx_view, name="ledger_xlsx"),
    path("receive/", views.receive_view, name="receive"),
    path("adjust/", views.adjust_view, name="adjust"),
    path("transfer/", views.transfer_view, name="transfer"),
    path("stocktakes/", views.stocktakes_view, name="stocktakes"),
    path("stocktakes/<int:pk>/", views.stocktake_view, name="stocktake"),
    path("stocktakes/<int:pk>/print/", views.stocktake_print_view, name="stocktake_print"),
    path("reasons/", views.reasons_view, name="reasons"),
]
