#!/usr/bin/env python3
"""Tables of bench/likelihood.sh.

    likelihood_table.py OUT                      # print the Markdown tables of a finished run
    likelihood_table.py --splice FILE TABLE.md   # put TABLE.md between FILE's likelihood markers

Only the standard library: the run's JSON files are read as rbm writes them.
"""
import json
import os
import sys

BEGIN, END = "<!-- likelihood:begin -->", "<!-- likelihood:end -->"

METHODS = [
    ("cd1", "CD-1", "--recipe hinton"),
    ("cd10", "CD-10", "--recipe hinton --k 10"),
    ("pcd", "PCD-1", "--recipe hinton --persistent"),
    ("pcd-centered", "PCD-1 + centering", "--recipe density --lr-schedule constant --lr 0.01"),
    ("pt", "PT, 10 replicas + centering", "--recipe density --replicas 10"),
    ("density", "density recipe", "--recipe density"),
]

REFERENCES = {
    16: "PyDeep, PCD-1 + centering: −142.56 exact (uncentered −149.05)",
    500: "Salakhutdinov & Murray 2008, CD-25: −86.34; PyDeep, PCD-1 + centering, 200 epochs: −84.86 "
         "(uncentered −130.81); two-layer DBM: −84.62",
}


def load(out, name):
    """Returns (epochs, train seconds, eval JSON) of one run, or None."""
    log, ev = os.path.join(out, name + ".log"), os.path.join(out, name + "-eval.json")
    if not (os.path.exists(log) and os.path.exists(ev)):
        return None
    lines = [json.loads(l) for l in open(log) if l.strip()]
    with open(ev) as f:
        e = json.load(f)
    return len(lines), sum(l["seconds"] for l in lines), e


def cell_loglik(e):
    if e["log_z"]["method"] == "exact":
        return "**%.2f** (exact)" % e["log_lik"], "—", "—"
    fwd = "**%.2f** ± %.2f" % (e["log_lik"], e["log_lik_std_err"])
    cons = "—"
    if e.get("log_lik_conservative") is not None:
        cons = "%.2f ± %.2f" % (e["log_lik_conservative"], e.get("log_lik_conservative_std_err", 0))
    lz = e["log_z"]
    diag = "ESS %.0f" % lz.get("ess", 0)
    if lz.get("reliable") is False:
        diag += " (unreliable)"
    up = lz.get("upper_side")
    if up:
        diag += ", swaps ≥ %.2g" % up["min_swap_rate"]
    return fwd, cons, diag


def table(out, h):
    rows = []
    for key, label, flags in METHODS:
        for suffix, budget in (("", "equal epochs"), ("-eqtime", "equal time")):
            r = load(out, "%d-%s%s" % (h, key, suffix))
            if r is None:
                continue
            epochs, secs, e = r
            ll, cons, diag = cell_loglik(e)
            row = "| %s | `%s` | %s | %d | %.0f | %s |" % (label, flags, budget, epochs, secs, ll)
            if h > 25:
                row += " %s | %s |" % (cons, diag)
            rows.append(row)
    if not rows:
        return ""
    if h <= 25:
        head = ("| method | flags | budget | epochs | training s | test log-lik |\n"
                "|---|---|---|---:|---:|---:|")
    else:
        head = ("| method | flags | budget | epochs | training s | test log-lik, forward AIS (optimistic) "
                "| from the upper side of log Z (conservative) | AIS diagnostics |\n"
                "|---|---|---|---:|---:|---:|---:|---|")
    return "784×%d, %s. Reference: %s.\n\n%s\n%s\n" % (
        h, "exact log Z" if h <= 25 else "AIS", REFERENCES.get(h, "—"), head, "\n".join(rows))


def report(out):
    with open(os.path.join(out, "meta.json")) as f:
        meta = json.load(f)
    parts = ["Run of %s (commit %s), %s, %d worker(s); AIS schedule %s × %d runs, upper side from %d tempering sweeps."
             % (meta["date"], meta["commit"], meta["cpu"], meta["threads"], meta["schedule"], meta["runs"], meta["sweeps"])]
    if meta.get("limit"):
        parts.append("Training on the first %d rows only (a smoke test)." % meta["limit"])
    for h in (16, 500):
        t = table(out, h)
        if t:
            parts.append(t)
    return "\n\n".join(parts) + "\n"


def splice(path, table_path):
    with open(path) as f:
        text = f.read()
    with open(table_path) as f:
        block = BEGIN + "\n" + f.read().strip() + "\n" + END
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n## Held-out log-likelihood by training method\n\n" + block + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--splice":
        splice(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2:
        sys.stdout.write(report(sys.argv[1]))
    else:
        sys.exit(__doc__)
