"""Engine (placeholder)."""
