from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tokodesk.notifications"
    label = "notifications"
    verbose_name = _("Customer communication")

    def ready(self):
        from tokodesk.notifications import customers, emails, feeds, whatsapp
        from tokodesk.returns import hooks

        # What the returns pages offer and notifications does (returns imports none of it).
        hooks.provide_action_mailer(hooks.ActionMailer(
            events=frozenset(emails.EVENTS),
            preview=emails.preview_return_action_email,
            act_and_notify=emails.return_act_and_notify,
        ))
        hooks.provide_calendar_feed(hooks.CalendarFeed(url=feeds.calendar_feed_url, path=feeds.calendar_feed_path))
        hooks.provide_can_whatsapp(whatsapp.can_whatsapp)
        # A new order's language when its buyer's is not known (orders.languages).
        from tokodesk.orders import languages

        languages.provide_default(customers.customer_locale)
        # A managed list's label with none in the active language: the customers' one (core.labels).
        from tokodesk.core import labels

        labels.provide_default_language(lambda: customers.customer_locale(None))
        # Queued e-mails go out through the outbox (emails._queued, emails.outbox_consumer).
        from tokodesk.core import outbox

        outbox.register_consumer("notifications", emails.outbox_consumer)
        # The "E-mails to customers" section of the settings page (issue 17).
        from tokodesk.notifications import email_settings

        email_settings.register_section()
