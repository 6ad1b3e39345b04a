"""How a gradient is measured against its numerical reference: the notes' relative difference, the
largest entry-wise error as the other course prints it, and the tolerance a right gradient keeps."""
import numpy as np


# Above this relative difference a gradient is wrong (the notes' gradient check).
TOLERANCE = 1e-7


def rel_difference(a, b):
    """The notes' ‖a − b‖ / (‖a‖ + ‖b‖); 0 when both are zero."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na + nb == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / (na + nb))


def max_entry_error(a, b):
    """The largest entry-wise relative error, max |a − b| / max(1e-8, |a| + |b|), as the other course's
    `rel_error` prints it."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
