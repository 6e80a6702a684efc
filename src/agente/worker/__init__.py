"""Background work: scheduled jobs (retention) and, later, the outbox relay."""
