"""Who may call what: API keys for /api, admin sessions and CSRF for the admin site, secure cookies."""
