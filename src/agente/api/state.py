"""Where the API's parts sit in lifespan state; the middleware reads them there without
importing the parts' modules (liveness stays cheap to import and to run)."""

STATE_KEY = "api"
