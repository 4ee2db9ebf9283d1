"""The one door to word segmentation.

Stages ask ``get_segmenter()`` for an object with ``cut(text) -> list[str]`` and never
import jieba themselves, so a faster compatible segmenter (rjieba, jieba-fast) can be
swapped in here alone.  jieba is imported lazily and its dictionary loaded once per
process (about 0.75 s); each worker of a pool loads its own copy, nothing is shared.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from handouts.paths import DATA

USER_DICT = DATA / "userdict.txt"


class TokenStore(Protocol):
    """Remembers tokens across processes (the corpus index): ``cut`` is called only for
    texts it has not seen with this segmenter."""

    def tokens(self, texts: Sequence[str],
               cut: Callable[[str], list[str]]) -> list[tuple[str, ...]]: ...


class Segmenter(Protocol):
    def cut(self, text: str) -> list[str]: ...

    def known(self, word: str) -> bool: ...

    def parts(self, word: str) -> list[str]: ...

    def tag(self, word: str) -> str: ...


class JiebaSegmenter:
    """jieba in accurate mode with the domain dictionary, so 群众路线 or 最后一公里 stay whole."""

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        if USER_DICT.exists():
            self._tokenizer.load_userdict(str(USER_DICT))

    def cut(self, text: str) -> list[str]:
        return [t for t in self._tokenizer.lcut(text, HMM=True) if t.strip()]

    def parts(self, word: str) -> list[str]:
        """The dictionary words inside a word (search-mode segmentation: 调查 and 研究 in
        调查研究), the word itself excluded: the candidates of its word family."""
        return [t for t in dict.fromkeys(self._tokenizer.cut_for_search(word))
                if t != word and len(t) >= 2]

    def tag(self, word: str) -> str:
        """The dictionary's part-of-speech tag of a word (i: idiom, e: interjection, n: noun,
        ...), or "" if the word is not in a dictionary.  Read lazily: only the question
        checker needs it."""
        return _tags().get(word, "")

    def known(self, word: str) -> bool:
        """Whether the word is in a dictionary.  Words jieba's HMM glued from unknown
        characters (想民, 必浚 from a classical quotation) are often not words at all."""
        return self._tokenizer.FREQ.get(word, 0) > 0


@functools.lru_cache(maxsize=1)
def _tags() -> dict[str, str]:
    import jieba

    tags: dict[str, str] = {}
    for path in (Path(jieba.__file__).parent / "dict.txt", USER_DICT):
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) >= 3 and not line.startswith("#"):
                tags[fields[0]] = fields[2]
    return tags


@functools.lru_cache(maxsize=1)
def get_segmenter() -> Segmenter:
    return JiebaSegmenter()


_STORE: list[TokenStore] = []


def use_store(store: TokenStore | None) -> None:
    """Serve ``cut_many`` from ``store`` for the rest of the process (``None``: stop)."""
    _STORE[:] = [store] if store is not None else []


def cut_many(texts: Sequence[str]) -> list[tuple[str, ...]]:
    """Tokens of many texts (a corpus's sections): from the store when one is in use, so
    an unchanged section is segmented once, ever; jieba is loaded only if one is new."""

    def cut(text: str) -> list[str]:
        return get_segmenter().cut(text) if text else []

    if _STORE:
        return _STORE[0].tokens(texts, cut)
    return [tuple(cut(t)) for t in texts]
