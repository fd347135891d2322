"""Access: roles and their permissions (data), API keys stored hashed, idempotency records."""
