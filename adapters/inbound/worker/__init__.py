"""The Dramatiq worker side: actors only call use cases."""
