"""A local time-stamping authority, OCSP responder and CRL for the development CA.

For development (`manage.py run_dev_pki`, started by `make run`) and the tests (a session
fixture): never for production, which names a real TSA in ZHOUCUN_TSA_URL and uses a CA
that runs its own OCSP and CRL. It serves, over plain HTTP on 127.0.0.1:

- POST /tsa   RFC 3161 time-stamp requests (application/timestamp-query);
- POST /ocsp  RFC 6960 requests, answered "good" for every certificate of the CA;
- GET  /crl   an empty CRL of the CA, valid for a day.

It signs with the keys `pki.create_dev_ca(..., service_url=...)` keeps beside the CA.
"""

from __future__ import annotations

import datetime
import http.client
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.x509 import ocsp
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024


class _KeptKeyTimeStamper(DummyTimeStamper):
    """pyHanko's test TSA, signing with the key loaded once. Its own `_sign_tst_info`
    parses the RSA key from DER for every timestamp (~50 ms of checks on this machine), and
    in the issuing bench this TSA shares the two cores with the workers it serves (issue
    17). The same attributes and signature as pyHanko's (pyHanko 0.38)."""

    def __init__(self, *, loaded_key: RSAPrivateKey, **kwargs):
        super().__init__(**kwargs)
        self.loaded_key = loaded_key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute(
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self.loaded_key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


class DevPki:
    """The CA's certificate and keys, and the three answers made with them."""

    def __init__(self, directory: Path):
        self.root = x509.load_pem_x509_certificate((directory / "root.pem").read_bytes())
        self.root_key = serialization.load_pem_private_key(
            (directory / "root-key.pem").read_bytes(), password=None
        )
        tsa_pem = (directory / "tsa.pem").read_bytes()
        tsa_key_pem = (directory / "tsa-key.pem").read_bytes()
        tsa_cert = x509.load_pem_x509_certificate(tsa_pem)
        tsa_key = serialization.load_pem_private_key(tsa_key_pem, password=None)
        tsa_key_der = tsa_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        root_asn1 = asn1_x509.Certificate.load(self.root.public_bytes(serialization.Encoding.DER))
        self.timestamper = _KeptKeyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(tsa_key_der),
            certs_to_embed=SimpleCertificateStore.from_certs([root_asn1]),
            loaded_key=tsa_key,
        )

    def timestamp(self, body: bytes) -> bytes:
        request = tsp.TimeStampReq.load(body)
        return self.timestamper.request_tsa_response(request).dump()

    def ocsp(self, body: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(body)
        now = datetime.datetime.now(datetime.UTC)
        # Every certificate of this CA is good: the responder needs only its serial number
        # and issuer hashes, which the request carries.
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=request.serial_number,
                algorithm=request.hash_algorithm,
                cert_status=ocsp.OCSPCertStatus.GOOD,
                this_update=now - datetime.timedelta(minutes=1),
                next_update=now + datetime.timedelta(days=1),
                revocation_time=None,
                revocation_reason=None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.root)
        )
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        response = builder.sign(self.root_key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)

    def crl(self) -> bytes:
        now = datetime.datetime.now(datetime.UTC)
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root.subject)
            .last_update(now - datetime.timedelta(minutes=1))
            .next_update(now + datetime.timedelta(days=1))
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .sign(self.root_key, hashes.SHA256())
        )
        return crl.public_bytes(serialization.Encoding.DER)


class _Handler(BaseHTTPRequestHandler):
    pki: DevPki  # set on the subclass made by `serve`

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_REQUEST_BYTES:
            return self._answer(400, b"bad length", "text/plain")
        body = self.rfile.read(length)
        try:
            if self.path == "/tsa":
                return self._answer(200, self.pki.timestamp(body), "application/timestamp-reply")
            if self.path == "/ocsp":
                return self._answer(200, self.pki.ocsp(body), "application/ocsp-response")
        except ValueError:
            return self._answer(400, b"malformed request", "text/plain")
        return self._answer(404, b"not found", "text/plain")

    def do_GET(self):
        if self.path == "/crl":
            return self._answer(200, self.pki.crl(), "application/pkix-crl")
        return self._answer(404, b"not found", "text/plain")

    def log_message(self, format, *args):
        logger.debug("dev PKI: " + format, *args)


def bind(host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A server bound (port 0: a free one) but not yet serving: its URL can go into the
    certificates before `serve` gives it the keys."""
    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    return server


def answered_crl(url: str, timeout: float = 1.0) -> None:
    """Raises OSError (or TimeoutError) unless the service at `url` serves its CRL."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    try:
        connection.request("GET", "/crl")
        if connection.getresponse().status != 200:
            raise OSError(f"{url}/crl did not answer 200")
    finally:
        connection.close()


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def serve(server: ThreadingHTTPServer, directory: Path, *, background: bool) -> None:
    server.RequestHandlerClass = type("DevPkiHandler", (_Handler,), {"pki": DevPki(directory)})
    if background:
        threading.Thread(target=server.serve_forever, daemon=True, name="dev-pki").start()
    else:
        server.serve_forever()


def start_local(directory: Path, *, organisation: str, password: str) -> tuple[Path, Path, str]:
    """A development CA whose TSA, OCSP and CRL this process serves on a free port, for
    tests and benchmarks. Returns (root PEM, signer PKCS#12, service URL); the TSA is at
    URL + "/tsa"."""
    from .pki import create_dev_ca

    server = bind()
    url = url_of(server)
    root, p12 = create_dev_ca(
        directory, organisation=organisation, password=password, service_url=url
    )
    serve(server, directory, background=True)
    wait_until_serving(url)
    return root, p12, url


def wait_until_serving(url: str, timeout: float = 15.0) -> None:
    """Returns once the service at `url` answers; raises the last OSError (refused, reset,
    timed out) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answered_crl(url)
            return
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
