"""Settings for the worker a fault test starts (tests/integration/test_faults.py): the
test settings, with files on a disk both processes see, and the broker's recovery
timings shortened so a lost worker's task comes back within seconds, not minutes."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

MEDIA_ROOT = os.environ["FAULT_TEST_MEDIA_ROOT"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    # Keys of this test only, so a worker never sees another test's messages.
    "global_keyprefix": os.environ["FAULT_TEST_BROKER_PREFIX"],
    "visibility_timeout": int(os.environ.get("FAULT_TEST_VISIBILITY_TIMEOUT", "4")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
