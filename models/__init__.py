"""Entities, domain rules and queries. Knows nothing of Telegram."""
