"""Metric bookkeeping of lab.node.measure (fast; the real server is in test_node_vllm.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lab.node.measure import MeasureResult, RequestMetrics, _server_deltas, parse_prometheus

PROM = """# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.
# TYPE vllm:e2e_request_latency_seconds histogram
vllm:e2e_request_latency_seconds_sum{engine="0",model_name="m"} 1.5
vllm:e2e_request_latency_seconds_bucket{engine="0",le="0.3",model_name="m"} 2.0
vllm:e2e_request_latency_seconds_count{engine="0",model_name="m"} 3.0
vllm:e2e_request_latency_seconds_sum{engine="1",model_name="m"} 0.5
vllm:e2e_request_latency_seconds_count{engine="1",model_name="m"} 1.0
vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} 0.2
vllm:time_to_first_token_seconds_count{engine="0",model_name="m"} 4.0
vllm:generation_tokens_total{engine="0",model_name="m"} 64.0
"""


def test_parse_prometheus_sums_label_sets_and_skips_buckets():
    m = parse_prometheus(PROM)
    assert m["vllm:e2e_request_latency_seconds_sum"] == pytest.approx(2.0, rel=1e-12)
    assert m["vllm:e2e_request_latency_seconds_count"] == pytest.approx(4.0, rel=1e-12)
    assert not any(k.endswith("_bucket") for k in m)


def test_server_deltas_give_means_of_the_run():
    before = parse_prometheus(PROM)
    after = dict(before)
    after["vllm:e2e_request_latency_seconds_sum"] += 0.9
    after["vllm:e2e_request_latency_seconds_count"] += 3
    after["vllm:time_to_first_token_seconds_sum"] += 0.03
    after["vllm:time_to_first_token_seconds_count"] += 3
    after["vllm:generation_tokens_total"] += 48
    d = _server_deltas(before, after)
    assert d["e2el"] == pytest.approx(0.3) and d["ttft"] == pytest.approx(0.01)
    assert d["count"] == pytest.approx(3) and d["generation_tokens_total"] == pytest.approx(48)


def test_summary_matches_numpy_and_json():
    rng = np.random.default_rng(1)
    reqs = []
    for i in range(20):
        ttft, itl = rng.uniform(0.01, 0.1), list(rng.uniform(0.001, 0.01, 15))
        e2el = ttft + sum(itl)
        reqs.append(RequestMetrics(prompt=str(i), ttft=ttft, itl=itl, e2el=e2el,
                                   tpot=(e2el - ttft) / 15, output_tokens=16, chunks=16))
    reqs.append(RequestMetrics(prompt="bad", error="HTTP 500"))
    res = MeasureResult(reqs, duration=2.0, concurrency=2, max_tokens=16, url="u", model="m",
                        server={"ttft": 0.05, "e2el": 0.1})
    s = res.summary
    ttfts = [r.ttft for r in reqs[:-1]]
    assert s["ttft"]["mean"] == pytest.approx(np.mean(ttfts))
    assert s["ttft"]["p90"] == pytest.approx(np.percentile(ttfts, 90))
    assert s["itl"]["median"] == pytest.approx(np.median([x for r in reqs[:-1] for x in r.itl]))
    assert res.failed == 1 and res.output_throughput == pytest.approx(20 * 16 / 2.0)
    assert res.comparison()["ttft"]["difference"] == pytest.approx(np.mean(ttfts) - 0.05)
    json.dumps(res.to_dict())
    assert res.table().loc["ttft", "mean"] == pytest.approx(1000 * np.mean(ttfts))


def test_measure_rejects_bad_input():
    from lab.node.measure import measure

    with pytest.raises(ValueError, match="prompts"):
        measure("http://127.0.0.1:9", [], max_tokens=4)
    with pytest.raises(ValueError, match="max_tokens"):
        measure("http://127.0.0.1:9", ["x"], max_tokens=0)
    with pytest.raises(ValueError, match="endpoint"):
        measure("http://127.0.0.1:9", ["x"], endpoint="responses")
    with pytest.raises(TypeError, match="url_or_server"):
        measure(42, ["x"])


def test_measure_names_a_dead_or_malformed_url():
    from lab.node import find_free_port, measure

    port = find_free_port()  # nothing listens there
    # regression: a raw httpx.ConnectError that did not say which server
    with pytest.raises(ConnectionError,
                       match=f"cannot reach the server at http://127.0.0.1:{port} "):
        measure(f"http://127.0.0.1:{port}/v1/", ["x"], max_tokens=4)
    for bad in ("ftp://host:8000", "http://:8000", "http://host:99999", "localhost:8000",
                "http://host:8000?x=1"):
        with pytest.raises(ValueError, match=f"url_or_server .*{bad[:8]}"):
            measure(bad, ["x"], max_tokens=4)


def test_cli_build_model_and_help(tmp_path):
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-m", "lab", "node", "build-model", "--path",
                          str(tmp_path / "m")], capture_output=True, text=True, cwd=root,
                         timeout=300, check=True)
    assert "embedded model ready" in out.stdout
    assert (tmp_path / "m" / "model.safetensors").is_file()
    out = subprocess.run([sys.executable, "-m", "lab", "node", "--help"], capture_output=True,
                         text=True, cwd=root, timeout=60, check=True)
    assert all(c in out.stdout for c in ("serve", "bench", "build-model"))
