from django.core.management.base import BaseCommand

from assessments.demo import load_demo, load_demo_spec


class Command(BaseCommand):
    help = "Load the demo units, users and assessments (once) and print the demo logins."

    def handle(self, *args, **options):
        passwords = load_demo()
        roles = {user["username"]: "、".join(user["roles"]) for user in load_demo_spec()["users"]}
        self.stdout.write("")
        self.stdout.write("Demo logins (demo only — generated on first load, kept in var/):")
        for username, password in passwords.items():
            self.stdout.write(f"  {username:<14} {password:<14} {roles[username]}")
        self.stdout.write("")
