"""Azurite, the Azure Storage emulator (``tests/azurite``, installed by ``make test`` from its npm lock file): its
blob service started on 127.0.0.1 for a test session and stopped by its PID."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.request import urlopen

from tests.fakes.http import free_port

AZURITE = Path(__file__).parents[1] / "azurite" / "node_modules" / ".bin" / "azurite-blob"
# The emulator's one account and its key: public constants, the same in every Azurite (not a secret).
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class Azurite:
    def __init__(self, workspace: Path) -> None:
        self.workspace, self.port = workspace, free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/{ACCOUNT}"
        self.connection_string = (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={self.endpoint};"
        )
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> Azurite:
        if not AZURITE.exists():
            raise RuntimeError(f"{AZURITE} is missing: `make test` installs it (npm ci --prefix tests/azurite)")
        where = ["--blobHost", "127.0.0.1", "--blobPort", str(self.port), "--location", str(self.workspace)]
        self._process = subprocess.Popen(
            [str(AZURITE), *where, "--silent", "--skipApiVersionCheck", "--loose"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urlopen(f"{self.endpoint}?comp=list", timeout=1)
                return self
            except OSError as exc:
                if getattr(exc, "code", None):  # an HTTP answer (even 403): the service is up
                    return self
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"Azurite did not answer on 127.0.0.1:{self.port} within 60 s")

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            # Azurite lingers on SIGTERM and SIGINT; its data is a test's scratch folder, so nothing is lost.
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=30)
            self._process = None
