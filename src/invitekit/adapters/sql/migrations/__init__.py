"""invitekit's Alembic migration environment (see :mod:`invitekit.adapters.sql._migrate`)."""
