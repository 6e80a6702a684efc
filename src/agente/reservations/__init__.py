"""Bookings as the service makes them: straight through the PMS, or pending until it is back."""
