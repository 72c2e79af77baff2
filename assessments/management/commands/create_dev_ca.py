import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.reports.pki import create_dev_ca

# Where `manage.py run_dev_pki` serves the development CA's TSA, OCSP responder and CRL
# (the certificates name it, so it is fixed when the CA is made).
DEV_PKI_URL = "http://127.0.0.1:8765"


class Command(BaseCommand):
    help = (
        "Create a local development CA, signing and time-stamping certificates in var/pki "
        "(once), served by `manage.py run_dev_pki`."
    )

    def handle(self, *args, **options):
        directory = settings.VAR_DIR / "pki"
        if (directory / "signer.p12").exists() and (directory / "tsa.pem").exists():
            self.stdout.write(f"Development signing certificate already in {directory}.")
            return
        # A CA from before long-term signatures has no TSA: it is replaced as a whole.
        password = secrets.token_urlsafe(16)
        root, p12 = create_dev_ca(
            directory, organisation="周村区大数据局", password=password, service_url=DEV_PKI_URL
        )
        (directory / "signer.pass").write_text(password)
        (directory / "signer.pass").chmod(0o600)
        self.stdout.write(f"Development CA created: {root}, {p12} (never use in production).")
