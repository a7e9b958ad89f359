"""One registration pipeline for every way into the cabinet (A1–A3, A2a, A5, A9, seed 003).

Every way — by contract, by legal form (ЮЛ/ИП/ФЛ), in three steps, account first, binding a
contract to an existing account, an account issued at the office — is a `RegistrationRequest`
with its way and the contact its code or link goes to. The browser keeps only the request's id.

The trust rule (A5): identifiers (ИНН, ОГРН, ОГРНИП, КПП, СНИЛС, contract numbers, names) are
public and alone grant nothing. Access needs proof of control: the code or link reached a
contact that billing lists for the counterparty or one of its contracts (`contact_on_file`), or
an operator approved the request after checking it and its documents. Under `auto` a request
with that proof is approved as soon as its contact is confirmed; any other goes to the
operators' queue. Under `moderated` every request goes to the queue. What is granted is what
the way asks for and no more: by contract, by legal form and binding — the counterparty
(seed 000 «введите номер любого»); three steps — the contracts listed; the office and an
operator's approval — the contracts the operator chose.

States: draft → confirmed → approved, or confirmed → pending → approved | rejected. One service
per move; `request_approve` is the only caller of user creation, `grant_add`, consent and the
approval message.
"""

from lkk.accounts.services.registration.confirm import (
    request_activate,
    request_activate_code,
    request_code_send,
    request_confirm,
    request_confirm_code,
    request_confirm_link,
    request_queue,
    seconds_until_resend,
)
from lkk.accounts.services.registration.decide import request_approve, request_reject
from lkk.accounts.services.registration.rules import (
    ALREADY_BOUND,
    CONTACT_NOT_FOUND,
    CONTACT_NOT_LISTED,
    CONTRACT_NOT_FOUND,
    COUNTERPARTY_NOT_FOUND,
    FORMS,
    LINK_INVALID,
    SESSION_KEY,
    SHOW_LOGIN_KEY,
    contact_on_file,
    contact_parse,
    email_free,
    fio_matches,
    fio_normalize,
    forms_offered,
    offered_or_404,
    password_check,
    policy,
    request_lock,
    username_free,
)
from lkk.accounts.services.registration.ways import (
    counterparty_match,
    documents_attach,
    numbers_found,
    request_start_binding,
    request_start_contract,
    request_start_legal,
    request_start_office,
    request_start_signup,
    request_steps_save,
    request_steps_submit,
    steps_step_done,
)

__all__ = [
    "ALREADY_BOUND",
    "CONTACT_NOT_FOUND",
    "CONTACT_NOT_LISTED",
    "CONTRACT_NOT_FOUND",
    "COUNTERPARTY_NOT_FOUND",
    "FORMS",
    "LINK_INVALID",
    "SESSION_KEY",
    "SHOW_LOGIN_KEY",
    "contact_on_file",
    "contact_parse",
    "counterparty_match",
    "documents_attach",
    "email_free",
    "fio_matches",
    "fio_normalize",
    "forms_offered",
    "numbers_found",
    "offered_or_404",
    "password_check",
    "policy",
    "request_activate",
    "request_activate_code",
    "request_approve",
    "request_code_send",
    "request_confirm",
    "request_confirm_code",
    "request_confirm_link",
    "request_lock",
    "request_queue",
    "request_reject",
    "request_start_binding",
    "request_start_contract",
    "request_start_legal",
    "request_start_office",
    "request_start_signup",
    "request_steps_save",
    "request_steps_submit",
    "seconds_until_resend",
    "steps_step_done",
    "username_free",
]
