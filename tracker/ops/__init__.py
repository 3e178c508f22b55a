"""Operations: backups, restores and readiness checks."""
