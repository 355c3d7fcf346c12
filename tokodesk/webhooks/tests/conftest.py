import pytest

from tokodesk.webhooks.tests.receiver import Receiver


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def allow_private(settings):
    """The receiver is on 127.0.0.1: what the SSRF check refuses unless the setting allows it."""
    settings.TOKODESK_WEBHOOKS_ALLOW_PRIVATE = True
    return settings
