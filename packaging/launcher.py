"""The frozen program's entry point: rectify_desktop.cli:main, as the `rectify-desktop` script runs it.

`self-test` is handed to rectify_desktop.selftest when the command line does not list it yet, so that the
installers' build scripts can check the frozen program either way.
"""

from __future__ import annotations

import sys

from rectify_desktop import cli, selftest


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["self-test"] and "self-test" not in cli.COMMANDS:
        return selftest.main(argv[1:])
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
