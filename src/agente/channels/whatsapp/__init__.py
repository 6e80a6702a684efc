"""The WhatsApp Cloud API channel, per ``/work/shared/reference/whatsapp-cloud-api.md``.

:mod:`~agente.channels.whatsapp.signature` authenticates webhook calls,
:mod:`~agente.channels.whatsapp.parse` turns a delivery into typed values,
:mod:`~agente.channels.whatsapp.text` cuts replies to WhatsApp's size and
:mod:`~agente.channels.whatsapp.client` sends them through the Graph API.
"""
