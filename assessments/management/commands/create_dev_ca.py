import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.reports.pki import create_dev_ca


class Command(BaseCommand):
    help = "Create a local development CA and signing certificate in var/pki (once)."

    def handle(self, *args, **options):
        directory = settings.VAR_DIR / "pki"
        if (directory / "signer.p12").exists():
            self.stdout.write(f"Development signing certificate already in {directory}.")
            return
        password = secrets.token_urlsafe(16)
        root, p12 = create_dev_ca(directory, organisation="周村区大数据局", password=password)
        (directory / "signer.pass").write_text(password)
        (directory / "signer.pass").chmod(0o600)
        self.stdout.write(f"Development CA created: {root}, {p12} (never use in production).")
