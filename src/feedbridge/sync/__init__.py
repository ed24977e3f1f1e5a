"""The sync engine: flows that talk to typed ports, never to a platform directly."""
