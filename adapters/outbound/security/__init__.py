"""Password hashing."""
