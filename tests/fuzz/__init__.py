"""Property-based tests: generated and mutated input against the parsers, extractors and the API."""
