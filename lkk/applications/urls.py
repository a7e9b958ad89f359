from django.urls import path

from lkk.applications.views import customer, staff

app_name = "applications"

urlpatterns = [
    path("", customer.ApplicationList.as_view(), name="list"),
    path("new/", customer.kind_choose, name="new"),
    path("new/<slug:kind>/", customer.application_create, name="create"),
    path("<int:application_id>/", customer.application_detail, name="detail"),
    path("<int:application_id>/edit/", customer.application_edit, name="edit"),
    path("<int:application_id>/submit/", customer.application_submit, name="submit"),
    path("<int:application_id>/delete/", customer.application_delete, name="delete"),
    path("<int:application_id>/message/", customer.message_create, name="message"),
    path("<int:application_id>/rate/", customer.application_rate, name="rate"),
    path(
        "<int:application_id>/files/<int:attachment_id>/",
        customer.attachment_download,
        name="attachment",
    ),
    # O1: the back office (operator_required).
    path("staff/", staff.queue, name="staff_queue"),
    path("staff/<int:application_id>/", staff.detail, name="staff_detail"),
    path("staff/<int:application_id>/assign/", staff.assign, name="staff_assign"),
    path("staff/<int:application_id>/status/", staff.transition, name="staff_transition"),
    path("staff/<int:application_id>/reply/", staff.reply, name="staff_reply"),
    path("staff/<int:application_id>/stage/", staff.stage, name="staff_stage"),
    path(
        "staff/<int:application_id>/files/<int:attachment_id>/",
        staff.document,
        name="staff_document",
    ),
]
