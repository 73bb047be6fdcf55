"""Writes reference.safetensors with the safetensors library (pip install safetensors numpy).

test_safetensors checks that Ember writes these same bytes for the same tensors and reads them
back. Regenerate only to follow a change of the format.
"""
import numpy as np
from safetensors.numpy import save_file

tensors = {
    "weight": (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3),
    "bias": np.array([0.25, -4.0], dtype=np.float64),
    "steps": np.array(7, dtype=np.int64),
    "mask": np.array([True, False, True]),
    "half": np.array([1.5, -2.0], dtype=np.float16),
    "count": np.array([42], dtype=np.int32),
    "bytes": np.array([0, 255], dtype=np.uint8),
    "small": np.array([-128, 127], dtype=np.int8),
    "empty": np.zeros((0, 3), dtype=np.float32),
}
save_file(tensors, "reference.safetensors", metadata={"format": "pt"})
