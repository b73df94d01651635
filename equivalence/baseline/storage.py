"""The baseline file: what every (case, backend) produced, with the environment, in one ``.npz``.

Format (``SCHEMA_VERSION`` 1), a zip archive written by ``numpy.savez``:

- one ``.npy`` member per output array, named ``{case}/{backend}/{output}`` with each
  part percent-encoded (``urllib.parse.quote``, nothing kept safe), so any case id or
  output name gives a plain ASCII zip name. The array is stored as the backend gave it:
  raw bytes, so NaN payloads, infinities and -0.0 survive bit for bit; bfloat16 travels
  as float32 with its framework name kept in the metadata.
- one member ``__equivalence_baseline__``: UTF-8 JSON stored as a uint8 array::

      {"magic": "equivalence-baseline", "schema": 1, "name": ..., "created": ...,
       "environment": {versions, python, platform, isolated, jobs, ...,   # runner.run_metadata
                       packages, threads, hardware, blas, frameworks},   # environment.py
       "cases": [{"id", "title", "file"}],
       "executions": [{"case", "backend", "status": "ok" | "error" | "skipped",
                       "message", "seconds", "output_errors": {name: why},
                       "outputs": [{"name", "key", "dtype", "shape"}]}]}

Reading never unpickles (``allow_pickle=False``) and checks everything it relies on; a
file that is not a baseline (truncated, corrupted, foreign, another schema) raises
:class:`BaselineError`, a ``ValueError`` whose message starts with the file's path.
Writing builds the archive in memory and renames it into place
(:func:`equivalence._io.atomic_write_bytes`): a crash leaves the old file or the new
one, never half of one; an existing file is replaced only with ``force=True``.

What the file holds in memory, :class:`~.model.Baseline` and :class:`~.model.Snapshot`,
is defined in :mod:`.model` (and importable from here too).
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from .._io import atomic_write_bytes
from .._json import dumps
from .model import SNAPSHOT_STATUSES, Baseline, Snapshot, now
from .model import case_records as case_records  # re-exported: defined here before
from .versions import framework_version as framework_version  # re-exported: defined here before
from .versions import with_versions as with_versions  # re-exported: defined here before

if TYPE_CHECKING:
    import numpy as np

__all__ = ["SCHEMA_VERSION", "Baseline", "BaselineError", "Snapshot", "load_baseline", "save_baseline"]

SCHEMA_VERSION = 1
MAGIC = "equivalence-baseline"
METADATA_KEY = "__equivalence_baseline__"


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message names the file."""


def array_key(case: str, backend: str, output: str) -> str:
    """The archive member name of one output (without numpy's ``.npy``)."""
    return "/".join(quote(part, safe="") for part in (case, backend, output))


# -- writing --------------------------------------------------------------------------


def encode(baseline: Baseline) -> bytes:
    """The ``.npz`` bytes of ``baseline``."""
    import numpy as np

    arrays: dict[str, np.ndarray] = {}
    executions = []
    for (case, backend), snap in baseline.snapshots.items():
        outputs = []
        for name, array in snap.outputs.items():
            key = array_key(case, backend, name)
            array = np.asarray(array)
            if array.dtype.hasobject:
                raise ValueError(f"output {name!r} of {case} in {backend} is an object array; cannot be saved")
            arrays[key] = array
            outputs.append({"name": name, "key": key, "dtype": snap.dtypes.get(name, str(array.dtype)),
                            "shape": list(array.shape)})
        executions.append({"case": case, "backend": backend, "status": snap.status, "message": snap.message,
                           "seconds": snap.seconds, "output_errors": snap.output_errors, "outputs": outputs})
    metadata = {
        "magic": MAGIC,
        "schema": SCHEMA_VERSION,
        "name": baseline.name,
        "created": baseline.created or now(),
        "environment": baseline.environment,
        "cases": [{"id": i, **record} for i, record in baseline.cases.items()],
        "executions": executions,
    }
    arrays[METADATA_KEY] = np.frombuffer(dumps(metadata).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    # Object arrays were refused above: nothing is pickled. (No allow_pickle= here: NumPy < 2.1
    # would store it as an array named allow_pickle.)
    np.savez(buffer, **cast(dict[str, Any], arrays))
    return buffer.getvalue()


def save_baseline(baseline: Baseline, path: str | Path, *, force: bool = False) -> Path:
    """Write ``baseline`` to ``path`` atomically; an existing file needs ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path}: a baseline exists already; pass --force to overwrite it")
    atomic_write_bytes(path, encode(baseline))
    baseline.path = path
    return path


# -- reading --------------------------------------------------------------------------


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline written by :func:`save_baseline`; anything else raises BaselineError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline ({exc.strerror or exc})") from None
    if not data.startswith(b"PK"):
        raise BaselineError(f"{path}: not an equivalence baseline (not a .npz archive)")
    try:
        return _decode(data, path)
    except BaselineError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as exc:
        raise BaselineError(f"{path}: corrupted or truncated baseline ({type(exc).__name__}: {exc})") from None


def _decode(data: bytes, path: Path) -> Baseline:
    import numpy as np

    def fail(why: str) -> BaselineError:
        return BaselineError(f"{path}: {why}")

    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        if METADATA_KEY not in archive.files:
            raise fail("not an equivalence baseline (no metadata entry; a .npz written by something else?)")
        raw = archive[METADATA_KEY]
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise fail("not an equivalence baseline (metadata entry is not UTF-8 bytes)")
        try:
            metadata = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise fail(f"corrupted baseline metadata ({exc})") from None
        if not isinstance(metadata, dict) or metadata.get("magic") != MAGIC:
            raise fail("not an equivalence baseline (wrong magic in the metadata)")
        schema = metadata.get("schema")
        if schema != SCHEMA_VERSION:
            raise fail(f"baseline schema {schema!r}, this version of equivalence reads schema {SCHEMA_VERSION}"
                       + (" (written by a newer version?)" if isinstance(schema, int) and schema > SCHEMA_VERSION
                          else ""))
        try:
            snapshots = {}
            for record in metadata["executions"]:
                snap = Snapshot(record["status"], record.get("message") or "",
                                output_errors=dict(record.get("output_errors") or {}),
                                seconds=_float(record.get("seconds")))
                if snap.status not in SNAPSHOT_STATUSES:
                    raise fail(f"unknown execution status {snap.status!r}")
                for output in record["outputs"]:
                    key, name = output["key"], output["name"]
                    if key not in archive.files:
                        raise fail(f"array {key!r} is missing from the archive (truncated?)")
                    array = archive[key]
                    if list(array.shape) != list(output["shape"]):
                        raise fail(f"array {key!r} has shape {array.shape}, the metadata says {output['shape']}")
                    snap.outputs[name], snap.dtypes[name] = array, str(output["dtype"])
                snapshots[(str(record["case"]), str(record["backend"]))] = snap
            cases = {str(c["id"]): {"title": str(c.get("title", "")), "file": str(c.get("file", ""))}
                     for c in metadata["cases"]}
            environment = dict(metadata["environment"])
        except (KeyError, TypeError, AttributeError) as exc:
            raise fail(f"malformed baseline metadata ({type(exc).__name__}: {exc})") from None
    return Baseline(snapshots, environment, cases, str(metadata.get("name") or ""),
                    str(metadata.get("created") or ""), path)


def _float(value: Any) -> float:
    if value in ("inf", "-inf"):
        return float(value)
    return float("nan") if value is None else float(value)
