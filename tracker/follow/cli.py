"""``flask alerts send-digests``: the alert digests, run by cron (or any scheduler)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app, has_request_context
from flask.cli import AppGroup

alerts_cli = AppGroup("alerts", help="E-mail alerts: digests of published changes.")


def in_site_context(func: Any, *args: Any) -> Any:
    """Run ``func`` where ``url_for(_external=True)`` gives the public site's links
    (TRACKER_BASE_URL), as outside a request there is no host to take them from."""
    if has_request_context():
        return func(*args)
    base = current_app.config.get("BASE_URL")
    if not base:
        raise click.ClickException(
            "TRACKER_BASE_URL is not set: the digests link to the site, so say where it is "
            "(e.g. TRACKER_BASE_URL=https://tracker.example.org)."
        )
    with current_app.test_request_context("/", base_url=base):
        return func(*args)


def run_digests(frequency: str) -> int:
    """The RQ job: ``send_digests`` with the site's links."""
    from tracker.follow.digest import send_digests

    return int(in_site_context(send_digests, frequency))


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
