from django.urls import path

from lkk.surveys import manage, views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("<int:survey_id>/", views.survey_answer_view, name="answer"),
    path("manage/", manage.manage_list, name="manage_list"),
    path("manage/new/", manage.manage_edit, name="manage_create"),
    path("manage/<int:pk>/", manage.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/results/", manage.manage_results, name="manage_results"),
    path("manage/<int:pk>/export/", manage.manage_export, name="manage_export"),
]
