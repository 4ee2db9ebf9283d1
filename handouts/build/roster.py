"""Rosters: one meeting packet for every branch of a 党委.

A packet spec may name ``roster = "rosters/<name>.csv"``: a spreadsheet saved as CSV
(UTF-8, or GBK as Excel on a Chinese Windows saves it) with a header row and one row
per branch.  Each row becomes its own packet, ``packets/<spec>/<branch-slug>.pdf``: the
spec's title and readings with the row's branch, date, place, organiser and audience on
the cover, the branch in the running header, and the row's values in the foreword
wherever it writes ``{column}``.

Only the cover differs from row to row, so the outline is computed once per spec (the
rows are ``dataclasses.replace`` of one handout) and the body is laid out once per
process (``handouts.writers.pdf.series``).

A bad row (no branch, an impossible date, a branch listed twice, an empty value the
foreword asks for) is reported by row and column and skipped; the other rows build.
Rows are counted as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from handouts.errors import ConfigError, HandoutsError
from handouts.model import Handout

if TYPE_CHECKING:
    from handouts.build.packets import PacketSpec

COLUMNS = ("branch", "organiser", "date", "place", "audience")
"""The columns the cover prints; any other column is only for the foreword."""

SLUG_LIMIT = 80
"""Longest file stem: 20 characters of pinyin per 4-5 hanzi, well under any filesystem's 255."""

_PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")


@dataclass(frozen=True)
class RosterRow:
    """One branch of a roster, validated: its values by column, empty cells dropped."""

    row: int
    branch: str
    slug: str
    values: tuple[tuple[str, str], ...]

    def get(self, column: str) -> str | None:
        return dict(self.values).get(column)


@dataclass(frozen=True)
class RosterProblem:
    """A row that cannot be built, and why: ``rosters/x.csv: row 5, column date: ...``."""

    path: str
    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: row {self.row}, column {self.column}: {self.problem}"


@dataclass(frozen=True)
class Roster:
    path: str
    columns: tuple[str, ...]
    rows: tuple[RosterRow, ...]
    problems: tuple[RosterProblem, ...]


def read_roster(path: Path, *, foreword: str | None = None,
                defaults: dict[str, str | None] | None = None) -> Roster:
    """Read and check a roster; problems of single rows are collected, not raised.

    ``foreword`` is the spec's foreword: every ``{column}`` it names must be a column of
    the roster (a ``ConfigError`` otherwise) and filled in each row, from the row or
    else from ``defaults`` (the spec's own date, place, ...).  A file that cannot be
    read, or has no ``branch`` column, is a ``ConfigError``: no row can be built.
    """
    path = Path(path)
    text = _decode(path)
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not any(cell.strip() for cell in records[0]):
        raise ConfigError(path, "empty roster (a header row naming branch, date, ... is needed)")
    header = tuple(cell.strip() for cell in records[0])
    if "branch" not in header:
        raise ConfigError(path, f"row 1: no 'branch' column (columns: {', '.join(header)})")
    for i, name in enumerate(header):
        if not name:
            raise ConfigError(path, f"row 1: column {i + 1} has no name")
        if name in header[:i]:
            raise ConfigError(path, f"row 1: column {name!r} appears twice")
    used = placeholders(foreword)
    for name in used:
        if name not in header:
            raise ConfigError(path, f"the foreword uses {{{name}}}, which is not a column "
                                    f"(columns: {', '.join(header)})")
    defaults = defaults or {}
    where = str(path)
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    first_row: dict[str, int] = {}
    for number, record in enumerate(records[1:], 2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line a spreadsheet left at the end
        if len(record) > len(header):
            problems.append(RosterProblem(where, number, f"#{len(header) + 1}",
                                          f"more cells than the header has columns "
                                          f"({len(record)} > {len(header)})"))
            continue
        cells = {name: " ".join(value.split()) for name, value in zip(header, record, strict=False)
                 if value.strip()}
        problem = _check_row(where, number, cells, used, defaults)
        if problem is None:
            key = _identity(cells["branch"])
            if key in first_row:
                problem = RosterProblem(where, number, "branch",
                                        f"duplicate branch {cells['branch']!r} "
                                        f"(first on row {first_row[key]})")
            else:
                first_row[key] = number
        if problem is not None:
            problems.append(problem)
            continue
        if "date" in cells:
            cells["date"] = parse_date(cells["date"]).isoformat()  # type: ignore[union-attr]
        rows.append(RosterRow(number, cells["branch"], "", tuple(cells.items())))
    slugs = unique_slugs([row.branch for row in rows])
    rows = [dataclasses.replace(row, slug=slug) for row, slug in zip(rows, slugs, strict=True)]
    return Roster(where, header, tuple(rows), tuple(problems))


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, "no such roster") from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is GBK's superset: what Excel's "CSV" gives on a Chinese Windows.
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"neither UTF-8 nor GBK text (byte {exc.start})") from None


