"""The workbench's state: its settings, the one-writer lock, and each upload's run.

An upload becomes a `Run`: its files are imported in a worker thread through the same
`import_files` as `fundflow import` (guard, sandboxed parse, limits, one transaction per file),
then each file with problems gets its annotated copy and the grid around each problem cell,
and the uploaded bytes are deleted. Pages read a run's progress while it goes (the Files page
polls), then its results. Only one run writes the ledger at a time: a second upload while one
is running is told the ledger is busy, never queued behind it or let in beside it.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl

from fundflow.ingest.guard import Limits
from fundflow.ingest.importer import FileResult, import_files
from fundflow.ingest.specs.registry import load_adapters
from fundflow.issues import Issue, make_issue
from fundflow.ledger.read import finance_figures
from fundflow.ledger.store import LedgerError, open_ledger
from fundflow.money import pence_to_decimal
from fundflow.web.excerpt import Excerpt, excerpts
from fundflow.web.uploads import Upload

KEEP_RUNS = 30  # runs kept in memory (with their annotated copies); older ones are dropped


@dataclass(frozen=True)
class Settings:
    """How `fundflow serve` was started: what the pages read and write, and the limits."""

    ledger: Path
    adapters: tuple[Path, ...] = ()
    examples: bool = True
    limits: Limits = field(default_factory=Limits)
    max_upload_bytes: int = 200_000_000
    token: str | None = None  # required on every request when set (a non-local bind)
    save_adapters: Path = Path("my_adapters")  # where drafted adapters are saved, and read
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost")  # Host headers accepted; () = any


@dataclass
class FileView:
    """One file of a run as the pages show it; `annotated` is the copy to download."""

    name: str
    result: FileResult
    excerpts: dict[int, Excerpt] = field(default_factory=dict)  # issue index -> grid
    annotated: Path | None = None
    measures: list[tuple[str, str, Decimal]] = field(default_factory=list)
    """(measure, state, total) as the file states them, for a file in the ledger."""
    kept: Path | None = None
    """A copy of a file no adapter recognised, for drafting one (deleted when fundflow stops)."""
    draft: str | None = None
    """The adapter `fundflow.ingest.suggest` drafted for it, as YAML."""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.result.issues if i.severity.value == "error"]


@dataclass
class Run:
    """One upload's import: progress while it goes, then one `FileView` per file."""

    run_id: str
    names: list[str]
    done: bool = False
    step: str = "Waiting to start"
    files: list[FileView] = field(default_factory=list)
    failure: str | None = None
    left_out: list[str] = field(default_factory=list)
    """Files of a sent folder that were not read (not spreadsheets), as the browser named them."""
    records: int = 0
    """Records the importer has checked or is saving in the file it is on."""


class Busy(Exception):
    """The ledger is being written by another run of this workbench."""


