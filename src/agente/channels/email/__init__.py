"""The email channel: guests write to the hotel's address, the agent answers by SMTP.

The mail provider (or the hotel's own mail server) posts each received email to
``POST /webhooks/email`` as a small signed JSON document:

:mod:`~agente.channels.email.signature` authenticates those calls,
:mod:`~agente.channels.email.inbound` validates and normalises the document,
:mod:`~agente.channels.email.quoting` keeps only what the guest wrote in this email,
:mod:`~agente.channels.email.compose` builds outgoing messages (threading headers included),
:mod:`~agente.channels.email.sender` sends them through SMTP,
:mod:`~agente.channels.email.confirmation` writes booking confirmations and
:mod:`~agente.channels.email.relay` is the worker's side (the ``email.*`` outbox jobs).
"""
