from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tokodesk.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (shown once; send it as 'Authorization: Bearer …')."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")

    def handle(self, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        _token, raw = ApiToken.issue(user, name=name)
        self.stdout.write(raw)
