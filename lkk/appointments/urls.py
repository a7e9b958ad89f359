from django.urls import path

from lkk.appointments import operator, views

app_name = "appointments"

urlpatterns = [
    path("", views.appointment_list, name="list"),
    path("new/", views.appointment_new, name="new"),
    path("<int:appointment_id>/", views.appointment_detail, name="detail"),
    path("<int:appointment_id>/cancel/", views.appointment_cancel, name="cancel"),
    path("<int:appointment_id>/move/", views.appointment_move, name="move"),
    path("office/", operator.office_day, name="office_day"),
    path("office/visit/<int:pk>/", operator.visit_mark, name="visit_mark"),
    path("office/slot/<int:pk>/", operator.slot_block, name="slot_block"),
]
