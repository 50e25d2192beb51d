# replica's own tests use the same fixtures users get from the kit (replica.testing.plugin).
pytest_plugins = ["replica.testing.plugin"]
