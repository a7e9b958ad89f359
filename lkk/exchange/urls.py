from django.urls import path

from lkk.exchange import views

app_name = "exchange"

urlpatterns = [
    path("v1/import/<slug:entity>/", views.import_entity, name="api_import"),
    path("v1/export/<int:batch_id>/ack/", views.export_ack, name="api_export_ack"),
    path("v1/export/<slug:source>/", views.export_source, name="api_export"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
]
