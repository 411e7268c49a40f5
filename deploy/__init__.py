"""Delivery tooling that is not the API's own stack: the one-time bootstrap program."""
