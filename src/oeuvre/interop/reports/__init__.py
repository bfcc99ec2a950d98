"""Builders of the documents French project teams hand over (plain data in, file bytes out; no Django)."""
