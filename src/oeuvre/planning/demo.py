"""Demo data for the planning stage (filled in below)."""
