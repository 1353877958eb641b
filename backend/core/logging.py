import logging

from .request_id import current_request_id


class RequestIdFilter(logging.Filter):
    """Stamp each log record with the request id so one request's lines can be followed."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
