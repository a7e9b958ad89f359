from django.urls import path

from lkk.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.FinanceIndex.as_view(), name="index"),
    path("contracts/<int:contract_id>/", views.contract_finance, name="contract"),
    path(
        "contracts/<int:contract_id>/export/",
        views.contract_finance_export,
        name="contract_export",
    ),
    path("contracts/<int:contract_id>/qr.svg", views.contract_payment_qr, name="contract_qr"),
    path("documents/", views.DocumentList.as_view(), name="documents"),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
]
