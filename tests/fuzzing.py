"""A seeded mutator over the seed pages, for the fuzz test and ``make fuzz``.

Each case is a seed page damaged the ways real inputs are damaged: cut off mid-byte,
bytes flipped, markup and template syntax inserted, re-encoded (GB18030, Big5, UTF-16,
a BOM), lines joined into one giant line, saved under another suffix.  The property:
loading never crashes (a document, or a one-line ``HandoutsError``) and never hangs
(every case runs under a timer).  ``python tests/fuzzing.py --seconds 600`` runs it for
ten minutes and prints any failing case's seed so it can be replayed.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))

SNIPPETS = (
    "<script>alert(1)</script>", "<div>" * 50, "</p></div></body>", "<style>p{x:1}</style>",
    "&lt;img src=x&gt;", "&#0;&#xD800;&#1114112;", "<![CDATA[", "]]>", "<!--", "-->",
    "{{ config }}", "{% for x in y %}", "[[[1]]](#_ftn1)", "[^1]", "[^1]: 注释内容", "①",
    "——2018年4月24日，在湖北考察时的讲话", "# ", "###### ", "```", "|---|---|", "> > > ",
    "\x00", "\x1b[31m", "\u202e", "\ufeff", "\ue000", "\ud800", "\U0001f600", "\u3000" * 40,
    "一、", "（一）", "第一章", "1.1.1.1.1.1", "http://198.51.100.7/x.png",
    "url(file:///etc/passwd)", "\r", "\r\n" * 30, "\n" * 200, "。" * 500, "“" * 100,
)
SUFFIXES = (".txt", ".md", ".html")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le")


def mutate(rng: random.Random) -> tuple[bytes, str]:
    """One damaged page and the suffix to save it under."""
    text = rng.choice(SEEDS).read_text(encoding="utf-8")
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(5)
        if op == 0:  # markup and friends, anywhere
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(SNIPPETS) * rng.randint(1, 20) + text[at:]
        elif op == 1:  # one giant line
            text = "".join(text.splitlines()) if rng.random() < 0.5 else text + "字" * 200_000
        elif op == 2:  # paragraphs shuffled
            lines = text.split("\n")
            rng.shuffle(lines)
            text = "\n".join(lines)
        elif op == 3:  # cut off
            text = text[: rng.randrange(len(text) + 1)]
        else:  # wrapped as HTML
            text = f"<html><body><p>{text}</p></body></html>"
    data = text.encode(rng.choice(ENCODINGS), errors="replace")
    if data and rng.random() < 0.5:  # bytes flipped, or cut mid-character
        buf = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            buf[rng.randrange(len(buf))] ^= rng.randrange(1, 256)
        data = bytes(buf[: rng.randint(len(buf) // 2, len(buf))])
    return data, rng.choice(SUFFIXES)


class Hang(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def stop(_signum: int, _frame: object) -> None:
        raise Hang(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_case(seed: int, folder: Path, *, seconds: float = 20.0) -> str | None:
    """Load one mutated page; the failure (crash or hang) as text, None when sound."""
    from handouts.corpus.load import load_document
    from handouts.errors import HandoutsError

    data, suffix = mutate(random.Random(seed))
    path = folder / f"case-{seed}{suffix}"
    path.write_bytes(data)
    try:
        with deadline(seconds):
            document = load_document(path)
        assert document.sections, "a document without sections"
        for section in document.sections:
            assert "\x00" not in section.text and "\u202e" not in section.text
    except HandoutsError as exc:
        if "\n" in str(exc):
            return f"seed {seed}: error message is not one line: {exc!r}"
    except Exception:
        return f"seed {seed}: {traceback.format_exc(limit=3)}"
    finally:
        path.unlink(missing_ok=True)
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--start", type=int, default=int(time.time()))
    args = parser.parse_args(argv)
    failures, cases = [], 0
    stop_at = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory(prefix="handouts-fuzz-") as tmp:
        seed = args.start
        while time.monotonic() < stop_at:
            problem = check_case(seed, Path(tmp))
            cases += 1
            if problem:
                failures.append(problem)
                print(problem, flush=True)
            seed += 1
    print(f"fuzz: {cases} cases from seed {args.start} in {args.seconds:.0f} s, "
          f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
