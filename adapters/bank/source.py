"""The bytes of a bank file, from memory, a path or a binary stream: sized before they are
read (a file above the limit is refused unread), hashed as they are read, read line by line
with a bound on the line length."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import RegistryError
from .model import Limits

Source = bytes | bytearray | memoryview | str | os.PathLike | BinaryIO
_CHUNK = 1024 * 1024


class Input:
    """An opened source: ``blocks()`` or ``path()`` read it once; ``digest`` and ``size`` are
    known after that."""

    def __init__(self, stream: BinaryIO, size: int | None, path: Path | None,
                 limits: Limits, file_name: str | None) -> None:
        self._stream = stream
        self._path = path
        self._limits = limits
        self._hash = hashlib.sha256()
        self.size = 0
        self.file_name = file_name
        if size is not None:
            self._check_size(size)

    @property
    def digest(self) -> str:
        """sha256 (hex) of the bytes read so far (all of them once reading is done)."""
        return self._hash.hexdigest()

    def blocks(self) -> Iterator[bytes]:
        """The file in blocks of whole lines (only the last may lack its line end). A line
        longer than the limit is refused without reading it whole."""
        limit = self._limits.max_line_bytes
        rest = b""
        lines_before = 0
        for chunk in iter(lambda: self._stream.read(_CHUNK), b""):
            self._take(chunk)
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if len(rest) > limit:
                raise RegistryError("registry_line_too_long", f"строка длиннее {limit} байт — "
                                    "это не реестр платежей", line=lines_before + data.count(
                                        b"\n", 0, cut) + 1, file_name=self.file_name)
            if cut:
                block = data[:cut]
                lines_before += block.count(b"\n")
                yield block
        if rest:
            yield rest

    def _take(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self.size += len(chunk)
        self._check_size(self.size)

    @contextmanager
    def path(self) -> Iterator[Path]:
        """The file on disk (the source's own path, or a temporary copy), hashed."""
        if self._path is not None:
            for chunk in iter(lambda: self._stream.read(_CHUNK), b""):
                self._take(chunk)
            yield self._path
            return
        with tempfile.TemporaryDirectory(prefix="zhkh-bank-") as folder:
            copy = Path(folder) / "registry.dbf"
            with copy.open("wb") as out:
                for chunk in iter(lambda: self._stream.read(_CHUNK), b""):
                    self._take(chunk)
                    out.write(chunk)
            yield copy

    def _check_size(self, size: int) -> None:
        if size > self._limits.max_bytes:
            raise RegistryError("registry_too_large", f"файл больше {_mb(self._limits.max_bytes)}"
                                f" ({_mb(size)} и более) — такой реестр не принимается; "
                                "разбейте его или поднимите предел", file_name=self.file_name)


@contextmanager
def open_source(source: Source, limits: Limits, file_name: str | None) -> Iterator[Input]:
    """Open ``source`` for one reading. A ``str`` or path-like is a file name; bytes-like is
    the content; anything with ``read`` is a binary stream (it is not closed here)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        yield Input(io.BytesIO(data), len(data), None, limits, file_name)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size = path.stat().st_size
            stream = path.open("rb")
        except OSError as exc:
            raise RegistryError("registry_unreadable", f"файл {path.name} не открывается: "
                                f"{exc.strerror or exc}", file_name=file_name) from None
        with stream:
            yield Input(stream, size, path, limits, file_name or path.name)
    elif hasattr(source, "read"):
        yield Input(source, _stream_size(source), None, limits,
                    file_name or _base_name(getattr(source, "name", None)))
    else:
        raise TypeError(f"a registry is bytes, a path or a binary stream, not {type(source)}")


def _stream_size(stream: BinaryIO) -> int | None:
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end - here
    except (OSError, ValueError):
        return None


def _base_name(name: object) -> str | None:
    return os.path.basename(name) if isinstance(name, str) else None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} МБ" if size >= 1024 * 1024 else f"{size} байт"

