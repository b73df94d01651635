"""Which PyTorch wheel an environment would get, and whether it is the CPU build: asked
before anything is made.

The registry's Linux ``torch`` wheels are CUDA builds: each pulls ``nvidia-*``,
``cuda-*`` and ``triton`` packages, several GB. A CPU build carries a ``+cpu`` local
label (``2.13.0+cpu``) or, whatever its name, requires none of those. The wheel is
looked for where the installer looks: pip's find-links folders, then its indexes
(``file://`` ones read from disk, remote ones through the simple API's JSON form, which
gives each file's size and, with PEP 658, its metadata without the wheel). Nothing is
downloaded but an index page and a metadata file.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.parser import Parser
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

__all__ = ["CUDA_PREFIXES", "TorchCheck", "Wheel", "check_torch", "find_wheels", "python_tag"]

#: Distributions that mean a CUDA build.
CUDA_PREFIXES = ("nvidia-", "cuda-", "triton")
PYPI = "https://pypi.org/simple"
TIMEOUT = 30.0


@dataclass(frozen=True)
class Wheel:
    """One wheel file of a distribution, and what it requires of CUDA."""

    filename: str
    version: str
    location: str
    size: int | None = None
    #: The CUDA distributions its metadata requires on Linux; None when the metadata was not at hand.
    cuda: tuple[str, ...] | None = None

    @property
    def cpu(self) -> bool:
        """A CPU build: a ``+cpu`` label, or metadata that requires no CUDA package."""
        return "+cpu" in self.version or self.cuda == ()

    def describe(self) -> str:
        size = f"{self.size / 1e6:,.1f} MB" if self.size else "size unknown"
        return f"{self.filename} ({size}, {self.location})"


@dataclass(frozen=True)
class TorchCheck:
    """The verdict on one torch version: the wheel found, and why it is refused when it is."""

    version: str
    wheel: Wheel | None
    #: The version to pin: the CPU build's full version (``2.13.0+cpu``) when one was found.
    pin: str
    refused: str = ""


def python_tag(version: Sequence[int] | None = None) -> str:
    """``cp311`` for CPython 3.11."""
    major, minor = (version or sys.version_info)[:2]
    return f"cp{major}{minor}"


def _compatible(filename: str, tag: str, machine: str) -> bool:
    parts = filename[:-4].split("-")
    return len(parts) >= 5 and parts[-3] in (tag, "py3") and (
        parts[-1] == "any" or ("linux" in parts[-1] and machine in parts[-1]))


def _version(filename: str) -> str:
    return unquote(filename).split("-")[1]


def _matches(found: str, wanted: str) -> bool:
    """``==wanted`` as PEP 440 reads it: without a local label, any local label matches."""
    return found == wanted if "+" in wanted else found.split("+")[0] == wanted


def _cuda_of(metadata: str) -> tuple[str, ...]:
    """The CUDA distributions a METADATA text requires on Linux (extras left out)."""
    names = []
    for requirement in Parser().parsestr(metadata).get_all("Requires-Dist") or []:
        spec, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        name = re.split(r"[\s<>=!~\[(;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")
        if name.startswith(CUDA_PREFIXES):
            names.append(name)
    return tuple(dict.fromkeys(names))


def _local_metadata(path: Path) -> tuple[str, ...] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            member = next((n for n in archive.namelist() if n.endswith(".dist-info/METADATA")), None)
            return None if member is None else _cuda_of(archive.read(member).decode("utf-8", "replace"))
    except (OSError, zipfile.BadZipFile):
        return None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        href = dict(attributes).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _fetch(url: str, accept: str = "") -> bytes:
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - the configured index
        return bytes(answer.read())


def _from_folder(folder: Path, project: str) -> Iterable[tuple[str, Path]]:
    if folder.is_dir():
        for file in sorted(folder.iterdir()):
            if file.name.lower().startswith(f"{project}-") and file.name.endswith(".whl"):
                yield file.name, file


def _from_index(index: str, project: str, fetch: Callable[[str, str], bytes]) -> list[Wheel]:
    """The wheels an index lists for ``project``: a ``file://`` index is read from disk
    (sizes and metadata from the files), a remote one through its JSON simple API."""
    page = f"{index.rstrip('/')}/{project}/"
    if page.startswith("file://"):
        folder = Path(unquote(urlparse(page).path))
        listing = folder / "index.html"
        if not listing.is_file():
            return []
        parser = _Links()
        parser.feed(listing.read_text(encoding="utf-8", errors="replace"))
        wheels = []
        for href in parser.links:
            target = Path(unquote(urlparse(urljoin(listing.as_uri(), href)).path))
            if target.name.endswith(".whl"):
                size = target.stat().st_size if target.is_file() else None
                wheels.append(Wheel(target.name, _version(target.name), str(target), size,
                                    _local_metadata(target) if target.is_file() else None))
        return wheels
    try:
        answer = json.loads(fetch(page, "application/vnd.pypi.simple.v1+json"))
    except (OSError, ValueError):
        return []
    wheels = []
    for item in answer.get("files", []):
        name = str(item.get("filename", ""))
        if not name.endswith(".whl"):
            continue
        url = urljoin(page, str(item.get("url", "")))
        cuda = None
        if item.get("core-metadata") or item.get("data-dist-info-metadata"):
            try:
                cuda = _cuda_of(fetch(f"{url.split('#')[0]}.metadata", "").decode("utf-8", "replace"))
            except OSError:
                cuda = None
        size = item.get("size")
        wheels.append(Wheel(name, _version(name), url.split("#")[0], int(size) if size else None, cuda))
    return wheels


def find_wheels(project: str, version: str, *, find_links: Sequence[str] = (), indexes: Sequence[str] = (PYPI,),
                tag: str | None = None, machine: str | None = None,
                fetch: Callable[[str, str], bytes] = _fetch) -> list[Wheel]:
    """The wheels of ``project==version`` for this interpreter and machine, local ones
    first; the remote indexes are asked only when no local wheel is a CPU build."""
    import platform

    tag, machine = tag or python_tag(), machine or platform.machine()
    found: list[Wheel] = []
    for link in find_links:
        folder = Path(unquote(urlparse(link).path)) if link.startswith("file://") else Path(link)
        for name, file in _from_folder(folder, project):
            found.append(Wheel(name, _version(name), str(file), file.stat().st_size, _local_metadata(file)))
    local = [i for i in indexes if i.startswith("file://")]
    remote = [i for i in indexes if not i.startswith("file://")]
    for index in local:
        found += _from_index(index, project, fetch)

    def keep(wheels: list[Wheel]) -> list[Wheel]:
        """Compatible and of that version; one per file name, the first whose metadata is known."""
        chosen: dict[str, Wheel] = {}
        for wheel in wheels:
            if _compatible(wheel.filename, tag, machine) and _matches(wheel.version, version):
                if wheel.filename not in chosen or chosen[wheel.filename].cuda is None:
                    chosen[wheel.filename] = wheel
        return list(chosen.values())

    if not any(w.cpu for w in keep(found)):
        for index in remote:
            found += _from_index(index, project, fetch)
    return keep(found)


def check_torch(version: str, *, allow_cuda: bool = False,
                lookup: Callable[[str], list[Wheel]] | None = None) -> TorchCheck:
    """Whether ``torch==version`` may be installed: its CPU build when one is found (the
    pin becomes that build's exact version), else refused unless ``allow_cuda``."""
    wheels = (lookup or (lambda v: find_wheels("torch", v)))(version)
    cpu = [w for w in wheels if w.cpu]
    if cpu:
        best = max(cpu, key=lambda w: ("+cpu" in w.version, w.size or 0))
        return TorchCheck(version, best, best.version)
    if not wheels:
        why = (f"torch {version}: no wheel for this Python and machine was found in pip's find-links or indexes, "
               "so it cannot be shown to be a CPU build")
    else:
        wheel = max(wheels, key=lambda w: w.size or 0)
        why = (f"torch {version}: its wheel {wheel.describe()} is a CUDA build: it requires {', '.join(wheel.cuda)}"
               if wheel.cuda else f"torch {version}: its wheel {wheel.describe()} cannot be shown to be a CPU "
               "build (no +cpu label, and the index gives no metadata to read its requirements from)")
    chosen = max(wheels, key=lambda w: w.size or 0) if wheels else None
    return TorchCheck(version, chosen, version, refused="" if allow_cuda else why)
