from django.core.management.base import BaseCommand
from django.utils import translation

from assessments.demo import load_demo, load_demo_spec
from assessments.models import Role, Unit


class Command(BaseCommand):
    help = "Load the demo units, users and assessments (once) and print the demo logins."

    def handle(self, *args, **options):
        passwords = load_demo()
        spec = load_demo_spec()
        names = dict(Unit.objects.values_list("code", "name"))
        with translation.override("zh-hans"):
            roles = {
                user["username"]: "；".join(
                    f"{names[code]} {'、'.join(str(Role(role).label) for role in held)}"
                    for code, held in user["memberships"].items()
                )
                or "系统运维（超级用户，/admin/）"
                for user in spec["users"]
            }
        self.stdout.write("")
        self.stdout.write("Demo logins (demo only — generated on first load, kept in var/):")
        for username, password in passwords.items():
            self.stdout.write(f"  {username:<14} {password:<14} {roles[username]}")
        self.stdout.write("")
