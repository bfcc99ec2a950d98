"""The deployment stage: environments, releases, waves, training, runbook, go/no-go, incidents."""
