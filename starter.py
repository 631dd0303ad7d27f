"""The vouchflow command line: `python starter.py --help`."""

from cli.app import main
from runtime.exit import exit_process

if __name__ == "__main__":
    exit_process(main())
