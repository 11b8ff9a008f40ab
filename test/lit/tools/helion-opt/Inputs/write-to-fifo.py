"""Runs TOOL ARGS... -o FIFO with a reader on the FIFO; fails unless the FIFO is still a FIFO after
the run and the reader got the output (a rename onto the path would have replaced the FIFO)."""
import os
import stat
import subprocess
import sys
import tempfile
import threading

with tempfile.TemporaryDirectory() as tmp:
    fifo = os.path.join(tmp, "out")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    rc = subprocess.run(sys.argv[1:] + ["-o", fifo], timeout=60).returncode
    reader.join(10)  # a reader of a FIFO that was renamed over waits for a writer that never comes
    still_fifo = stat.S_ISFIFO(os.lstat(fifo).st_mode)
    ok = rc == 0 and still_fifo and got and b"func.func" in got[0]
    print("written through the fifo" if ok else f"rc={rc} fifo={still_fifo} read={bool(got and got[0])}")
    sys.exit(0 if ok else 1)
