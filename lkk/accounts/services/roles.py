"""Writes about accounts and roles."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

OPERATORS_GROUP = "Операторы"

#: What operators read in the back office: the billing mirror (they do not edit it).
OPERATOR_VIEW_MODELS = (
    ("customers", "counterparty"),
    ("customers", "contact"),
    ("customers", "contract"),
    ("customers", "consumptionobject"),
    ("customers", "meteringpoint"),
    ("customers", "meter"),
    ("customers", "accessgrant"),
    ("readings", "reading"),
    ("readings", "submission"),
    ("readings", "correction"),
    ("readings", "bulkupload"),
    ("billing", "charge"),
    ("billing", "payment"),
    ("billing", "document"),
)


@transaction.atomic
def roles_ensure() -> Group:
    """Creates or updates the operators' group with view-only rights on the billing mirror."""
    group, _ = Group.objects.get_or_create(name=OPERATORS_GROUP)
    perms = []
    for app_label, model_name in OPERATOR_VIEW_MODELS:
        apps.get_model(app_label, model_name)  # fails loudly if a model was renamed
        perms.append(
            Permission.objects.get(content_type__app_label=app_label, codename=f"view_{model_name}")
        )
    group.permissions.set(perms)
    return group
