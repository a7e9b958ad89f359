from django.urls import path

from lkk.connection import manage, views

app_name = "connection"

urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("documents/<slug:document>.pdf", views.document, name="document"),
    path("manage/<slug:table>/", manage.manage_list, name="manage_list"),
    path("manage/<slug:table>/new/", manage.manage_create, name="manage_create"),
    path("manage/<slug:table>/<int:pk>/", manage.manage_edit, name="manage_edit"),
    path("manage/<slug:table>/<int:pk>/delete/", manage.manage_delete, name="manage_delete"),
]
