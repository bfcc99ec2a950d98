"""Pages of the pilotage stage, one module per slice."""
