"""`flask --app tracker groups ...`: link reviewer accounts to working-group members, and
flag government contacts (the review workflow routes drafts by these links)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.accounts.models import User, normalise_email
from tracker.extensions import db
from tracker.workinggroups import services
from tracker.workinggroups.models import WorkingGroup, WorkingGroupMember

groups_cli = AppGroup(
    "groups", help="Working groups: link reviewer accounts, flag government contacts."
)


def _group(key: str) -> WorkingGroup:
    group = db.session.scalar(sa.select(WorkingGroup).where(WorkingGroup.key == key))
    if group is None:
        keys = ", ".join(db.session.scalars(sa.select(WorkingGroup.key).order_by(WorkingGroup.key)))
        raise click.ClickException(f"No working group {key!r}. Known groups: {keys or 'none'}.")
    return group


def _user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"No account with the e-mail address {email!r}.")
    return user


def _membership(group: WorkingGroup, user: User) -> WorkingGroupMember:
    member = next((m for m in group.members if m.user_id == user.id), None)
    if member is None:
        raise click.ClickException(f"{user.email} is not linked to a member of {group.key}.")
    return member


@groups_cli.command("list")
def list_groups() -> None:
    """Every group with its members, linked accounts and government contacts."""
    for group in db.session.scalars(sa.select(WorkingGroup).order_by(WorkingGroup.key)):
        click.echo(f"{group.key}: {group.name} ({group.period})")
        for m in group.members:
            extra = []
            if m.user is not None:
                extra.append(f"account {m.user.email}")
            if m.is_government_contact:
                extra.append(f"government contact for {m.contact_jurisdiction_code}")
            click.echo(
                f"  {m.name}{' (' + m.affiliation + ')' if m.affiliation else ''}"
                f"{' — ' + ', '.join(extra) if extra else ''}"
            )


@groups_cli.command("link")
@click.argument("group_key")
@click.argument("email")
@click.option(
    "--member", "member_name", help="The member's name as listed; without it a new member is added."
)
@click.option("--affiliation", default=None, help="For a new member: the affiliation.")
def link(group_key: str, email: str, member_name: str | None, affiliation: str | None) -> None:
    """Link a reviewer account to a member of a group (drafts submitted to it reach them)."""
    group, user = _group(group_key), _user(email)
    if any(m.user_id == user.id for m in group.members):
        raise click.ClickException(f"{user.email} is already linked to a member of {group.key}.")
    if member_name:
        member = next((m for m in group.members if m.name == member_name), None)
        if member is None:
            raise click.ClickException(
                f"{group.key} has no member named {member_name!r} (see: groups list)."
            )
    else:
        if not user.name.strip():
            # The member list is public: never list an account under its e-mail address.
            raise click.ClickException(
                f"The account {user.email} has no name, and the member list is public. "
                "Set the account's name first, or link it to a listed member with --member."
            )
        member = WorkingGroupMember(
            name=user.name.strip()[:200], affiliation=affiliation, position=len(group.members)
        )
        group.members.append(member)
    try:
        services.link_account(member, user)
    except services.MembershipError as exc:
        raise click.ClickException(str(exc)) from None
    if not member_name:
        # a new member on the public list of working groups: the pages kept for the previous
        # data (tracker.pagecache) are not served again
        from tracker.records import stamps

        stamps.bump([stamps.SITE], None)
    db.session.commit()
    click.echo(f"{user.email} is now {member.name} in {group.key}.")


@groups_cli.command("unlink")
@click.argument("group_key")
@click.argument("email")
def unlink(group_key: str, email: str) -> None:
    """Remove the account link (the member stays listed)."""
    member = _membership(_group(group_key), _user(email))
    services.link_account(member, None)
    db.session.commit()
    click.echo(f"{email} unlinked from {member.name}.")


@groups_cli.command("contact")
@click.argument("group_key")
@click.argument("email")
@click.argument("jurisdiction", required=False)
@click.option("--clear", is_flag=True, help="No longer a government contact.")
def contact(group_key: str, email: str, jurisdiction: str | None, clear: bool) -> None:
    """Flag the member linked to EMAIL as government contact for JURISDICTION (right of reply)."""
    if not clear and not jurisdiction:
        raise click.ClickException("Give the jurisdiction code (e.g. DE), or --clear.")
    member = _membership(_group(group_key), _user(email))
    try:
        services.set_government_contact(member, None if clear else jurisdiction)
    except services.MembershipError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(
        f"{member.name}: "
        + (
            "no longer a government contact."
            if clear
            else f"government contact for {member.contact_jurisdiction_code}."
        )
    )
