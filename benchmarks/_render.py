"""``results.md`` from the benchmarks' JSON: the goals first, then one table per benchmark."""

from __future__ import annotations

from typing import Any


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _met(ok: bool | None) -> str:
    return "–" if ok is None else "met" if ok else "**not met**"


def render(doc: dict[str, Any]) -> str:
    m, b = doc["machine"], doc["benchmarks"]
    v = m["versions"]
    out = [
        "# Benchmarks",
        "",
        "`python benchmarks/run.py` (`--quick` for a smoke run, `--only NAMES` to redo some; each section says "
        "when it was measured). Every time is the median of several runs; every ratio is taken within one "
        "round (the runs compared a few seconds apart), then its median.",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['memory_gb']} GB, "
        f"{m['system']}; Python {m['python']}, NumPy {v['numpy']}, PyTorch {v['torch']}, TensorFlow "
        f"{v['tensorflow']}, pandas {v['pandas']}, matplotlib {v['matplotlib']}. The machine is shared with other "
        "work: each section gives the 1-minute load average before and after it.",
        "",
        "## Goals",
        "",
        _table(["#", "benchmark", "goal", "measured", "status"], _goals(b)),
    ]
    for name, section in (("suite", _suite), ("overhead", _overhead), ("comparison", _comparison),
                          ("startup", _startup), ("scaling", _scaling), ("report", _report)):
        if name in b and "error" not in b[name]:
            lines = section(b[name])
            when = b[name].get("measured")
            if when:  # after the heading: when, in which mode, under what load
                lines[1:1] = ["", f"*Measured {when['at']} ({when['mode']} run), load average "
                                  f"{when['load_average'][0]:.1f} before, {when['load_average'][1]:.1f} after.*"]
            out += ["", *lines]
        elif name in b:
            out += ["", f"## {name}", "", f"failed: {b[name]['error']}"]
    return "\n".join(out) + "\n"


