"""Generators of the artefacts checked into the repository (the Postman collection, the
runtime lock, the diagram, the API reference): dev tooling, never imported by the runtime."""
