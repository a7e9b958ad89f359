from django.urls import path

from lkk.content import manage, views

app_name = "content"

urlpatterns = [
    path("", views.info_index, name="info_index"),
    path("pages/<slug:info_slug>/", views.info_page, name="info_page"),
    path("news/", views.news_list, name="news_list"),
    path("news/<int:news_id>/", views.news_detail, name="news_detail"),
    path("help/", views.help_index, name="help"),
    path("help/<slug:instruction>.pdf", views.instruction_download, name="instruction"),
    path("manage/<slug:kind>/", manage.manage_list, name="manage_list"),
    path("manage/<slug:kind>/new/", manage.manage_create, name="manage_create"),
    path("manage/<slug:kind>/<int:pk>/", manage.manage_edit, name="manage_edit"),
    path("manage/<slug:kind>/<int:pk>/delete/", manage.manage_delete, name="manage_delete"),
]
