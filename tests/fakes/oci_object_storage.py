"""A local OCI Object Storage endpoint on 127.0.0.1 serving files from a folder, for the real ``oci`` client.

``GET /n/{namespace}/b/{bucket}/o`` lists (prefix, ``start`` paging, ``nextStartWith``),
``GET /n/{namespace}/b/{bucket}/o/{name}`` downloads. A request that is not signed (no ``Signature`` authorization
header) is answered 401, as Object Storage does; the client's key is never checked here.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.http import LocalHttpServer, QuietHandler


class FakeObjectStorage(LocalHttpServer):
    def __init__(self, namespace: str, bucket: str, root: Path, page_size: int = 2) -> None:
        self.namespace, self.bucket, self.root, self.page_size = namespace, bucket, root, page_size
        self.requests: list[str] = []
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                if not self.headers.get("authorization", "").startswith("Signature "):
                    return self.send_json({"code": "NotAuthenticated", "message": "not signed"}, 401)
                url = urlparse(self.path)
                base = f"/n/{fake.namespace}/b/{quote(fake.bucket)}/o"
                if url.path == base:
                    return self.send_json(fake._listing(parse_qs(url.query)))
                path = fake.root / unquote(url.path.removeprefix(base + "/"))
                if not url.path.startswith(base + "/") or not path.is_file():
                    return self.send_json({"code": "ObjectNotFound", "message": "no such object"}, 404)
                data = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Content-MD5", base64.b64encode(hashlib.md5(data).digest()).decode())
                self.send_header("opc-request-id", "fake")
                self.end_headers()
                self.wfile.write(data)

        super().__init__(Handler)

    def _listing(self, query: dict[str, list[str]]) -> dict:
        prefix, start = query.get("prefix", [""])[0], query.get("start", [""])[0]
        names = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        names = [n for n in names if n.startswith(prefix) and n >= start]
        page, rest = names[: self.page_size], names[self.page_size :]
        body: dict = {"objects": [self._summary(n) for n in page], "prefixes": []}
        if rest:
            body["nextStartWith"] = rest[0]
        return body

    def _summary(self, name: str) -> dict:
        path = self.root / name
        data = path.read_bytes()
        created = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        return {"name": name, "size": len(data), "md5": md5, "timeCreated": created}


def write_oci_config(folder: Path, region: str = "us-sanjose-1") -> Path:
    """An OCI config file with a fresh API signing key, as ``oci setup config`` writes one."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = folder / "oci_api_key.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(key_file, 0o600)
    config = folder / "config"
    config.write_text(
        "[DEFAULT]\n"
        "user=ocid1.user.oc1..aaaaaaaexample\n"
        "fingerprint=11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00\n"
        "tenancy=ocid1.tenancy.oc1..aaaaaaaexample\n"
        f"region={region}\n"
        f"key_file={key_file}\n"
    )
    return config
