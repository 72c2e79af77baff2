from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.reports import dev_pki_server

from .create_dev_ca import DEV_PKI_URL


class Command(BaseCommand):
    help = (
        "Serve the development CA's time-stamping authority, OCSP responder and CRL on "
        f"{DEV_PKI_URL} (development only; make run starts it)."
    )

    def handle(self, *args, **options):
        directory = settings.VAR_DIR / "pki"
        if not (directory / "tsa.pem").exists():
            raise CommandError(f"No development TSA in {directory}: run manage.py create_dev_ca.")
        address = urlsplit(DEV_PKI_URL)
        try:
            server = dev_pki_server.bind(address.hostname, address.port)
        except OSError as error:
            raise CommandError(f"Cannot listen on {DEV_PKI_URL}: {error}") from error
        self.stdout.write(f"Development TSA, OCSP and CRL on {DEV_PKI_URL} (never in production).")
        try:
            dev_pki_server.serve(server, directory, background=False)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
