"""One module per revision of invitekit's tables, oldest first."""
