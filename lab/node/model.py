"""Checkpoints generated locally: the embedded tiny model and a real-size Qwen3-0.6B architecture.

No model hub is reachable from the lab, so :func:`build_model` makes a Qwen3-architecture
checkpoint from a byte-level BPE tokenizer trained on a short built-in text and fixed-seed
random weights saved as safetensors (:data:`MODEL_SIZES`):

- ``"tiny"`` (:func:`build_tiny_model`, the embedded default): hidden 128, 2 layers, 2 query
  heads, 1 KV head, head_dim 64, float32, ~0.5 M parameters, built in seconds. It measures the
  serving stack's fixed per-step overheads.
- ``"qwen3-0.6b"``: the published Qwen3-0.6B configuration (hidden 1024, 28 layers, 16 heads,
  8 KV heads, head_dim 128, vocab 151,936, tied embeddings; 596 M parameters), bf16, 1.2 GB.
  Its decode reads 1.2 GB per token: the memory-bound regime of the on-orbit 8B model. Not
  built by the tests or ``make lab``; ``benchmarks/bench_node_calibration.py`` builds it on
  demand (to ``models/``, git-ignored). The tiny tokenizer's ids are a subset of its vocabulary.

Both answer gibberish, but every token goes through the real vLLM engine, so their latencies are
real measurements of the serving stack. ``model=`` everywhere also accepts the directory of a
real checkpoint (e.g. a downloaded Qwen3-0.6B).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

__all__ = [
    "MODEL_DIR_ENV",
    "MODEL_SIZES",
    "QWEN3_0_6B_CONFIG",
    "TINY_MODEL_CONFIG",
    "build_model",
    "build_tiny_model",
    "default_model_dir",
    "is_complete",
    "model_info",
    "resolve_model",
    "validate_model_dir",
]

#: Environment variable that overrides where the embedded model lives.
MODEL_DIR_ENV = "ORBITAL_LAB_MODEL_DIR"

#: Marker written last by :func:`build_tiny_model`; its presence means the build completed.
COMPLETE_MARKER = ".orbital-lab-complete.json"
#: Marker written first; a directory with it (and without the complete marker) is a partial build.
BUILDING_MARKER = ".orbital-lab-building"

_BUILD_VERSION = 1
SEED = 20250514  # Three-Body launch date: fixed seed for the weights

#: Architecture of the embedded model (transformers.Qwen3Config keyword arguments).
TINY_MODEL_CONFIG: dict = {
    "hidden_size": 128,
    "intermediate_size": 384,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "head_dim": 64,  # vLLM's CPU attention rejects head_dim 16
    "max_position_embeddings": 2048,
    "rope_theta": 1_000_000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "hidden_act": "silu",
}
VOCAB_SIZE = 512

#: The published Qwen3-0.6B architecture (Hugging Face Qwen/Qwen3-0.6B config.json).
QWEN3_0_6B_CONFIG: dict = {
    "hidden_size": 1024,
    "intermediate_size": 3072,
    "num_hidden_layers": 28,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "max_position_embeddings": 40960,
    "rope_theta": 1_000_000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "hidden_act": "silu",
    "vocab_size": 151936,
}

#: Sizes :func:`build_model` generates: architecture, weight dtype and default directory name.
MODEL_SIZES: dict[str, dict] = {
    "tiny": {"config": TINY_MODEL_CONFIG, "dtype": "float32", "dir": "tiny-qwen3"},
    "qwen3-0.6b": {"config": QWEN3_0_6B_CONFIG, "dtype": "bfloat16", "dir": "qwen3-0.6b-random"},
}
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# A Qwen-style ChatML template (system/user/assistant turns, generation prompt).
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

_TRAINING_TEXT = """
A satellite in low Earth orbit circles the planet every ninety minutes at about seven and a half
kilometres per second. Its solar arrays turn sunlight into electric power while it is in the sun,
and its batteries carry the load through the eclipse when the Earth hides the sun. A computing
satellite carries an accelerator that runs a large language model: a prompt is uploaded from a
ground station during a pass, the satellite runs the model, and the answer is sent back down.
Light travels at about three hundred thousand kilometres per second, so the delay from the ground
to a satellite five hundred kilometres up is only a few milliseconds, while a geostationary
satellite is more than a tenth of a second away. Laser links between satellites carry data at a
hundred gigabits per second across thousands of kilometres. The time to the first token depends on
the prompt length and the compute of the accelerator; the time per output token depends on how fast
the weights can be read from memory. Power is limited, heat must be radiated into space, and
radiation can flip bits in memory, so the hardware needs error correction and careful design.
The constellation has twelve satellites in one orbital plane, sun synchronous, at about five
hundred kilometres. Ground stations see a satellite for a few minutes per pass. A message may wait
for the next contact, cross the inter-satellite links, queue at the node, run, and come back down.
User: how long does the answer take? Assistant: it depends on the orbit, the links and the model.
Question: what limits inference in orbit? Answer: power, memory bandwidth, heat and radiation.
The quick brown fox jumps over the lazy dog. 0 1 2 3 4 5 6 7 8 9 10 100 1000 km s W Wh GB TOPS.
"""


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent.parent


def default_model_dir(size: str = "tiny") -> Path:
    """Where a generated model lives: ``<repo>/models/<name>`` (``tiny-qwen3``,
    ``qwen3-0.6b-random``); the embedded tiny one can be moved with ``$ORBITAL_LAB_MODEL_DIR``."""
    from lab._validate import check_choice

    check_choice(size, MODEL_SIZES, "size")
    env = os.environ.get(MODEL_DIR_ENV)
    if env and size == "tiny":
        return Path(env).expanduser().resolve()
    return _repo_root() / "models" / MODEL_SIZES[size]["dir"]


def _weight_files(path: Path) -> list[Path]:
    pats = ("*.safetensors", "*.bin", "*.pt", "*.gguf")
    return sorted(p for pat in pats for p in path.glob(pat) if p.is_file())


def validate_model_dir(path: str | os.PathLike) -> Path:
    """Check that ``path`` is a checkpoint directory vLLM can load; return it resolved.

    Raises ``FileNotFoundError`` if it does not exist, ``ValueError`` if it is not a directory,
    has no ``config.json`` or no weight files (``*.safetensors``, ``*.bin``, ``*.pt``).
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"model must be a path to a checkpoint directory (got {path!r})")
    p = Path(path).expanduser()
    if not p.exists():
        raise FileNotFoundError(
            f"model path {str(p)!r} does not exist; pass a checkpoint directory (config.json + "
            f"weights) or model=None for the embedded tiny model"
        )
    if not p.is_dir():
        raise ValueError(f"model path {str(p)!r} is not a directory (expected a checkpoint directory)")
    if not (p / "config.json").is_file():
        raise ValueError(f"model directory {str(p)!r} has no config.json (not a Hugging Face checkpoint)")
    if not _weight_files(p):
        raise ValueError(
            f"model directory {str(p)!r} has no weight files (*.safetensors, *.bin, *.pt)"
        )
    return p.resolve()


