"""`fundflow serve`: the web workbench on this machine, opened in the browser."""

from __future__ import annotations

import ipaddress
import secrets
import socket
import sys
import threading
import webbrowser
from pathlib import Path

import click

from fundflow.cli.common import EXIT_USAGE, default_ledger, limit_options, stderr
from fundflow.ingest.guard import Limits

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, or a usage error in words (port taken, address not here)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                               "another program may use that port: try --port 8766") from exc
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Ledger file (default: $FUNDFLOW_LEDGER or ./fundflow.duckdb).")
@click.option("--adapters", "adapter_dirs", multiple=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Extra folder of adapter specs (repeatable); adds to the bundled ones. "
                   "Adapters drafted in the browser are saved in the first (default: "
                   "./my_adapters).")
@click.option("--no-examples", is_flag=True, help="Leave out the bundled example adapters.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any address other than this machine's own "
                   "(127.0.0.1) needs the access token.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--token", default=None, help="Access token for a non-local --host (default: "
              "a random one, printed once in the address to open).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@click.option("--max-upload-mb", default=200, show_default=True, type=click.IntRange(1),
              help="Largest upload (all files of one upload together), in MB.")
@limit_options
def serve_command(ledger: Path | None, adapter_dirs: tuple[Path, ...], no_examples: bool,
                  host: str, port: int, token: str | None, no_browser: bool,
                  max_upload_mb: int, limits: Limits) -> None:
    """Open the workbench in the browser: upload files, see problems, take the return.

    A local web page on this machine: drop the funders' spreadsheets in, see every problem
    on its cell, download the annotated copy, fix and upload again, then download the
    return. It listens on 127.0.0.1 only unless --host says otherwise, and then every
    request needs the access token. Press Ctrl-C to stop; uploads are deleted then.

    \b
    Example:
      fundflow serve
      fundflow serve --ledger eastbrook.duckdb --port 8800 --no-browser
    """
    import uvicorn  # noqa: PLC0415 - the web stack loads only for this command

    from fundflow.web.app import create_app  # noqa: PLC0415
    from fundflow.web.workbench import Settings  # noqa: PLC0415

    local = _is_loopback(host)
    if not local and token is None:
        token = secrets.token_urlsafe(24)
    if token is not None and len(token) < 16:
        raise click.BadParameter("use at least 16 characters", param_hint="--token")
    settings = Settings(
        ledger=ledger or default_ledger(), adapters=adapter_dirs, examples=not no_examples,
        limits=limits, max_upload_bytes=max_upload_mb * 1_000_000, token=token,
        hosts=("127.0.0.1", "localhost", "::1") if local else (),
        save_adapters=adapter_dirs[0] if adapter_dirs else Path("my_adapters"),
    )
    sock = _bind(host, port)
    shown = "127.0.0.1" if local else host
    url = f"http://{shown}:{sock.getsockname()[1]}/" + (f"?token={token}" if token else "")
    stderr.print(f"fundflow workbench for ledger {settings.ledger} at {url}")
    stderr.print("Press Ctrl-C to stop.")
    if not no_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning",
                                           access_log=False, server_header=False))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    if server.started is False:
        sys.exit(EXIT_USAGE)
