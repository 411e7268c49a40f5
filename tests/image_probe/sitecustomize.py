"""Mounted into the image test's containers (PYTHONPATH): reports on stderr every source file
Python compiles and every file it opens for writing, so the test can tell that a function's
cold start used only the image's bytecode and wrote nothing."""

import os
import sys
from typing import Any

_WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "compile" and len(args) > 1:
        filename = args[1]
        if isinstance(filename, str) and filename.endswith(".py"):
            sys.stderr.write(f"PROBE compiled {filename}\n")
    elif event == "open" and len(args) > 2:
        path, mode, flags = args[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE)
        if writing and isinstance(path, str | bytes):
            sys.stderr.write(f"PROBE wrote {path!r}\n")


sys.addaudithook(_hook)
