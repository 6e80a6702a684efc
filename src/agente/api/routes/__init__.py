"""One router per resource; :mod:`agente.main` assembles them."""
