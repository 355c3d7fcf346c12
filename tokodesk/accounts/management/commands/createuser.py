import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tokodesk.accounts.roles import PERMISSION_GROUPS, ROLES
from tokodesk.accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user with a role: tokodesk createuser USERNAME --role agent"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[*ROLES, *PERMISSION_GROUPS],
                            help="A role, or return_order: every return, no orders.")
        parser.add_argument("--password", help="Asked for when omitted and stdin is a terminal.")
        parser.add_argument("--email", default="")

    def handle(self, username, role, password, email, **options):
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        if password is None and self.stdin_isatty():
            password = getpass.getpass("Password: ")
        if password:
            # Django's validators (AUTH_PASSWORD_VALIDATORS): length, common, numeric, like the username.
            probe = get_user_model()(username=username, email=email)
            try:
                validate_password(password, user=probe)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        user_create(username=username, role=role, password=password, email=email)
        self.stdout.write(f"Created {username} ({role}).")

    @staticmethod
    def stdin_isatty():
        import sys

        return sys.stdin.isatty()
