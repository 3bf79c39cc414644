"""The one place where errors become what the user sees.

A `OnegridError` prints its problems (exit 1, or 2 for usage); a click usage
error prints click's message (exit 2); anything else is our bug: one line
on stderr and the traceback in a log file, never on the terminal.
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import traceback
from pathlib import Path

import click

from onegrid import messages
from onegrid.errors import OnegridError, Problem


def current_lang(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in messages.LANGS else "zh"
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in messages.LANGS else "zh"
    return (
        os.environ.get("ONEGRID_LANG", "zh")
        if os.environ.get("ONEGRID_LANG") in messages.LANGS
        else "zh"
    )


def log_dir() -> Path:
    return Path(os.environ.get("ONEGRID_LOG_DIR") or Path(tempfile.gettempdir()) / "onegrid")


def log_internal_error(exc: BaseException) -> Path:
    """Append the traceback to the error log; return the log's path."""
    path = log_dir() / "errors.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"--- {datetime.datetime.now().isoformat()} {' '.join(sys.argv)}\n")
        fh.write("".join(traceback.format_exception(exc)))
    return path


def print_problems(problems: list[Problem], lang: str) -> None:
    for problem in problems:
        click.echo(messages.format_line(problem, lang), err=True)


def run(cli: click.Group, argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = current_lang(argv)
    try:
        result = cli.main(args=argv, prog_name="onegrid", standalone_mode=False)
    except OnegridError as exc:
        print_problems(exc.problems, lang)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the boundary: every other error is our bug
        try:
            path = str(log_internal_error(exc))
        except OSError:
            path = "?"
        problem = Problem("internal-error", {"reason": f"{type(exc).__name__}: {exc}", "log": path})
        print_problems([problem], lang)
        return 70
    return result if isinstance(result, int) else 0
