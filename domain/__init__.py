"""Pure business rules of ticket-utils: no framework, no I/O."""
