import time

from django.core.management.base import BaseCommand, CommandError

from assessments.reports.dev_pki_server import answered_crl

from .create_dev_ca import DEV_PKI_URL


class Command(BaseCommand):
    help = "Wait (at most --timeout seconds) until `run_dev_pki` answers."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=15.0)

    def handle(self, *args, timeout, **options):
        deadline = time.monotonic() + timeout
        while True:
            try:
                answered_crl(DEV_PKI_URL)
                return
            except (OSError, TimeoutError) as error:
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"The development TSA at {DEV_PKI_URL} is not up: {error}"
                    ) from error
                time.sleep(0.1)
