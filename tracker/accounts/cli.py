"""`flask --app tracker users ...`: accounts are created and changed from the command line."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.accounts import audit, passwords
from tracker.accounts.models import AuditAction, Role, User, normalise_email
from tracker.extensions import db

users_cli = AppGroup("users", help="Accounts: create, list, change roles, deactivate.")

ROLE_CHOICE = click.Choice([r.value for r in Role])


def _user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"No account with the e-mail address {email!r}.")
    return user


def _interactive() -> bool:
    return sys.stdin.isatty()


def _read_password(from_stdin: bool) -> str:
    """Prompt twice on a terminal; otherwise read one line from standard input."""
    if from_stdin or not _interactive():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt="Repeat the password"
        )
    problem = passwords.password_problem(password)
    if problem:
        raise click.ClickException(f"Password refused: {problem}")
    return password


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, required=True, help="admin, editor or reviewer")
@click.option("--name", default="", help="Name shown in the history and the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create an account (the password is prompted for, or read from stdin)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise click.ClickException(f"{email!r} is not an e-mail address.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise click.ClickException(f"An account with the e-mail address {email} exists already.")
    if len(name) > 200:
        raise click.ClickException("The name is longer than 200 characters.")
    password = _read_password(password_stdin)
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role),
        password_hash=passwords.hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record_event(
        AuditAction.USER_CREATED, subject=f"user:{user.id}", email=email, role=role, via="cli"
    )
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@users_cli.command("list")
def list_users() -> None:
    """Every account, with role, state and last sign-in."""
    users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    if not users:
        click.echo("No accounts yet. Create one with: make user EMAIL=you@example.org ROLE=admin")
        return
    width = max(len(u.email) for u in users)
    for u in users:
        last = u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "never"
        state = "active" if u.active else "deactivated"
        click.echo(
            f"{u.email:<{width}}  {u.role.value:<8}  {state:<11}  last sign-in {last}  {u.name}"
        )


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def set_role(email: str, role: str) -> None:
    """Change an account's role."""
    user = _user(email)
    old = user.role
    if old.value == role:
        click.echo(f"{user.email} is already {role}.")
        return
    user.role = Role(role)
    audit.record_event(
        AuditAction.ROLE_CHANGED, subject=f"user:{user.id}", old=old.value, new=role, via="cli"
    )
    db.session.commit()
    click.echo(f"{user.email}: {old.value} -> {role}.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(email: str, password_stdin: bool) -> None:
    """Give an account a new password."""
    user = _user(email)
    user.password_hash = passwords.hash_password(_read_password(password_stdin))
    user.end_sessions()  # whoever knew the old password is signed out everywhere
    audit.record_event(AuditAction.PASSWORD_CHANGED, subject=f"user:{user.id}", via="cli")
    db.session.commit()
    click.echo(f"New password set for {user.email}.")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop an account from signing in (its sessions end at their next request)."""
    user = _user(email)
    if not user.active:
        click.echo(f"{user.email} is already deactivated.")
        return
    user.active = False
    user.end_sessions()
    audit.record_event(AuditAction.DEACTIVATED, subject=f"user:{user.id}", via="cli")
    db.session.commit()
    click.echo(f"{user.email} deactivated.")
