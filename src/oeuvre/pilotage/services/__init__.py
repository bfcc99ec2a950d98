"""Writes of the pilotage stage, one module per slice."""
