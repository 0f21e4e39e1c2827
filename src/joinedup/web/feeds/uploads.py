"""Receiving an upload without holding it in memory: each file is written to the hub's incoming
area chunk by chunk as it arrives (Django's default keeps a small file in memory, and a large one
in the system's shared temporary folder; a partner's extract belongs in neither)."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest

from joinedup.feeds.incoming import receiving_folder


class ReceivedFile(UploadedFile):
    """An uploaded file on disk in the incoming area, removed when closed."""

    def __init__(self, folder: Path, name: str, content_type: str, charset: str | None) -> None:
        # Kept open for the file's life (closing it removes it), so no context manager.
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix="upload-", suffix=".part")  # noqa: SIM115
        super().__init__(handle, name, content_type, 0, charset)
        self.path = Path(handle.name)

    def temporary_file_path(self) -> Path:
        return self.path

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):  # already gone: nothing to remove
            if self.file is not None:
                self.file.close()


class IncomingUploadHandler(FileUploadHandler):
    """Streams every uploaded file into ``folder``; nothing of it stays in memory."""

    def __init__(self, request: HttpRequest, folder: Path) -> None:
        super().__init__(request)
        self.folder = folder

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = ReceivedFile(
            self.folder, self.file_name or "", self.content_type or "", self.charset
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> ReceivedFile:
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()


def stream_uploads_to_incoming(request: HttpRequest, home: Path) -> None:
    """Make ``request`` write its files to the hub's incoming area; call before reading
    ``request.POST`` or ``request.FILES`` (so the view must not be read by the CSRF middleware
    first: see ``views.upload``)."""
    request.upload_handlers = [IncomingUploadHandler(request, receiving_folder(home))]
