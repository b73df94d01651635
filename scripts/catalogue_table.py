"""Print the catalogue as a Markdown table with each case's status, from a results.json.

    python scripts/catalogue_table.py [reports/results.json] [cases]

One line per case: its id and title, its comparisons by status, and what happened to
the values its document printed, compared by their printed text (reproduced by every
backend, or which outputs print differently in which backends: all such differences are
declared, with their reasons and bounds, in the case).
The README's catalogue table is this script's output.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

from equivalence import discover
from equivalence.discovery import natural_key
from equivalence.results import read_results


def main(results: str = "reports/results.json", cases: str = "cases") -> None:
    _, rows = read_results(results)
    titles = {case.id: case.title for case in discover([cases])[0]}
    by_case: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_case[row["case"]].append(row)
    print("| case | what it computes | comparisons | documented values |")
    print("|---|---|---|---|")
    for case_id in sorted(by_case, key=natural_key):
        found = by_case[case_id]
        counts = Counter(r["status"] for r in found)
        summary = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items()))
        documented = [r for r in found if r["reference"] == "documented"]
        if not documented:
            derived = any(r["reference"] == "expected" for r in found)
            doc = "none printed (derived values checked as `expected`)" if derived else "none printed"
        else:
            differing: dict[str, list[str]] = defaultdict(list)
            for r in documented:
                if r["status"] not in ("pass", "skipped"):
                    differing[r["output"]].append(r["backend"])
            doc = "reproduced" if not differing else "differs (declared): " + "; ".join(
                f"`{o}` in {', '.join(b)}" for o, b in sorted(differing.items()))
        print(f"| `{case_id}` | {titles.get(case_id, '').replace('|', '/')} | {summary} | {doc} |")


if __name__ == "__main__":
    main(*sys.argv[1:])
