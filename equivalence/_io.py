"""Atomic file writing: a reader sees the old file or the new one, never half of one.

Text files are written as UTF-8 through :func:`equivalence._text.printable`: control
characters, bidirectional overrides and lone surrogates (a non-UTF-8 file name decoded by
``os.fsdecode``) from a case become visible escapes, so no text file this package
writes holds them raw, and writing one never fails with ``UnicodeEncodeError``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ._text import printable


def _file_mode() -> int:
    """The mode ``open()`` would give a new file: 0666 less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_MODE = _file_mode()


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, _MODE)  # mkstemp makes it 0600; a renamed file keeps that
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8, unsafe characters escaped (tabs, newlines, CRLF kept)."""
    atomic_write_bytes(path, printable(text).encode("utf-8"))