def _check_row(where: str, number: int, cells: dict[str, str], used: Sequence[str],
               defaults: dict[str, str | None]) -> RosterProblem | None:
    if "branch" not in cells:
        return RosterProblem(where, number, "branch", "missing branch name")
    if "date" in cells:
        try:
            parse_date(cells["date"])
        except ValueError as exc:
            return RosterProblem(where, number, "date", str(exc))
    for name in used:
        if name not in cells and not defaults.get(name):
            return RosterProblem(where, number, name,
                                 f"empty, but the foreword uses {{{name}}}")
    return None


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: str) -> dt.date:
    """``2026-12-08``, ``2026/12/8``, ``2026.12.8`` or ``2026年12月8日``; anything else,
    or a day the calendar does not have, is a ``ValueError`` saying which."""
    match = _DATE.match(unicodedata.normalize("NFKC", value).strip())
    if not match:
        raise ValueError(f"not a date {value!r} (write 2026-12-08)")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"impossible date {value!r}") from None


def placeholders(foreword: str | None) -> tuple[str, ...]:
    """The ``{column}`` names a foreword uses, in order of first use."""
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(foreword or "")))


def fill(foreword: str | None, values: dict[str, str | None]) -> str | None:
    """The foreword with each ``{column}`` replaced by the row's value."""
    if foreword is None:
        return None
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or m.group(0), foreword)


def _identity(branch: str) -> str:
    """What makes two branch names the same branch: width and spacing do not."""
    return "".join(unicodedata.normalize("NFKC", branch).split()).casefold()


# --- file names --------------------------------------------------------------------


def slug(branch: str) -> str:
    """A file stem for a branch: its name in toneless pinyin, Latin letters and digits
    kept, every other run of characters one ``-``.

    ``城关镇第一党支部`` -> ``chengguanzhendiyidangzhibu``.  Pinyin rather than the
    Chinese name: artifact zips opened on a Chinese Windows read file names as GBK and
    garble UTF-8 ones, and shells, URLs and ``ls`` all handle ASCII.  ``pypinyin`` is
    pinned, so a name's pinyin (polyphones included) does not move between releases.
    A name with nothing to spell becomes ``branch-<hash>``.
    """
    from pypinyin import Style, lazy_pinyin

    text = unicodedata.normalize("NFKC", branch)
    spelled = "".join(lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: f"-{s}-"))
    stem = re.sub(r"[^a-z0-9]+", "-", spelled.lower()).strip("-")
    if len(stem) > SLUG_LIMIT:
        stem = stem[:SLUG_LIMIT].rstrip("-") + "-" + _short_hash(branch)
    return stem or f"branch-{_short_hash(branch)}"


def unique_slugs(branches: Sequence[str]) -> list[str]:
    """``slug`` for each branch; names that spell the same (homophones: 一支部 and 医支部)
    all take ``-<hash of the name>``, so no file overwrites another and each name keeps
    the same file however the rows are ordered."""
    stems = [slug(b) for b in branches]
    counts: dict[str, int] = {}
    for stem in stems:
        counts[stem] = counts.get(stem, 0) + 1
    return [f"{stem}-{_short_hash(b)}" if counts[stem] > 1 else stem
            for stem, b in zip(stems, branches, strict=True)]


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


# --- handouts --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowOutput:
    """One output of a roster spec: a row's packet, or the problem that stops it."""

    key: str
    name: str
    handout: Handout | None
    error: str | None = None


def row_handout(base: Handout, row: RosterRow, foreword: str | None) -> Handout:
    """The spec's packet for one branch: the row's cover facts, the same readings.

    An empty cell keeps the spec's value (a roster may leave the date to the spec).
    """
    values: dict[str, str | None] = {"date": base.date, "organiser": base.organiser,
                                     "place": base.place, "audience": base.audience}
    values.update(row.values)
    return dataclasses.replace(
        base, branch=row.branch, date=values["date"], organiser=values["organiser"],
        place=values["place"], audience=values["audience"], foreword=fill(foreword, values))


def outputs(spec_name: str, roster: Roster, base: Handout,
            foreword: str | None) -> Iterable[RowOutput]:
    """Every row's packet, keyed ``packets/<spec>/<slug>.pdf``, and every bad row as a
    failure keyed ``packets/<spec>/row-<n>`` (no file is written for it)."""
    for row in roster.rows:
        yield RowOutput(f"packets/{spec_name}/{row.slug}.pdf", f"{spec_name}/{row.slug}",
                        row_handout(base, row, foreword))
    for problem in roster.problems:
        yield RowOutput(f"packets/{spec_name}/row-{problem.row}", f"{spec_name}/row-{problem.row}",
                        None, str(problem))


def spec_roster(spec: PacketSpec) -> Roster:
    """The roster a spec names, read as every output of it is built: the spec's own date,
    organiser, place and audience fill a row's empty cells.  ``build-all``, ``handouts
    packet --branch`` and the workbench all read it here, so they accept the same rows."""
    from handouts.build.packets import roster_path

    where = roster_path(spec)
    assert where is not None, "spec_roster() is for specs with a roster"
    return read_roster(where, foreword=spec.foreword, defaults={
        "date": spec.date, "organiser": spec.organiser, "place": spec.place,
        "audience": spec.audience})


def expand(spec: PacketSpec, base: Handout) -> list[RowOutput]:
    """A roster spec's outputs from its packet ``base``: one per row, each bad row as a
    failure; a roster that cannot be read at all is one failure under the spec's own
    key (``packets/<spec>.pdf``)."""
    try:
        found = spec_roster(spec)
    except HandoutsError as exc:
        return [RowOutput(f"packets/{spec.name}.pdf", spec.name, None, str(exc))]
    return list(outputs(spec.name, found, base, spec.foreword))
