"""The embedded tiny Qwen3 model: deterministic, idempotent, loadable; model path validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab._validate import MemoryLimitError
from lab.node.model import (
    COMPLETE_MARKER,
    MODEL_SIZES,
    QWEN3_0_6B_CONFIG,
    build_model,
    build_tiny_model,
    default_model_dir,
    is_complete,
    model_info,
    validate_model_dir,
)
from lab.node.roofline import QWEN3, QWEN3_CONFIGS, ModelSpec


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("m") / "tiny")


def test_default_dir_is_relative_to_repo_and_overridable(monkeypatch, tmp_path):
    monkeypatch.delenv("ORBITAL_LAB_MODEL_DIR", raising=False)
    repo = Path(__file__).resolve().parent.parent
    assert default_model_dir() == repo / "models" / "tiny-qwen3"
    monkeypatch.setenv("ORBITAL_LAB_MODEL_DIR", str(tmp_path / "x"))
    assert default_model_dir() == (tmp_path / "x").resolve()
    # the environment variable moves only the embedded model
    assert default_model_dir("qwen3-0.6b") == repo / "models" / "qwen3-0.6b-random"


def test_files_and_architecture(built):
    names = {p.name for p in built.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "generation_config.json", COMPLETE_MARKER} <= names
    cfg = json.loads((built / "config.json").read_text())
    assert cfg["model_type"] == "qwen3" and cfg["architectures"] == ["Qwen3ForCausalLM"]
    assert (cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"],
            cfg["num_key_value_heads"], cfg["head_dim"]) == (128, 2, 2, 1, 64)
    assert cfg["tie_word_embeddings"] is True
    info = model_info(built)
    from safetensors.numpy import load_file

    n = sum(v.size for v in load_file(built / "model.safetensors").values())
    assert info["params"] == n  # the analytic parameter count is exact for Qwen3
    assert info["kv_bytes_per_token"] == 2 * 2 * 1 * 64 * 4


def test_tokenizer_and_chat_template(built):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(built)
    assert 256 < len(tok) <= 512
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    text = "A satellite in low Earth orbit."
    assert tok.decode(tok.encode(text)) == text
    chat = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False,
                                   add_generation_prompt=True)
    assert chat == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_deterministic(built, tmp_path):
    other = build_tiny_model(tmp_path / "again")
    a = json.loads((built / COMPLETE_MARKER).read_text())
    b = json.loads((other / COMPLETE_MARKER).read_text())
    assert a["sha256"] == b["sha256"]


def test_idempotent_and_partial_rebuild(tmp_path):
    p = build_tiny_model(tmp_path / "m")
    mtime = (p / "model.safetensors").stat().st_mtime_ns
    assert build_tiny_model(p) == p
    assert (p / "model.safetensors").stat().st_mtime_ns == mtime  # reused
    (p / "model.safetensors").write_bytes(b"truncated")  # a damaged / partial build
    assert not is_complete(p)
    build_tiny_model(p)
    assert is_complete(p) and (p / "model.safetensors").stat().st_size > 1000
    (p / COMPLETE_MARKER).unlink()
    (p / ".orbital-lab-building").write_text("")  # interrupted build
    build_tiny_model(p)
    assert is_complete(p)


def test_refuses_to_overwrite_foreign_directory(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(ValueError, match="refusing to overwrite"):
        build_tiny_model(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_validate_model_dir_errors(tmp_path, built):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        validate_model_dir(tmp_path / "nope")
    (tmp_path / "f").write_text("")
    with pytest.raises(ValueError, match="not a directory"):
        validate_model_dir(tmp_path / "f")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="config.json"):
        validate_model_dir(tmp_path / "empty")
    (tmp_path / "empty" / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="no weight files"):
        validate_model_dir(tmp_path / "empty")
    with pytest.raises(TypeError):
        validate_model_dir(42)
    assert validate_model_dir(built) == built


def test_real_size_architecture_is_the_published_qwen3_0_6b():
    """The generated real-size checkpoint has Qwen3-0.6B's published config (596 M params)."""
    cfg = QWEN3_0_6B_CONFIG
    published = QWEN3_CONFIGS["Qwen3-0.6B"]
    for key in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                "num_key_value_heads", "head_dim", "vocab_size", "tie_word_embeddings"):
        assert cfg[key] == published[key], key
    spec = ModelSpec.from_config("x", {**cfg, "model_type": "qwen3"})
    assert spec.params == QWEN3["Qwen3-0.6B"].params == 596_049_920
    assert spec.params * 2 == pytest.approx(1.19e9, rel=0.01)  # bf16: ~1.2 GB
    assert MODEL_SIZES["qwen3-0.6b"]["dtype"] == "bfloat16"


def test_build_model_checks_size_memory_and_marker(tmp_path, monkeypatch, built):
    with pytest.raises(ValueError, match=r"size must be one of 'tiny', 'qwen3-0.6b' \(got '8b'\)"):
        build_model("8b", tmp_path / "x")
    with pytest.raises(ValueError, match="dtype must be one of"):
        build_model("tiny", tmp_path / "x", dtype="int8")
    # the 1.2 GB build is refused before anything is written when the memory budget is small
    with pytest.raises(MemoryLimitError, match="building the qwen3-0.6b model would need about"):
        build_model("qwen3-0.6b", tmp_path / "big", max_memory_gb=0.5)
    assert not (tmp_path / "big").exists()
    # a complete tiny build is not a complete qwen3-0.6b build
    assert is_complete(built, size="tiny") and not is_complete(built, size="qwen3-0.6b")
    assert build_tiny_model(built) == built


def test_model_info_counts_and_formats(built):
    info = model_info(built)
    assert info["format"] == "fp32" and info["bytes_per_param"] == 4
    assert info["params"] == ModelSpec.from_config("t", json.loads(
        (built / "config.json").read_text())).params
