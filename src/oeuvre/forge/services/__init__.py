"""Every write of the forge stage, one module per slice: repositories and incoming events, outgoing webhooks."""
