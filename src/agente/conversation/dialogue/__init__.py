"""The dialogue: a state machine per session, carrying a guest from question to outcome."""
