from django.urls import path

from tokodesk.catalog.views import importing, products, warehouses

app_name = "catalog"

urlpatterns = [
    path("", products.product_list_view, name="list"),
    path("new/", products.product_edit_view, name="new"),
    path("<int:pk>/", products.product_detail_view, name="product"),
    path("<int:pk>/edit/", products.product_edit_view, name="edit"),
    path("<int:pk>/images/", products.product_image_upload_view, name="image_upload"),
    path(
        "<int:pk>/images/<int:image_id>/delete/",
        products.product_image_delete_view,
        name="image_delete",
    ),
    path("images/<int:image_id>", products.product_image_view, name="image"),
    path("low-stock/", products.low_stock_view, name="low_stock"),
    path("warehouses/", warehouses.warehouse_list_view, name="warehouses"),
    path("warehouses/new/", warehouses.warehouse_edit_view, name="warehouse_new"),
    path("warehouses/<int:pk>/edit/", warehouses.warehouse_edit_view, name="warehouse_edit"),
    path("import/", importing.import_view, name="import"),
    path("export.csv", importing.export_view, name="export"),
    path("export.xlsx", importing.export_xlsx_view, name="export_xlsx"),
]
