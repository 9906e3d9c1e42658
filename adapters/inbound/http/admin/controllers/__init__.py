"""One controller per admin page family; each decodes the form, calls use cases and renders a template."""
