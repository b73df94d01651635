"""Central finite differences in float64: an autodiff-free check of gradients.

Where a document does not write a gradient by hand, a case's NumPy implementation
computes it numerically, independently of TensorFlow's tape and PyTorch's autograd::

    dw, db = numerical_gradient(lambda w, b: loss(w, b), w, b)

``f`` takes float64 arrays and returns a scalar. The error of a central difference is
O(eps²) from truncation plus O(1e-16/eps) from rounding; eps = 1e-6 keeps both near
1e-10 relative for smooth functions of values of order one. Cast the result to the
case's dtype before returning it, so that it is compared at that dtype's tolerance.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["numerical_gradient"]


def numerical_gradient(f: Callable[..., float], *arrays: np.ndarray, eps: float = 1e-6) -> list[np.ndarray]:
    """d f(*arrays) / d arrays[i] for every i, by central differences in float64."""
    points = [np.array(a, dtype=np.float64, copy=True) for a in arrays]
    gradients = []
    for point in points:
        gradient = np.zeros_like(point)
        flat, flat_gradient = point.reshape(-1), gradient.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            step = eps * max(1.0, abs(original))
            flat[i] = original + step
            upper = float(f(*points))
            flat[i] = original - step
            lower = float(f(*points))
            flat[i] = original
            flat_gradient[i] = (upper - lower) / (2 * step)
        gradients.append(gradient)
    return gradients