class Workbench:
    """Settings, the private folder, the runs, and the lock that keeps one writer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.csrf = secrets.token_urlsafe(32)
        self.folder = Path(tempfile.mkdtemp(prefix="fundflow-web-"))  # mode 0700
        self.runs: OrderedDict[str, Run] = OrderedDict()
        self._lock = threading.Lock()

    def close(self) -> None:
        """Delete every upload and annotated copy this workbench kept."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_upload_folder(self) -> Path:
        """A fresh private folder for one upload's bytes (deleted once imported)."""
        folder = self.folder / f"up-{secrets.token_hex(8)}"
        folder.mkdir(mode=0o700)
        return folder

    @contextmanager
    def reading(self, wait: float = 2.0) -> Iterator[None]:
        """Hold the ledger for a read; raises `Busy` if an import holds it past `wait`
        seconds (DuckDB lets one process have it open for writing or reading, not both)."""
        if not self._lock.acquire(timeout=wait):
            raise Busy
        try:
            yield
        finally:
            self._lock.release()

    def adapter_dirs(self) -> tuple[Path, ...]:
        """The `--adapters` folders, and the folder drafts are saved in once it exists."""
        dirs = self.settings.adapters
        save = self.settings.save_adapters
        if save.is_dir() and all(save.resolve() != d.resolve() for d in dirs):
            dirs = (*dirs, save)
        return dirs

    def start(self, uploads: list[Upload], folder: Path) -> Run:
        """Start importing `uploads` in a worker thread; raises `Busy` while another runs."""
        if not self._lock.acquire(blocking=False):
            shutil.rmtree(folder, ignore_errors=True)
            raise Busy
        run = Run(secrets.token_hex(8), [u.name for u in uploads])
        self.runs[run.run_id] = run
        while len(self.runs) > KEEP_RUNS:
            _, old = self.runs.popitem(last=False)
            shutil.rmtree(self.folder / f"run-{old.run_id}", ignore_errors=True)
        thread = threading.Thread(target=self._work, args=(run, uploads, folder), daemon=True)
        thread.start()
        return run

    def _work(self, run: Run, uploads: list[Upload], folder: Path) -> None:
        try:
            self._import(run, uploads)
        except Exception as exc:  # never a traceback: the page says what failed
            run.failure = _failure(exc)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            run.done = True
            self._lock.release()

    def _import(self, run: Run, uploads: list[Upload]) -> None:
        settings = self.settings
        adapters, _ = load_adapters(self.adapter_dirs(), include_examples=settings.examples)
        names = {u.path: u.name for u in uploads}
        total = len(uploads)

        def on_step(path: Path, step: str, records: int) -> None:
            run.records = records
            what = {"reading": "reading", "checking": f"{records:,} records checked",
                    "saving": f"saving {records:,} records"}.get(step, step)
            run.step = f"File {len(run.files) + 1} of {total}, {names.get(path, '')}: {what}"

        def on_file(result: FileResult) -> None:
            view = FileView(names.get(result.path, result.path.name), result)
            run.step = f"File {len(run.files) + 1} of {total}: marking its problems"
            self._explain(run, view)
            run.files.append(view)

        import_files([u.path for u in uploads], settings.ledger, adapters,
                     limits=settings.limits, on_file=on_file, on_step=on_step,
                     origins={u.path: f"uploaded to the workbench as {u.name}" for u in uploads})
        run.step = "Totalling each file's figures by measure"
        _add_measures(settings.ledger, run.files)
        run.step = "Finished"

    def _explain(self, run: Run, view: FileView) -> None:
        """The grid around each problem cell and the annotated copy, while the file is here."""
        if not view.result.issues or not view.result.path.is_file():
            return
        view.excerpts = excerpts(view.result.path, view.result.issues, self.settings.limits)
        # the annotating modules (and the CLI's one rule for which files to annotate) load
        # only when a copy is written
        from fundflow.cli.import_cmd import annotate_file  # noqa: PLC0415

        out = self.folder / f"run-{run.run_id}" / str(len(run.files))
        view.annotated = annotate_file(view.result, out, set(), self.settings.limits)
        if any(i.code == "adapter-none" for i in view.result.issues):
            self._draft(view, out / "source")

    def _draft(self, view: FileView, folder: Path) -> None:
        """Keep the file and draft an adapter for it (the Unknown layout page)."""
        from fundflow.ingest.suggest import suggest_spec  # noqa: PLC0415 - only for unknown files

        folder.mkdir(parents=True, exist_ok=True)
        view.kept = Path(shutil.copy(view.result.path, folder / view.result.path.name))
        view.draft = suggest_spec(view.kept).yaml


def _add_measures(ledger: Path, views: list[FileView]) -> None:
    """Each file's totals by measure and state, from its figures in the ledger (raw, as the
    file states them: before the counting rule or figures to date are applied)."""
    wanted = {v.result.submission_id: v for v in views
              if v.result.submission_id and v.result.status != "failed"}
    if not wanted:
        return
    with open_ledger(ledger, read_only=True) as con:
        figures = finance_figures(con)
    sums = (figures.filter(pl.col("submission_id").is_in(list(wanted)))
            .group_by("submission_id", "measure", "state")
            .agg(pl.col("amount_pence").sum()).sort("submission_id", "measure", "state"))
    for submission, measure, state, pence in sums.iter_rows():
        wanted[submission].measures.append((measure, state, pence_to_decimal(pence)))


def _failure(exc: Exception) -> str:
    """A run-wide failure in words (the ledger in use by another program, a full disk)."""

    if isinstance(exc, LedgerError):
        return said_of(exc)
    return (f"The import stopped unexpectedly ({type(exc).__name__}). Nothing was changed "
            "for the file it was on; run `fundflow import` on it with --debug to see why.")


def said_of(exc: LedgerError) -> str:
    """A ledger problem in the catalogue's words: what is wrong and what to do."""
    issue = make_issue(exc.code, **exc.params)
    return f"{issue.message} {issue.hint or ''}".strip()
