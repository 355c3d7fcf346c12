from django.urls import path

from tokodesk.notifications import views

app_name = "notifications"

urlpatterns = [
    path("returns/<str:reference>/slip.pdf", views.slip_pdf_view, name="return_slip_pdf"),
    path("returns/<str:reference>/slip/", views.slip_html_view, name="return_slip"),
    path("returns/<str:reference>/whatsapp/", views.whatsapp_view, name="return_whatsapp"),
]
