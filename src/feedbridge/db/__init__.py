"""Database: SQLAlchemy models, session factory, repositories and Alembic migrations."""
