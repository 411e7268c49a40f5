"""As AWS's base image: the task root first on the path (then /opt, then the runtime's own
packages), and the runtime interface client polling the Runtime API for the handler."""

import os
import sys

sys.path[:0] = [os.environ["LAMBDA_TASK_ROOT"], "/opt/python"]

from awslambdaric.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main([sys.argv[0], os.environ["_HANDLER"]])
