"""Offline configuration: the lab never downloads anything at run time."""

from __future__ import annotations

import os


def configure_offline() -> None:
    """Make astropy use its bundled IERS-B table and never try the network.

    GCRS <-> ITRS transformations otherwise try to download IERS-A tables and fail (or hang)
    without internet. With ``auto_max_age=None`` astropy accepts the bundled tables;
    predictions beyond their span fall back to extrapolation with a warning, which we silence
    here because sub-arcsecond polar motion is irrelevant at the lab's accuracy (metres).
    Hugging Face libraries are told to stay offline as well: models load from local paths.
    """
    import warnings

    from astropy.utils import iers

    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    iers.conf.iers_degraded_accuracy = "warn"
    warnings.filterwarnings("ignore", category=iers.IERSWarning)
    try:  # astropy >= 5.0
        from astropy.utils.exceptions import AstropyWarning

        warnings.filterwarnings("ignore", message=".*IERS.*", category=AstropyWarning)
        warnings.filterwarnings("ignore", message=".*dubious year.*")
    except ImportError:  # pragma: no cover
        pass
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
