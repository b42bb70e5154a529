"""Stored files, served only here: after checking that the signed-in user may see the owner's data.

Videos and pictures are sent inline (so the page can play them) with their sniffed type; everything else
as an attachment. The random on-disk name never appears in a URL; the URL holds the row id, and a
wrong or foreign id is answered 404 exactly like a missing one.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse

from ... import store
from ...services import accounts, audit
from ...services import files as file_service
from ...store.web_models import StoredFile
from ..deps import client_ip, csrf_protect, current_user, record

router = APIRouter(dependencies=[Depends(csrf_protect)])
INLINE = ("video/", "image/")


@router.get("/files/{file_id}")
def download(request: Request, file_id: int, user: accounts.UserInfo = Depends(current_user)):
    with store.get_database().session() as s:
        row = s.get(StoredFile, file_id)
        if row is None or not accounts.can_view(s, user, row.athlete_id):
            raise HTTPException(404, "Not found.")
        if row.deleted_at is not None:
            raise HTTPException(410, row.note or "This file was deleted.")
        path = file_service.path_of(row.stored_name)
        name, media, athlete_id = row.original_name, row.media_type, row.athlete_id
    range_header = request.headers.get("range", "")
    if not range_header or range_header.startswith("bytes=0-"):  # one entry per viewing, not per chunk
        record(audit.Actor(user.id, user.role, client_ip(request)), "download", athlete_id, f"file:{file_id}")
    if not path.is_file():
        raise HTTPException(410, "This file is no longer kept.")
    inline = media.startswith(INLINE)
    return FileResponse(path, media_type=media, filename=name,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"Cache-Control": "private, no-store"})
