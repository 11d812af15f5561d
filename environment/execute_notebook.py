#!/usr/bin/env python3
"""Execute one notebook headless with the cmrp-lab kernel (nbclient), for `cmrp notebooks run` and tests.

usage: execute_notebook.py NOTEBOOK OUT_NOTEBOOK [--timeout SECONDS]

Always writes OUT_NOTEBOOK (on failure: executed up to the failing cell). On failure exits 1 and
prints the failing cell's source and everything it printed: tslab reports TypeScript compile errors
as stderr text with an empty error reply, which nbconvert's own message would hide.
"""
import argparse
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError


def text_of(output):
    if output.get("output_type") == "error":
        return "%s: %s\n%s" % (output.get("ename", ""), output.get("evalue", ""), "\n".join(output.get("traceback", [])))
    t = output.get("text", "")
    return "".join(t) if isinstance(t, list) else t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("out")
    ap.add_argument("--timeout", type=int, default=900)
    args = ap.parse_args()
    nb = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="cmrp-lab",
        timeout=args.timeout,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
    )
    failed = None
    try:
        client.execute()
    except (CellExecutionError, DeadKernelError, TimeoutError, RuntimeError) as err:
        failed = err
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    if failed is None:
        # trusted: the classic Notebook runs no script in an untrusted output, so an executed copy
        # opened in `make lab` would show no plots (the signature goes to the user's Jupyter data dir)
        try:
            from nbformat.sign import NotebookNotary

            NotebookNotary().sign(nb)
        except Exception as err:  # a read-only data dir must not fail the run
            print("warning: could not sign %s: %s" % (args.out, err), file=sys.stderr)
    tmp = args.out + ".tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, args.out)
    if failed is None:
        return 0
    # the failing cell is the last code cell that produced output or the one nbclient stopped at
    index = getattr(client, "_cmrp_failed_index", None)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        outs = cell.get("outputs", [])
        if any(o.get("output_type") == "error" for o in outs) or any(o.get("name") == "stderr" for o in outs):
            index = i
            break
    print("notebook failed: %s" % args.notebook, file=sys.stderr)
    if index is not None:
        cell = nb.cells[index]
        print("cell %d:\n%s\n--- output ---\n%s" % (index, cell.source, "".join(text_of(o) for o in cell.get("outputs", []))), file=sys.stderr)
    print("%s: %s" % (type(failed).__name__, str(failed).strip().splitlines()[-1] if str(failed).strip() else ""), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
