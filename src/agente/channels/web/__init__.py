"""The hotel's web chat: a page that talks to ``POST /api/messages``."""
