"""Natural-language understanding, offline and deterministic: language, intent, entities."""
