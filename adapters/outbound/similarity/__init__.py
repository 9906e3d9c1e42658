"""Similar-ticket search over stored ticket vectors (`VectorIndex`)."""
