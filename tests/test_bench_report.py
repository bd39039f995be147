"""bench/report reads each benchmark's last JSON line and prints one table; nothing here is timed: the
benchmark scripts are fakes that print fixed outputs."""
import importlib.machinery
import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_report():
    loader = importlib.machinery.SourceFileLoader("bench_report", str(ROOT / "bench" / "report"))
    spec = importlib.util.spec_from_loader("bench_report", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_report"] = module
    loader.exec_module(module)
    return module


report = load_report()

STARTUP = {"results": {
    "bare": {"startup_median_s": 0.120, "rss_bytes": 53_000_000, "idle_cpu_s_per_min": 0.0},
    "companion": {"startup_median_s": 0.168, "rss_bytes": 90_500_000, "idle_cpu_s_per_min": 0.0},
}, "pass": False}
KUDOS = {"kudos_p50_ms": 3.2, "kudos_p99_ms": 9.5, "poll_p50_ms": 505.0, "poll_p99_ms": 1001.0}
MY_WEEK = {"my_week_open_ms_median": 95.0, "my_week_open_ms_p95": 240.0}
DETECTION = {"start_median_s": 2.13, "start_p95_s": 2.22, "end_median_s": 4.04, "end_p95_s": 4.06,
             "rss_added_bytes": 4_200_000, "idle_cpu_s_per_min": 0.0, "bare_idle_cpu_s_per_min": 0.0}
RESET = {"reset_open_ms_median": 62.0, "reset_fps_moving": 60.2, "reset_cpu_percent": 9.5}


def fake(bench_dir: Path, name: str, *, stdout: str = "", stderr: str = "", code: int = 0) -> None:
    """A benchmark script that prints fixed text and exits with a fixed status (and checks it got --json)."""
    (bench_dir / name).write_text(textwrap.dedent(f"""\
        import sys
        assert "--json" in sys.argv, sys.argv
        sys.stdout.write({stdout!r})
        sys.stderr.write({stderr!r})
        sys.exit({code})
        """))


def run(bench_dir: Path, capsys, *args: str) -> tuple[int, list[str]]:
    code = report.main(["--bench-dir", str(bench_dir), *args])
    return code, capsys.readouterr().out.splitlines()


def cells(lines: list[str], metric: str) -> list[str]:
    line = next(line for line in lines if line.startswith(metric + " ") or line.startswith(metric + "|"))
    return [c.strip() for c in line.split("|")]


@pytest.fixture
def bench_dir(tmp_path):
    d = tmp_path / "bench"
    d.mkdir()
    return d


def test_all_three_side_by_side_with_ratios(bench_dir, capsys):
    fake(bench_dir, "startup.py", stdout="progress line\n" + json.dumps(STARTUP) + "\n", code=1)  # 1: missed
    fake(bench_dir, "kudos_latency.py", stdout="warming up\n" + json.dumps(KUDOS) + "\n")
    fake(bench_dir, "my_week.py", stdout=json.dumps(MY_WEEK) + "\n\n")
    fake(bench_dir, "detection.py", stdout=json.dumps(DETECTION) + "\n")
    fake(bench_dir, "reset_window.py", stdout=json.dumps(RESET) + "\n")
    code, lines = run(bench_dir, capsys)
    assert lines[0].split("|")[0].strip() == "metric" and [c.strip() for c in lines[0].split("|")] == [
        "metric", "ours", "baseline", "ratio", "target", "met?"]
    assert cells(lines, "start-up to tray shown (median)") == [
        "start-up to tray shown (median)", "0.168 s", "0.120 s (bare tray)", "1.40x", "<= 1.5x bare", "yes"]
    assert cells(lines, "idle memory (RSS)") == [
        "idle memory (RSS)", "90.5 MB", "53.0 MB (bare tray)", "1.71x", "<= 85 MB", "NO"]
    assert cells(lines, "idle CPU") == ["idle CPU", "0.000 s/min", "0.000 s/min (bare tray)", "-", "< 0.005 s/min",
                                        "yes"]
    assert cells(lines, "kudos delivery (p50)") == [
        "kudos delivery (p50)", "3.2 ms", "505.0 ms (polling 1 s)", "0.01x", "-", "-"]  # informational
    assert cells(lines, "kudos delivery (p99)") == [
        "kudos delivery (p99)", "9.5 ms", "1001.0 ms (polling 1 s)", "0.01x", "<= 100 ms", "yes"]
    assert cells(lines, "My week opens (median)") == [
        "My week opens (median)", "95.0 ms", "150 ms (target)", "0.63x", "<= 150 ms", "yes"]
    assert cells(lines, "My week opens (p95)")[-1] == "-"  # informational
    assert cells(lines, "reset window first open (median)") == [
        "reset window first open (median)", "62.0 ms", "100 ms (target)", "0.62x", "<= 100 ms", "yes"]
    assert cells(lines, "breathing animation (fps)")[1:] == ["60.2 fps", "55 fps (target)", "1.09x", ">= 55 fps", "yes"]
    assert cells(lines, "breathing animation (CPU)")[-2:] == ["<= 15 %", "yes"]
    assert code == 1 and lines[-1] == "a target was missed"


def test_call_detection_rows(bench_dir, capsys):
    fake(bench_dir, "detection.py", stdout=json.dumps({**DETECTION, "rss_added_bytes": 5_500_000}) + "\n", code=1)
    code, lines = run(bench_dir, capsys, "--only", "detection")
    assert cells(lines, "call detected (median / p95)") == [
        "call detected (median / p95)", "2.13 / 2.22 s", "2 s (the debounce)", "-", "<= 3 s", "yes"]
    assert cells(lines, "detected call ends (median / p95)")[-1] == "yes"
    assert cells(lines, "RSS added by detection") == [
        "RSS added by detection", "5.5 MB", "detection off", "-", "<= 5 MB", "NO"]
    assert code == 1


def test_missing_failing_and_garbled_scripts_are_not_measured_never_numbers(bench_dir, capsys):
    fake(bench_dir, "startup.py", stdout="", stderr="startup.py: Xvfb did not start\n", code=2)
    fake(bench_dir, "my_week.py", stdout="median 180 ms\n")  # no JSON line
    code, lines = run(bench_dir, capsys)
    text = "\n".join(lines)
    assert cells(lines, "idle memory (RSS)")[1] == (
        "not measured (startup.py exited 2; it printed nothing; startup.py: Xvfb did not start)")
    assert cells(lines, "kudos delivery (p99)")[1] == "not measured (bench/kudos_latency.py is missing)"
    assert cells(lines, "My week opens (p95)")[1] == (
        "not measured (my_week.py exited 0; its last line is not JSON: median 180 ms)")
    assert " ms |" not in text and " MB |" not in text  # no figure anywhere
    assert code == 2 and lines[-1] == "something was not measured"


def test_a_crash_after_printing_json_is_not_trusted(bench_dir, capsys):
    fake(bench_dir, "kudos_latency.py", stdout=json.dumps(KUDOS) + "\n", stderr="Traceback ...\nBoom\n", code=3)
    code, lines = run(bench_dir, capsys, "--only", "kudos")
    assert cells(lines, "kudos delivery (p50)")[1] == "not measured (kudos_latency.py exited 3: Boom)"
    assert not any("startup" in line or "My week" in line for line in lines)  # --only
    assert code == 2


@pytest.mark.parametrize("data, reason", [
    ({"kudos_p50_ms": 3.0, "poll_p50_ms": 500.0, "poll_p99_ms": 900.0}, "the output has no kudos_p99_ms"),
    ({**KUDOS, "kudos_p99_ms": "fast"}, "kudos_p99_ms is not a number: 'fast'"),
    ({**KUDOS, "kudos_p99_ms": True}, "kudos_p99_ms is not a number: True"),
    ({**KUDOS, "kudos_p99_ms": None}, "kudos_p99_ms is not a number: None"),
])
def test_a_missing_or_wrong_field_is_named(bench_dir, capsys, data, reason):
    fake(bench_dir, "kudos_latency.py", stdout=json.dumps(data) + "\n")
    code, lines = run(bench_dir, capsys, "--only", "kudos")
    assert cells(lines, "kudos delivery (p50)")[1] == f"not measured ({reason})"
    assert cells(lines, "kudos delivery (p99)")[1] == f"not measured ({reason})"  # all rows of that script
    assert code == 2


def test_non_finite_json_numbers_are_refused(bench_dir, capsys):
    fake(bench_dir, "my_week.py", stdout='{"my_week_open_ms_median": NaN, "my_week_open_ms_p95": 1.0}\n')
    code, lines = run(bench_dir, capsys, "--only", "my_week")
    assert cells(lines, "My week opens (median)")[1] == "not measured (my_week_open_ms_median is not a number: nan)"
    assert code == 2


def test_everything_met_exits_0_and_quick_is_passed_on(bench_dir, capsys):
    good = json.loads(json.dumps(STARTUP))
    good["results"]["companion"]["rss_bytes"] = 80_000_000
    (bench_dir / "startup.py").write_text(textwrap.dedent(f"""\
        import sys
        assert sys.argv[1:] == ["--json", "--runs", "3", "--rss-after", "2", "--idle-seconds", "10"], sys.argv
        print({json.dumps(good)!r})
        """))
    fake(bench_dir, "kudos_latency.py", stdout=json.dumps(KUDOS) + "\n")
    fake(bench_dir, "my_week.py", stdout=json.dumps(MY_WEEK) + "\n")
    fake(bench_dir, "detection.py", stdout=json.dumps(DETECTION) + "\n")
    fake(bench_dir, "reset_window.py", stdout=json.dumps(RESET) + "\n")
    code, lines = run(bench_dir, capsys, "--quick")
    assert code == 0 and lines[-1] == "all measured, all targets met"

