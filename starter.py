"""The vouchflow command line: `python starter.py --help` (or the `vouchflow` command)."""

from vouchflow.cli.app import run

if __name__ == "__main__":
    run()
