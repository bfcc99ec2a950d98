"""See the modules of this package: one per slice of the stage (testbook, anomalies, pv)."""
