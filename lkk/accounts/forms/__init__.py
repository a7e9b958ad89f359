"""Account forms: auth (login, captcha, second factor) and registration (every way)."""
