from django.urls import path

from lkk.readings import bulk_views, history_views, views

app_name = "readings"

urlpatterns = [
    path("", views.Start.as_view(), name="start"),
    path("contract/<int:contract_id>/", views.submit_for_contract, name="submit_contract"),
    path("meter/<int:meter_id>/", views.submit_for_meter, name="submit_meter"),
    path("receipts/<int:submission_id>/", views.receipt, name="receipt"),
    path("receipts/<int:submission_id>/correct/", views.receipt_correct, name="receipt_correct"),
    path("meter/<int:meter_id>/history/", history_views.meter_history, name="history"),
    path(
        "meter/<int:meter_id>/history/export/",
        history_views.meter_history_export,
        name="history_export",
    ),
    path("upload/", bulk_views.bulk_upload, name="bulk"),
    path("upload/template.xlsx", bulk_views.bulk_template, name="bulk_template"),
    path("upload/<int:upload_id>/", bulk_views.bulk_result, name="bulk_result"),
]