def is_complete(path: str | os.PathLike, size: str | None = None) -> bool:
    """True if ``path`` holds a complete build (marker and all files) of :func:`build_model`,
    of ``size`` when given."""
    p = Path(path)
    marker = p / COMPLETE_MARKER
    if not marker.is_file():
        return False
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    if info.get("version") != _BUILD_VERSION:
        return False
    if size is not None and info.get("size", "tiny") != size:
        return False
    for name, nbytes in info.get("files", {}).items():
        f = p / name
        if not f.is_file() or f.stat().st_size != nbytes:
            return False
    return (p / BUILDING_MARKER).exists() is False


def resolve_model(model: str | os.PathLike | None = None) -> Path:
    """``None`` -> the embedded model (built if missing); a path -> validated checkpoint dir."""
    if model is None:
        return build_tiny_model()
    return validate_model_dir(model)


def model_info(path: str | os.PathLike) -> dict:
    """Architecture facts from ``config.json``: parameter count, layers, KV geometry, dtype.

    Returns a dict with ``params`` (exact for Qwen3, :func:`lab.node.roofline.decoder_params`),
    ``layers``, ``kv_heads``, ``head_dim``, ``hidden_size``, ``vocab_size``, ``dtype``,
    ``format`` (the number format: fp32, bf16, fp16, int8), ``bytes_per_param`` and
    ``kv_bytes_per_token``.
    """
    from lab.node.roofline import ModelSpec

    p = validate_model_dir(path)
    cfg = json.loads((p / "config.json").read_text())
    cfg = cfg.get("text_config", cfg)
    spec = ModelSpec.from_config(p.name, cfg)
    dtype = str(cfg.get("torch_dtype") or cfg.get("dtype") or "float32")
    fmt = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16", "int8": "int8"}.get(
        dtype, "bf16")
    bpp = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}[fmt]
    return {
        "params": int(spec.params),
        "layers": spec.layers,
        "kv_heads": spec.kv_heads,
        "head_dim": spec.head_dim,
        "hidden_size": spec.hidden_size,
        "vocab_size": spec.vocab_size,
        "dtype": dtype,
        "format": fmt,
        "bytes_per_param": bpp,
        "kv_bytes_per_token": int(spec.kv_bytes_per_token(bpp)),
    }


