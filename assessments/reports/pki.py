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
from cryptography.hazmat.primitives.asymmetric import ec
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


def create_dev_ca(directory: Path, *, organisation: str, password: str) -> tuple[Path, Path]:
    """A local root CA and a signing certificate, for development and tests only.

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
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
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
        .sign(root_key, hashes.SHA256())
    )
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
