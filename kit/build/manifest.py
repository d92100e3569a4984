"""What the last builds made, so ``kit build`` redoes only what changed.

Each official's outputs are keyed by a hash of what made them (:func:`inputs_digest`):
the parameter file's bytes and path, its role template, the report notebook, the kit
itself (its version and every source and layout file it ships) and last year's values
of this official (its 提示 against last year).  Nothing of the other officials is in it:
their 提示 are written into the review page after the batch, and the record keeps which
(``peer``).  The record of
each parameter file (key, identity, outputs) lives in ``<out>/.kit/manifest.json``,
written atomically; each official finished during a run is appended to
``<out>/.kit/journal.jsonl`` at once, so a run killed half-way is resumed from there.
A damaged manifest is ignored (a full rebuild, never a wrong skip); a damaged journal
line ends the journal (the officials after it are redone).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from kit import __version__
from kit.build.lock import kit_dir
from kit.iorw import atomic_write_text, open_inside

FORMAT = 2  # 1: records keyed by the file's name alone (two folders' 张三.yaml were one)
KIT_PACKAGE = Path(__file__).resolve().parent
_KIT_FILES = (".py", ".j2", ".conf", ".css", ".ipynb", ".xml")


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=4)
def kit_fingerprint(notebook: Path) -> str:
    """The kit's version, every file of the package (code, review pages, Word layout)
    and the report notebook: a change to any of them rebuilds every official."""
    parts: list[bytes | str] = [__version__]
    for path in sorted(KIT_PACKAGE.rglob("*")):
        if path.suffix in _KIT_FILES and "__pycache__" not in path.parts:
            parts += [str(path.relative_to(KIT_PACKAGE)), path.read_bytes()]
    parts += ["notebook", notebook.read_bytes()]
    return digest(*parts)


def inputs_digest(fingerprint: str, params_file: Path, data: bytes, template: bytes,
                  settings: str = "") -> str:
    """What makes one official's outputs: the kit, the file (path and bytes), its role
    template and ``settings`` (last year's values of this official, name order)."""
    return digest(fingerprint, str(params_file), data, template, settings)


def record_id(params_file: Path) -> str:
    """The record of a parameter file: its folder and name, so ``params/张三.yaml`` (2023)
    and ``params-2024/张三.yaml`` built into one folder never take each other's outputs."""
    return str(params_file.parent.resolve() / params_file.name)


class Manifest:
    """Records by parameter file (:func:`record_id`), and each year's 汇编 key."""

    def __init__(self, out_root: Path) -> None:
        self.root = out_root
        self.path = kit_dir(out_root) / "manifest.json"
        self.journal = kit_dir(out_root) / "journal.jsonl"
        self.records: dict[str, dict[str, Any]] = {}
        self.volumes: dict[str, str] = {}
        self.damaged = False

    @classmethod
    def load(cls, out_root: Path) -> Manifest:
        m = cls(out_root)
        try:
            data = json.loads(m.path.read_text("utf-8"))
            if data.get("format") not in (1, FORMAT):
                raise ValueError("format")
            m.records = {_upgraded(str(k), dict(v)): dict(v)
                         for k, v in data["records"].items()}
            m.volumes = {str(k): str(v) for k, v in data["volumes"].items()}
        except FileNotFoundError:
            if m.journal.exists():  # killed before its first snapshot: journal only
                m._replay()
            return m
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            m.records, m.volumes, m.damaged = {}, {}, True
            return m
        m._replay()
        return m

    def _replay(self) -> None:
        try:
            lines = self.journal.read_text("utf-8").splitlines()
        except (OSError, ValueError):
            return
        for line in lines:
            try:
                entry = json.loads(line)
                name, record = str(entry["name"]), entry["record"]
                name = _upgraded(name, record) if isinstance(record, dict) else name
            except (ValueError, TypeError, KeyError):
                return  # a line cut by a kill: it and anything after it are redone
            if record is None:
                self.records.pop(name, None)
            else:
                self.records[name] = dict(record)

    def record(self, name: str, record: dict[str, Any] | None) -> None:
        """Note one official at once (a line appended to the journal)."""
        if record is None:
            self.records.pop(name, None)
        else:
            self.records[name] = record
        fd = open_inside(self.journal, self.root, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        with open(fd, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, "record": record}, ensure_ascii=False) + "\n")
            fh.flush()

    def forget_keys(self, names: Iterable[str]) -> None:
        """Before officials are redone: their records no longer vouch for any output (so
        a run killed half-way never takes old outputs for new data), but still list the
        outputs to remove later.  Saved at once."""
        changed = False
        for n in names:
            rec = self.records.get(n)
            if rec is not None and rec.get("key") is not None:
                rec["key"], changed = None, True
        if changed:
            self.save()

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps(
            {"format": FORMAT, "records": self.records, "volumes": self.volumes},
            ensure_ascii=False, indent=0), root=self.root)
        self.journal.unlink(missing_ok=True)


def _upgraded(name: str, record: dict[str, Any]) -> str:
    """A format-1 record's id (its file's name alone) as :func:`record_id` spells it."""
    folder = record.get("folder")
    return str(Path(folder) / name) if not Path(name).is_absolute() and isinstance(
        folder, str) else name
