from django.contrib import admin

from tokodesk.notifications.models import LandingPageLanguage, Notification, NotificationSettings


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("customer_language", "reply_to", "site_url")


@admin.register(LandingPageLanguage)
class LandingPageLanguageAdmin(admin.ModelAdmin):
    list_display = ("landing_page", "language")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "event", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("channel", "status", "event")
    search_fields = ("to", "subject", "return_order__reference", "order__reference")
    raw_id_fields = ("return_order", "order", "return_message", "created_by")
