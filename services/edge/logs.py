"""One structured log line per request. Lambda's JSON log format turns `extra` into keys;
elsewhere JsonFormatter does the same, so the emulator prints the lines Lambda would."""

import json
import logging
import traceback
from typing import Any

logger = logging.getLogger("todo-api")
logger.setLevel(logging.INFO)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            line["errorType"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            line["stackTrace"] = traceback.format_exception(*record.exc_info)
        return json.dumps(line, default=str)
