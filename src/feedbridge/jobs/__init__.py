"""Job queue (huey): thin tasks that process intents by calling the sync engine."""
