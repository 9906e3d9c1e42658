"""Spreadsheet files in and out: the seed's `Document` / `Topic_group` format."""
