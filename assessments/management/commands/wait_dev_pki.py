from django.core.management.base import BaseCommand, CommandError

from assessments.reports.dev_pki_server import wait_until_serving

from .create_dev_ca import DEV_PKI_URL


class Command(BaseCommand):
    help = "Wait (at most --timeout seconds) until `run_dev_pki` answers."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=15.0)

    def handle(self, *args, timeout, **options):
        try:
            wait_until_serving(DEV_PKI_URL, timeout)
        except (OSError, TimeoutError) as error:
            raise CommandError(
                f"The development TSA at {DEV_PKI_URL} is not up: {error}"
            ) from error
