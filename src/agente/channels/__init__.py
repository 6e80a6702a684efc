"""Messaging channels: how guests' messages arrive and how replies leave.

Each channel is a subpackage of self-contained building blocks (signature checks, parsing of
deliveries, a sending client) that the webhook routes, the outbox and the conversation call;
nothing here imports from them. Failures are :mod:`agente.channels.errors`.
"""
