"""Where the fonts embedded in PDFs live: one folder, server-side only (never served to browsers).
Each font family sits in its own subfolder with its licence and a README saying where it came from."""
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parents[2] / "fonts"
DEJAVU = FONTS_DIR / "dejavu-fonts-2.37"