@contextlib.contextmanager
def _lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.parent / f".{path.name}.lock"
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no inter-process lock
        yield
        return
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _train_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    lines = [ln for ln in _TRAINING_TEXT.strip().splitlines() if ln.strip()]
    tok.train_from_iterator(lines, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        model_max_length=TINY_MODEL_CONFIG["max_position_embeddings"],
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def _deterministic_weights(model, seed: int) -> None:
    """Overwrite every parameter with values from a NumPy generator (independent of torch's RNG).

    Parameters are filled in name order; a large one row block by row block (the generator's
    stream is the same as in one draw, and the float64 draw stays small)."""
    import torch

    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, param in sorted(model.named_parameters(), key=lambda kv: kv[0]):
            shape = tuple(param.shape)
            if name.endswith("norm.weight"):
                param.copy_(torch.ones(shape, dtype=param.dtype))
                continue
            rows = max(1, _DRAW_BLOCK // max(1, int(np.prod(shape[1:], dtype=np.int64))))
            for r0 in range(0, shape[0], rows):
                block = rng.normal(0.0, 0.02, size=(min(rows, shape[0] - r0), *shape[1:]))
                param[r0:r0 + block.shape[0]].copy_(
                    torch.from_numpy(block.astype(np.float32)).to(param.dtype))


_DRAW_BLOCK = 1 << 24  # values per random draw (128 MB of float64)


def _check_size(size: str, dtype: str | None) -> str:
    from lab._validate import check_choice

    check_choice(size, MODEL_SIZES, "size")
    dtype = dtype or MODEL_SIZES[size]["dtype"]
    check_choice(dtype, ("float32", "bfloat16"), "dtype")
    return dtype


def _build_bytes(size: str, dtype: str) -> float:
    """Peak memory estimate of a build: the model in ``dtype`` plus a float32 staging copy
    while saving, plus one random draw block."""
    from lab.node.roofline import ModelSpec

    cfg = dict(MODEL_SIZES[size]["config"])
    cfg.setdefault("vocab_size", VOCAB_SIZE)
    params = ModelSpec.from_config(size, {**cfg, "model_type": "qwen3"}).params
    return params * ({"float32": 4, "bfloat16": 2}[dtype] + 2) + 8 * _DRAW_BLOCK


def build_model(
    size: str = "tiny", path: str | os.PathLike | None = None, *, force: bool = False,
    dtype: str | None = None, max_memory_gb: float | None = None,
) -> Path:
    """Generate a Qwen3-architecture checkpoint of ``size`` (:data:`MODEL_SIZES`) in ``path``.

    ``path`` defaults to :func:`default_model_dir` of the size; ``dtype`` to the size's
    (float32 tiny, bfloat16 qwen3-0.6b). Deterministic (fixed seeds) and idempotent: a complete
    build of the same size is reused, a partial one (interrupted build) is removed and rebuilt;
    ``force=True`` always rebuilds. Refuses to overwrite a non-empty directory it did not create,
    and to start a build whose memory estimate is above the lab's limit (``max_memory_gb``,
    ``$LAB_MAX_MEMORY_GB``; the 0.6B build needs ~2.5 GB). Returns the model directory. Needs
    torch, transformers, tokenizers; the tiny model takes seconds, qwen3-0.6b ~15 s and 1.2 GB.
    """
    from lab._validate import check_memory

    dtype = _check_size(size, dtype)
    p = Path(path).expanduser().resolve() if path is not None else default_model_dir(size)
    with _lock(p):
        if is_complete(p, size=size) and not force:
            return p
        check_memory(_build_bytes(size, dtype), f"building the {size} model", max_memory_gb)
        _clear_target(p)
        p.mkdir(parents=True)
        (p / BUILDING_MARKER).write_text("partial build in progress\n")
        _build_into(p, size, dtype)
        files = {
            f.name: f.stat().st_size
            for f in sorted(p.iterdir())
            if f.is_file() and not f.name.startswith(".orbital-lab")
        }
        info = {"version": _BUILD_VERSION, "seed": SEED, "dtype": dtype, "files": files,
                "sha256": _digest(p, files)}
        if size != "tiny":
            info["size"] = size
        (p / BUILDING_MARKER).unlink()
        (p / COMPLETE_MARKER).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    return p


def build_tiny_model(
    path: str | os.PathLike | None = None, *, force: bool = False, dtype: str = "float32"
) -> Path:
    """Generate the embedded tiny Qwen3 model in ``path`` (default :func:`default_model_dir`):
    ``build_model("tiny", path, force=force, dtype=dtype)``."""
    return build_model("tiny", path, force=force, dtype=dtype)


def _clear_target(p: Path) -> None:
    """Remove a previous build in ``p``; refuse a file or a foreign non-empty directory."""
    if not p.exists():
        return
    if not p.is_dir():
        raise ValueError(f"model path {str(p)!r} exists and is not a directory")
    ours = (p / BUILDING_MARKER).exists() or (p / COMPLETE_MARKER).exists()
    if any(p.iterdir()) and not ours:
        raise ValueError(
            f"model path {str(p)!r} is a non-empty directory not created by "
            f"build_model; refusing to overwrite it"
        )
    shutil.rmtree(p)


def _digest(p: Path, files: dict[str, int]) -> str:
    """SHA-256 over the file names and contents (read in 16 MB chunks)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        with open(p / name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 24), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _build_into(p: Path, size: str, dtype: str) -> None:
    import torch
    from transformers import GenerationConfig, Qwen3Config, Qwen3ForCausalLM

    tokenizer = _train_tokenizer()
    tokenizer.save_pretrained(p)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    arch = dict(MODEL_SIZES[size]["config"])
    arch.setdefault("vocab_size", len(tokenizer))  # the real-size vocab keeps its 151,936 rows
    config = Qwen3Config(
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
        **arch,
    )
    torch_dtype = torch.float32 if dtype == "float32" else torch.bfloat16
    torch.manual_seed(SEED)
    previous = torch.get_default_dtype()
    # the tiny model is made in float32 (as always); a large one directly in its dtype
    torch.set_default_dtype(torch.float32 if size == "tiny" else torch_dtype)
    try:
        model = Qwen3ForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    _deterministic_weights(model, SEED)
    model = model.to(torch_dtype)
    model.save_pretrained(p, safe_serialization=True)
    gen = GenerationConfig(
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
        pad_token_id=ids["<|endoftext|>"],
    )
    gen.save_pretrained(p)
