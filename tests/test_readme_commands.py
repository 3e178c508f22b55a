"""Every command the README shows works as written, pasted from the repository root.

The commands of the README's "Commands" block (``bin/tracker ...``) and the account commands
of its "First sign-in" paragraph (``make user``, ``make password``) run in order, as
subprocesses, on a scratch database of the session's kind. Placeholders in capitals are
filled with sample values; ``a|b|c`` takes the last choice and ``[...]`` is left out.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PASSWORD = "readme-test-password-1"
SAMPLES = {
    "EMAIL": "readme.tester@example.org",
    "ROLE": "reviewer",
    "GROUP_KEY": "wg-software-supply-chain",
    "CODE": "DE",
    "NAME": "Tester",
}


def documented_commands() -> list[str]:
    section = README[README.index("## Commands") :]
    start = section.index("```sh") + len("```sh")
    block = section[start : section.index("```", start)]
    lines = [line.split("#")[0].strip() for line in block.splitlines()]
    return [line for line in lines if line.startswith("bin/tracker ")]


def account_commands() -> list[str]:
    intro = README[: README.index("## ", README.index("**First sign-in.**"))]
    return re.findall(r"`(make (?:user|password) [^`]+)`", intro)


def concrete(command: str) -> str:
    command = re.sub(r"\s*\[[^\]]*\]", "", command)
    command = re.sub(r"\b(\w+)(?:\|\w+)+\b", lambda m: m.group(0).split("|")[-1], command)
    for placeholder, value in SAMPLES.items():
        command = re.sub(rf"\b{placeholder}\b(?!=)", value, command)
    return command


def test_the_readme_lists_the_commands_this_test_runs() -> None:
    commands = documented_commands()
    assert len(commands) >= 15 and commands[0] == "bin/tracker setup"
    assert account_commands() == [
        "make user EMAIL=you@example.org ROLE=editor",
        "make password EMAIL=you@example.org",
    ]
    assert concrete("bin/tracker users create EMAIL --role admin|editor|reviewer --name NAME") == (
        "bin/tracker users create readme.tester@example.org --role reviewer --name Tester"
    )
    assert concrete("bin/tracker groups link GROUP_KEY EMAIL [--member NAME]") == (
        "bin/tracker groups link wg-software-supply-chain readme.tester@example.org"
    )


@pytest.mark.slow
def test_every_readme_command_works_as_written(fresh_database_url) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "FLASK_"))} | {
        "TRACKER_DATABASE_URL": fresh_database_url
    }
    # The block's commands in order (they end by deactivating the sample account), then the
    # account commands of "First sign-in" exactly as printed.
    sequence = [concrete(c) for c in documented_commands()] + account_commands()
    for command in sequence:
        result = subprocess.run(
            shlex.split(command),
            cwd=ROOT,
            env=env,
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{command!r} failed:\n{result.stdout}\n{result.stderr}"

    engine = sa.create_engine(fresh_database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        users = dict(conn.execute(sa.text("SELECT email, active FROM users")).all())
    engine.dispose()
    assert users["you@example.org"]  # made by `make user`
    assert not users[SAMPLES["EMAIL"]]  # the block ends by deactivating it
