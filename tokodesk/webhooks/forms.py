from django import forms
from django.utils.translation import gettext_lazy as _

from tokodesk.webhooks import events


class SubscriptionForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=2000,
                          help_text=_("Where the desk POSTs the events: an https:// address of a public host."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(label=_("Events"), choices=events.choices,
                                            widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
