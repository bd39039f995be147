"""Local SQLite storage: models, opening/migrating the file, repositories."""
