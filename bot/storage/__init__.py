"""Storage: SQLAlchemy 2 models, the database handle, repositories, Alembic migrations."""
