from django.urls import path

from tokodesk.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.export_list_view, name="list"),
    path("new/", views.export_start_view, name="start"),
    path("templates/", views.templates_view, name="templates"),
    path("templates/new/", views.template_edit_view, name="template_new"),
    path("templates/<int:template_id>/edit/", views.template_edit_view, name="template_edit"),
    path("templates/<int:template_id>/copy/", views.template_copy_view, name="template_copy"),
    path("templates/<int:template_id>/delete/", views.template_delete_view, name="template_delete"),
    path("<uuid:export_id>/", views.export_detail_view, name="detail"),
    path("<uuid:export_id>/progress/", views.export_progress_view, name="progress"),
    path("<uuid:export_id>/download/", views.export_download_view, name="download"),
    path("<uuid:export_id>/retry/", views.export_retry_view, name="retry"),
]
