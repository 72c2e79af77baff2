"""Certificates: the signer's and the trust roots (from settings), and the local development
CA that `manage.py create_dev_ca` makes. Nothing of a CA is ever committed."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from pyhanko.sign import signers


class SigningNotConfigured(Exception):
    """No usable signing certificate: issuing cannot proceed."""


@dataclass(frozen=True)
class SignerIdentity:
    name: str
    fingerprint: str  # SHA-256 of the certificate, colon-separated hex


def fingerprint(certificate_der: bytes) -> str:
    digest = hashlib.sha256(certificate_der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def common_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _signing_paths() -> tuple[Path, bytes]:
    path = settings.ZHOUCUN_SIGNING_P12
    if not path or not Path(path).is_file():
        raise SigningNotConfigured(
            f"No signing certificate at {path!r}: set ZHOUCUN_SIGNING_P12 "
            "(development: manage.py create_dev_ca)."
        )
    return Path(path), (settings.ZHOUCUN_SIGNING_P12_PASSWORD or "").encode()


@lru_cache(maxsize=4)
def _load_signer(path: str, mtime: float, passphrase: bytes) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=passphrase or None)
    if signer is None:
        raise SigningNotConfigured(f"The PKCS#12 file {path} could not be read.")
    return signer


def current_signer() -> signers.SimpleSigner:
    path, passphrase = _signing_paths()
    return _load_signer(str(path), path.stat().st_mtime, passphrase)


def signer_identity() -> SignerIdentity:
    certificate = current_signer().signing_cert
    return SignerIdentity(
        name=common_name(certificate), fingerprint=fingerprint(certificate.dump())
    )


def trust_roots() -> list[asn1_x509.Certificate]:
    path = settings.ZHOUCUN_TRUST_ROOTS
    if not path or not Path(path).is_file():
        raise SigningNotConfigured(f"No trust roots at {path!r}: set ZHOUCUN_TRUST_ROOTS.")
    return load_roots(Path(path).read_bytes())


def load_roots(pem: bytes) -> list[asn1_x509.Certificate]:
    roots = []
    for certificate in x509.load_pem_x509_certificates(pem):
        der = certificate.public_bytes(serialization.Encoding.DER)
        roots.append(asn1_x509.Certificate.load(der))
    return roots


# Where a PDF must say so: "%PDF-" within its first kilobyte (the PDF specification lets


def _key_usage(**allowed: bool) -> x509.KeyUsage:
    usages = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    ]
    return x509.KeyUsage(**{usage: allowed.get(usage, False) for usage in usages})


def _revocation_pointers(service_url: str) -> list[x509.ExtensionType]:
    """Where a relying party asks whether a certificate of the development CA is revoked."""
    return [
        x509.AuthorityInformationAccess(
            [
                x509.AccessDescription(
                    x509.oid.AuthorityInformationAccessOID.OCSP,
                    x509.UniformResourceIdentifier(f"{service_url}/ocsp"),
                )
            ]
        ),
        x509.CRLDistributionPoints(
            [
                x509.DistributionPoint(
                    full_name=[x509.UniformResourceIdentifier(f"{service_url}/crl")],
                    relative_name=None,
                    reasons=None,
                    crl_issuer=None,
                )
            ]
        ),
    ]


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def create_dev_ca(
    directory: Path, *, organisation: str, password: str, service_url: str | None = None
) -> tuple[Path, Path]:
    """A local root CA and a signing certificate, for development and tests only.

    With `service_url` (the local PKI service of `dev_pki_server`, e.g.
    http://127.0.0.1:8765) the certificates point to its OCSP responder and CRL, and a
    time-stamping certificate is made for its TSA; the root's key is then kept beside them
    (root-key.pem, tsa-key.pem, mode 0600) because that service signs with it.

    ECDSA P-256 signs in tens of milliseconds. Returns (root PEM, signer PKCS#12).
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} 开发测试根证书"),
        ]
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    pointers = _revocation_pointers(service_url) if service_url else []
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                    x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation}（开发测试签名）"),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    )
    for pointer in pointers:
        signer_builder = signer_builder.add_extension(pointer, critical=False)
    signer_cert = signer_builder.sign(root_key, hashes.SHA256())
    if service_url:
        _create_dev_tsa(directory, root_key, root, organisation, pointers, now)
        key_path = directory / "root-key.pem"
        key_path.write_bytes(_pem_key(root_key))
        key_path.chmod(0o600)
    root_path = directory / "root.pem"
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    p12_path = directory / "signer.p12"
    p12_path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer",
            signer_key,
            signer_cert,
            [root],
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    p12_path.chmod(0o600)
    return root_path, p12_path


def _create_dev_tsa(directory, root_key, root, organisation, pointers, now) -> None:
    # RSA: pyHanko's time-stamping primitive that `dev_pki_server` builds on signs with RSA only.
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                    x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation}（开发测试时间戳）"),
                ]
            )
        )
        .issuer_name(root.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        # RFC 3161: a TSA certificate has exactly this one purpose, marked critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    )
    for pointer in pointers:
        builder = builder.add_extension(pointer, critical=False)
    tsa_cert = builder.sign(root_key, hashes.SHA256())
    (directory / "tsa.pem").write_bytes(tsa_cert.public_bytes(serialization.Encoding.PEM))
    key_path = directory / "tsa-key.pem"
    key_path.write_bytes(_pem_key(tsa_key))
    key_path.chmod(0o600)
