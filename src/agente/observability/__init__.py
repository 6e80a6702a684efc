"""Logs, metrics, health and (later) traces: what an on-call engineer reads."""
