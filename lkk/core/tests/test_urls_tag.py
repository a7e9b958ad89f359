"""The templates' `{% url %}` (lkk/core/templatetags/urls.py) renders what Django's renders."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, RequestContext, engines
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, path

from lkk.core.templatetags.urls import CachedURLNode, _reversed

CASES = [
    ("{% url 'customers:point_detail' 5 %}", {}),
    ("{% url 'customers:point_detail' point_id=pk %}", {"pk": 7}),
    ("{% url name pk %}", {"name": "customers:meter_detail", "pk": "12"}),
    ("{% url 'customers:home' as home %}[{{ home }}]", {}),
    ("{% url 'no-such-view' as nothing %}[{{ nothing }}]", {}),
    ("{% url 'customers:point_list' %}?q={{ q }}", {"q": "<b>"}),
]


def _django() -> Engine:
    return Engine(app_dirs=True)  # Django's own builtins only


@pytest.mark.parametrize(("source", "context"), CASES)
def test_renders_what_djangos_tag_renders(source, context):
    ours = engines["django"].from_string(source)
    assert isinstance(ours.template.nodelist[0], CachedURLNode)
    expected = _django().from_string(source).render(Context(context))
    assert ours.render(context) == expected
    assert ours.render(context) == expected  # the second time from the cache


def test_a_missing_view_is_an_error_as_before():
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'no-such-view' %}").render({})


def test_objects_as_arguments_are_reversed_every_time(db):
    class Code:
        def __init__(self, value: str) -> None:
            self.value = value

        def __str__(self) -> str:
            return self.value

    template = engines["django"].from_string("{% url 'customers:meter_detail' arg %}")
    hits = _reversed.cache_info().hits
    assert template.render({"arg": Code("3")}) == "/meters/3/"
    assert template.render({"arg": Code("4")}) == "/meters/4/"
    assert _reversed.cache_info().hits == hits


def test_current_app_of_the_request_is_part_of_the_key(rf: RequestFactory):
    source = "{% url 'admin:index' %}"
    request = rf.get("/")
    request.current_app = "admin"
    ours = Engine(builtins=["lkk.core.templatetags.urls"]).from_string(source)
    assert ours.render(RequestContext(request)) == _django().from_string(source).render(
        RequestContext(request)
    )


urlpatterns = [path("elsewhere/<int:point_id>/", lambda r: None, name="point_detail")]


def test_another_urlconf_is_not_served_from_the_cache():
    template = engines["django"].from_string("{% url 'point_detail' 5 %}")
    with override_settings(ROOT_URLCONF=__name__):
        assert template.render({}) == "/elsewhere/5/"
    with pytest.raises(NoReverseMatch):
        template.render({})


def test_a_literal_view_name_is_served_from_the_cache():
    """A template's literal name is a SafeString, not a str: it must still be cached (it was
    not, and every link of a list page was reversed from scratch)."""
    template = engines["django"].from_string(
        "{% url 'customers:point_detail' pk %}{% url 'customers:point_list' %}"
    )
    assert template.render({"pk": 41}) == "/points/41//points/"
    hits = _reversed.cache_info().hits
    assert template.render({"pk": 41}) == "/points/41//points/"
    assert _reversed.cache_info().hits == hits + 2
