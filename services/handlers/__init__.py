"""The Lambda entry points, one module per function: thin HTTP adapters (event in, response out)."""
