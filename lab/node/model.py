"""The embedded default model: a tiny Qwen3-architecture checkpoint generated locally.

No model hub is reachable from the lab, so :func:`build_tiny_model` makes one in a few seconds: a
byte-level BPE tokenizer trained on a short built-in text, a Qwen3 configuration (hidden 128,
2 layers, 2 query heads, 1 KV head, head_dim 64) and fixed-seed random weights saved as
safetensors. It answers gibberish, but every token goes through the real vLLM engine, so its
latencies are real measurements of the serving stack. ``model=`` everywhere also accepts the
directory of a real checkpoint (e.g. a downloaded Qwen3-0.6B).
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
    "TINY_MODEL_CONFIG",
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


def default_model_dir() -> Path:
    """Where the embedded model lives: ``$ORBITAL_LAB_MODEL_DIR`` or ``<repo>/models/tiny-qwen3``."""
    env = os.environ.get(MODEL_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return _repo_root() / "models" / "tiny-qwen3"


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


def is_complete(path: str | os.PathLike) -> bool:
    """True if ``path`` holds a complete build of the embedded model (marker and all files)."""
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
    for name, size in info.get("files", {}).items():
        f = p / name
        if not f.is_file() or f.stat().st_size != size:
            return False
    return (p / BUILDING_MARKER).exists() is False


def resolve_model(model: str | os.PathLike | None = None) -> Path:
    """``None`` -> the embedded model (built if missing); a path -> validated checkpoint dir."""
    if model is None:
        return build_tiny_model()
    return validate_model_dir(model)


def model_info(path: str | os.PathLike) -> dict:
    """Architecture facts from ``config.json``: parameter count estimate, layers, KV geometry.

    Returns a dict with ``params`` (approximate number of parameters of a Llama/Qwen-style
    decoder), ``layers``, ``kv_heads``, ``head_dim``, ``hidden_size``, ``vocab_size``,
    ``bytes_per_param`` (from ``torch_dtype``/``dtype``) and ``kv_bytes_per_token``.
    """
    p = validate_model_dir(path)
    cfg = json.loads((p / "config.json").read_text())
    cfg = cfg.get("text_config", cfg)
    h = int(cfg["hidden_size"])
    layers = int(cfg["num_hidden_layers"])
    heads = int(cfg["num_attention_heads"])
    kv = int(cfg.get("num_key_value_heads", heads))
    hd = int(cfg.get("head_dim") or h // heads)
    inter = int(cfg.get("intermediate_size", 4 * h))
    vocab = int(cfg["vocab_size"])
    tied = bool(cfg.get("tie_word_embeddings", False))
    qk_norm = 2 * hd if cfg.get("model_type") == "qwen3" else 0
    per_layer = h * hd * (heads + 2 * kv) + heads * hd * h + 3 * h * inter + 2 * h + qk_norm
    params = layers * per_layer + vocab * h * (1 if tied else 2) + h
    dtype = str(cfg.get("torch_dtype") or cfg.get("dtype") or "float32")
    bpp = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}.get(dtype, 2)
    return {
        "params": params,
        "layers": layers,
        "kv_heads": kv,
        "head_dim": hd,
        "hidden_size": h,
        "vocab_size": vocab,
        "dtype": dtype,
        "bytes_per_param": bpp,
        "kv_bytes_per_token": 2 * layers * kv * hd * bpp,
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
    """Overwrite every parameter with values from a NumPy generator (independent of torch's RNG)."""
    import torch

    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, param in sorted(model.named_parameters(), key=lambda kv: kv[0]):
            if name.endswith("norm.weight"):
                values = np.ones(tuple(param.shape), dtype=np.float32)
            else:
                values = rng.normal(0.0, 0.02, size=tuple(param.shape)).astype(np.float32)
            param.copy_(torch.from_numpy(values).to(param.dtype))


def build_tiny_model(
    path: str | os.PathLike | None = None, *, force: bool = False, dtype: str = "float32"
) -> Path:
    """Generate the embedded tiny Qwen3 model in ``path`` (default :func:`default_model_dir`).

    Deterministic (fixed seeds) and idempotent: a complete build is reused, a partial one
    (interrupted build) is removed and rebuilt; ``force=True`` always rebuilds. Refuses to
    overwrite a non-empty directory it did not create. ``dtype`` is ``"float32"`` or ``"bfloat16"``.
    Returns the model directory. Takes a few seconds (needs torch, transformers, tokenizers).
    """
    from lab._validate import check_choice

    check_choice(dtype, ("float32", "bfloat16"), "dtype")
    p = Path(path).expanduser().resolve() if path is not None else default_model_dir()
    with _lock(p):
        if is_complete(p) and not force:
            return p
        if p.exists():
            if not p.is_dir():
                raise ValueError(f"model path {str(p)!r} exists and is not a directory")
            ours = (p / BUILDING_MARKER).exists() or (p / COMPLETE_MARKER).exists()
            if any(p.iterdir()) and not ours:
                raise ValueError(
                    f"model path {str(p)!r} is a non-empty directory not created by "
                    f"build_tiny_model; refusing to overwrite it"
                )
            shutil.rmtree(p)
        p.mkdir(parents=True)
        (p / BUILDING_MARKER).write_text("partial build in progress\n")
        _build_into(p, dtype)
        files = {
            f.name: f.stat().st_size
            for f in sorted(p.iterdir())
            if f.is_file() and not f.name.startswith(".orbital-lab")
        }
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode())
            digest.update((p / name).read_bytes())
        info = {"version": _BUILD_VERSION, "seed": SEED, "dtype": dtype, "files": files,
                "sha256": digest.hexdigest()}
        (p / BUILDING_MARKER).unlink()
        (p / COMPLETE_MARKER).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    return p


def _build_into(p: Path, dtype: str) -> None:
    import torch
    from transformers import GenerationConfig, Qwen3Config, Qwen3ForCausalLM

    tokenizer = _train_tokenizer()
    tokenizer.save_pretrained(p)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
        **TINY_MODEL_CONFIG,
    )
    torch.manual_seed(SEED)
    model = Qwen3ForCausalLM(config)
    _deterministic_weights(model, SEED)
    torch_dtype = torch.float32 if dtype == "float32" else torch.bfloat16
    model = model.to(torch_dtype)
    model.save_pretrained(p, safe_serialization=True)
    gen = GenerationConfig(
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
        pad_token_id=ids["<|endoftext|>"],
    )
    gen.save_pretrained(p)
