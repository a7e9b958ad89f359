"""Account pages by workflow: auth (login, logout, second factor), registration, steps,
recovery, profile, consent."""
