"""The `todo-api` command line: one module per subcommand, each calling into the part it drives
(the emulator, the e2e clients, the generators in tools/). Dev tooling: not in the image."""
