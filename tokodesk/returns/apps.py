from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "tokodesk.returns"
    label = "returns"

    def ready(self):
        from tokodesk.core import sections
        from tokodesk.returns import return_settings
        from tokodesk.returns.order_section import order_detail_section

        # The order detail page shows the order's returns and offers "Create return".
        sections.register(
            "orders.detail",
            "returns",
            template="returns/_order_section.html",
            head_template="returns/_order_section_head.html",
            context=order_detail_section,
        )
        # The "Returns" section of the settings page.
        return_settings.register_section()
        # Its "Report templates" section (the slip and summary the owner edits, issue 17).
        from tokodesk.returns.reports import section as report_section

        report_section.register_section()
        # Orders spend store credit through the ledger kept here (orders.store_credit).
        from tokodesk.returns import store_credit

        store_credit.provide()
