"""Find the import items behind the paths a runner gives: files, folders, .gz files, zips, Strava exports."""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .limits import MAX_ARCHIVE_MEMBERS, MAX_ARCHIVE_TOTAL_BYTES, MAX_COMPRESSION_RATIO, MAX_FILE_BYTES
from .models import ActivityFileError, ImportItem
from .strava import is_strava_header, read_activities_csv

FORMATS = {".fit": "fit", ".gpx": "gpx", ".tcx": "tcx", ".csv": "csv"}
SUPPORTED = "FIT, GPX, TCX, CSV (each optionally .gz), a ZIP of them or a Strava export"


def format_of(name: str) -> tuple[str | None, bool]:
    """(format, gzipped) from a file name such as `123.fit.gz`; format None when unsupported."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    return FORMATS.get(os.path.splitext(lower)[1]), gz


def _read_capped(stream, name: str, compressed_size: int | None) -> bytes:
    chunks, total = [], 0
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise ActivityFileError(f"{name}: refused, unpacks to more than {MAX_FILE_BYTES // 2**20} MiB")
        if compressed_size and total > 2**20 and total > MAX_COMPRESSION_RATIO * compressed_size:
            raise ActivityFileError(f"{name}: refused, compressed more than {MAX_COMPRESSION_RATIO}:1 "
                                    "(a decompression bomb, not an activity file)")
        chunks.append(chunk)
    return b"".join(chunks)


def _gunzip(raw: bytes, name: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
            return _read_capped(gz, name, len(raw))
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ActivityFileError(f"{name}: broken gzip data ({type(exc).__name__})") from None


def _check_member(info: zipfile.ZipInfo, name: str) -> None:
    if info.file_size > MAX_FILE_BYTES:
        raise ActivityFileError(f"{name}: refused, it would unpack to {info.file_size // 2**20} MiB")
    if info.compress_size and info.file_size > 2**20 and \
            info.file_size > MAX_COMPRESSION_RATIO * info.compress_size:
        raise ActivityFileError(f"{name}: refused, compressed more than {MAX_COMPRESSION_RATIO}:1 "
                                "(a decompression bomb, not an activity file)")


def read_item_bytes(item: ImportItem) -> bytes:
    """The item's content, decompressed, within the size limits; raises ActivityFileError."""
    try:
        if item.archive:
            with zipfile.ZipFile(item.archive) as zf:
                info = zf.getinfo(item.member)
                _check_member(info, item.name)
                with zf.open(info) as fh:
                    raw = _read_capped(fh, item.name, info.compress_size)
        elif item.path:
            size = os.path.getsize(item.path)
            if size > MAX_FILE_BYTES:
                raise ActivityFileError(f"{item.name}: refused, larger than {MAX_FILE_BYTES // 2**20} MiB")
            raw = Path(item.path).read_bytes()
        else:
            return b""
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
        raise ActivityFileError(f"{item.name}: cannot read it ({type(exc).__name__}: {exc})") from None
    return _gunzip(raw, item.name) if item.gzipped else raw


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Discovery:
    """Import items found, plus paths passed over (with why) and paths that cannot be used at all."""
    items: list[ImportItem] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


