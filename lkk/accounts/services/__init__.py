"""Writes about accounts: one module per workflow (roles, registration)."""

from lkk.accounts.services.roles import OPERATOR_VIEW_MODELS, OPERATORS_GROUP, roles_ensure

__all__ = ["OPERATORS_GROUP", "OPERATOR_VIEW_MODELS", "roles_ensure"]
