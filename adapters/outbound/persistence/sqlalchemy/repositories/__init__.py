"""Repository adapters over Core tables, one module per aggregate. They stage writes in the caller's
transaction and never commit: the unit of work does."""
