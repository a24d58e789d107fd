"""Bodies over ADROIT_MAX_REQUEST_MB are refused before any of them is read or stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse

from apps.core.middleware import request_size_limit

MB = 1024 * 1024


class Spy(FileUploadHandler):
    """Records whether Django began to store an upload."""

    started = 0

    def new_file(self, *args, **kwargs):
        Spy.started += 1
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture
def spy(settings):
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.Spy"]
    Spy.started = 0
    return Spy


def upload(client, length: int | None = None, **extra):
    """A small real upload to the import page, declaring `length` bytes."""
    url = reverse("imports:upload", args=["team"])
    files = [SimpleUploadedFile("0001-a.md", b"# 1. A\n")]
    if length is not None:
        extra["CONTENT_LENGTH"] = str(length)
    return client.post(url, {"files": files, "dialect": "auto"}, **extra)


def test_it_refuses_a_300_mb_upload_before_reading_it(author_client, spy):
    response = upload(author_client, length=300 * MB)

    assert response.status_code == 413
    assert "at most 55 MB" in response.content.decode()
    assert spy.started == 0


def test_it_lets_an_upload_under_the_limit_through(author_client, spy):
    response = upload(author_client)

    assert response.status_code != 413 and spy.started == 1


def test_it_follows_the_setting(author_client, settings, spy):
    settings.ADROIT_MAX_REQUEST_MB = 0.0001  # about 100 bytes

    assert upload(author_client).status_code == 413 and spy.started == 0


def test_it_refuses_a_body_without_a_length(author_client, spy):
    response = upload(author_client, HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="")

    assert response.status_code == 411 and "Content-Length" in response.content.decode()


def test_it_runs_before_any_other_middleware(settings):
    assert settings.MIDDLEWARE[0] == f"{request_size_limit.__module__}.request_size_limit"
