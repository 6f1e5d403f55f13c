"""One module per revision of invitekit's tables, oldest first (``r0001_schema_v1.py``, ...).

A new revision ``r000N_<what>.py``: ``revision = "000N"``, ``down_revision`` the
previous one, an ``upgrade()`` written with ``alembic.op`` that works on SQLite
(``op.batch_alter_table`` for changes SQLite cannot ``ALTER``), PostgreSQL and
MariaDB, and a ``downgrade()`` that raises (migrations go forward only).  In the
same change: ``_schema.py`` describes the new layout (the migration test checks
that both agree), ``SCHEMA_VERSION`` goes up by one and the revision writes it
into ``invitekit_schema_version`` (so an invitekit from before the migrations
refuses the database), and ``tests/migrations/expectations.py`` says what the
revision must do to a v1 database.
"""
