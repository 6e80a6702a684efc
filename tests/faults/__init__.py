"""Fault injection against real processes: Redis, PostgreSQL and the PMS failing and coming
back, signals to the API and the worker, several replicas at once. Each test asserts what a
guest or an operator would see: nothing lost, nothing done twice (docs/reliability.md)."""
