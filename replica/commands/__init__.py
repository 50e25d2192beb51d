"""CLI commands, one module per command family (discovered by :mod:`replica.cli`)."""
