"""The API's routes: /api/schema/, /api/docs/ and version 1 under /api/v1/.

A resource is a viewset (lkk/api/views/base.py) and one `router.register` line here.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from lkk.api.views import (
    applications,
    appointments,
    auth,
    docs,
    notifications,
    outages,
    readings,
    reports,
    resources,
    surveys,
)

app_name = "api"

router = SimpleRouter()
router.register("counterparties", resources.CounterpartyViewSet, basename="counterparty")
router.register("contracts", resources.ContractViewSet, basename="contract")
router.register("objects", resources.ConsumptionObjectViewSet, basename="object")
router.register("points", resources.MeteringPointViewSet, basename="point")
router.register("meters", resources.MeterViewSet, basename="meter")
router.register("receipts", resources.ReceiptViewSet, basename="receipt")
router.register("charges", resources.ChargeViewSet, basename="charge")
router.register("payments", resources.PaymentViewSet, basename="payment")
router.register("documents", resources.DocumentViewSet, basename="document")
router.register("applications", applications.ApplicationViewSet, basename="application")
router.register(
    "application-attachments",
    applications.ApplicationAttachmentViewSet,
    basename="application-attachment",
)
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("reports", reports.ReportViewSet, basename="report")
router.register("offices", appointments.OfficeViewSet, basename="office")
router.register("appointments", appointments.AppointmentViewSet, basename="appointment")
router.register("outages", outages.OutageViewSet, basename="outage")
router.register(
    "outage-subscriptions", outages.OutageSubscriptionViewSet, basename="outage-subscription"
)
router.register("surveys", surveys.SurveyViewSet, basename="survey")

v1 = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("me/", auth.MeView.as_view(), name="me"),
    path("application-kinds/", applications.KindListView.as_view(), name="application_kinds"),
    path("readings/", readings.ReadingsSubmitView.as_view(), name="readings_submit"),
    *router.urls,
]

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.swagger_ui, name="docs"),
    path("v1/", include(v1)),
]
