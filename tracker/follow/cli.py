"""``flask alerts send-digests``: the alert digests, run by cron (or any scheduler)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

alerts_cli = AppGroup("alerts", help="E-mail alerts: digests of published changes.")


def run_digests(frequency: str) -> int:
    """The RQ job: ``send_digests`` with the site's links."""
    from tracker.follow.alerts import NoSiteAddress, site_links
    from tracker.follow.digest import send_digests

    try:
        with site_links():
            return send_digests(frequency)
    except NoSiteAddress as exc:
        raise click.ClickException(str(exc)) from None


@alerts_cli.command("send-digests")
@click.option(
    "--frequency", type=click.Choice(["daily", "weekly"]), required=True, help="Which digests."
)
@click.option(
    "--now",
    is_flag=True,
    help="Send in this process even when TRACKER_REDIS_URL is set (default: queue for the "
    "RQ worker).",
)
def send_digests_command(frequency: str, now: bool) -> None:
    """Mail each confirmed subscriber the changes published since their last digest."""
    if current_app.config.get("REDIS_URL") and not now:
        if not current_app.config.get("BASE_URL"):
            raise click.ClickException("TRACKER_BASE_URL is not set (the digests link to it).")
        from tracker.follow.digest import enqueue

        job = enqueue(frequency)
        click.echo(f"Queued the {frequency} digests for the worker (job {job.id}).")
        return
    sent = run_digests(frequency)
    click.echo(f"Sent {sent} {frequency} digest(s).")


def init_app(app: Flask) -> None:
    app.cli.add_command(alerts_cli)