class ImportFinder:
    """Walk the given paths (recursively) and list what can be imported."""

    def find(self, paths: list[str | Path]) -> Discovery:
        found = Discovery()
        for p in paths:
            path = Path(p)
            if not path.exists():
                found.failed.append((str(p), "no such file or folder"))
            elif path.is_dir():
                self._folder(path, found)
            else:
                self._file(path, found, explicit=True)
        return found

    def _folder(self, folder: Path, found: Discovery) -> None:
        csv_path = folder / "activities.csv"
        if csv_path.is_file() and _strava_csv(csv_path):
            self._strava_folder(folder, csv_path, found)
            return
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for fname in sorted(files):
                sub = Path(root) / fname
                if fname == "activities.csv" and _strava_csv(sub):
                    self._strava_folder(Path(root), sub, found)
                    dirs[:] = []  # the export's own folder is read through its activities.csv
                    break
            else:
                for fname in sorted(files):
                    if not fname.startswith("."):
                        self._file(Path(root) / fname, found, explicit=False)

    def _file(self, path: Path, found: Discovery, explicit: bool) -> None:
        name = str(path)
        if path.suffix.lower() == ".zip":
            self._zip(path, found)
            return
        if path.name == "activities.csv" and _strava_csv(path):
            self._strava_folder(path.parent, path, found)
            return
        fmt, gz = format_of(path.name)
        if fmt is None:
            reason = f"not an activity file (supported: {SUPPORTED})"
            (found.failed if explicit else found.ignored).append((name, reason))
            return
        found.items.append(ImportItem(name=name, source_format=fmt, path=str(path), gzipped=gz))

    def _strava_folder(self, folder: Path, csv_path: Path, found: Discovery) -> None:
        try:
            rows = read_activities_csv(csv_path.read_bytes(), str(csv_path))
        except ActivityFileError as exc:
            found.failed.append((str(csv_path), str(exc)))
            return
        for row in rows:
            found.items.append(_strava_item(row, folder, None, str(folder)))

    def _zip(self, path: Path, found: Discovery) -> None:
        name = str(path)
        try:
            with zipfile.ZipFile(path) as zf:
                infos = [i for i in zf.infolist() if not i.is_dir()]
                if len(infos) > MAX_ARCHIVE_MEMBERS:
                    raise ActivityFileError(f"{name}: refused, {len(infos)} files in one archive")
                if sum(i.file_size for i in infos) > MAX_ARCHIVE_TOTAL_BYTES:
                    raise ActivityFileError(f"{name}: refused, it would unpack to more than "
                                            f"{MAX_ARCHIVE_TOTAL_BYTES // 2**30} GiB")
                csv_info = next((i for i in infos if PurePosixPath(i.filename).name == "activities.csv"
                                 and len(PurePosixPath(i.filename).parts) <= 2), None)
                if csv_info is not None:
                    _check_member(csv_info, f"{name}:{csv_info.filename}")
                    with zf.open(csv_info) as fh:
                        data = _read_capped(fh, f"{name}:{csv_info.filename}", csv_info.compress_size)
                    rows = read_activities_csv(data, f"{name}:{csv_info.filename}")
                    prefix = str(PurePosixPath(csv_info.filename).parent)
                    members = {i.filename for i in infos}
                    for row in rows:
                        found.items.append(_strava_item(row, None, (str(path), prefix, members), name))
                    return
                for info in infos:
                    fmt, gz = format_of(info.filename)
                    member = f"{name}:{info.filename}"
                    if fmt is None:
                        found.ignored.append((member, f"not an activity file (supported: {SUPPORTED})"))
                        continue
                    found.items.append(ImportItem(name=member, source_format=fmt, archive=str(path),
                                                  member=info.filename, gzipped=gz))
        except ActivityFileError as exc:
            found.failed.append((name, str(exc).removeprefix(name + ": ")))
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            found.failed.append((name, f"not a readable ZIP archive ({type(exc).__name__})"))


def _strava_csv(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
    except OSError:
        return False
    return is_strava_header(next(csv.reader([first]), []))


def _strava_item(row, folder: Path | None, archive: tuple | None, where: str) -> ImportItem:
    meta = row.meta()
    label = f"{where} (Strava activity {row.activity_id or '?'})"
    fname = row.filename
    if fname:
        fmt, gz = format_of(fname)
        if fmt is not None and folder is not None and (folder / fname).is_file():
            return ImportItem(name=str(folder / fname), source_format=fmt, path=str(folder / fname),
                              gzipped=gz, meta=meta)
        if fmt is not None and archive is not None:
            zpath, prefix, members = archive
            member = fname if prefix in ("", ".") else f"{prefix}/{fname}"
            if member in members:
                return ImportItem(name=f"{zpath}:{member}", source_format=fmt, archive=zpath,
                                  member=member, gzipped=gz, meta=meta)
        meta = {**meta, "missing_file": fname}
    return ImportItem(name=label, source_format="strava_row", meta=meta)
