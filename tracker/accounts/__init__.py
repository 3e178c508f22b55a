"""User accounts, roles and sign-in."""
