from django.urls import path

from lkk.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_counterparty, name="switch_counterparty"),
    path("counterparties/", views.CounterpartyList.as_view(), name="counterparty_list"),
    path(
        "counterparties/<int:counterparty_id>/",
        views.counterparty_detail,
        name="counterparty_detail",
    ),
    path("contracts/", views.ContractList.as_view(), name="contract_list"),
    path("contracts/<int:contract_id>/", views.contract_detail, name="contract_detail"),
    path("objects/", views.ObjectList.as_view(), name="object_list"),
    path("objects/<int:object_id>/", views.object_detail, name="object_detail"),
    path("points/", views.PointList.as_view(), name="point_list"),
    path("points/<int:point_id>/", views.point_detail, name="point_detail"),
    path("meters/", views.MeterList.as_view(), name="meter_list"),
    path("meters/<int:meter_id>/", views.meter_detail, name="meter_detail"),
]
