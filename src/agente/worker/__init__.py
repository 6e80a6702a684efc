"""Background work: the worker process, its scheduler and its periodic jobs (the outbox relay, retention)."""
