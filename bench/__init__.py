"""invitekit's benchmark: figures against django-invitations and the raw floor (README.md)."""
