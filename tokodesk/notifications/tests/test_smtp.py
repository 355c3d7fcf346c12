"""The e-mail reaches a real SMTP server on loopback (aiosmtpd), label attached."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from tokodesk.notifications.emails import return_act_and_notify
from tokodesk.notifications.tests.conftest import EMAIL, LABEL_PDF, label_file
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import return_data


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Toko Siti <cs@toko.example>"
    try:
        yield inbox
    finally:
        controller.stop()


def test_smtp_server_receives_the_email_with_the_label(order, owner, smtp_server, immediate_tasks,
                                                       django_capture_on_commit_callbacks):
    ret = return_create(data=return_data(order), actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        _ret, n = return_act_and_notify(reference=ret.reference, action="approve", actor=owner, send=True,
                                        inputs={"message": "Kirim lewat JNE ya."}, files={"label": label_file()},
                                        locale="fr")
    assert mail.outbox == []  # it went over SMTP, not to locmem
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.mail_from == "cs@toko.example" and envelope.rcpt_tos == [EMAIL]
    message = email.message_from_bytes(envelope.content)
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == n.subject and "accepté" in subject
    parts = [p for p in message.walk() if not p.is_multipart()]
    text = parts[0].get_payload(decode=True).decode(parts[0].get_content_charset())
    assert "Kirim lewat JNE ya." in text and "Nous avons accepté votre retour" in text
    attachment = parts[1]
    assert attachment.get_filename() == "label-jne.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True) == LABEL_PDF
    n.refresh_from_db()
    assert n.status == "sent"
