"""Streaming multipart uploads straight into the private files folder, with every check made as bytes arrive.

- The CSRF token must arrive as a form field before any file (or in the X-CSRF-Token header); otherwise
  nothing is written at all.
- The request size is counted while it streams (Content-Length is only a first hint), per file and in
  total; over the limit the partial files are removed and the answer is 413.
- Each file's type is decided from its first bytes and its name together (services.files.sniff_*), and
  it is written under a random name; the browser's file name is only kept as a label.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import HTTPException, Request
from python_multipart.multipart import MultipartParser, parse_options_header

from ..errors import InputError
from ..services import files
from .deps import CSRF_FIELD, CSRF_HEADER, csrf_matches, same_origin

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 50
_FORGED = "Refused: the form had expired or did not come from this site. Reload the page and try again."


@dataclass
class ReceivedFile:
    original_name: str
    stored_name: str
    media_type: str
    size_bytes: int = 0
    sha256: str = ""

    @property
    def path(self) -> Path:
        return files.path_of(self.stored_name)


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    headers: dict = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)  # form fields; a file's first bytes until sniffed
    target: ReceivedFile | None = None
    handle: object = None
    hasher: object = None


class UploadReceiver:
    """Receive one multipart request. `sniff(name, head) -> (ext, media_type)` accepts or refuses each
    file (raising InputError). Results: `fields_` (str values) and `files_` (ReceivedFile, on disk)."""

    def __init__(self, sniff: Callable[[str, bytes], tuple[str, str]], max_total_bytes: int, max_files: int,
                 file_field: str = "files"):
        self.sniff = sniff
        self.max_total_bytes = max_total_bytes
        self.max_files = max_files
        self.file_field = file_field
        self.fields_: dict[str, str] = {}
        self.files_: list[ReceivedFile] = []
        self._csrf_ok = False
        self._part: _Part | None = None
        self._header_name = b""
        self._header_value = b""
        self._error: Exception | None = None

    async def receive(self, request: Request) -> UploadReceiver:
        if not same_origin(request):
            raise HTTPException(403, "Refused: this request came from another site.")
        self._csrf_ok = csrf_matches(request, request.headers.get(CSRF_HEADER))
        ctype, params = parse_options_header(request.headers.get("content-type", ""))
        if ctype != b"multipart/form-data" or b"boundary" not in params:
            if not self._csrf_ok:  # no form field can carry the token: refuse as any forged request
                raise HTTPException(403, _FORGED)
            raise HTTPException(415, "Send the files as a form upload (multipart/form-data).")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_total_bytes:
            raise HTTPException(413, self._too_large())
        self._request = request
        parser = MultipartParser(params[b"boundary"], {
            "on_part_begin": self._begin, "on_part_data": self._data, "on_part_end": self._end,
            "on_header_field": self._hfield, "on_header_value": self._hvalue, "on_header_end": self._hend,
            "on_headers_finished": self._headers_done})
        total = 0
        try:
            async for chunk in request.stream():
                total += len(chunk)
                if total > self.max_total_bytes:
                    raise HTTPException(413, self._too_large())
                parser.write(chunk)
                if self._error is not None:
                    raise self._error
            parser.finalize()
            if self._error is not None:
                raise self._error
            if self._part is not None:
                raise HTTPException(400, "The upload was cut off before it finished; try again.")
            if not self._csrf_ok:
                raise HTTPException(403, _FORGED)
        except BaseException:
            self.discard()
            raise
        return self

    def _too_large(self) -> str:
        return (f"Too large: one upload may hold at most {self.max_total_bytes // 2**20} MB. "
                "Upload fewer files at a time.")

    def discard(self) -> None:
        """Remove every file written by this request (after an error)."""
        part = self._part
        if part is not None and part.handle is not None:
            part.handle.close()
        for f in self.files_ + ([part.target] if part is not None and part.target is not None else []):
            files.remove_bytes(f.stored_name)
        self.files_ = []

    # -- parser callbacks (synchronous, called from parser.write) --------------------------------------
    def _fail(self, exc: Exception) -> None:
        if self._error is None:
            self._error = exc

    def _begin(self) -> None:
        self._part = _Part()

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _hend(self) -> None:
        if self._part is not None:
            self._part.headers[self._header_name.decode("latin-1").lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_done(self) -> None:
        part = self._part
        _, opts = parse_options_header(part.headers.get("content-disposition", b""))
        part.name = opts.get(b"name", b"").decode("utf-8", "replace")
        filename = opts.get(b"filename")
        part.filename = filename.decode("utf-8", "replace") if filename is not None else None
        if part.filename is not None:
            if not self._csrf_ok:
                self._fail(HTTPException(403, _FORGED))
            elif part.name != self.file_field:
                self._fail(HTTPException(400, f"Unexpected file field '{part.name[:40]}'."))
            elif len(self.files_) >= self.max_files:
                self._fail(HTTPException(413, f"Too many files: at most {self.max_files} per upload. "
                                              "Zip them, or upload in parts."))
        elif len(self.fields_) >= MAX_FIELDS:
            self._fail(HTTPException(400, "Too many form fields."))

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if self._error is not None or part is None:
            return
        chunk = data[start:end]
        if part.filename is None:
            part.data += chunk
            if len(part.data) > MAX_FIELD_BYTES:
                self._fail(HTTPException(413, "A form field is too long."))
            return
        if part.filename == "" and not chunk:
            return
        if part.target is None:
            part.data += chunk
            if len(part.data) >= files.SNIFF_BYTES:
                self._open(part)
            return
        self._write(part, chunk)

    def _open(self, part: _Part) -> None:
        try:
            ext, media_type = self.sniff(part.filename, bytes(part.data[:files.SNIFF_BYTES]))
        except InputError as exc:
            self._fail(HTTPException(415, str(exc)))
            return
        target = ReceivedFile(files.safe_display_name(part.filename), files.new_stored_name(ext), media_type)
        part.target, part.hasher = target, hashlib.sha256()
        part.handle = open(target.path, "xb")  # noqa: SIM115 - closed in _end() or discard()
        os.chmod(target.path, 0o600)
        head, part.data = bytes(part.data), bytearray()
        self._write(part, head)

    def _write(self, part: _Part, chunk: bytes) -> None:
        part.handle.write(chunk)
        part.hasher.update(chunk)
        part.target.size_bytes += len(chunk)

    def _end(self) -> None:
        part = self._part
        if part is None or self._error is not None:
            return
        if part.filename is None:
            if len(self.fields_) < MAX_FIELDS:
                value = part.data.decode("utf-8", "replace")
                self.fields_[part.name] = value
                if part.name == CSRF_FIELD and not self._csrf_ok:
                    self._csrf_ok = csrf_matches(self._request, value)
        elif part.filename == "" and not part.data:
            pass  # an empty file input: the browser sends a part with no name and no bytes
        else:
            if part.target is None:
                if not part.data:
                    self._fail(HTTPException(400, f"{files.safe_display_name(part.filename)}: the file is empty."))
                    return
                self._open(part)
                if self._error is not None:
                    return
            part.handle.close()
            part.handle = None
            part.target.sha256 = part.hasher.hexdigest()
            self.files_.append(part.target)
        self._part = None
