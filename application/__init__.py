"""Use cases of ticket-utils; they see the outside world only through the ports in `application.ports`."""
