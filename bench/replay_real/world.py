"""A year of weekly batches of real images with a drift schedule of our own.

The images are scikit-learn's bundled handwritten digits (load_digits: 1,797 8x8 images, 10
classes, shipped in Debian's python3-sklearn, no download). Each week draws a batch and
applies that week's conditions:

  gradual    contrast fades from week 6 to week 20 (pixels pulled towards grey),
  prior      classes 0-4 twice as frequent from week 12 to week 24,
  sudden     a noise event from week 27 to week 33 (Gaussian pixel noise),
  recovering after it the noise is gone and the contrast comes back,
  recurring  a half-pixel shift of the images returns every 13 weeks for 3 weeks
             (weeks 10-12, 23-25, 36-38, 49-51),
  moving     from week 40 a slow blur every feature feels.

Features are a frozen embedding: a 16-component PCA fitted once on the clean images (as a
pretrained encoder would be), so the classifier retrained each time sees 16 numeric columns.
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

WEEKS = 52
EMBEDDING_DIM = 16
BASE_NOISE = 1.5


class World:
    def __init__(self, rows_per_week=1000, seed=7):
        digits = load_digits()
        self.images = digits.images.astype(float)  # (n, 8, 8), pixels 0..16
        self.labels = digits.target
        self.rows = rows_per_week
        self.rng = np.random.default_rng(seed)
        self.encoder = PCA(n_components=EMBEDDING_DIM, random_state=0).fit(
            self.images.reshape(len(self.images), -1))

    @staticmethod
    def conditions(week):
        """The drift schedule: what week `week` (1-based) looks like."""
        contrast = 1.0
        if 6 <= week <= 20:
            contrast = 1.0 - 0.55 * (week - 5) / 15
        elif 20 < week <= 33:
            contrast = 0.45
        elif week > 33:  # recovering: back to 0.9 over six weeks
            contrast = min(0.9, 0.45 + 0.45 * (week - 33) / 6)
        noise = 4.0 if 27 <= week <= 33 else 0.0
        shift = 1 if any(start <= week <= start + 2 for start in (10, 23, 36, 49)) else 0
        prior = 12 <= week <= 24
        blur = 0.0 if week < 40 else min(0.8, 0.1 * (week - 39))
        return dict(contrast=contrast, noise=noise, shift=shift, prior=prior, blur=blur)

    def _draw_indices(self, prior):
        if not prior:
            return self.rng.integers(0, len(self.labels), self.rows)
        weights = np.where(self.labels < 5, 2.0, 1.0)
        return self.rng.choice(len(self.labels), self.rows, p=weights / weights.sum())

    def batch(self, week):
        """(features, labels) of one week's batch."""
        c = self.conditions(week)
        idx = self._draw_indices(c["prior"])
        x = self.images[idx].copy()
        if c["shift"]:  # half a pixel to the right
            shifted = np.roll(x, 1, axis=2)
            shifted[:, :, 0] = 0
            x = 0.5 * x + 0.5 * shifted
        if c["blur"] > 0:
            k = c["blur"] / 4
            x = (1 - 2 * k) * x + k * np.roll(x, 1, axis=1) + k * np.roll(x, -1, axis=1)
        x = 8.0 + c["contrast"] * (x - 8.0)
        # Every week has some pixel noise (so no two rows repeat exactly); the event adds more.
        x = x + self.rng.normal(0, BASE_NOISE + c["noise"], x.shape)
        x = np.clip(x, 0, 16)
        return self.encoder.transform(x.reshape(len(x), -1)), self.labels[idx]
