"""The entry point spark-submit runs: any `joinedup` command, on the cluster spark-submit names.

    spark-submit --master spark://head:7077 --jars "$(python -m joinedup.engines.jar)" \\
        "$(python -c 'import joinedup.engines.submit as m; print(m.__file__)')" \\
        cohorts run frail_older_people --engine spark --home /srv/hub

spark-submit's own settings (master, memory, executors) stand; the hub adds only its SQL
settings (time zone, NULL on a failed cast, Splink's functions).
"""

from __future__ import annotations

import sys

from joinedup.cli import app


def main() -> None:
    app(args=sys.argv[1:], prog_name="joinedup")


if __name__ == "__main__":
    main()
