"""The vouchflow worker: `python worker.py` (or the `vouchflow-worker` command).

One worker process serves every workflow; see vouchflow.runtime.worker.
"""

from vouchflow.runtime.worker import run_and_exit

if __name__ == "__main__":
    run_and_exit()
