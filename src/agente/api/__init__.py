"""The HTTP surface: routes, request-scoped dependencies, error mapping and middleware."""