def _goals(b: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    suite = b.get("suite", {}).get("summary")
    if suite:
        ratios = {k: s["ratio_to_floor"] for k, s in suite.items() if k != "floor"}
        rows.append([1, "catalogue through the CLI vs its floor", "harness adds ≤ 10 % (ratio ≤ 1.10)",
                     ", ".join(f"{k.removeprefix('cli_')} ×{r:.2f}" for k, r in ratios.items()),
                     _met(all(r <= 1.10 for r in ratios.values()))])
    overhead = b.get("overhead", {}).get("per_case")
    if overhead:
        singles = {k: e for k, e in overhead.items() if k != "all three"}
        text = "; ".join(f"{k} {e['in_process_overhead_ms']:.2f} / {e['workers_overhead_ms']:.2f}"
                         for k, e in singles.items())
        worst = max(max(e["in_process_overhead_ms"], e["workers_overhead_ms"]) for e in singles.values())
        rows.append([2, "per-case overhead, trivial case (ms, in-process / workers)", "< 1 ms per backend", text,
                     _met(worst < 1.0)])
    fixed = b.get("overhead", {}).get("fixed")
    if fixed:
        rows.append(["2b", "fixed cost of a `run_cases` call beyond its cases, frameworks imported", "≤ 0.1 s",
                     f"{fixed['beyond_cases_s']:.3f} s (first call {fixed['first_call_s']:.2f} s; versions and "
                     f"platform {1e3 * fixed['run_metadata_s']:.0f} ms)", _met(fixed["beyond_cases_s"] <= 0.1)])
    comparison = b.get("comparison", {}).get("rows")
    if comparison:
        big = [r for r in comparison if r["n"] >= 10**6]
        text = ", ".join(f"{r['dtype']} 1e{len(str(r['n'])) - 1} ×{r['ours_over_best']:.2f}" for r in big)
        rows.append([3, "compare_arrays vs faster of assert_allclose / assert_close", "ratio ≤ 1 from 1e6 elements",
                     text, _met(all(r["ours_over_best"] <= 1.0 for r in big))])
    startup = b.get("startup", {}).get("commands")
    if startup:
        ours = {k: c for k, c in startup.items() if k.startswith("equivalence")}
        text = ", ".join(f"{k.removeprefix('equivalence ')} {c['seconds']:.2f} s" for k, c in ours.items())
        numpy_floor = startup.get("python -c 'import numpy'", {}).get("seconds")
        clean = all(not c["heavy_modules_imported"] for c in ours.values())
        rows.append([4, "start-up (`list`, `--help`)", "< 0.3 s, no framework imported",
                     text + (f"; `import numpy` alone {numpy_floor:.2f} s" if numpy_floor else "")
                     + ("; no framework imported" if clean else "; **a framework is imported**"),
                     _met(clean and all(c["seconds"] < 0.3 for c in ours.values()))])
    if suite:
        text = ", ".join(f"{k.removeprefix('cli_')} {s['peak_tree_rss_mb']:.0f} MB" for k, s in suite.items())
        rows.append([5, "peak resident memory of the catalogue run (all processes)", "reported", text, "–"])
    scaling = b.get("scaling")
    if scaling and "cases" in scaling:
        parts = [f"{k.removeprefix('cli_')} {c['ms_per_case']:.1f} ms/case (R² {c['fit']['r2']:.3f})"
                 for k, c in scaling["cases"].items()]
        loops = scaling.get("loops", {})
        parts += [f"{cid} {per['run_cases']['us_per_step']:.0f} µs/step (R² {per['run_cases']['fit']['r2']:.3f})"
                  for cid, per in loops.items() if cid != "error"]
        r2 = [c["fit"]["r2"] for c in scaling["cases"].values()] + [
            per["run_cases"]["fit"]["r2"] for cid, per in loops.items() if cid != "error"]
        rows.append([6, "scaling with cases and loop length", "linear, slope reported", "; ".join(parts),
                     _met(all(r >= 0.99 for r in r2))])
    report = b.get("report")
    if report and "browser" in report:
        rows.append([7, "the catalogue's HTML report: size, time to interactive in Chromium",
                     "< 1.5 MB, < 2 s", f"{report['bytes'] / 1e6:.2f} MB, {report['browser']['interactive_ms'] / 1000:.2f} s",
                     _met(report["met"]["size"] and report["met"]["interactive"])])
    return rows


def _report(r: dict[str, Any]) -> list[str]:
    browser = r["browser"]
    run = r.get("run") or {}
    rows = [
        ["page size", f"{r['bytes'] / 1e6:.3f} MB", f"goal < {r['goal_bytes'] / 1e6:.1f} MB"],
        ["interactive (later of load event and controls ready)", f"{browser['interactive_ms']:.0f} ms",
         f"{browser['interactive_range']} ms; goal < {r['goal_interactive_ms']} ms"],
        ["domInteractive", f"{browser['dom_interactive_ms']:.0f} ms", f"{browser['dom_interactive_range']} ms"],
        ["load event", f"{browser['load_ms']:.0f} ms", f"{browser['load_range']} ms"],
        ["controls ready (the report's script done)", f"{browser['controls_ready_ms']:.0f} ms",
         f"{browser['controls_ready_range']} ms"],
        ["a status filter pressed, to the next frame", f"{browser['filter_to_next_frame_ms']:.0f} ms", ""],
        ["elements, page height", f"{browser['elements']}", f"{browser['height_px']} px (passing cases folded)"],
        ["printed", f"{browser['printed_pages']} pages", "a page per failing case, a line per passing one"],
        ["pictures", f"{r['pictures']}", f"{r['pictures_left_out']} cases left without (the page budget)"],
    ]
    if run:
        rows.insert(0, ["write_report", f"{run['write_report_seconds']:.2f} s", f"{run['write_report_range']} s; "
                        f"{run['cases']} cases, {run['rows']} rows"])
    return [
        "## 7. The HTML report",
        "",
        f"{r['source'][:1].upper()}{r['source'][1:]} (`benchmarks/report.py`): written, then opened "
        f"{browser['loads']} times in headless Chromium (the first load, which warms the browser, not counted); "
        "medians, and the range. Interactive: the later of the load event and the report's script having set up "
        "its controls, from navigation start.",
        "",
        _table(["", "measured", "range, goal"], rows),
        "",
        "Where the bytes are: " + ", ".join(f"{k} {v / 1000:.0f} kB" for k, v in r["parts"].items()) + ".",
    ]


def _suite(s: dict[str, Any]) -> list[str]:
    rows = [[k, v["seconds"], v["range"], f"×{v['ratio_to_floor']:.2f}", v["peak_rss_mb"], v["peak_tree_rss_mb"],
             ",".join(map(str, v["returncodes"]))] for k, v in s["summary"].items()]
    out = [
        "## 1, 5. The catalogue: CLI against its floor, and memory",
        "",
        f"`{', '.join(s['paths'])}` with `--backends {s['backends']}`, {s['rounds']} rounds. The floor "
        "(`benchmarks/floor.py`) imports the three frameworks, loads the case files, makes each case's inputs "
        "and converts them to each framework's tensors, and calls the implementations: no seeding or state "
        "restoring, no output conversion, no comparison, no report, one process. Exit code 1 is a run "
        f"with failing comparisons, not a crash. Floor: {s.get('floor_summary', '')}.",
        "",
        _table(["run", "seconds", "range", "ratio to floor", "peak RSS, largest process (MB)",
                "peak RSS, all processes (MB)", "exit"], rows),
    ]
    phases = s.get("phases", {})
    if phases and "error" not in phases:
        total = sum(phases[k] for k in ("imports", "loading", "run_cases", "write_csv_json", "html_report"))
        out += [
            "",
            "Where the time of an in-process run goes (one run, `run_cases` and writing timed separately):",
            "",
            _table(["phase", "seconds", "share"], [
                [k.replace("_", " "), phases[k], f"{100 * phases[k] / total:.0f} %"]
                for k in ("imports", "loading", "implementations", "harness_in_run_cases", "write_csv_json",
                          "html_report")]),
        ]
    return out


def _overhead(o: dict[str, Any]) -> list[str]:
    rows = [[k, e["floor_ms"], e["in_process_ms"], e["in_process_overhead_ms"], e["workers_ms"],
             e["workers_overhead_ms"]] for k, e in o["per_case"].items()]
    steps = o.get("breakdown", {})
    keys = sorted({k for e in steps.values() for k in e})
    out = [
        "## 2. Per-case overhead",
        "",
        f"{o['cases']} trivial cases (`y = x + 1` on a float32 scalar, one documented value); per case, the "
        "median interval between finished cases (start-up excluded), against the implementation alone on "
        "freshly converted inputs. `all three`: the three backends, each compared with torch.",
        "",
        _table(["backend", "floor (ms)", "in-process (ms)", "overhead", "workers (ms)", "overhead"], rows),
    ]
    fixed = o.get("fixed")
    if fixed:
        out += ["", f"The fixed cost of a run: one trivial case through `run_cases` in the three backends, in a process "
                f"that has imported them: the first call {fixed['first_call_s']:.3f} s (the frameworks' first "
                f"operations), later calls {fixed['later_calls_s']:.3f} s, of which "
                f"{fixed['beyond_cases_s']:.3f} s beyond the case itself; `run_metadata` (the framework versions, "
                f"found without `packages_distributions()`) {1e3 * fixed['run_metadata_s']:.1f} ms."]
    if steps:
        out += ["", "One case's steps, timed directly (ms):", "",
                _table(["backend", *[k.removesuffix("_ms").replace("_", " ") for k in keys]],
                       [[b, *[e.get(k) for k in keys]] for b, e in steps.items()])]
    return out


def _comparison(c: dict[str, Any]) -> list[str]:
    rows = [[r["dtype"], f"1e{len(str(r['n'])) - 1}", r["ours_ms"],
             r["numpy_assert_allclose_ms"], r["torch_assert_close_ms"], f"×{r['ours_over_best']:.2f}",
             r["ours_ns_per_element"], r["ours_extra_mb"], r["numpy_assert_allclose_extra_mb"],
             r["torch_assert_close_extra_mb"]] for r in c["rows"]]
    return [
        "## 3. Comparison engine",
        "",
        "`compare_arrays` (max abs/rel/ULP, mismatches, NaN/inf placement, worst elements) against "
        "`numpy.testing.assert_allclose` and `torch.testing.assert_close` on the same arrays, torch's default "
        "tolerance of the dtype; `actual` = `expected` × (1 + noise of a tenth of rtol): every element differs, "
        "every check passes. `ours` runs in one thread, in blocks of 64 Ki elements (a second thread never "
        "bought 1.3× on 2 cores: see `equivalence/compare.py`). Extra MB: peak memory a call adds beyond its inputs.",
        "",
        _table(["dtype", "n", "ours (ms)", "assert_allclose", "assert_close",
                "ours / faster", "ours ns/elt", "ours extra MB", "numpy extra MB", "torch extra MB"], rows),
    ]


def _startup(s: dict[str, Any]) -> list[str]:
    rows = [[k, v["seconds"], v["range"],
             ", ".join(v["heavy_modules_imported"] or []) or ("none" if v["heavy_modules_imported"] is not None else "–")]
            for k, v in s["commands"].items()]
    return [
        "## 4. Start-up",
        "",
        f"Median of {s['rounds']} runs; heavy modules: which of torch, tensorflow, pandas, matplotlib, jax, keras, "
        "scipy the command leaves imported. `list` executes the case files, so it imports NumPy: "
        "`python -c 'import numpy'` is its floor. Measured after one run has written the bytecode of the package "
        "and the case files (a first run compiles them: about 0.1 s more for the catalogue).",
        "",
        _table(["command", "seconds", "range", "heavy modules imported"], rows),
    ]


def _scaling(s: dict[str, Any]) -> list[str]:
    out = ["## 6. Scaling", ""]
    counts = sorted({int(n) for c in s["cases"].values() for n in c["seconds"]})
    out += [
        "Generated trivial cases through the CLI (three backends, compared, reported):",
        "",
        _table(["mode", *[f"{n} cases (s)" for n in counts], "ms per case", "intercept (s)", "R²",
                "largest residual"],
               [[k, *[c["seconds"].get(str(n), c["seconds"].get(n)) for n in counts], c["ms_per_case"],
                 c["fit"]["intercept"], c["fit"]["r2"], f"{100 * c['fit']['max_relative_residual']:.0f} %"]
                for k, c in s["cases"].items()]),
    ]
    loops = {k: v for k, v in s.get("loops", {}).items() if k != "error"}
    if loops:
        steps = sorted({int(n) for per in loops.values() for n in per["run_cases"]["seconds"]})
        rows = []
        for cid, per in loops.items():
            for part, p in per.items():
                rows.append([cid, part, *[p["seconds"].get(str(n), p["seconds"].get(n)) for n in steps],
                             p["us_per_step"], p["fit"]["r2"]])
        out += ["", "The regression loops at increasing `num_epoch` (`run_cases` in one process; per backend, "
                "the time inside the implementation):", "",
                _table(["case", "part", *[f"{n} steps (s)" for n in steps], "µs per step", "R²"], rows)]
    return out
