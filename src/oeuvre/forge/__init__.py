"""The development stage: forge repositories, incoming events, integration status, outgoing webhooks."""
